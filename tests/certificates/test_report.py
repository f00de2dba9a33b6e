"""The yearly report layout: plain data, formatting of shares and deadlines, HTML and PDF."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from certificates import CertificateError, MissingField, get_layout, layouts, render_html
from certificates.data import ReportCell, ReportData, ReportDeadline, ReportFigure
from certificates.formatting import days_before, vn_number, vn_percent, vn_points_gap
from certificates.render import render_pdf

CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0 0 200 40" '
    'font-family="GCN Sans"><rect x="0" y="5" width="90" height="14" fill="#17375e"/>'
    '<text x="0" y="35" font-size="10">Công dân học tập</text></svg>'
)


def _report(**overrides: Any) -> ReportData:
    fields: dict[str, Any] = {
        "unit_name": "Huyện Vũ Thư",
        "year": 2025,
        "reported_on": date(2025, 11, 20),
        "deadlines": [
            ("Huyện, xã báo cáo Sở Giáo dục và Đào tạo", date(2025, 12, 1)),
            ("Sở Giáo dục và Đào tạo báo cáo Ủy ban nhân dân tỉnh", date(2025, 12, 20)),
        ],
        "titles": [
            ("Gia đình học tập", "hộ gia đình", 3, 3, 1, 1 / 3, 1, 1 / 3),
        ],
        "indicators": [
            (
                "Tỷ lệ người lớn đạt Công dân học tập",
                "người từ 15 tuổi trở lên",
                6,
                None,
                3,
                0.5,
                2,
                2 / 3 * 0.5,
                0.4,
                2025,
                "Chỉ tiêu quốc gia",
            ),
            ("Tỷ lệ hộ gia đình học tập", "hộ gia đình", 3, None, 1, 1 / 3, 1, 1 / 3, 0.675, 2025),
        ],
        "child_columns": ["Công dân học tập — chỉ tiêu 40% (2025)"],
        "children": [("Xã Song An", [(0.0, 0.4)]), ("Xã Tân Hòa", [(0.75, 0.4)])],
        "lists": [
            (
                "Công dân học tập",
                [("CDHT-2025-AB12", "Nguyễn Văn An", "Thôn Đông", "12/QĐ-UBND ngày 15/12/2025")],
            )
        ],
        "chart_svg": CHART,
    }
    return ReportData(**{**fields, **overrides})


def test_report_layout_is_shipped_and_requires_the_heading_fields() -> None:
    assert "report" in layouts()
    layout = get_layout("report")
    assert layout.kind is ReportData
    assert set(layout.required) == {"unit_name", "year", "reported_on"}
    with pytest.raises(MissingField, match="unit_name"):
        render_html("report", _report(unit_name="  "))


def test_rows_become_named_tuples_with_nfc_text() -> None:
    decomposed = unicodedata.normalize("NFD", "Xã Tân Hòa")
    data = _report(children=[(decomposed, [(0.5, None)])])
    child = data.children[0]
    assert child.name == "Xã Tân Hòa"
    assert child.cells == (ReportCell(0.5, None),)
    assert isinstance(data.titles[0], ReportFigure)
    assert data.deadlines[0] == ReportDeadline(
        "Huyện, xã báo cáo Sở Giáo dục và Đào tạo", date(2025, 12, 1)
    )


def test_report_from_a_mapping_accepts_iso_dates() -> None:
    data = _report(reported_on="2025-11-20", deadlines=[("Hạn", "2025-12-01")])
    assert data.reported_on == date(2025, 11, 20)
    assert data.deadlines[0].due == date(2025, 12, 1)


def test_cells_must_match_the_columns() -> None:
    with pytest.raises(CertificateError, match="cells do not match columns"):
        _report(children=[("Xã Tân Hòa", [(0.5, 0.4), (0.1, None)])])


def test_vietnamese_numbers_percentages_and_gaps() -> None:
    assert vn_number(1234567) == "1.234.567"
    assert vn_number(12.25, 1) in ("12,2", "12,3")
    assert vn_percent(0.4567) == "45,7%"
    assert vn_percent(None) == "—"
    assert vn_points_gap(0.5 - 0.7) == "\u221220,0"
    assert vn_points_gap(0.03) == "+3,0"
    assert vn_points_gap(0.0) == "0,0"
    assert days_before(date(2025, 12, 1), date(2025, 11, 20)) == 11


def test_html_shows_figures_targets_gaps_and_lists() -> None:
    html = render_html("report", _report())
    for expected in (
        "BÁO CÁO KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP",
        "NĂM 2025",
        "Huyện Vũ Thư",
        "Ngày lập báo cáo: 20/11/2025",
        "trước 01/12/2025",
        "còn 11 ngày",
        "còn 30 ngày",
        "33,3%",  # households
        "50,0%",
        "40%",
        "67,5%",  # a target that is not a whole percentage keeps its decimal
        "+10,0",  # 50 % against 40 %
        "\u221240,0",  # Song An: 0 % against 40 %
        "Chỉ tiêu quốc gia",
        "CDHT-2025-AB12",
        "12/QĐ-UBND ngày 15/12/2025",
        'src="data:image/svg+xml;base64,',
    ):
        assert expected in html, expected


def test_deadline_on_the_day_itself_is_late() -> None:
    html = render_html("report", _report(reported_on=date(2025, 12, 1)))
    assert "đã quá hạn 1 ngày" in html
    assert "còn 19 ngày" in html


def test_unit_names_are_escaped() -> None:
    html = render_html("report", _report(unit_name="Xã <b>Tân</b> & Hòa"))
    assert "Xã &lt;b&gt;Tân&lt;/b&gt; &amp; Hòa" in html
    assert "<b>Tân</b>" not in html


def test_report_pdf_keeps_diacritics_and_embeds_only_bundled_fonts(
    tmp_path: Path, tool: Any
) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf("report", _report()))
    text = tool("pdftotext", "-layout", pdf, "-")
    for expected in ("Huyện Vũ Thư", "Nguyễn Văn An", "Chỉ tiêu quốc gia", "Gia đình học tập"):
        assert expected in text
    for row in tool("pdffonts", pdf).splitlines()[2:]:
        assert "+GCN-" in row.split()[0], row
