"""``flask backup`` and ``flask restore``: a restore gives back exactly what was backed up.

The demo district (``demo_db``) is evaluated for this year and backed up with the real
command; then data are changed and deleted, the backup is restored (over the changed
database, and into a new empty one) and every table, result, recognition and serial must
be what it was. SQLite in a file in the test's folder; with DATABASE_URL pointing to
PostgreSQL, scratch databases next to that one.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest

from registry import backup, create_app, normalise_database_url
from registry.extensions import db

YEAR = date.today().year  # noqa: DTZ011 - the demo is seeded relative to the local date


def state(scratch: Any) -> dict[str, Any]:
    """Everything a restore must give back: rows per table, and the records that matter."""
    return {
        "counts": {k: v for k, v in scratch.counts().items() if k != "audit_log"},
        "results": scratch.rows(
            "SELECT year, subject_type, subject_id, unit_id, set_id, set_version, total, passed, "
            "level, points, evaluated_at FROM evaluation_results "
            "ORDER BY year, subject_type, subject_id"
        ),
        "recognitions": scratch.rows(
            "SELECT id, serial, decision_id, subject_type, subject_id, year, set_id, snapshot, "
            "revoked_at FROM recognitions ORDER BY id"
        ),
        "citizens": scratch.rows(
            "SELECT id, code, full_name, birth_date, village_id, version FROM citizens ORDER BY id"
        ),
        "audit": scratch.rows("SELECT id, action, object_type, summary FROM audit_log ORDER BY id"),
        "schema": scratch.rows("SELECT version_num FROM alembic_version"),
    }


def vandalise(scratch: Any) -> None:
    """What the restore has to undo: deleted results and recognitions, changed names."""
    scratch.execute("DELETE FROM evaluation_results WHERE year = :year", year=YEAR)
    scratch.execute("DELETE FROM recognitions WHERE id % 3 = 0")
    scratch.execute("UPDATE citizens SET full_name = 'Đã bị sửa', version = version + 1")
    scratch.execute("DELETE FROM audit_log")


def audit_actions(scratch: Any) -> list[tuple[Any, ...]]:
    return scratch.rows(
        "SELECT action, object_type, user_id, changes FROM audit_log "
        "WHERE action IN ('backup', 'restore') ORDER BY id"
    )


def test_restore_gives_back_exactly_what_was_backed_up(demo_db, databases, tmp_path):
    demo_db.flask("evaluate", "--year", str(YEAR))
    before = state(demo_db)
    assert before["results"]
    assert before["recognitions"]
    out = tmp_path / "sao-luu.bak"

    done = demo_db.flask("backup", "--out", str(out))
    assert f"Đã sao lưu cơ sở dữ liệu vào {out}" in done.stdout
    assert not list(tmp_path.glob(".*.partial"))
    [(action, kind, user_id, changes)] = audit_actions(demo_db)
    assert (action, kind, user_id) == ("backup", "Database", None)
    assert json.loads(changes)["bytes"] == out.stat().st_size

    vandalise(demo_db)
    assert state(demo_db) != before
    done = demo_db.flask("restore", str(out), "--yes")
    assert "Đã khôi phục cơ sở dữ liệu" in done.stdout

    after = state(demo_db)
    assert after["audit"][:-1] == before["audit"]  # the backup's own entry came after it
    assert after["audit"][-1][1:3] == ("restore", "Database")
    assert {**after, "audit": None} == {**before, "audit": None}

    # a brand-new database restored from the same file is the same (schema revision included),
    # and evaluating it again changes no result
    fresh = databases.new("restored")
    fresh.flask("restore", str(out), "--yes")
    assert {**state(fresh), "audit": None} == {**before, "audit": None}
    fresh.flask("evaluate", "--year", str(YEAR))
    strip_time = [row[:-1] for row in before["results"]]
    assert [row[:-1] for row in state(fresh)["results"]] == strip_time


def test_backup_while_a_write_is_in_progress(demo_db, databases, read_until, tmp_path):
    """The online backup (SQLite's backup API, or pg_dump's snapshot) neither waits for nor
    disturbs a writer, and copies only what is committed: an evaluation in progress is not
    in it."""
    before = state(demo_db)
    process = demo_db.start("evaluate", "--year", str(YEAR))
    read_until(process, "công dân", timeout=120)  # its transaction is open and has written
    out = tmp_path / "giua-chung.bak"
    if demo_db.is_postgres:
        demo_db.flask("backup", "--out", str(out))
        output, _unused = process.communicate(timeout=120)
        assert process.returncode == 0, output
        copy_db = databases.new("midwrite")
        copy_db.flask("restore", str(out), "--yes")
        count = "SELECT count(*) FROM evaluation_results WHERE year = :year"
        # pg_dump copies one snapshot: the evaluation (one transaction) is wholly in it or
        # wholly absent, depending on whether it committed before the snapshot was taken
        assert copy_db.scalar(count, year=YEAR) in (0, demo_db.scalar(count, year=YEAR))
        assert demo_db.scalar(count, year=YEAR) > 0
        return
    backup.sqlite_backup(Path(demo_db.name), out)
    output, _unused = process.communicate(timeout=120)
    assert process.returncode == 0, output
    copy = sqlite3.connect(out)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        count = "SELECT count(*) FROM evaluation_results WHERE year = ?"
        assert copy.execute(count, (YEAR,)).fetchone() == (0,)
    finally:
        copy.close()
    assert len(before["results"]) == len(state(demo_db)["results"]) - demo_db.scalar(
        "SELECT count(*) FROM evaluation_results WHERE year = :year", year=YEAR
    )


# --- refusals (in this process: the same commands, without starting Python again) ---------------


@pytest.fixture
def cli(demo_db):
    """``cli("restore", …)``: run a command in this process on the demo copy."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(demo_db.url),
        }
    )
    with app.app_context():
        yield lambda *args, **kwargs: app.test_cli_runner().invoke(args=list(args), **kwargs)
        db.session.remove()
        db.engine.dispose()


def test_restore_asks_first_and_no_changes_nothing(demo_db, cli, tmp_path):
    out = tmp_path / "sao-luu.bak"
    assert cli("backup", "--out", str(out)).exit_code == 0
    vandalise(demo_db)
    changed = state(demo_db)
    refused = cli("restore", str(out), input="n\n")
    assert refused.exit_code == 1
    assert "sẽ bị thay bằng bản sao lưu" in refused.output
    assert state(demo_db) == changed


def test_restore_refuses_missing_and_foreign_files(demo_db, cli, tmp_path):
    missing = cli("restore", str(tmp_path / "khong-co.bak"), "--yes")
    assert missing.exit_code == 1
    assert "Không tìm thấy tệp" in missing.output

    junk = tmp_path / "rac.bak"
    junk.write_bytes(b"this is not a backup at all")
    refused = cli("restore", str(junk), "--yes")
    assert refused.exit_code == 1
    assert "không phải là bản sao lưu" in refused.output

    other = tmp_path / "khac-loai.bak"  # a backup of the other kind of database
    other.write_bytes(b"SQLite format 3\x00" if demo_db.is_postgres else b"PGDMP\x01\x0e\x00")
    refused = cli("restore", str(other), "--yes")
    assert refused.exit_code == 1
    assert "còn cơ sở dữ liệu đang dùng là" in refused.output
    assert demo_db.scalar("SELECT count(*) FROM audit_log WHERE action = 'restore'") == 0


def test_a_damaged_backup_is_refused_before_anything_changes(demo_db, cli, tmp_path):
    out = tmp_path / "sao-luu.bak"
    assert cli("backup", "--out", str(out)).exit_code == 0
    damaged = tmp_path / "hong.bak"
    damaged.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    vandalise(demo_db)
    before = state(demo_db)
    refused = cli("restore", str(damaged), "--yes")
    assert refused.exit_code == 1, refused.output
    # SQLite checks the file first; pg_restore may only find out half-way, and rolls back
    assert "bị hỏng" in refused.output or "cơ sở dữ liệu giữ nguyên" in refused.output
    assert state(demo_db) == before


def test_backup_says_where_it_cannot_write(cli, tmp_path):
    refused = cli("backup", "--out", str(tmp_path / "khong" / "co.bak"))
    assert refused.exit_code == 1
    assert "không tồn tại" in refused.output


def test_missing_postgres_tools_are_named(monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda _name: None)
    url = backup.URL.create("postgresql+psycopg", username="u", host="h", database="d")
    with pytest.raises(click.ClickException, match="Không tìm thấy lệnh pg_dump"):
        backup.pg_dump(url, tmp_path / "x.bak")
    with pytest.raises(click.ClickException, match="Không tìm thấy lệnh pg_restore"):
        backup.pg_restore(url, tmp_path / "x.bak")


def test_the_password_never_reaches_the_command_line():
    url = backup.URL.create(
        "postgresql+psycopg", username="khuyenhoc", password="bí mật", host="db", database="so"
    )
    dsn, env = backup._libpq(url)
    assert "bí mật" not in dsn
    assert dsn == "postgresql://khuyenhoc@db/so"
    assert env["PGPASSWORD"] == "bí mật"
