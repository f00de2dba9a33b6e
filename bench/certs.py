"""One PDF of 1,000 certificates through the app, beside WeasyPrint alone on the same HTML.

    python -m bench.certs DATABASE_URL [--count 1000] [--repeat 3]

The data are the small demo's approved recognitions (the commune with the most of them, then
its district if it has fewer than ``--count``). Each run is a fresh process, so that its peak
memory is its own:

- ``app``: what the print button does (``registry.awards.printing``): read the valid
  recognitions of the unit, their frozen snapshots → ``certificates.Renderer`` → one PDF file;
- ``weasyprint``: the same certificates' HTML, generated before the clock starts as ONE
  document, rendered by one ``HTML(...).write_pdf()`` call with the same stylesheet and fonts.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import PYTHON, log, median, open_app, peak_rss_mb, run_json, stopwatch


def _items(count: int) -> tuple[Any, list[Any]]:
    from sqlalchemy import func, select

    from registry.awards.services import batch_items
    from registry.extensions import db
    from registry.models import AdminUnit, Recognition, UnitLevel
    from registry.units.services import subtree_ids

    year = db.session.scalar(select(func.max(Recognition.year)))
    communes = db.session.scalars(select(AdminUnit).where(AdminUnit.level == UnitLevel.commune))
    best = max(
        communes,
        key=lambda u: (
            db.session.scalar(
                select(func.count())
                .select_from(Recognition)
                .where(Recognition.year == year, Recognition.unit_id.in_(subtree_ids(u.id)))
            )
            or 0
        ),
    )
    unit = best if len(batch_items(best, year)) >= count else best.parent
    return (unit, year), batch_items(unit, year)[:count]


def child_app(url: str, count: int) -> dict[str, Any]:
    """The print path, from the database to the file."""
    open_app(url)
    import certificates
    from registry.awards.services import batch_items

    (unit, year), _ = _items(count)
    renderer = certificates.Renderer("certificate")
    renderer.pdf(batch_items(unit, year)[:2])  # fonts and stylesheet loaded, as in a worker
    with tempfile.TemporaryDirectory() as tmp, stopwatch() as t:
        items = batch_items(unit, year)[:count]
        pages = renderer.write_pdf(items, Path(tmp) / "batch.pdf")
        size = (Path(tmp) / "batch.pdf").stat().st_size
    return {"pages": pages, "wall_s": t["wall"], "cpu_s": t["cpu"], "size_kb": size // 1024}


def child_weasyprint(url: str, count: int) -> dict[str, Any]:
    """WeasyPrint alone: the HTML already generated, one call."""
    open_app(url)
    from weasyprint import HTML

    import certificates
    from certificates.context import make_context, render_contexts

    _, items = _items(count)
    renderer = certificates.Renderer("certificate")
    renderer.pdf(items[:2])
    html = render_contexts(renderer.layout, [make_context(item) for item in items])
    with tempfile.TemporaryDirectory() as tmp, stopwatch() as t:
        document = HTML(
            string=html, base_url=renderer._base_url, url_fetcher=renderer._fetcher
        ).render(font_config=renderer._font_config, stylesheets=[renderer._css])
        document.write_pdf(str(Path(tmp) / "batch.pdf"))
        pages = len(document.pages)
        size = (Path(tmp) / "batch.pdf").stat().st_size
    return {"pages": pages, "wall_s": t["wall"], "cpu_s": t["cpu"], "size_kb": size // 1024}


CHILDREN = {"app": child_app, "weasyprint": child_weasyprint}


def run(url: str, count: int, repeat: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"app": [], "weasyprint": []}
    for i in range(repeat):
        order = ("app", "weasyprint") if i % 2 == 0 else ("weasyprint", "app")
        for mode in order:
            result = run_json(
                [PYTHON, "-m", "bench.certs", url, "--child", mode, "--count", str(count)]
            )
            result["pages_per_s"] = result["pages"] / result["wall_s"]
            runs[mode].append(result)
            log(
                f"  {mode} run {i + 1}: {result['pages']} pages in {result['wall_s']:.1f} s, "
                f"{result['peak_rss_mb']} MB"
            )
    out: dict[str, Any] = {"count": count}
    for mode, results in runs.items():
        out[mode] = {
            "pages": results[0]["pages"],
            "wall_s": round(median([r["wall_s"] for r in results]), 1),
            "pages_per_s": round(median([r["pages_per_s"] for r in results]), 2),
            "cpu_ms_per_page": round(median([r["cpu_s"] / r["pages"] * 1000 for r in results]), 1),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "size_kb": results[0]["size_kb"],
        }
    out["ratio"] = round(out["app"]["pages_per_s"] / out["weasyprint"]["pages_per_s"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=list(CHILDREN))
    args = parser.parse_args()
    if args.child:
        result = CHILDREN[args.child](args.url, args.count)
        result["peak_rss_mb"] = round(peak_rss_mb())
        print(json.dumps(result))
        sys.stdout.flush()
        return
    print(json.dumps(run(args.url, args.count, args.repeat)))


if __name__ == "__main__":
    main()
