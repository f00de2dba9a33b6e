"""A process killed half-way leaves a consistent database, and the re-run finishes the job.

Each test copies the seeded demo district (``demo_db``), starts the real command in another
process, waits until it is provably in the middle of its work (an open write transaction, or
a progress line), kills it with SIGKILL, checks what is left, then runs the command again and
compares with an uninterrupted run. SQLite runs in a file in the test's folder; with
DATABASE_URL pointing to PostgreSQL, in scratch databases next to that one.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select, text

from registry import create_app, jobs, normalise_database_url
from registry.extensions import db
from registry.models import Job, User

YEAR = date.today().year  # noqa: DTZ011 - the demo is seeded relative to the local date
LAST_YEAR = YEAR - 1  # evaluated, approved and certified by seed-demo
COMMUNE = "12865"  # Tân Hòa: villages 1286501…1286505
CITIZEN_HEADERS = ["Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD", "Mã thôn"]
ACTIVITY_HEADERS = ["Số CCCD", "Loại hoạt động", "Nội dung", "Ngày", "Số giờ"]


def kill(process: subprocess.Popen[str]) -> str:
    """SIGKILL ``process`` (no handler, no cleanup) and return the rest of its output."""
    process.send_signal(signal.SIGKILL)
    rest, _unused = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, f"it had already finished:\n{rest}"
    return rest or ""


def assert_sound(scratch: Any) -> None:
    """The database itself is intact (SQLite: integrity and foreign keys)."""
    if not scratch.is_postgres:
        assert scratch.rows("PRAGMA integrity_check") == [("ok",)]
        assert scratch.rows("PRAGMA foreign_key_check") == []


def recognitions(scratch: Any) -> list[tuple[Any, ...]]:
    return scratch.rows(
        "SELECT id, serial, subject_type, subject_id, year, set_id, revoked_at "
        "FROM recognitions ORDER BY id"
    )


def assert_serials_sound(scratch: Any) -> None:
    """Every recognition has a serial, no serial twice, no subject recognised twice."""
    unnumbered = "SELECT count(*) FROM recognitions WHERE serial IS NULL OR serial = ''"
    assert scratch.scalar(unnumbered) == 0
    assert scratch.rows("SELECT serial FROM recognitions GROUP BY serial HAVING count(*) > 1") == []
    assert (
        scratch.rows(
            "SELECT subject_type, subject_id, year, set_id FROM recognitions "
            "GROUP BY subject_type, subject_id, year, set_id HAVING count(*) > 1"
        )
        == []
    )


# --- import ------------------------------------------------------------------------------------


def import_file(path: Path, people: int = 1500) -> Path:
    """New citizens in the five villages of Tân Hòa, with two activities each."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    citizens = workbook.create_sheet("Công dân")
    activities = workbook.create_sheet("Hoạt động học tập")
    citizens.append(CITIZEN_HEADERS)
    activities.append(ACTIVITY_HEADERS)
    for n in range(people):
        cccd = f"001{n:09d}"
        born = f"{1 + n % 28:02d}/{1 + n % 12:02d}/{1950 + n % 50}"
        gender = "Nam" if n % 2 else "Nữ"
        citizens.append([f"Phạm Thị Nhập {n:04d}", gender, born, cccd, f"{COMMUNE}0{1 + n % 5}"])
        activities.append([cccd, "online", "Tin học văn phòng", f"02/03/{YEAR}", 12])
        activities.append([cccd, "self_study", "Đọc sách", f"01/05/{YEAR}", 2.5])
    workbook.save(path)
    return path


def imported(scratch: Any) -> list[tuple[Any, ...]]:
    """What the import wrote, in the file's terms (ids and citizen codes are the registry's)."""
    rows = scratch.rows(
        "SELECT c.full_name, c.cccd, c.birth_date, u.code, k.code, a.title, a.held_on, a.hours "
        "FROM citizens c JOIN admin_units u ON u.id = c.village_id "
        "JOIN activities a ON a.citizen_id = c.id "
        "JOIN activity_categories k ON k.id = a.category_id "
        "WHERE c.cccd LIKE '001%' ORDER BY c.cccd, a.held_on"
    )
    return [(*row[:2], str(row[2]), *row[3:6], str(row[6]), float(row[7])) for row in rows]


def expected_import(people: int = 1500) -> list[tuple[Any, ...]]:
    """The same, read from the file's rows: what one complete, uninterrupted import writes."""
    rows = []
    for n in range(people):
        born = f"{1950 + n % 50}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        person = (f"Phạm Thị Nhập {n:04d}", f"001{n:09d}", born, f"{COMMUNE}0{1 + n % 5}")
        rows.append((*person, "online", "Tin học văn phòng", f"{YEAR}-03-02", 12.0))
        rows.append((*person, "self_study", "Đọc sách", f"{YEAR}-05-01", 2.5))
    return rows


def test_killed_import_writes_nothing_and_the_rerun_imports_once(demo_db, wait_until, tmp_path):
    path = import_file(tmp_path / "nhap.xlsx")
    before = demo_db.counts()

    process = demo_db.start("import", str(path))
    wait_until(demo_db.writer_active, timeout=120, what="the import to start writing")
    output = kill(process)

    assert "đã thêm" not in output
    assert_sound(demo_db)
    assert demo_db.counts() == before  # not one row of the file, not one audit entry
    assert imported(demo_db) == []

    rerun = demo_db.flask("import", str(path))
    assert "Công dân: đã thêm 1500, đã sửa 0" in rerun.stdout, rerun.stdout
    assert "Hoạt động học tập: đã thêm 3000, đã sửa 0" in rerun.stdout
    assert imported(demo_db) == expected_import()
    again = demo_db.flask("import", str(path))  # and once more: nothing is imported twice
    assert "Công dân: đã thêm 0, đã sửa 0, 1500 không đổi" in again.stdout, again.stdout
    assert "Hoạt động học tập: đã thêm 0, đã sửa 0, 3000 không đổi" in again.stdout
    after = demo_db.counts()
    assert after["citizens"] == before["citizens"] + 1500
    assert after["activities"] == before["activities"] + 3000


# --- evaluation ----------------------------------------------------------------------------------

LEVELS = ("citizen", "household", "clan", "organisation", "village", "commune", "district")


def results(scratch: Any, year: int) -> dict[str, list[tuple[Any, ...]]]:
    """Stored results of ``year`` by level (without the time they were computed)."""
    rows = scratch.rows(
        "SELECT subject_type, subject_id, unit_id, set_id, set_version, total, passed, level, "
        "points FROM evaluation_results WHERE year = :year ORDER BY subject_type, subject_id",
        year=year,
    )
    by_level: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_level.setdefault(row[0], []).append(row)
    return by_level


def cut_last_years_hours(scratch: Any) -> None:
    """A change that makes the next evaluation of last year differ at every lower level."""
    scratch.execute(
        f"UPDATE activities SET hours = hours / 4 "  # noqa: S608 - a year we chose
        f"WHERE held_on BETWEEN '{LAST_YEAR}-01-01' AND '{LAST_YEAR}-12-31'"
    )


@pytest.fixture
def old_and_new(demo_db, demo_template, databases):
    """Last year's results before the change (in ``demo_db``, already changed) and after it,
    from an uninterrupted evaluation of a second copy with the same change."""
    old = results(demo_db, LAST_YEAR)
    cut_last_years_hours(demo_db)
    reference = databases.new("reference", template=demo_template)
    cut_last_years_hours(reference)
    reference.flask("evaluate", "--year", str(LAST_YEAR))
    new = results(reference, LAST_YEAR)
    for level in ("citizen", "household", "clan", "organisation", "village"):
        assert old[level] != new[level], f"the change does not show at the {level} level"
    return old, new


def test_killed_evaluation_keeps_every_old_result_and_the_rerun_matches(
    demo_db, old_and_new, read_until
):
    old, new = old_and_new
    process = demo_db.start("evaluate", "--year", str(LAST_YEAR))
    read_until(process, "công dân", timeout=120)  # the citizens are scored, not yet committed
    output = kill(process)

    assert "Xong" not in output
    assert_sound(demo_db)
    assert results(demo_db, LAST_YEAR) == old  # every level, not just "not half-written"

    demo_db.flask("evaluate", "--year", str(LAST_YEAR))
    assert results(demo_db, LAST_YEAR) == new
    assert (
        demo_db.rows(
            "SELECT year, subject_type, subject_id FROM evaluation_results "
            "GROUP BY year, subject_type, subject_id HAVING count(*) > 1"
        )
        == []
    )


# --- certificates --------------------------------------------------------------------------------


def smallest_village(scratch: Any) -> tuple[str, list[str]]:
    """The village with the fewest valid certificates last year, and their serials."""
    code = scratch.scalar(
        "SELECT u.code FROM recognitions r JOIN admin_units u ON u.id = r.unit_id "
        "WHERE r.year = :year AND r.revoked_at IS NULL AND u.level = 'village' "
        "GROUP BY u.code ORDER BY count(*), u.code LIMIT 1",
        year=LAST_YEAR,
    )
    serials = scratch.rows(
        "SELECT r.serial FROM recognitions r JOIN admin_units u ON u.id = r.unit_id "
        "WHERE r.year = :year AND r.revoked_at IS NULL AND u.code = :code",
        year=LAST_YEAR,
        code=code,
    )
    return code, sorted(serial for (serial,) in serials)


def printed_serials(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return sorted(re.findall(r"^Số: (\S+)$", text, re.MULTILINE))


def test_killed_certificate_batch_leaves_the_old_file_and_the_rerun_prints_each_once(
    demo_db, read_until, tmp_path
):
    code, serials = smallest_village(demo_db)
    out = tmp_path / "giay-cong-nhan.pdf"
    out.write_bytes(b"%PDF-1.7 the complete batch printed yesterday")
    before, recognised = demo_db.counts(), recognitions(demo_db)
    args = ("certificates", "--year", str(LAST_YEAR), "--unit", code, "--out", str(out))

    process = demo_db.start(*args)
    read_until(process, "Đã dựng", timeout=120)  # rendering, the PDF not written yet
    output = kill(process)

    assert "Đã ghi" not in output
    assert out.read_bytes() == b"%PDF-1.7 the complete batch printed yesterday"
    assert_sound(demo_db)
    assert demo_db.counts() == before  # no audit entry for a batch that was not printed
    assert recognitions(demo_db) == recognised
    assert_serials_sound(demo_db)

    demo_db.flask(*args)
    assert printed_serials(out) == serials  # every certificate, none twice
    assert not list(tmp_path.glob(".*.partial*"))
    assert recognitions(demo_db) == recognised
    assert_serials_sound(demo_db)
    assert demo_db.counts()["audit_log"] == before["audit_log"] + 1


def test_serials_are_drawn_again_when_the_random_source_repeats(app, world, monkeypatch):
    """40 random bits repeat about once in a province's year of serials: an approval must
    not then fail on the unique constraint (nor issue a serial twice)."""
    from registry.awards import services
    from registry.models import Decision, Recognition

    decision = Decision(
        unit=world.units["commune_a"], year=2025, set_id="cong-dan-hoc-tap", title="CDHT",
        number="1/QĐ", decided_on=date(2025, 12, 15), issuer_name="UBND", issuer_short="UBND",
        place_name="Tân Hòa", signer_title="Chủ tịch", signer_name="Trần Đức Mỹ",
    )  # fmt: skip
    db.session.add(decision)
    db.session.add(
        Recognition(
            serial="CDHT-2025-AAAAAAAAAA", decision=decision, subject_type="citizen",
            subject_id=1, unit=world.units["village_a1"], year=2025, set_id="cong-dan-hoc-tap",
            set_version=1, total=80, snapshot="{}",
        )
    )  # fmt: skip
    db.session.commit()
    draws = iter(["aaaaaaaaaa", "bbbbbbbbbb", "bbbbbbbbbb", "cccccccccc"])
    monkeypatch.setattr(services.secrets, "token_hex", lambda _n: next(draws))

    serials = services.new_serials("cong-dan-hoc-tap", 2025, 2)

    assert serials == ["CDHT-2025-BBBBBBBBBB", "CDHT-2025-CCCCCCCCCC"]


class FakeRenderer:
    """Writes half a PDF and then dies, as a process killed while writing would."""

    def __init__(self, _layout: str) -> None:
        pass

    def write_pdf(self, items: Any, target: Path, progress: Any = None) -> int:
        Path(target).write_bytes(b"%PDF-1.7 half")
        raise KeyboardInterrupt


def test_a_batch_interrupted_while_writing_leaves_no_truncated_pdf(monkeypatch, tmp_path):
    from registry.awards import printing

    out = tmp_path / "giay.pdf"
    out.write_bytes(b"%PDF-1.7 complete")
    monkeypatch.setattr(printing, "batch_items", lambda _unit, _year: ["item"] * 3)
    monkeypatch.setattr(printing.certificates, "Renderer", FakeRenderer)
    with pytest.raises(KeyboardInterrupt):
        printing.print_unit(None, LAST_YEAR, out)  # type: ignore[arg-type]
    assert out.read_bytes() == b"%PDF-1.7 complete"
    assert list(tmp_path.iterdir()) == [out]


def test_big_batches_are_renamed_into_place_once_written(monkeypatch, tmp_path):
    from registry.awards import printing

    def render_files(_layout: str, items: list[Any], prefix: Path, per_file: int, **_: Any):
        assert prefix.name == ".giay.partial"
        paths = [prefix.with_name(f"{prefix.name}-{i:04d}.pdf") for i in (1, 2)]
        for path in paths:
            path.write_bytes(b"%PDF-1.7")
        return paths

    monkeypatch.setattr(printing, "PAGES_PER_FILE", 2)
    monkeypatch.setattr(printing, "batch_items", lambda _unit, _year: ["item"] * 3)
    monkeypatch.setattr(printing.certificates, "render_pdf_files", render_files)
    files = printing.print_unit(None, LAST_YEAR, tmp_path / "giay.pdf")  # type: ignore[arg-type]
    assert [f.name for f in files] == ["giay-0001.pdf", "giay-0002.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["giay-0001.pdf", "giay-0002.pdf"]


# --- background jobs (the officials' buttons) ----------------------------------------------------

SUBMIT_EVALUATION = """
from sqlalchemy import select
from registry import create_app, jobs
from registry.extensions import db
from registry.models import User

app = create_app()
with app.app_context():
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    jobs.submit("evaluate", {"year": %d}, actor=admin, unit_id=None)
"""


def app_on(scratch: Any) -> Any:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "crash-test-secret",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(scratch.url),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "JOBS_SYNCHRONOUS": True,
            "JOBS_DIR": str(scratch.workdir / "jobs"),
        }
    )


def test_killed_job_is_marked_interrupted_and_can_be_run_again(demo_db, old_and_new, wait_until):
    old, new = old_and_new
    process = subprocess.Popen(
        [sys.executable, "-c", SUBMIT_EVALUATION % LAST_YEAR],
        cwd=Path(__file__).resolve().parents[2],
        env=demo_db.env(REGISTRY_JOBS_SYNCHRONOUS="true"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    app = app_on(demo_db)
    with app.app_context():

        def first_level_committed() -> bool:
            db.session.rollback()  # a new snapshot each time (PostgreSQL, SQLite WAL)
            job = db.session.scalar(select(Job))
            return job is not None and job.status == "running" and job.progress > 0

        wait_until(first_level_committed, timeout=120, what="the job to commit its first level")
        job = db.session.scalar(select(Job))
        assert jobs.reap(job).status == "running"  # its process is alive: left alone
        kill(process)

        stored = results(demo_db, LAST_YEAR)
        assert stored["citizen"] == new["citizen"]  # each level commits with its progress…
        for level in LEVELS:  # …so every level is wholly old or wholly new, never half of each
            assert stored.get(level) in (old.get(level), new.get(level)), level

        db.session.rollback()
        assert db.session.get(Job, job.id).status == "running"  # what the dead process left
        client = app.test_client()
        client.post("/login", data={"username": "admin", "password": "demo1234"})
        page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
        assert "bị gián đoạn" in page
        assert 'http-equiv="refresh"' not in page  # the page stops waiting
        db.session.rollback()
        assert (job.status, job.finished_at is not None) == ("failed", True)

        admin = db.session.scalar(select(User).where(User.username == "admin"))
        rerun = jobs.submit("evaluate", {"year": LAST_YEAR}, actor=admin, unit_id=None)
        assert rerun.status == "done", rerun.message
        db.session.remove()
        db.engine.dispose()
    assert results(demo_db, LAST_YEAR) == new
    assert not list((demo_db.workdir / "jobs").iterdir())  # no lock file left behind


def test_orphaned_jobs_are_reaped_when_a_new_job_starts(app, world, tmp_path):
    app.config.update(JOBS_DIR=str(tmp_path), JOBS_SYNCHRONOUS=True)
    dead = Job(kind="evaluate", params='{"year": 2025}', status="running", progress=40)
    queued = Job(kind="evaluate", params='{"year": 2025}', status="queued")
    db.session.add_all([dead, queued])
    db.session.commit()
    (tmp_path / f"{dead.id}.lock").touch()  # the dead process's lock file, nobody holds it

    job = jobs.submit("evaluate", {"year": 2025}, actor=world.users["admin"], unit_id=None)

    assert job.status == "done"
    db.session.expire_all()
    assert [dead.status, queued.status] == ["failed", "failed"]
    assert dead.message == queued.message == jobs.INTERRUPTED
    assert list(tmp_path.iterdir()) == []


# --- SQLite: WAL journal and busy timeout -------------------------------------------------------

WRITER = """
import sys, time
from sqlalchemy import text
from registry import create_app
from registry.extensions import db

url, who, count, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
with app.app_context():
    print("ready", flush=True)
    sys.stdin.readline()  # start when told, so that the writers really overlap
    for n in range(count):
        started = time.monotonic()
        with db.engine.begin() as conn:
            row = {"who": who, "n": n}
            conn.execute(text("INSERT INTO writes (who, n) VALUES (:who, :n)"), row)
            if n == 0:
                print(f"writing after {time.monotonic() - started:.2f} s", flush=True)
            time.sleep(hold)  # keep the write lock a while
print("done", flush=True)
"""


def writer(url: str, who: str, count: int, hold: float, read_until: Any) -> subprocess.Popen[str]:
    """A process that writes ``count`` rows, one per transaction, each holding the lock ``hold``
    seconds; it is started and ready (app created) but waits for :func:`go`."""
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, who, str(count), str(hold)],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    read_until(process, "ready", timeout=60)
    return process


def go(*processes: subprocess.Popen[str]) -> None:
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


@pytest.fixture
def sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE writes (who TEXT, n INTEGER)"))
        yield url
        db.engine.dispose()


def test_sqlite_connections_use_wal_and_a_busy_timeout(sqlite_file):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_writer_waits_for_another_instead_of_failing(sqlite_file, read_until):
    holder = writer(sqlite_file, "holder", 1, 1.5, read_until)
    waiter = writer(sqlite_file, "waiter", 1, 0, read_until)
    go(holder)
    read_until(holder, "writing", timeout=60)  # holds the write lock for 1.5 s from now
    go(waiter)
    waited = read_until(waiter, "writing", timeout=60)
    outputs = [p.communicate(timeout=60)[0] for p in (holder, waiter)]
    assert (holder.returncode, waiter.returncode) == (0, 0), "".join(outputs)
    seconds = float(re.search(r"writing after ([\d.]+) s", waited).group(1))
    assert 0.5 < seconds < 10  # it waited for the lock (busy timeout), and got it
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM writes").scalar() == 2


def test_two_processes_write_at_once_without_database_is_locked(sqlite_file, read_until):
    first = writer(sqlite_file, "a", 150, 0.002, read_until)
    second = writer(sqlite_file, "b", 150, 0.002, read_until)
    go(first, second)
    outputs = [p.communicate(timeout=120)[0] for p in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), "".join(outputs)
    assert "locked" not in "".join(outputs)
    with db.engine.connect() as conn:
        per_writer = conn.exec_driver_sql("SELECT who, count(*) FROM writes GROUP BY who").all()
    assert sorted(per_writer) == [("a", 150), ("b", 150)]


def test_a_long_read_does_not_hold_writers_up(sqlite_file, read_until, tmp_path):
    """A report or a backup reading for minutes must not stop the registry's writes (WAL: in
    the rollback-journal modes the writer could not commit until the read ended)."""
    write = writer(sqlite_file, "writer", 1, 0, read_until)
    reader = sqlite3.connect(tmp_path / "wal.db", isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM writes").fetchone() == (0,)
        go(write)
        output, _unused = write.communicate(timeout=60)
        assert write.returncode == 0, output
        seconds = float(re.search(r"writing after ([\d.]+) s", output).group(1))
        assert seconds < 1.0
        assert reader.execute("SELECT count(*) FROM writes").fetchone() == (0,)  # its snapshot
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM writes").fetchone() == (1,)
    finally:
        reader.close()
