"""Benchmark of the Excel import; not part of the test suite.

    .venv/bin/python bench/imports_bench.py                       # 100,000 citizens, SQLite
    .venv/bin/python bench/imports_bench.py --rows 5000 --path service
    .venv/bin/python bench/imports_bench.py --database postgresql://postgres@127.0.0.1/bench

Builds a commune with 20 villages in an empty database, writes one .xlsx with ``--rows``
citizens in households of four (new households by Khóa hộ, every citizen with a CCCD), then
times the dry run, the import and a second import of the same file (which must change
nothing). ``--path service`` forces the per-row services, ``bulk`` the set-wise path. Wall time
on shared machines is noisy; the process CPU time is printed next to it.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from registry import create_app, normalise_database_url  # noqa: E402  # run as a script
from registry.extensions import db  # noqa: E402
from registry.imports import services  # noqa: E402
from registry.imports.layout import CITIZENS  # noqa: E402
from registry.imports.template import add_sheet, new_workbook  # noqa: E402
from registry.models import AdminUnit, Role, UnitLevel, User  # noqa: E402

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Đức", "Thị Mỹ", "Minh", "Thu")
GIVEN = ("An", "Bình", "Hằng", "Đức", "Hương", "Tuấn", "Nhung", "Ơn")
RELATIONS = ("Chủ hộ", "Vợ/chồng", "Con", "Con")


def write_file(path: Path, rows: int) -> None:
    """A citizens sheet of ``rows`` new people in new households of four."""
    columns = [c for c in CITIZENS.columns if not c.info]
    keys = [c.key for c in columns]

    def row(i: int) -> list[object]:
        values = {
            "full_name": f"{FAMILY[i % 8]} {MIDDLE[i % 6]} {GIVEN[(i * 7) % 8]}",
            "gender": "Nữ" if i % 2 else "Nam",
            "birth_date": f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1950 + i % 60}",
            "cccd": f"034{i:09d}",
            "phone": f"09{i:08d}",
            "village": f"12865{(i // 4) % 20:02d}",
            "household_key": f"H{i // 4}",
            "relation": RELATIONS[i % 4],
        }
        return [values.get(key) for key in keys]

    workbook = new_workbook()
    add_sheet(workbook, CITIZENS.title, columns, (row(i) for i in range(rows)))
    workbook.save(path)


TIMES: dict[str, float] = {}


def timed(label: str, action):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    TIMES[label] = round(time.perf_counter() - wall, 2)
    print(
        f"{label}: {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="")
    parser.add_argument("--path", choices=("bulk", "service"), default="bulk")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = normalise_database_url(args.database) or f"sqlite:///{tmp}/bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            db.drop_all()
            db.create_all()
            province = AdminUnit(code="34", name="Thái Bình", kind="tỉnh", level=UnitLevel.province)
            commune = AdminUnit(
                code="12865", name="Tân Hòa", kind="xã", level=UnitLevel.commune, parent=province
            )
            for n in range(20):
                db.session.add(
                    AdminUnit(
                        code=f"12865{n:02d}",
                        name=f"Thôn {n}",
                        kind="thôn",
                        level=UnitLevel.village,
                        parent=commune,
                    )
                )
            user = User(username="xa", role=Role.commune, unit=commune, password_hash="!")  # noqa: S106 - no login
            db.session.add(user)
            db.session.commit()
            path = Path(tmp) / "import.xlsx"
            timed(f"write {args.rows} rows", lambda: write_file(path, args.rows))
            print(f"file: {path.stat().st_size / 1e6:.1f} MB")
            bulk_min = 0 if args.path == "bulk" else 10**9

            def run(dry_run: bool) -> services.ImportReport:
                report = services.run_import(
                    path, user, today=date(2026, 11, 27), dry_run=dry_run, bulk_min=bulk_min
                )
                db.session.commit()
                return report

            for label, dry_run in (("dry run", True), ("import", False), ("re-import", False)):
                report = timed(label, lambda dry_run=dry_run: run(dry_run))
                print("  " + report.summary().replace("\n", "\n  "))
            citizens = db.session.scalar(text("SELECT COUNT(*) FROM citizens"))
            db.session.remove()  # end the read before DROP (PostgreSQL would wait for it)
            db.drop_all()
    if args.json:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            json.dumps(
                {**TIMES, "rows": args.rows, "citizens": citizens, "peak_rss_mb": round(peak)}
            )
        )


if __name__ == "__main__":
    main()
