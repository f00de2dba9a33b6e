"""PDF output checked with poppler (pdftotext, pdffonts, pdfinfo, pdftoppm) and zbarimg."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from certificates import (
    CertificateData,
    CertificateError,
    DecisionData,
    MissingField,
    Renderer,
    render_pdf,
    render_pdf_files,
)

Tool = Callable[..., str]
MakeCertificate = Callable[..., CertificateData]


def page_count(tool: Tool, pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", tool("pdfinfo", pdf), re.MULTILINE)
    assert match
    return int(match.group(1))


def test_harfbuzz_subset_is_installed() -> None:
    # Without libharfbuzz-subset0 every PDF takes ~370 ms instead of ~75 ms: WeasyPrint
    # falls back to fontTools with only a hidden DeprecationWarning (stack-notes).
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None, "apt-get install -y libharfbuzz-subset0"


def test_certificate_pdf_is_one_a4_landscape_page(certificate_pdf: Path, tool: Tool) -> None:
    assert certificate_pdf.read_bytes().startswith(b"%PDF-")
    info = tool("pdfinfo", certificate_pdf)
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    assert "841.89 x 595.276 pts (A4)" in info


def test_certificate_text_keeps_vietnamese_diacritics(certificate_pdf: Path, tool: Tool) -> None:
    text = tool("pdftotext", certificate_pdf, "-")
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY CÔNG NHẬN",
        "Đặng Thị Mỹ Hạnh",
        "“Gia đình học tập”",
        "Theo Quyết định số 12/QĐ-UBND ngày 05 tháng 12 năm 2025",
        "Ngọc Thụy, ngày 15 tháng 12 năm 2025",
        "Số: GĐHT-2025-000123",
        "Quét mã để xác minh",
    ):
        assert expected in text


def test_only_bundled_dejavu_fonts_are_embedded(certificate_pdf: Path, tool: Tool) -> None:
    rows = tool("pdffonts", certificate_pdf).splitlines()[2:]
    assert rows
    for row in rows:
        name, *_, emb, sub, _uni, _obj, _gen = row.split()
        assert re.fullmatch(r"[A-Z]{6}\+GCN-(Serif|Sans)(-Bold|-Italic|-BoldItalic)?", name), row
        assert (emb, sub) == ("yes", "yes"), row


def test_output_does_not_depend_on_host_fonts(tmp_path: Path, tool: Tool) -> None:
    """With a fontconfig that knows no fonts at all, the bundled fonts still render."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    pdf = tmp_path / "isolated.pdf"
    script = (
        "import sys, datetime as dt; from certificates import *;"
        "from pathlib import Path;"
        "d = dict(serial='S-1', verify_url='http://x/v/S-1', title='Gia đình học tập',"
        " year=2025, recipient_label='ông/bà', recipient_name='Đặng Thị Mỹ Hạnh',"
        " issuer_name='Ủy ban nhân dân xã Ngọc Thụy', issuer_short='ỦY BAN NHÂN DÂN',"
        " decision_number='1/QĐ', decision_date=dt.date(2025, 1, 2), place_name='Ngọc Thụy',"
        " signed_on=dt.date(2025, 1, 2), signer_title='CHỦ TỊCH', signer_name='Lê Văn Ba');"
        "Path(sys.argv[1]).write_bytes(render_pdf('certificate', CertificateData(**d)))"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    subprocess.run(  # our own interpreter and script
        [sys.executable, "-W", "ignore", "-c", script, str(pdf)],
        check=True,
        env=env,
        cwd=Path(__file__).parents[2],
        timeout=120,
    )
    assert "Đặng Thị Mỹ Hạnh" in tool("pdftotext", pdf, "-")
    assert "GCN-Serif-Bold" in tool("pdffonts", pdf)


def test_qr_code_decodes_to_the_verify_url(
    certificate_pdf: Path, tool: Tool, tmp_path: Path
) -> None:
    tool("pdftoppm", "-r", "150", "-png", "-singlefile", certificate_pdf, tmp_path / "page")
    decoded = tool("zbarimg", "--raw", "-q", tmp_path / "page.png").strip()
    assert decoded == "http://127.0.0.1:5000/verify/GDHT-2025-000123"


def test_batch_of_three_is_one_three_page_pdf(
    make_certificate: MakeCertificate, tool: Tool, tmp_path: Path
) -> None:
    items = [make_certificate(serial=f"GĐHT-2025-{i:06d}") for i in (1, 2, 3)]
    calls: list[tuple[int, int]] = []
    pdf = tmp_path / "batch.pdf"
    pdf.write_bytes(Renderer("certificate").pdf(items, progress=lambda *a: calls.append(a)))
    assert page_count(tool, pdf) == 3
    for page in (1, 2, 3):
        text = tool("pdftotext", "-f", str(page), "-l", str(page), pdf, "-")
        assert f"Số: GĐHT-2025-{page:06d}" in text
    assert calls[-1] == (3, 3)


def test_batch_with_a_bad_item_renders_nothing(make_certificate: MakeCertificate) -> None:
    items = [make_certificate(), make_certificate(signer_name="")]
    with pytest.raises(MissingField, match="signer_name"):
        Renderer("certificate").pdf(items)
    with pytest.raises(CertificateError, match="empty batch"):
        Renderer("certificate").pdf([])


def test_very_long_content_stays_on_one_page(
    make_certificate: MakeCertificate, tool: Tool, tmp_path: Path
) -> None:
    data = make_certificate(
        recipient_name="Công Tằng Tôn Nữ Thị Diễm Kiều Thanh Thủy Bạch Tuyết " * 6,
        recipient_label="dòng họ",
        address_line="Số 123, ngõ 456, đường Nguyễn Văn Cừ kéo dài, tổ dân phố số 7, " * 4,
        title="Gia đình học tập tiêu biểu xuất sắc trong phong trào khuyến học " * 3,
        issuer_name="Ủy ban nhân dân xã Ngọc Thụy, thành phố Hà Nội " * 4,
        issuer_short="ỦY BAN NHÂN DÂN\nXÃ NGỌC THỤY\nTHÀNH PHỐ HÀ NỘI",
        signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH THƯỜNG TRỰC",
    )
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_pdf("certificate", data))
    assert page_count(tool, pdf) == 1
    text = tool("pdftotext", pdf, "-")
    assert "Công Tằng Tôn Nữ" in text
    assert "PHÓ CHỦ TỊCH THƯỜNG TRỰC" in text


def test_decision_with_60_recipients_spans_pages_and_lists_all(
    decision_pdf: Path, tool: Tool
) -> None:
    pages = page_count(tool, decision_pdf)
    assert pages >= 3
    text = tool("pdftotext", decision_pdf, "-")
    for number in range(1, 61):
        assert f"GĐHT-2025-{number:06d}" in text
    for page in range(1, pages + 1):
        page_text = tool("pdftotext", "-f", str(page), "-l", str(page), decision_pdf, "-")
        if "GĐHT-2025-" in page_text:
            assert "STT" in page_text  # the header is repeated on every page of the table
    assert "QUYẾT ĐỊNH:" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text
    info = tool("pdfinfo", decision_pdf)
    assert "595.276 x 841.89 pts (A4)" in info


def test_render_pdf_files_splits_into_numbered_files(
    make_certificate: MakeCertificate, tool: Tool, tmp_path: Path
) -> None:
    items = [make_certificate(serial=f"S-{i}") for i in range(5)]
    calls: list[tuple[int, int]] = []
    paths = render_pdf_files(
        "certificate", items, tmp_path / "out" / "gdht", 2, progress=lambda *a: calls.append(a)
    )
    assert [p.name for p in paths] == ["gdht-0001.pdf", "gdht-0002.pdf", "gdht-0003.pdf"]
    assert [page_count(tool, p) for p in paths] == [2, 2, 1]
    assert calls[-1] == (5, 5)
    assert "S-4" in tool("pdftotext", paths[2], "-")


def test_render_pdf_files_with_two_worker_processes(
    make_certificate: MakeCertificate, tool: Tool, tmp_path: Path
) -> None:
    items = [make_certificate(serial=f"S-{i}") for i in range(4)]
    paths = render_pdf_files("certificate", items, tmp_path, 2, workers=2)
    assert [p.name for p in paths] == ["certificate-0001.pdf", "certificate-0002.pdf"]
    assert [page_count(tool, p) for p in paths] == [2, 2]
    assert "S-3" in tool("pdftotext", paths[1], "-")


def test_decisions_render_one_after_another(
    make_decision: Callable[[int], DecisionData], tool: Tool, tmp_path: Path
) -> None:
    pdf = tmp_path / "two.pdf"
    pdf.write_bytes(Renderer("decision").pdf([make_decision(2), make_decision(3)]))
    assert page_count(tool, pdf) == 2
