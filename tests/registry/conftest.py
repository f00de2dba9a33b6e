"""Databases of their own for tests that run the real ``flask`` command in other processes.

A :class:`ScratchDb` is a SQLite file in the test's temporary folder, or, when DATABASE_URL
points to PostgreSQL, a scratch database created next to that one (its name plus a random
suffix) and dropped afterwards. ``demo_db`` copies a demo district that is seeded once per
run (``flask seed-demo --size small --scale 0.2``): a SQLite file copied with the backup
API, or ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from registry import normalise_database_url

REPO = Path(__file__).resolve().parents[2]
DEMO_SEED = ("seed-demo", "--size", "small", "--scale", "0.2")


def _postgres_base() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@dataclass
class ScratchDb:
    """One database, reachable from this process (``engine``) and from ``flask`` commands."""

    url: str  # as DATABASE_URL would be: sqlite:///… or postgresql://…
    workdir: Path
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgres")

    @property
    def name(self) -> str:
        """The database's name (PostgreSQL) or file path (SQLite)."""
        return str(make_url(self.url).database)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(normalise_database_url(self.url))
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a ``flask`` command working on this database."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "FLASK_"))}
        env.update(
            DATABASE_URL=self.url,
            SECRET_KEY="crash-test-secret",
            PYTHONUNBUFFERED="1",
            REGISTRY_JOBS_DIR=str(self.workdir / "jobs"),
            REGISTRY_IMPORTS_DIR=str(self.workdir / "imports"),
        )
        env.update(extra)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "flask", "--app", "app", *args]

    def flask(self, *args: str, check: bool = True, timeout: float = 180, **kwargs: Any) -> Any:
        """Run ``flask ARGS`` to the end; output (stdout and stderr) in ``.stdout``."""
        done = subprocess.run(
            self.command(*args),
            cwd=REPO,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            **kwargs,
        )
        if check:
            assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout[-3000:]}"
        return done

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start ``flask ARGS`` in the background; read its output line by line."""
        return subprocess.Popen(
            self.command(*args),
            cwd=REPO,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def execute(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)

    def counts(self) -> dict[str, int]:
        """Rows per table (every table but Alembic's)."""
        names = sorted(set(inspect(self.engine).get_table_names()) - {"alembic_version"})
        with self.engine.connect() as conn:
            return {
                name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()  # noqa: S608 - the database's own table names
                for name in names
            }

    def writer_active(self) -> bool:
        """Does another connection hold an open transaction that has written something?"""
        if self.is_postgres:
            return bool(
                self.scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                )
            )
        probe = sqlite3.connect(self.name, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # takes the write lock only if nobody has it
        except sqlite3.OperationalError:
            return True
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()


def _wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``condition`` every 5 ms until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


def _read_until(process: subprocess.Popen[str], marker: str, *, timeout: float) -> str:
    """The process's output up to and including the first line containing ``marker``."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            return "".join(seen)
        if time.monotonic() > deadline:
            break
    process.kill()
    pytest.fail(f"no line with {marker!r} in the output:\n{''.join(seen)[-3000:]}")


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """``wait_until(condition, timeout=…, what=…)``: poll every 5 ms, fail on time-out."""
    return _wait_until


@pytest.fixture
def read_until() -> Callable[..., str]:
    """``read_until(process, marker, timeout=…)``: its output up to the first ``marker``."""
    return _read_until


class Databases:
    """Creates scratch databases and drops them at the end of the test (or run)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.created: list[ScratchDb] = []
        self.base = _postgres_base()

    def _admin(self) -> Any:
        import psycopg

        server = make_url(self.base or "").set(database="postgres")
        dsn = server.render_as_string(hide_password=False)
        return psycopg.connect(dsn, autocommit=True)

    def new(self, tag: str, template: ScratchDb | None = None) -> ScratchDb:
        """An empty database, or a copy of ``template``."""
        if self.base:
            name = f"{make_url(self.base).database}_{tag}_{secrets.token_hex(3)}"
            copy = f' TEMPLATE "{template.name}"' if template else ""
            if template:
                template.dispose()  # PostgreSQL copies a template nobody is connected to
            with self._admin() as admin:
                admin.execute(f'CREATE DATABASE "{name}"{copy}')
            url = make_url(self.base).set(database=name).render_as_string(hide_password=False)
        else:
            path = self.workdir / f"{tag}-{secrets.token_hex(3)}.db"
            if template:
                src, dst = sqlite3.connect(template.name), sqlite3.connect(path)
                try:
                    src.backup(dst)
                finally:
                    src.close()
                    dst.close()
            url = f"sqlite:///{path}"
        scratch = ScratchDb(url, self.workdir)
        self.created.append(scratch)
        return scratch

    def drop_all(self) -> None:
        for scratch in self.created:
            scratch.dispose()
        if self.base:
            with self._admin() as admin:
                for scratch in self.created:
                    admin.execute(f'DROP DATABASE IF EXISTS "{scratch.name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchDb]:
    """The small demo district (previous year evaluated, approved and certified), seeded once."""
    databases = Databases(tmp_path_factory.mktemp("demo-template"))
    template = databases.new("demo")
    template.flask("init-db")
    template.flask(*DEMO_SEED)
    template.dispose()
    yield template
    databases.drop_all()


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[Databases]:
    """``databases.new("tag")``: scratch databases dropped when the test ends."""
    made = Databases(tmp_path)
    yield made
    made.drop_all()


@pytest.fixture
def demo_db(databases: Databases, demo_template: ScratchDb) -> ScratchDb:
    """A private copy of the seeded demo district."""
    return databases.new("demo", template=demo_template)
