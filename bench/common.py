"""What every benchmark shares: the databases it runs on, timing, statistics, the machine.

A dataset is the ``seed-demo --size province`` data at some scale, on SQLite (a file under
``bench/out/``) or PostgreSQL (a database ``bench_province_<scale>`` on ``BENCH_PG``). It is
generated once, the time it took is kept beside it, and later runs reuse it.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
FLASK = [PYTHON, "-m", "flask", "--app", "app"]
PG_SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def log(message: str) -> None:
    """A progress line on stderr, stamped with the time."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- statistics -------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile of ``values`` (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """``with stopwatch() as t:`` … then ``t["wall"]`` and ``t["cpu"]`` in seconds."""
    out: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield out
    finally:
        out["wall"] = time.perf_counter() - wall
        out["cpu"] = time.process_time() - cpu


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_json(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a child process that prints one JSON object as its last line; add its peak RSS."""
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --- datasets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """The province demo at ``scale`` on ``engine`` (``sqlite`` or ``postgresql``)."""

    engine: str
    scale: float = 1.0
    size: str = "province"

    @property
    def tag(self) -> str:
        scale = f"{self.scale:g}".replace(".", "_")
        return scale if self.size == "province" else self.size

    @property
    def name(self) -> str:
        return f"{self.engine}-{self.tag}"

    @property
    def pg_database(self) -> str:
        return f"bench_province_{self.tag}"

    @property
    def sqlite_path(self) -> Path:
        return OUT / f"province-{self.tag}.db"

    @property
    def url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        return f"{PG_SERVER}/{self.pg_database}"

    @property
    def meta_path(self) -> Path:
        return OUT / f"dataset-{self.name}.json"

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.url}

    def meta(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.meta_path.read_text())
        return data

    def size_mb(self) -> float:
        """The database's size on disk."""
        if self.engine == "sqlite":
            path = self.sqlite_path
            return sum(
                p.stat().st_size / 1e6 for p in (path, path.with_suffix(".db-wal")) if p.exists()
            )
        out = _psql(self.pg_database, "select pg_database_size(current_database())")
        return int(out) / 1e6

    def exists(self) -> bool:
        if self.engine == "sqlite":
            if not self.sqlite_path.exists():
                return False
        else:
            probe = f"select 1 from pg_database where datname = '{self.pg_database}'"
            if _psql("postgres", probe) != "1":
                return False
        return self.meta_path.exists()

    def ensure(self) -> dict[str, Any]:
        """Generate the dataset unless it is there already; its facts (counts, seed time)."""
        if self.exists():
            return self.meta()
        OUT.mkdir(parents=True, exist_ok=True)
        if self.engine == "sqlite":
            self.sqlite_path.unlink(missing_ok=True)
        else:
            _psql("postgres", f"drop database if exists {self.pg_database}")
            _psql("postgres", f"create database {self.pg_database}")
        args = ["seed-demo", "--size", self.size]
        if self.size == "province":
            args += ["--scale", f"{self.scale:g}"]
        log(f"generating {self.name} ({' '.join(args)})")
        env = {**os.environ, **self.env()}
        subprocess.run([*FLASK, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [*FLASK, *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
        return self.record(seconds)

    def record(self, seed_seconds: float) -> dict[str, Any]:
        """Write the dataset's facts beside it (also used for a dataset seeded by hand)."""
        meta = {"seed_seconds": round(seed_seconds, 1), **counts(self)}
        meta["size_mb"] = round(self.size_mb())
        self.meta_path.write_text(json.dumps(meta, indent=2))
        return meta


def _psql(database: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", f"{PG_SERVER}/{database}", "-XAtqc", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def open_app(url: str, **extra: Any) -> Any:
    """The registry app on ``url``, with an app context pushed."""
    sys.path.insert(0, str(ROOT))
    from registry import create_app, normalise_database_url

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": normalise_database_url(url), "SECRET_KEY": "bench", **extra}
    )
    app.app_context().push()
    return app


def counts(dataset: Dataset) -> dict[str, int]:
    """Rows per table of interest (in a child process so the caller keeps no connection)."""
    code = (
        "import json,sys;from bench.common import open_app;"
        "from registry.extensions import db;from sqlalchemy import text;"
        f"open_app({dataset.url!r});"
        "t=['admin_units','households','citizens','clans','organisations','activities'];"
        "print(json.dumps({n: db.session.execute(text(f'select count(*) from {n}')).scalar()"
        " for n in t}))"
    )
    return run_json([PYTHON, "-c", code])


# --- the machine ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Cores, memory, versions: the first lines of RESULTS.md."""
    import sqlite3

    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        pg = _psql("postgres", "show server_version")
        pg_settings = _psql(
            "postgres",
            "select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name)"
            " from pg_settings where name in ('shared_buffers','work_mem','effective_cache_size',"
            "'max_parallel_workers_per_gather','synchronous_commit')",
        )
    except (OSError, subprocess.CalledProcessError):
        pg, pg_settings = "not reachable", ""
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": f"{pg} ({pg_settings})",
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


Timed = Callable[[], Any]
