"""The yearly report as an ``.xlsx`` workbook: a summary sheet and one sheet per title list.

Written in openpyxl's write-only mode, so a province's lists (hundreds of thousands of rows)
stream out in bounded memory. Headers are Vietnamese, dates dd/mm/yyyy, shares are numbers
with a percent format (0.457 shows as 45,7 % in a Vietnamese Excel).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from registry.reports.documents import YearlyReport, column_label
from registry.reports.figures import IndicatorFigure, TitleFigure, population_label
from registry.reports.recognised import RecognisedList

DATE = "dd/mm/yyyy"
PERCENT = "0.0%"
GAP = "+0.0%;-0.0%;0.0%"
COUNT = "#,##0"
#: Excel's limit is 1,048,576 rows: longer lists continue on "<title> (2)", "<title> (3)"…
ROWS_PER_SHEET = 1_000_000
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
SUMMARY_SHEET = "Tổng hợp"


class _Sheet:
    """A write-only sheet with helpers for styled cells."""

    def __init__(self, workbook: Workbook, title: str, widths: Sequence[float]) -> None:
        self.ws: WriteOnlyWorksheet = workbook.create_sheet(title)
        for number, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(number)].width = width

    def cell(self, value: Any, number_format: str | None = None, *, bold: bool = False) -> Any:
        cell = WriteOnlyCell(self.ws, value=value)
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.font = Font(bold=True)
        return cell

    def header(self, *titles: str) -> None:
        cells = []
        for title in titles:
            cell = self.cell(title, bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cells.append(cell)
        self.ws.append(cells)

    def heading(self, text: str, size: int = 12) -> None:
        cell = self.cell(text)
        cell.font = Font(bold=True, size=size)
        self.ws.append([cell])

    def row(self, *values: Any) -> None:
        self.ws.append(list(values))

    def blank(self) -> None:
        self.ws.append([])


def report_xlsx(report: YearlyReport) -> bytes:
    """The yearly report as workbook bytes."""
    workbook = Workbook(write_only=True)
    _summary(_Sheet(workbook, SUMMARY_SHEET, (48, 30, 14, 14, 14, 14, 14, 14, 14, 12, 14)), report)
    used = {SUMMARY_SHEET}
    for item in report.lists:
        _list_sheets(workbook, item, used)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _summary(sheet: _Sheet, report: YearlyReport) -> None:
    p = report.progress
    sheet.heading(f"BÁO CÁO KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP NĂM {p.year}", 14)
    sheet.row("Đơn vị", p.unit.display_name, p.unit.code)
    sheet.row("Năm báo cáo", p.year)
    sheet.row("Ngày lập báo cáo", sheet.cell(report.reported_on, DATE))
    sheet.blank()
    sheet.header("Thời hạn báo cáo", "Hạn (trước ngày)", "Số ngày còn lại", "Tình trạng")
    for d in p.deadlines:
        status = f"còn {d.days_left} ngày" if d.days_left > 0 else "đã quá hạn"
        sheet.row(d.label, sheet.cell(d.due, DATE), d.days_left, status)
    sheet.blank()
    _titles(sheet, p.titles)
    sheet.blank()
    _indicators(sheet, p.compared)
    if p.reported:
        sheet.blank()
        sheet.heading("Chỉ tiêu báo cáo riêng (không tính từ sổ đăng ký)")
        sheet.header("Kế hoạch", "Chỉ tiêu", "Chỉ tiêu (tỷ lệ)", "Năm mốc")
        for f in p.reported:
            sheet.row(f.plan.title, f.label, sheet.cell(f.target, PERCENT), f.target_year)
    sheet.blank()
    _children(sheet, report)


def _titles(sheet: _Sheet, titles: Iterable[TitleFigure]) -> None:
    sheet.heading("I. Kết quả theo danh hiệu")
    sheet.header(
        "Danh hiệu",
        "Đối tượng (mẫu số)",
        "Tổng số",
        "Đã đánh giá",
        "Đạt",
        "Tỷ lệ đạt",
        "Đã công nhận",
        "Tỷ lệ công nhận",
    )
    for f in titles:
        t = f.tally
        sheet.row(
            f.title,
            population_label(f.measure),
            sheet.cell(t.population, COUNT),
            sheet.cell(t.evaluated, COUNT),
            sheet.cell(t.passed, COUNT),
            sheet.cell(t.share, PERCENT),
            sheet.cell(t.recognised, COUNT),
            sheet.cell(t.recognised_share, PERCENT),
        )


def _indicators(sheet: _Sheet, figures: Iterable[IndicatorFigure]) -> None:
    sheet.heading("II. So với chỉ tiêu kế hoạch")
    sheet.header(
        "Chỉ tiêu",
        "Đối tượng (mẫu số)",
        "Tổng số",
        "Đạt",
        "Tỷ lệ đạt",
        "Đã công nhận",
        "Tỷ lệ công nhận",
        "Chỉ tiêu (tỷ lệ)",
        "Năm mốc",
        "Chênh lệch (đạt − chỉ tiêu)",
        "Kế hoạch",
    )
    for f in figures:
        t = f.tally
        if t is None or f.measure is None:
            continue
        sheet.row(
            f.label,
            population_label(f.measure),
            sheet.cell(t.population, COUNT),
            sheet.cell(t.passed, COUNT),
            sheet.cell(t.share, PERCENT),
            sheet.cell(t.recognised, COUNT),
            sheet.cell(t.recognised_share, PERCENT),
            sheet.cell(f.target, PERCENT),
            f.target_year,
            sheet.cell(f.gap, GAP),
            f.plan.title,
        )


def _children(sheet: _Sheet, report: YearlyReport) -> None:
    p = report.progress
    compared = p.compared
    sheet.heading("III. Đơn vị trực thuộc (xếp theo mức còn thiếu so với chỉ tiêu)")
    headers = ["Mã", "Đơn vị"]
    for f in compared:
        headers += [f"Tỷ lệ đạt: {column_label(f)}", "Chênh lệch"]
    sheet.header(*headers)
    for row in p.children:
        values: list[Any] = [row.unit.code, row.unit.display_name]
        for f in compared:
            values += [sheet.cell(row.share(f.measure), PERCENT), sheet.cell(row.gap(f), GAP)]
        sheet.row(*values)


def sheet_title(title: str, used: set[str]) -> str:
    """A valid, unused sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Danh sách"
    name, number = base, 2
    while name in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name)
    return name


def _list_sheets(workbook: Workbook, item: RecognisedList, used: set[str]) -> None:
    chunks = [
        item.entries[start : start + ROWS_PER_SHEET]
        for start in range(0, len(item.entries), ROWS_PER_SHEET)
    ] or [[]]
    number = 0
    for chunk in chunks:
        sheet = _Sheet(workbook, sheet_title(item.title, used), (7, 24, 32, 48, 18, 16, 40))
        sheet.ws.freeze_panes = "A2"
        sheet.header(
            "STT",
            "Số giấy công nhận",
            "Họ và tên / Đơn vị",
            "Địa chỉ",
            "Số quyết định",
            "Ngày quyết định",
            "Cơ quan công nhận",
        )
        for entry in chunk:
            number += 1
            sheet.row(
                number,
                entry.serial,
                entry.name,
                entry.address,
                entry.decision_number,
                sheet.cell(entry.decided_on, DATE),
                entry.issuer,
            )
