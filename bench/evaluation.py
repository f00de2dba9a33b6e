"""Full-year evaluation and one-activity re-evaluation, each beside a hand-written SQL floor.

Run in a child process per dataset (``python -m bench.evaluation URL --repeat 3``); prints one
JSON object. The floor is the least work that yields the same per-citizen totals for the
citizen set's activity criteria and a pass share for every household, clan, village, commune,
district and the province: one aggregate over the year's activities, then one GROUP BY per level,
written into its own table ``bench_floor``. The run checks that the floor's per-citizen totals
equal the app's, so both really compute the same thing.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date
from typing import Any

from sqlalchemy import text

from bench.common import log, median, open_app, peak_rss_mb, percentile, stopwatch

# --- the floor: the citizen set's three activity criteria, hand-written ---------------------

CITIZEN_POINTS = """
  (CASE WHEN COALESCE(f.h1, 0) >= 30 THEN 10 WHEN COALESCE(f.h1, 0) >= 15 THEN 8
        WHEN COALESCE(f.h1, 0) >= 5 THEN 5 ELSE 0 END)
+ (CASE WHEN COALESCE(f.h2, 0) >= 20 THEN 10 WHEN COALESCE(f.h2, 0) >= 10 THEN 8
        WHEN COALESCE(f.h2, 0) >= 4 THEN 5 ELSE 0 END)
+ (CASE WHEN COALESCE(f.n3, 0) >= 3 THEN 10 WHEN COALESCE(f.n3, 0) >= 2 THEN 8
        WHEN COALESCE(f.n3, 0) >= 1 THEN 5 ELSE 0 END)
+ COALESCE(s.score, 0)
"""

ACTIVITY_FACTS = """
SELECT a.citizen_id,
       SUM(CASE WHEN k.code IN ('self_study', 'online') THEN a.hours ELSE 0 END) AS h1,
       SUM(CASE WHEN k.code IN ('tthtcd', 'campaign') THEN a.hours ELSE 0 END) AS h2,
       COUNT(CASE WHEN k.code = 'online' THEN a.id END) AS n3
FROM activities a JOIN activity_categories k ON k.id = a.category_id
WHERE a.held_on BETWEEN :first AND :last {only}
GROUP BY a.citizen_id
"""

SCORES = """
SELECT subject_id, SUM(score) AS score FROM assessments
WHERE subject_type = 'citizen' AND year = :year {only} GROUP BY subject_id
"""

PRESENT = """c.birth_date <= :born_by
  AND (c.status = 'active' OR c.left_on IS NULL OR c.left_on > :last)"""


def _citizens(only: str = "") -> str:
    facts = ACTIVITY_FACTS.format(only="AND a.citizen_id = :cid" if only else "")
    scores = SCORES.format(only="AND subject_id = :cid" if only else "")
    return f"""
INSERT INTO bench_floor (kind, subject_id, unit_id, total, passed)
SELECT 'citizen', c.id, c.village_id, {CITIZEN_POINTS}, ({CITIZEN_POINTS}) >= 80
FROM citizens c
LEFT JOIN ({facts}) f ON f.citizen_id = c.id
LEFT JOIN ({scores}) s ON s.subject_id = c.id
WHERE {PRESENT} {only}
"""


def _group(kind: str, key: str, unit: str, joins: str, only: str = "") -> str:
    """A share of passing citizens per household or clan."""
    return f"""
INSERT INTO bench_floor (kind, subject_id, unit_id, total, passed)
SELECT '{kind}', {key}, {unit},
       1.0 * SUM(CASE WHEN f.passed THEN 1 ELSE 0 END) / COUNT(*),
       1.0 * SUM(CASE WHEN f.passed THEN 1 ELSE 0 END) / COUNT(*) >= 0.7
FROM bench_floor f JOIN citizens c ON c.id = f.subject_id {joins}
WHERE f.kind = 'citizen' AND {key} IS NOT NULL {only}
GROUP BY {key}, {unit}
"""


VILLAGES = """
INSERT INTO bench_floor (kind, subject_id, unit_id, total, passed)
SELECT 'village', v.id, v.id, COALESCE(c.share, 0), COALESCE(c.share, 0) >= 0.7 AND
       COALESCE(h.share, 0) >= 0.6
FROM admin_units v
LEFT JOIN (SELECT unit_id, 1.0 * SUM(CASE WHEN passed THEN 1 ELSE 0 END) / COUNT(*) AS share
           FROM bench_floor WHERE kind = 'citizen' {only_f} GROUP BY unit_id) c ON c.unit_id = v.id
LEFT JOIN (SELECT unit_id, 1.0 * SUM(CASE WHEN passed THEN 1 ELSE 0 END) / COUNT(*) AS share
           FROM bench_floor WHERE kind = 'household' {only_f} GROUP BY unit_id) h
       ON h.unit_id = v.id
WHERE v.level = 'village' {only_v}
"""


def _area(kind: str, member: str, only: str = "") -> str:
    """A share of passing member units (villages of a commune, communes of a district…)."""
    return f"""
INSERT INTO bench_floor (kind, subject_id, unit_id, total, passed)
SELECT '{kind}', u.parent_id, u.parent_id,
       1.0 * SUM(CASE WHEN f.passed THEN 1 ELSE 0 END) / COUNT(*),
       1.0 * SUM(CASE WHEN f.passed THEN 1 ELSE 0 END) / COUNT(*) >= 0.7
FROM bench_floor f JOIN admin_units u ON u.id = f.subject_id
WHERE f.kind = '{member}' AND u.parent_id IS NOT NULL {only}
GROUP BY u.parent_id
"""


HOUSEHOLD_JOIN = "JOIN households h ON h.id = c.household_id"
CLAN_JOIN = "JOIN clans k ON k.id = c.clan_id"

FULL_FLOOR = [
    "DELETE FROM bench_floor",
    _citizens(),
    _group("household", "c.household_id", "h.village_id", HOUSEHOLD_JOIN),
    _group("clan", "c.clan_id", "k.unit_id", CLAN_JOIN),
    VILLAGES.format(only_f="", only_v=""),
    _area("commune", "village"),
    _area("district", "commune"),
    _area("province", "district"),
]

# one citizen's activity recorded: that citizen and every group and unit above it
ONE_CITIZEN = [
    "DELETE FROM bench_floor WHERE kind = 'citizen' AND subject_id = :cid",
    _citizens(only="AND c.id = :cid"),
    "DELETE FROM bench_floor WHERE kind = 'household' AND subject_id = :hid",
    _group(
        "household",
        "c.household_id",
        "h.village_id",
        HOUSEHOLD_JOIN,
        "AND c.household_id = :hid"
        " AND f.subject_id IN (SELECT id FROM citizens WHERE household_id = :hid)",
    ),
    "DELETE FROM bench_floor WHERE kind = 'clan' AND subject_id = :kid",
    _group(
        "clan",
        "c.clan_id",
        "k.unit_id",
        CLAN_JOIN,
        "AND c.clan_id = :kid AND f.subject_id IN (SELECT id FROM citizens WHERE clan_id = :kid)",
    ),
    "DELETE FROM bench_floor WHERE kind = 'village' AND subject_id = :vid",
    VILLAGES.format(only_f="AND unit_id = :vid", only_v="AND v.id = :vid"),
    "DELETE FROM bench_floor WHERE kind = 'commune' AND subject_id = :mid",
    _area("commune", "village", "AND u.parent_id = :mid"),
    "DELETE FROM bench_floor WHERE kind = 'district' AND subject_id = :did",
    _area("district", "commune", "AND u.parent_id = :did"),
    "DELETE FROM bench_floor WHERE kind = 'province' AND subject_id = :pid",
    _area("province", "district", "AND u.parent_id = :pid"),
]


def _create_floor_table() -> None:
    from registry.extensions import db

    db.session.execute(text("DROP TABLE IF EXISTS bench_floor"))
    db.session.execute(
        text(
            "CREATE TABLE bench_floor (kind VARCHAR(12) NOT NULL, subject_id INTEGER NOT NULL,"
            " unit_id INTEGER NOT NULL, total FLOAT NOT NULL, passed BOOLEAN NOT NULL)"
        )
    )
    for name, columns in (("subject", "kind, subject_id"), ("unit", "kind, unit_id")):
        db.session.execute(text(f"CREATE INDEX ix_bench_floor_{name} ON bench_floor ({columns})"))
    db.session.commit()


def _params(year: int) -> dict[str, Any]:
    return {
        "year": year,
        "first": date(year, 1, 1),
        "last": date(year, 12, 31),
        "born_by": date(year - 15, 12, 31),
    }


def run_floor(year: int) -> float:
    """The hand-written pipeline, committed; its wall time."""
    from registry.extensions import db

    params = _params(year)
    with stopwatch() as t:
        for statement in FULL_FLOOR:
            db.session.execute(text(statement), params)
            if db.session.get_bind().dialect.name == "postgresql":
                db.session.execute(text("ANALYZE bench_floor"))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # as the app does after its run
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM (ANALYZE) bench_floor"))
    return t["wall"]


def run_app(year: int) -> tuple[float, dict[str, float]]:
    """``evaluate_year`` over the whole province, committed; wall time and seconds per level."""
    from registry.evaluation.services import evaluate_year, vacuum_results
    from registry.extensions import db

    with stopwatch() as t:  # what `flask evaluate` does
        reports = evaluate_year(year)
        db.session.commit()
        vacuum_results()
    return t["wall"], {r.kind: round(r.seconds, 2) for r in reports}


def check_same_totals(year: int) -> dict[str, int]:
    """Citizens whose floor total differs from the app's stored total (must be 0)."""
    from registry.extensions import db

    row = db.session.execute(
        text(
            "SELECT COUNT(*), SUM(CASE WHEN ABS(f.total - r.total) > 0.001 THEN 1 ELSE 0 END),"
            " (SELECT COUNT(*) FROM evaluation_results WHERE year = :year"
            "  AND subject_type = 'citizen')"
            " FROM bench_floor f JOIN evaluation_results r ON r.subject_type = 'citizen'"
            " AND r.year = :year AND r.subject_id = f.subject_id WHERE f.kind = 'citizen'"
        ),
        {"year": year},
    ).one()
    floor_citizens = db.session.execute(
        text("SELECT COUNT(*) FROM bench_floor WHERE kind = 'citizen'")
    ).scalar()
    return {
        "citizens_app": int(row[2]),
        "citizens_floor": int(floor_citizens or 0),
        "matched": int(row[0]),
        "total_differs": int(row[1] or 0),
    }


# --- re-evaluation after one activity ----------------------------------------------------------


def _sample_citizens(year: int, count: int) -> list[dict[str, int]]:
    """Random evaluated citizens with a household and a clan, and the units above them."""
    from registry.extensions import db

    ids = db.session.execute(
        text(
            "SELECT c.id, c.household_id, c.clan_id, c.village_id, m.id, d.id, p.id"
            " FROM citizens c JOIN admin_units v ON v.id = c.village_id"
            " JOIN admin_units m ON m.id = v.parent_id JOIN admin_units d ON d.id = m.parent_id"
            " JOIN admin_units p ON p.id = d.parent_id"
            " WHERE c.household_id IS NOT NULL AND c.clan_id IS NOT NULL AND c.birth_date <= :b"
            " AND c.id % 97 = 0"
        ),
        {"b": date(year - 15, 12, 31)},
    ).all()
    rng = random.Random(7)
    keys = ("cid", "hid", "kid", "vid", "mid", "did", "pid")
    return [dict(zip(keys, row, strict=True)) for row in rng.sample(ids, min(count, len(ids)))]


TITLE = "Khóa học trực tuyến (benchmark)"


def run_refresh(year: int, count: int) -> dict[str, Any]:
    """Record ``count`` activities through the app and by hand; per-activity latencies."""
    from sqlalchemy import select

    from registry.activities.services import record_activity
    from registry.evaluation.services import refresh
    from registry.extensions import db
    from registry.models import ActivityCategory, Citizen, Role, User
    from registry.models._mixins import utcnow

    actor = db.session.scalar(select(User).where(User.role == Role.admin).limit(1))
    if actor is None:
        raise RuntimeError("the dataset has no admin account")
    actor_id = actor.id
    category_id = db.session.scalar(
        select(ActivityCategory.id).where(ActivityCategory.code == "online")
    )
    people = _sample_citizens(year, 3 * count + 2)
    times: dict[str, list[float]] = {"app": [], "full": [], "floor": []}
    held = date(year, 6, 15)
    params = _params(year)

    def insert_activity(person: dict[str, int]) -> None:
        db.session.execute(
            text(
                "INSERT INTO activities (citizen_id, category_id, title, provider, held_on,"
                " hours, evidence, version, created_at, updated_at)"
                " VALUES (:cid, :cat, :title, '', :held, 2, '', 1, :now, :now)"
            ),
            {**person, "cat": category_id, "held": held, "now": utcnow(), "title": TITLE},
        )

    def by_app(person: dict[str, int]) -> None:
        # the service a staff member's form calls (validation, audit, re-evaluation), then commit
        citizen = db.session.get(Citizen, person["cid"])
        actor = db.session.get(User, actor_id)
        assert citizen is not None
        assert actor is not None
        data = {
            "category_id": category_id,
            "title": TITLE,
            "hours": "2",
            "held_on": held.strftime("%d/%m/%Y"),
        }
        with stopwatch() as t:
            record_activity(actor, citizen, data, today=date(year + 1, 1, 10))
            db.session.commit()
        times["app"].append(t["wall"] * 1000)

    def full(person: dict[str, int]) -> None:
        # the worst case: every dependent re-evaluated, as when the citizen's pass flips
        with stopwatch() as t:
            insert_activity(person)
            refresh(year, {"citizen": {person["cid"]}}, propagate="always")
            db.session.commit()
        times["full"].append(t["wall"] * 1000)

    def floor(person: dict[str, int]) -> None:
        # by hand: insert the activity, then the floor's statements for that citizen
        with stopwatch() as t:
            insert_activity(person)
            for statement in ONE_CITIZEN:
                db.session.execute(text(statement), {**params, **person})
            db.session.commit()
        times["floor"].append(t["wall"] * 1000)

    with stopwatch() as first:  # a new worker builds its statements once
        by_app(people[0])
    full(people[1])
    times["app"].clear()
    times["full"].clear()
    for i, person in enumerate(people[2:]):
        (by_app, full, floor)[i % 3](person)
        db.session.expunge_all()
    db.session.execute(text("DELETE FROM activities WHERE title = :t"), {"t": TITLE})
    db.session.commit()
    out: dict[str, Any] = {"count": len(times["app"]), "first_call_ms": round(first["wall"] * 1000)}
    for name, values in times.items():
        out[f"{name}_p50_ms"] = round(percentile(values, 50), 1)
        out[f"{name}_p95_ms"] = round(percentile(values, 95), 1)
        out[f"{name}_max_ms"] = round(max(values), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--year", type=int, default=date.today().year - 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--refresh", type=int, default=40, help="activities recorded each way")
    args = parser.parse_args()
    open_app(args.url)
    _create_floor_table()
    app_runs, floor_runs, levels = [], [], {}
    for i in range(args.repeat):
        # alternate the order so neither side always runs on a warm cache
        order = ("floor", "app") if i % 2 == 0 else ("app", "floor")
        for side in order:
            if side == "floor":
                floor_runs.append(run_floor(args.year))
                log(f"  floor run {i + 1}: {floor_runs[-1]:.1f} s")
            else:
                seconds, levels = run_app(args.year)
                app_runs.append(seconds)
                log(f"  app run {i + 1}: {seconds:.1f} s {levels}")
    same = check_same_totals(args.year)
    refresh = run_refresh(args.year, args.refresh) if args.refresh else {}
    log(f"  refresh: {refresh}")
    result = {
        "year": args.year,
        "app_s": [round(x, 2) for x in app_runs],
        "floor_s": [round(x, 2) for x in floor_runs],
        "app_median_s": round(median(app_runs), 2),
        "floor_median_s": round(median(floor_runs), 2),
        "ratio": round(median(app_runs) / median(floor_runs), 2),
        "levels_s": levels,
        "same_totals": same,
        "refresh": refresh,
        "peak_rss_mb": round(peak_rss_mb()),
    }
    from registry.extensions import db

    db.session.execute(text("DROP TABLE IF EXISTS bench_floor"))
    db.session.commit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
