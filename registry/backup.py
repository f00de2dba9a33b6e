"""CLI: ``backup --out FILE`` and ``restore FILE``: a consistent copy of the whole database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies one consistent snapshot
while the application goes on reading and writing (WAL), into a single self-contained file;
``restore`` copies a backup back the same way, in one transaction, so an interrupted restore
changes nothing. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
--no-owner --single-transaction`` with the connection parameters of DATABASE_URL (the password
goes through ``PGPASSWORD``, never on a command line other users can read).

Both write the backup under a hidden ``.partial`` name and rename it when complete, and both
leave an entry in the audit log (after the restore, in the restored database).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext
from sqlalchemy import URL

from registry.extensions import db
from registry.models import AuditEntry

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _audit(action: str, path: Path, summary: str) -> None:
    """Record the backup or restore (the command line has no user: ``user_id`` is empty)."""
    details = {"file": str(path.resolve()), "bytes": path.stat().st_size, "sha256": _sha256(path)}
    db.session.add(
        AuditEntry(
            action=action,
            object_type="Database",
            summary=summary[:300],
            changes=json.dumps(details, ensure_ascii=False),
        )
    )
    db.session.commit()


# --- SQLite -------------------------------------------------------------------------------------


def sqlite_path(url: URL) -> Path:
    """The database file of a ``sqlite:///…`` URL (an in-memory database has none)."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        _fail("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu hay khôi phục được.")
    return Path(str(url.database))


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def sqlite_backup(source: Path, out: Path) -> None:
    """Copy the database at ``source`` to ``out`` while others may be writing to it."""
    if not source.is_file():
        _fail(f"Không tìm thấy tệp cơ sở dữ liệu {source}.")
    partial = _partial(out)
    partial.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source, timeout=30), sqlite3.connect(partial)
    try:
        src.backup(dst)  # in one step: one consistent snapshot (a WAL reader blocks no writer)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as error:
        check = f"{error}"
    finally:
        src.close()
        dst.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        _fail(f"Sao lưu không thành công, chưa ghi gì: {check}")
    partial.replace(out)


def _check_sqlite_backup(path: Path) -> str:
    """The schema revision of a SQLite backup; fails unless it is one of the registry's."""
    source = _read_only(path)
    try:
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            _fail(f"Tệp {path} bị hỏng (không qua được kiểm tra toàn vẹn).")
        revision = source.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        _fail(f"Tệp {path} bị hỏng hoặc không phải là bản sao lưu của sổ đăng ký ({error}).")
    finally:
        source.close()
    if revision is None:
        _fail(f"Tệp {path} không phải là bản sao lưu của sổ đăng ký.")
    return str(revision[0])


def sqlite_restore(backup: Path, target: Path) -> str:
    """Replace the database at ``target`` with ``backup`` in one transaction; its revision."""
    revision = _check_sqlite_backup(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = _read_only(backup)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        _fail(f"Khôi phục không thành công, cơ sở dữ liệu giữ nguyên: {error}")
    finally:
        src.close()
        dst.close()
    return revision


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        _fail(
            f"Không tìm thấy lệnh {name}. Hãy cài gói postgresql-client cùng phiên bản chính "
            "với máy chủ PostgreSQL (Debian: apt-get install postgresql-client) rồi chạy lại."
        )
    return str(found)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for ``url`` (no password) and the environment with it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create(  # url.set(password=None) would keep the password
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], failure: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        _fail(f"{failure}\n" + "\n".join(detail))


def pg_dump(url: URL, out: Path) -> None:
    """``pg_dump --format=custom`` of the database at ``url`` into ``out``."""
    tool = _pg_tool("pg_dump")
    dsn, env = _libpq(url)
    partial = _partial(out)
    try:
        _run(
            [tool, "--format=custom", f"--file={partial}", f"--dbname={dsn}"],
            env,
            "pg_dump không sao lưu được cơ sở dữ liệu:",
        )
    except click.ClickException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)


def pg_restore(url: URL, backup: Path) -> None:
    """Replace the tables of the database at ``url`` with those in ``backup``, all or nothing."""
    tool = _pg_tool("pg_restore")
    dsn, env = _libpq(url)
    _run(
        [tool, "--list", str(backup)],
        env,
        f"Tệp {backup} bị hỏng hoặc không phải là bản sao lưu pg_dump:",
    )
    db.session.remove()
    db.engine.dispose()  # this process keeps no connection (and no lock) during the restore
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={dsn}",
            str(backup),
        ],
        env,
        "pg_restore không khôi phục được; cơ sở dữ liệu giữ nguyên:",
    )


# --- the commands -------------------------------------------------------------------------------


def _kind(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return "unknown"


@click.command("backup")
@with_appcontext
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path) -> None:
    """Write a consistent copy of the whole database to FILE; the app may keep running."""
    if not out.parent.is_dir():
        _fail(f"Thư mục {out.parent} không tồn tại.")
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        sqlite_backup(sqlite_path(url), out)
    elif url.get_backend_name() == "postgresql":
        pg_dump(url, out)
    else:
        _fail(f"Không hỗ trợ sao lưu cơ sở dữ liệu {url.get_backend_name()}.")
    _audit("backup", out, f"Sao lưu vào {out.name}")
    click.echo(f"Đã sao lưu cơ sở dữ liệu vào {out} ({out.stat().st_size:,} byte).")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup FILE (made by the backup command)."""
    if not file.is_file():
        _fail(f"Không tìm thấy tệp {file}.")
    url = db.engine.url
    backend, kind = url.get_backend_name(), _kind(file)
    if kind == "unknown":
        _fail(f"Tệp {file} không phải là bản sao lưu (SQLite hay pg_dump) của sổ đăng ký.")
    if kind != backend:
        _fail(f"Tệp {file} là bản sao lưu {kind}, còn cơ sở dữ liệu đang dùng là {backend}.")
    where = sqlite_path(url) if backend == "sqlite" else url.database
    if not yes:
        click.confirm(
            f"Toàn bộ dữ liệu hiện có trong {where} sẽ bị thay bằng bản sao lưu {file}. Tiếp tục?",
            abort=True,
        )
    if backend == "sqlite":
        db.engine.dispose()
        sqlite_restore(file, sqlite_path(url))
    else:
        pg_restore(url, file)
    db.engine.dispose()  # connections opened before the restore may hold stale state
    _audit("restore", file, f"Khôi phục từ {file.name}")
    click.echo(
        f"Đã khôi phục cơ sở dữ liệu từ {file}. Nếu bản sao lưu cũ hơn phiên bản phần mềm, "
        "hãy chạy `flask init-db` để nâng cấp cấu trúc."
    )


COMMANDS = (backup_command, restore_command)
