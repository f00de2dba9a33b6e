"""``make bench``: every benchmark, each beside its baseline, written to ``bench/RESULTS.md``.

    python -m bench.run                      # province size and 1/20 of it, SQLite and PostgreSQL
    python -m bench.run --quick              # 1/20 of the province only, short runs (development)
    python -m bench.run --engines sqlite --only evaluation lookup

Datasets (``seed-demo --size province`` at scale 1 and 0.05, ``--size small`` for the
certificates) are generated on first use and kept under ``bench/out/`` (SQLite files) or as
PostgreSQL databases ``bench_province_*`` on ``BENCH_PG`` (default
``postgresql://postgres@127.0.0.1:5432``). Results accumulate in ``bench/out/results.json``
(a section run again replaces its figures) and RESULTS.md is rewritten from it after every
section, so an interrupted run keeps what it measured. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from typing import Any

from bench.common import OUT, PYTHON, ROOT, Dataset, log, machine, run_json

RESULTS_JSON = OUT / "results.json"
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
SECTIONS = ("evaluation", "lookup", "certificates", "import", "soak")


def load() -> dict[str, Any]:
    if RESULTS_JSON.exists():
        data: dict[str, Any] = json.loads(RESULTS_JSON.read_text())
        return data
    return {}


def save(results: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    RESULTS_MD.write_text(render(results))


def record(results: dict[str, Any], key: str, value: dict[str, Any], command: str) -> None:
    value["command"] = command
    value["measured_at"] = time.strftime("%Y-%m-%d %H:%M")
    results.setdefault("figures", {})[key] = value
    save(results)


def _module(name: str, *args: str) -> tuple[list[str], str]:
    argv = [PYTHON, "-m", f"bench.{name}", *args]
    return argv, "python -m " + " ".join([f"bench.{name}", *map(shlex.quote, args)])


def run_section(section: str, engine: str, quick: bool, repeat: int | None, results: dict) -> None:
    scales = (0.05,) if quick else (0.05, 1.0)
    if section == "evaluation":
        for scale in scales:
            data = Dataset(engine, scale)
            meta = data.ensure()
            results.setdefault("datasets", {})[data.name] = meta
            reps = repeat or (1 if quick else 3)
            argv, shown = _module(
                "evaluation", data.url, "--repeat", str(reps), "--refresh", "10" if quick else "40"
            )
            log(f"evaluation {data.name}: {shown}")
            record(results, f"evaluation/{data.name}", run_json(argv), shown)
    elif section == "lookup":
        for scale in scales:
            data = Dataset(engine, scale)
            results.setdefault("datasets", {})[data.name] = data.ensure()
            seconds = "3" if quick else "15"
            reps = repeat or (1 if quick else 2)
            argv, shown = _module("lookup", data.url, "--seconds", seconds, "--repeat", str(reps))
            log(f"lookup {data.name}: {shown}")
            record(results, f"lookup/{data.name}", run_json(argv), shown)
    elif section == "certificates":
        data = Dataset(engine, size="small")
        results.setdefault("datasets", {})[data.name] = data.ensure()
        count = "50" if quick else "1000"
        reps = repeat or (1 if quick else 2)
        argv, shown = _module("certs", data.url, "--count", count, "--repeat", str(reps))
        log(f"certificates {data.name}: {shown}")
        record(results, f"certificates/{data.name}", run_json(argv), shown)
    elif section == "soak":
        data = Dataset(engine, 0.05 if quick else 1.0)
        results.setdefault("datasets", {})[data.name] = data.ensure()
        argv, shown = _module("soak", data.url, "--seconds", "10" if quick else "120")
        log(f"soak {data.name}: {shown}")
        record(results, f"soak/{data.name}", run_json(argv), shown)
    elif section == "import":
        rows = "5000" if quick else "100000"
        args = ["--rows", rows, "--json"]
        if engine == "postgresql":
            from bench.common import PG_SERVER, _psql

            _psql("postgres", "drop database if exists bench_import")
            _psql("postgres", "create database bench_import")
            args += ["--database", f"{PG_SERVER}/bench_import"]
        argv = [PYTHON, "bench/imports_bench.py", *args]
        shown = "python bench/imports_bench.py " + " ".join(args)
        log(f"import {engine}: {shown}")
        record(results, f"import/{engine}", run_json(argv), shown)


# --- RESULTS.md -------------------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _evaluation_rows(name: str, f: dict[str, Any]) -> list[str]:
    rows = [
        f"| full-year evaluation, every title | {name} | {f['app_median_s']} s | "
        f"hand-written SQL floor {f['floor_median_s']} s (×{f['ratio']}) | ≤ 2× floor | "
        f"{_mark(f['ratio'] <= 2)} |"
    ]
    r = f.get("refresh") or {}
    if r:
        rows.append(
            f"| re-evaluation after one activity (p95, {r['count']} recorded) | {name} | "
            f"{r['app_p95_ms']} ms (p50 {r['app_p50_ms']}; every dependent re-evaluated: p95 "
            f"{r.get('full_p95_ms', '—')} ms) | hand-written statements p95 {r['floor_p95_ms']} "
            f"ms (p50 {r['floor_p50_ms']}) | p95 ≤ 50 ms | {_mark(r['app_p95_ms'] <= 50)} |"
        )
    return rows


LOOKUP_LABELS = {
    "lookup": "status lookup (POST /status)",
    "status_page": "status page (GET /status/me)",
}


def _lookup_rows(name: str, f: dict[str, Any]) -> list[str]:
    rows = []
    paced = f.get("paced_rate_per_client", 1)
    for scenario, label in LOOKUP_LABELS.items():
        s, b = f[scenario], f["bare"]
        sp, bp = f.get(scenario + "_paced", s), f.get("bare_paced", b)
        ratio = round(s["throughput_rps"] / b["throughput_rps"], 2)
        ok = sp["p99_ms"] <= 50 and ratio >= 0.5
        rows.append(
            f"| {label}, {f['clients']} clients, gunicorn {f['workers']} workers | {name} | "
            f"paced ({paced:g}/s per client): p99 {sp['p99_ms']} ms; closed loop: "
            f"{s['throughput_rps']} req/s, p99 {s['p99_ms']} ms; "
            f"{s['unexpected_status'] + sp['unexpected_status']} unexpected, "
            f"{s['errors'] + sp['errors']} errors | bare Flask paced p99 {bp['p99_ms']} ms; "
            f"closed loop {b['throughput_rps']} req/s, p99 {b['p99_ms']} ms (×{ratio}) | "
            f"p99 ≤ 50 ms, ≥ 0.5× throughput | {_mark(ok)} |"
        )
    return rows


def _certificate_rows(name: str, f: dict[str, Any]) -> list[str]:
    a, w = f["app"], f["weasyprint"]
    return [
        f"| one PDF of {a['pages']} certificates | {name} | {a['pages_per_s']} pages/s, "
        f"peak {a['peak_rss_mb']} MB | WeasyPrint alone, one call: {w['pages_per_s']} "
        f"pages/s, peak {w['peak_rss_mb']} MB (×{f['ratio']}) | ≥ 0.9× | "
        f"{_mark(f['ratio'] >= 0.9)} |"
    ]


def _import_rows(name: str, f: dict[str, Any]) -> list[str]:
    return [
        f"| import of {f['rows']:,} citizen rows (.xlsx) | {name} | {f['import']} s, "
        f"peak {f['peak_rss_mb']} MB (dry run {f['dry run']} s, "
        f"re-import {f['re-import']} s) | — | about a minute | {_mark(f['import'] <= 90)} |"
    ]


def _soak_rows(name: str, f: dict[str, Any]) -> list[str]:
    memory = f["memory_mb"]
    stable = memory["last_third_max"] <= 1.1 * memory["first_third_max"]
    ok = f["errors"] == 0 and f["server_errors"] == 0 and f["unexpected_status"] == 0 and stable
    return [
        f"| soak: mixed traffic {f['seconds']:g} s, {f['clients']} clients, gunicorn "
        f"{f['workers']} workers | {name} | {f['requests']:,} requests, {f['errors']} errors, "
        f"{f['server_errors']} 5xx, p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, p99 "
        f"{f['p99_ms']} ms; RSS {memory['first_third_max']} → {memory['last_third_max']} MB | "
        f"— | zero errors, stable memory | {_mark(ok)} |"
    ]


ROWS = {
    "soak": _soak_rows,
    "evaluation": _evaluation_rows,
    "lookup": _lookup_rows,
    "certificates": _certificate_rows,
    "import": _import_rows,
}


def render(results: dict[str, Any]) -> str:
    figures: dict[str, Any] = results.get("figures", {})
    info = results.get("machine", {})
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench.run`); do not edit by hand: the analysis at",
        "the end comes from `bench/NOTES.md`. Each figure sits beside a baseline measured in",
        "the same run, so the ratio survives a noisy machine; times are medians of the runs",
        "listed.",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    lines += [
        "",
        "## Datasets",
        "",
        "| dataset | citizens | households | activities | units | size | generated in |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, meta in sorted(results.get("datasets", {}).items()):
        lines.append(
            f"| {name} | {meta.get('citizens', 0):,} | {meta.get('households', 0):,} | "
            f"{meta.get('activities', 0):,} | {meta.get('admin_units', 0):,} | "
            f"{meta.get('size_mb', 0):,} MB | {meta.get('seed_seconds', 0)} s |"
        )
    lines += [
        "",
        "## Goals",
        "",
        "| figure | engine / size | result | baseline (same run) | goal | |",
        "|---|---|---|---|---|---|",
    ]
    for key, f in sorted(figures.items()):
        section, name = key.split("/", 1)
        lines += ROWS[section](name, f)
    lines += ["", "## Details", ""]
    for key, f in sorted(figures.items()):
        lines += [
            f"### {key}",
            "",
            f"`{f.get('command', '')}` ({f.get('measured_at', '')})",
            "",
            "```json",
            json.dumps(
                {k: v for k, v in f.items() if k not in ("command", "measured_at")},
                ensure_ascii=False,
                indent=1,
            ),
            "```",
            "",
        ]
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1/20 of the province, short runs")
    parser.add_argument("--engines", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--only", nargs="*", default=list(SECTIONS), choices=SECTIONS)
    parser.add_argument("--repeat", type=int, help="runs per figure (default 3, quick 1)")
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md")
    args = parser.parse_args()
    results = load()
    if args.render:
        save(results)
        return
    results["machine"] = machine()
    save(results)
    for section in args.only:
        for engine in args.engines:
            try:
                run_section(section, engine, args.quick, args.repeat, results)
            except Exception as exc:
                log(f"{section} on {engine} FAILED: {exc}")
                raise
    results["machine"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    save(results)
    log(f"written {RESULTS_MD.relative_to(ROOT)}")
    sys.exit(0)


if __name__ == "__main__":
    main()
