"""Public status lookups under load: the app under gunicorn beside a bare Flask endpoint.

    python -m bench.lookup DATABASE_URL [--seconds 20] [--clients 50] [--workers 2]

Both servers run under gunicorn with the same number of sync workers on 127.0.0.1, and the
same closed-loop generator (``bench.loadgen``, 50 clients, no think time) drives them in turn:
the bare endpoint, a citizen's lookup (``POST /status`` with code and date of birth, CSRF token
and session cookie as a browser sends them; answered by a redirect), the citizen's page
(``GET /status/me``). All clients come from one address, so the per-address rate limit is
raised for the run (``REGISTRY_PUBLIC_RATE_LIMIT``); everything else is the production
configuration. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.common import ROOT, log, median
from bench.loadgen import fetch, request, run_load, wait_until_up

HOST = "127.0.0.1"
SECRET = "bench-secret-key"  # noqa: S105 - the benchmark server only
BARE_APP = """
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "<p>Xin chào</p>"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn serving ``target`` with ``workers`` sync workers on a free loopback port."""

    def __init__(self, target: str, workers: int, env: dict[str, str], cwd: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--workers",
                str(workers),
                "--bind",
                f"{HOST}:{self.port}",
                "--log-level",
                "warning",
                target,
            ],
            cwd=cwd,
            env={**os.environ, **env},
        )
        wait_until_up(HOST, self.port, "/", timeout=60)

    def rss_mb(self) -> float:
        """Resident memory of the master and its workers."""
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                continue
        return total / 1024

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def app_env(database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "REGISTRY_PUBLIC_RATE_LIMIT": "1000000 per second",
        "REGISTRY_LOGIN_RATE_LIMIT": "1000000 per second",
    }


def sample_people(database_url: str, count: int) -> list[tuple[int, str, str]]:
    """``(id, code, dd/mm/yyyy)`` of citizens spread over the whole province."""
    from bench.common import open_app

    open_app(database_url)
    from sqlalchemy import text

    from registry.extensions import db

    total = db.session.execute(text("SELECT MAX(id) FROM citizens")).scalar() or 1
    step = max(1, total // count)
    rows = db.session.execute(
        text(
            "SELECT id, code, birth_date FROM citizens"
            " WHERE id % :step = 0 AND status <> 'deceased' ORDER BY id LIMIT :n"
        ),
        {"step": step, "n": count},
    ).all()
    out = []
    for cid, code, born in rows:
        born = date.fromisoformat(born) if isinstance(born, str) else born
        out.append((cid, code, born.strftime("%d/%m/%Y")))
    db.session.remove()
    return out


COOKIE = re.compile(rb"^Set-Cookie: ([^=]+)=([^;]*)", re.MULTILINE | re.IGNORECASE)
CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def browser_state(port: int) -> dict[str, Any]:
    """What a browser holds after opening /status: the session cookie and the form's token."""
    import asyncio

    status, data = asyncio.run(fetch(HOST, port, request("GET", "/status", f"{HOST}:{port}")))
    token = CSRF.search(data)
    if status != 200 or token is None:
        raise RuntimeError(f"/status answered {status} without a form")
    cookies = {m.group(1).decode(): m.group(2).decode() for m in COOKIE.finditer(data)}
    return {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "csrf": token.group(1)}


def run(
    database_url: str,
    seconds: float,
    clients: int,
    workers: int,
    repeat: int,
    paced_rate: float = 1.0,
) -> dict[str, Any]:
    """Each scenario twice: closed loop (saturation) and paced (``paced_rate`` requests per
    second per client: 50 citizens each looking up once a second)."""
    people = sample_people(database_url, 2000)
    from registry.selfservice.services import sign_citizen

    host = f"{HOST}"
    names = ("bare", "lookup", "status_page")
    figures: dict[str, list[dict[str, Any]]] = {
        f"{name}{suffix}": [] for name in names for suffix in ("", "_paced")
    }
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "bare.py").write_text(BARE_APP)
        bare = Server("bare:app", workers, {}, Path(tmp))
        app = Server("app:app", workers, app_env(database_url), ROOT)
        try:
            states = [browser_state(app.port) for _ in range(clients)]

            def lookup(i: int, state: dict[str, Any]) -> tuple[str, bytes]:
                _, code, born = people[i % len(people)]
                body = urlencode(
                    {"csrf_token": state["csrf"].decode(), "identifier": code, "birth_date": born}
                ).encode()
                headers = {
                    "Cookie": state["cookie"],
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                return "lookup", request("POST", "/status", host, body=body, headers=headers)

            def page(i: int, state: dict[str, Any]) -> tuple[str, bytes]:
                cid = people[i % len(people)][0]
                token = sign_citizen(SECRET, cid)
                headers = {"Cookie": f"citizen_status={token}"}
                return "status_page", request("GET", "/status/me", host, headers=headers)

            def hello(_i: int, _state: dict[str, Any]) -> tuple[str, bytes]:
                return "bare", request("GET", "/", host)

            memory_before = app.rss_mb()
            for r in range(repeat):
                for name, server, make, ok in (
                    ("bare", bare, hello, {200}),
                    ("lookup", app, lookup, {302}),
                    ("status_page", app, page, {200}),
                ):
                    for suffix, rate in (("", None), ("_paced", paced_rate)):
                        result = run_load(
                            HOST, server.port, make, [dict(s) for s in states], seconds, rate=rate
                        )
                        summary = result.summary(ok)
                        figures[name + suffix].append(summary)
                        log(f"  {name}{suffix} run {r + 1}: {summary}")
            memory_after = app.rss_mb()
        finally:
            app.stop()
            bare.stop()

    def med(name: str, key: str) -> float:
        return round(median([f[key] for f in figures[name]]), 1)

    out: dict[str, Any] = {
        "clients": clients,
        "workers": workers,
        "seconds": seconds,
        "paced_rate_per_client": paced_rate,
    }
    for name in figures:
        out[name] = {
            key: med(name, key)
            for key in ("throughput_rps", "p50_ms", "p95_ms", "p99_ms", "max_ms")
        }
        out[name]["requests"] = sum(f["requests"] for f in figures[name])
        out[name]["unexpected_status"] = sum(f["unexpected_status"] for f in figures[name])
        out[name]["errors"] = sum(f["errors"] for f in figures[name])
    out["lookup_vs_bare_throughput"] = round(
        out["lookup"]["throughput_rps"] / out["bare"]["throughput_rps"], 2
    )
    out["page_vs_bare_throughput"] = round(
        out["status_page"]["throughput_rps"] / out["bare"]["throughput_rps"], 2
    )
    out["app_rss_mb"] = {"before": round(memory_before), "after": round(memory_after)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = run(args.url, args.seconds, args.clients, args.workers, args.repeat)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
