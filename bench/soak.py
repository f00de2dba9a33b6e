"""A bounded soak: mixed traffic against the app under gunicorn, loopback only.

    python -m bench.soak DATABASE_URL [--seconds 120] [--clients 50] [--workers 2]

Every client behaves in turn like a citizen and like commune staff: public lookups
(``POST /status``), the citizen's page, certificate verification (``GET /verify/<serial>``:
real serials when the database has recognitions, unknown ones otherwise, which take the same
indexed query), staff page views (citizen list pages, citizen details) and writes (recording an
activity through the staff form, which re-evaluates the citizen and every unit above when the
year has been evaluated). Staff log in through the login form as the demo's commune account.
The run fails (exit 1) on any error or 5xx; memory of the gunicorn processes is sampled every
two seconds. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
from datetime import date
from typing import Any
from urllib.parse import urlencode

from bench.common import ROOT, log, open_app
from bench.loadgen import fetch, request, run_load
from bench.lookup import CSRF, HOST, SECRET, Server, app_env, browser_state

COOKIE = re.compile(rb"^Set-Cookie: ([^=]+)=([^;]*)", re.MULTILINE | re.IGNORECASE)
USER, PASSWORD = "xa", "demo1234"
TITLE = "Sinh hoạt câu lạc bộ đọc sách (soak)"
MIX = (
    ["lookup"] * 8
    + ["status_page"] * 4
    + ["verify"] * 3
    + ["staff_list"] * 2
    + ["staff_detail"] * 2
    + ["staff_write"] * 1
)


def _cookies(data: bytes, jar: dict[str, str]) -> dict[str, str]:
    for match in COOKIE.finditer(data):
        jar[match.group(1).decode()] = match.group(2).decode()
    return jar


def _jar(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def staff_state(port: int, citizen_id: int) -> dict[str, Any]:
    """Log in through the form like a browser; the session cookie and a form token."""
    host = f"{HOST}:{port}"

    async def go() -> dict[str, Any]:
        status, data = await fetch(HOST, port, request("GET", "/login", host))
        jar = _cookies(data, {})
        token = CSRF.search(data)
        assert token is not None, "no login form"
        body = urlencode(
            {"csrf_token": token.group(1).decode(), "username": USER, "password": PASSWORD}
        ).encode()
        headers = {"Cookie": _jar(jar), "Content-Type": "application/x-www-form-urlencoded"}
        status, data = await fetch(
            HOST, port, request("POST", "/login", host, body=body, headers=headers)
        )
        if status != 302:
            raise RuntimeError(f"login answered {status}")
        _cookies(data, jar)
        path = f"/activities/new/{citizen_id}"
        status, data = await fetch(
            HOST, port, request("GET", path, host, headers={"Cookie": _jar(jar)})
        )
        token = CSRF.search(data)
        if status != 200 or token is None:
            raise RuntimeError(f"{path} answered {status} without a form")
        return {"staff_cookie": _jar(jar), "staff_csrf": token.group(1).decode()}

    return asyncio.run(go())


def prepare(database_url: str) -> dict[str, Any]:
    """Citizens to look up, the commune account's citizens, serials to verify."""
    open_app(database_url)
    from sqlalchemy import select, text

    from registry.extensions import db
    from registry.models import Citizen, User
    from registry.models.people import CitizenStatus
    from registry.units.services import subtree_ids

    user = db.session.scalar(select(User).where(User.username == USER))
    if user is None:
        raise RuntimeError(f"the dataset has no '{USER}' account (seed-demo creates it)")
    staff_citizens = list(
        db.session.scalars(
            select(Citizen.id)
            .where(
                Citizen.status == CitizenStatus.active,
                Citizen.village_id.in_(subtree_ids(user.unit_id)),
            )
            .order_by(Citizen.id)
            .limit(500)
        )
    )
    people = []
    for cid, code, born in db.session.execute(
        text(
            "SELECT id, code, birth_date FROM citizens WHERE status = 'active' AND id % 97 = 3"
            " ORDER BY id LIMIT 2000"
        )
    ):
        born = date.fromisoformat(born) if isinstance(born, str) else born
        people.append((cid, code, born.strftime("%d/%m/%Y")))
    serials = list(db.session.scalars(text("SELECT serial FROM recognitions LIMIT 500")))
    pages = max(1, len(staff_citizens) // 20)
    db.session.remove()
    return {
        "people": people,
        "staff_citizens": staff_citizens,
        "serials": serials or [f"CDHT-2025-{n:010X}" for n in range(500)],
        "real_serials": bool(serials),
        "pages": pages,
    }


def run(database_url: str, seconds: float, clients: int, workers: int) -> dict[str, Any]:
    data = prepare(database_url)
    people, staff_citizens, serials = data["people"], data["staff_citizens"], data["serials"]
    from registry.selfservice.services import sign_citizen

    host = HOST
    app = Server("app:app", workers, app_env(database_url), ROOT)
    memory: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        started = time.perf_counter()
        while not stop.is_set():
            memory.append((round(time.perf_counter() - started, 1), round(app.rss_mb(), 1)))
            stop.wait(2)

    try:
        states = []
        for n in range(clients):
            state = browser_state(app.port)
            state.update(staff_state(app.port, staff_citizens[n % len(staff_citizens)]))
            states.append(state)

        def make(i: int, state: dict[str, Any]) -> tuple[str, bytes]:
            kind = MIX[i % len(MIX)]
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            if kind == "lookup":
                _, code, born = people[i % len(people)]
                body = urlencode(
                    {"csrf_token": state["csrf"].decode(), "identifier": code, "birth_date": born}
                ).encode()
                headers = {"Cookie": state["cookie"], **form}
                return kind, request("POST", "/status", host, body=body, headers=headers)
            if kind == "status_page":
                token = sign_citizen(SECRET, people[i % len(people)][0])
                return kind, request(
                    "GET", "/status/me", host, headers={"Cookie": f"citizen_status={token}"}
                )
            if kind == "verify":
                return kind, request("GET", f"/verify/{serials[i % len(serials)]}", host)
            staff = {"Cookie": state["staff_cookie"]}
            cid = staff_citizens[i % len(staff_citizens)]
            if kind == "staff_list":
                page = 1 + i % data["pages"]
                return kind, request("GET", f"/citizens/?page={page}", host, headers=staff)
            if kind == "staff_detail":
                return kind, request("GET", f"/citizens/{cid}", host, headers=staff)
            body = urlencode(
                {
                    "csrf_token": state["staff_csrf"],
                    "category_id": "1",
                    "title": TITLE,
                    "provider": "Thư viện xã",
                    "held_on": "15/06/2025",
                    "hours": "2",
                }
            ).encode()
            return kind, request(
                "POST", f"/activities/new/{cid}", host, body=body, headers={**staff, **form}
            )

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        result = run_load(HOST, app.port, make, states, seconds, warmup=3)
        stop.set()
        sampler.join()
    finally:
        stop.set()
        app.stop()
    expected = {
        "lookup": {302},
        "status_page": {200},
        "verify": {200, 404},
        "staff_list": {200},
        "staff_detail": {200},
        "staff_write": {302},
    }
    summary = result.summary({200, 302, 404})
    server_errors = sum(n for code, n in result.statuses.items() if code >= 500)
    rss = [m for _, m in memory]
    third = max(1, len(rss) // 3)
    return {
        "seconds": seconds,
        "clients": clients,
        "workers": workers,
        "real_serials": data["real_serials"],
        **summary,
        "server_errors": server_errors,
        "expected": {k: sorted(v) for k, v in expected.items()},
        "memory_mb": {
            "first_third_max": max(rss[:third], default=0),
            "last_third_max": max(rss[-third:], default=0),
            "samples": memory[:: max(1, len(memory) // 20)],
        },
    }


def cleanup(database_url: str) -> int:
    """Remove the activities the soak recorded (the benchmark data stay as generated)."""
    open_app(database_url)
    from sqlalchemy import text

    from registry.extensions import db

    removed = db.session.execute(text("DELETE FROM activities WHERE title = :t"), {"t": TITLE})
    db.session.commit()
    return int(removed.rowcount or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    result = run(args.url, args.seconds, args.clients, args.workers)
    result["activities_recorded_and_removed"] = cleanup(args.url)
    log(f"soak: {result}")
    print(json.dumps(result))
    bad = result["errors"] or result["server_errors"]
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
