"""The benchmarks keep working: the evaluation benchmark on a tiny province (no timing asserted).

It runs on its own SQLite file whatever DATABASE_URL says: the point is that the scripts run
and that the hand-written floor and the app agree on every citizen's total.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_evaluation_benchmark_agrees_with_its_floor(tmp_path):
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-smoke"}
    _run(["-m", "flask", "--app", "app", "init-db"], env)
    _run(
        ["-m", "flask", "--app", "app", "seed-demo", "--size", "province", "--scale", "0.002"], env
    )
    out = _run(["-m", "bench.evaluation", url, "--repeat", "1", "--refresh", "3"], env)
    result = json.loads(out.strip().splitlines()[-1])
    same = result["same_totals"]
    assert same["citizens_app"] > 0
    assert same["citizens_app"] == same["citizens_floor"] == same["matched"]
    assert same["total_differs"] == 0
    assert result["refresh"]["count"] == 3
    assert len(result["app_s"]) == len(result["floor_s"]) == 1
    levels = result["levels_s"]
    assert set(levels) == {
        "citizen", "household", "clan", "organisation", "village", "commune", "district",
        "province",
    }  # fmt: skip
