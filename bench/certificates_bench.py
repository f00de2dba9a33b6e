"""Benchmark of certificate rendering; not part of the test suite.

    .venv/bin/python bench/certificates_bench.py                 # all modes, 1,000 pages
    .venv/bin/python bench/certificates_bench.py --count 200 --modes warm renderer
    .venv/bin/python bench/certificates_bench.py --preview /tmp/previews   # PNGs to look at

Every mode runs in a fresh process so that its peak RSS is its own. Wall time on shared
machines is noisy (±20 %); CPU time of the process is printed next to it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from certificates import (  # noqa: E402  # after the sys.path line, run as a script
    CertificateData,
    DecisionData,
    Recipient,
    Renderer,
    render_pdf,
    render_pdf_files,
)

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Vũ", "Bùi")
MIDDLE = ("Văn", "Thị", "Minh", "Thị Mỹ", "Đức", "Thu")
GIVEN = ("Hạnh", "Hằng", "Đức", "Hương", "Ơn", "Bình", "Tuấn", "Nhung")


def certificate(i: int) -> CertificateData:
    """The i-th sample certificate; names and serials vary like a real batch."""
    name = f"{FAMILY[i % 8]} {MIDDLE[i % 6]} {GIVEN[i * 7 % 8]}"
    return CertificateData(
        serial=f"GĐHT-2025-{i:06d}",
        verify_url=f"http://127.0.0.1:5000/verify/GDHT-2025-{i:06d}",
        title="Gia đình học tập",
        year=2025,
        recipient_label="hộ gia đình ông/bà",
        recipient_name=name,
        address_line=f"Thôn {i % 12 + 1}, xã Ngọc Thụy, thành phố Hà Nội",
        issuer_name="Ủy ban nhân dân xã Ngọc Thụy",
        issuer_short="ỦY BAN NHÂN DÂN\nXÃ NGỌC THỤY",
        decision_number="12/QĐ-UBND",
        decision_date=date(2025, 12, 5),
        place_name="Ngọc Thụy",
        signed_on=date(2025, 12, 15),
        signer_title="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        signer_name="Nguyễn Văn Bình",
        level="Mức độ 2" if i % 3 else None,
    )


def decision(count: int) -> DecisionData:
    """A decision listing ``count`` households."""
    return DecisionData(
        issuer_name="Ủy ban nhân dân xã Ngọc Thụy",
        issuer_short="ỦY BAN NHÂN DÂN\nXÃ NGỌC THỤY",
        number="12/QĐ-UBND",
        date=date(2025, 12, 5),
        place_name="Ngọc Thụy",
        title="Gia đình học tập",
        year=2025,
        legal_bases=[
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
            "Căn cứ Quyết định số 387/QĐ-BGDĐT ngày 06 tháng 02 năm 2024 của Bộ trưởng Bộ "
            "Giáo dục và Đào tạo về việc đánh giá, công nhận “Gia đình học tập”, “Dòng họ "
            "học tập”, “Cộng đồng học tập” cấp thôn và “Đơn vị học tập” cấp xã",
            "Theo đề nghị của Hội Khuyến học xã Ngọc Thụy",
        ],
        recipients=[
            Recipient(c.serial, c.recipient_name, c.address_line or "")
            for c in map(certificate, range(1, count + 1))
        ],
        recipient_kind="hộ gia đình",
        signer_title="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        signer_name="Nguyễn Văn Bình",
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def mode_warm(count: int) -> dict[str, Any]:
    """One certificate through render_pdf: the first call, then warm calls."""
    first, _, _ = timed(lambda: render_pdf("certificate", certificate(0)))
    runs = [timed(lambda i=i: render_pdf("certificate", certificate(i))) for i in range(30)]
    return {
        "first_call_s": first,
        "warm_ms_median": statistics.median(r[0] for r in runs) * 1000,
        "warm_ms_min": min(r[0] for r in runs) * 1000,
        "warm_cpu_ms_median": statistics.median(r[1] for r in runs) * 1000,
    }


def _batch(count: int, html_batch: int | None = None) -> dict[str, Any]:
    import certificates.render

    if html_batch is not None:
        certificates.render.HTML_BATCH = html_batch
    items = [certificate(i) for i in range(count)]
    renderer = Renderer("certificate")
    renderer.pdf(items[:2])
    wall, cpu, pdf = timed(lambda: renderer.pdf(items))
    return {"pages": count, "wall_s": wall, "cpu_s": cpu, "size_kb": len(pdf) // 1024}


def mode_renderer(count: int) -> dict[str, Any]:
    """Renderer.pdf as shipped (HTML_BATCH certificates per WeasyPrint document)."""
    return _batch(count)


def mode_per_item(count: int) -> dict[str, Any]:
    """Renderer.pdf with one WeasyPrint document per certificate, merged by pages."""
    return _batch(count, 1)


def mode_one_html(count: int) -> dict[str, Any]:
    """Renderer.pdf with the whole batch in one HTML document."""
    return _batch(count, count)


def mode_weasyprint(count: int) -> dict[str, Any]:
    """WeasyPrint alone on pre-generated HTML (same chunks, same reused objects)."""
    from weasyprint import HTML

    from certificates.context import make_context, render_contexts
    from certificates.render import HTML_BATCH

    renderer = Renderer("certificate")
    items = [certificate(i) for i in range(count)]
    htmls = [
        render_contexts(renderer.layout, [make_context(c) for c in items[s : s + HTML_BATCH]])
        for s in range(0, count, HTML_BATCH)
    ]
    renderer.pdf(items[:2])

    def run() -> bytes:
        docs = [
            HTML(string=h, base_url=renderer._base_url, url_fetcher=renderer._fetcher).render(
                font_config=renderer._font_config, stylesheets=[renderer._css]
            )
            for h in htmls
        ]
        return bytes(docs[0].copy([p for d in docs for p in d.pages]).write_pdf())

    wall, cpu, pdf = timed(run)
    return {"pages": count, "wall_s": wall, "cpu_s": cpu, "size_kb": len(pdf) // 1024}


def mode_weasyprint_default(count: int) -> dict[str, Any]:
    """WeasyPrint with default calls: new CSS and font configuration for every page."""
    from weasyprint import CSS, HTML

    from certificates.context import make_context, render_contexts

    renderer = Renderer("certificate")
    items = [certificate(i) for i in range(count)]
    htmls = [render_contexts(renderer.layout, [make_context(c)]) for c in items]
    css = str(renderer.layout.stylesheet_path)

    def run() -> bytes:
        docs = [
            HTML(string=h, base_url=renderer._base_url).render(stylesheets=[CSS(filename=css)])
            for h in htmls
        ]
        return bytes(docs[0].copy([p for d in docs for p in d.pages]).write_pdf())

    wall, cpu, pdf = timed(run)
    return {"pages": count, "wall_s": wall, "cpu_s": cpu, "size_kb": len(pdf) // 1024}


def _files(count: int, workers: int) -> dict[str, Any]:
    items = [certificate(i) for i in range(count)]
    with tempfile.TemporaryDirectory() as out:
        wall, cpu, paths = timed(
            lambda: render_pdf_files("certificate", items, out, count // 2, workers=workers)
        )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "pages": count,
        "files": len(paths),
        "wall_s": wall,
        "cpu_s": cpu + children.ru_utime + children.ru_stime,
        "largest_worker_rss_mb": round(children.ru_maxrss / 1024),
    }


def mode_files_1(count: int) -> dict[str, Any]:
    """render_pdf_files, two files of count/2 pages, in this process."""
    return _files(count, 1)


def mode_files_2(count: int) -> dict[str, Any]:
    """render_pdf_files, two files of count/2 pages, two worker processes."""
    return _files(count, 2)


def mode_decision(count: int) -> dict[str, Any]:
    """A decision listing ``count`` recipients."""
    renderer = Renderer("decision")
    renderer.pdf([decision(3)])
    wall, cpu, pdf = timed(lambda: renderer.pdf([decision(count)]))
    return {"recipients": count, "wall_s": wall, "cpu_s": cpu, "size_kb": len(pdf) // 1024}


MODES: dict[str, Callable[[int], dict[str, Any]]] = {
    "warm": mode_warm,
    "renderer": mode_renderer,
    "per-item": mode_per_item,
    "one-html": mode_one_html,
    "weasyprint": mode_weasyprint,
    "weasyprint-default": mode_weasyprint_default,
    "files-1": mode_files_1,
    "files-2": mode_files_2,
    "decision": mode_decision,
}


def run_child(mode: str, count: int) -> dict[str, Any]:
    out = subprocess.run(  # this script, re-run for one mode
        [sys.executable, __file__, "--child", mode, "--count", str(count)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return result


def preview(directory: Path) -> None:
    """Write PNG previews (70 dpi) of both layouts, including a very long name."""
    directory.mkdir(parents=True, exist_ok=True)
    long_name = certificate(1)
    long_name = CertificateData(
        **{
            **{f: getattr(long_name, f) for f in long_name.__dataclass_fields__},
            "recipient_name": "Công Tằng Tôn Nữ Thị Diễm Kiều Thanh Thủy Bạch Tuyết " * 3,
        }
    )
    samples = {
        "certificate": ("certificate", certificate(1)),
        "certificate-long-name": ("certificate", long_name),
        "decision": ("decision", decision(60)),
    }
    for name, (layout, data) in samples.items():
        pdf = directory / f"{name}.pdf"
        pdf.write_bytes(render_pdf(layout, data))
        subprocess.run(["pdftoppm", "-png", "-r", "70", pdf, directory / name], check=True)
        print(*sorted(directory.glob(f"{name}-*.png")), sep="\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--modes", nargs="*", default=list(MODES), choices=list(MODES))
    parser.add_argument("--child", choices=list(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--preview", type=Path, help="write PNG previews to this folder")
    args = parser.parse_args()
    if args.preview:
        preview(args.preview)
        return
    if args.child:
        result = MODES[args.child](args.count)
        result["peak_rss_mb"] = round(peak_rss_mb())
        print(json.dumps(result))
        return
    print(f"load average before: {os.getloadavg()}, {os.cpu_count()} CPUs", flush=True)
    for mode in args.modes:
        result = run_child(mode, args.count)
        if "pages" in result:
            result["pages_per_s"] = result["pages"] / result["wall_s"]
            result["ms_per_page"] = result["wall_s"] / result["pages"] * 1000
            result["cpu_ms_per_page"] = result["cpu_s"] / result["pages"] * 1000
        shown = {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
        print(f"{mode:20} {shown}", flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
