"""Writing workbooks in the template's layout: the empty template and list exports.

Every text cell is written as text, even one that starts with "=": a name or note typed as
"=HYPERLINK(...)" must reach Excel as the characters typed, never as a formula. Dates are
written as "dd/mm/yyyy" text so that no Excel locale can swap day and month.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from registry import vn
from registry.imports.layout import (
    GENDER_LABELS,
    INSTRUCTIONS_TITLE,
    RELATION_LABELS,
    SHEETS,
    STATUS_LABELS,
    Column,
    SheetLayout,
)

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
INFO_FILL = PatternFill("solid", fgColor="7F7F7F")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TEXT_KINDS = {"code", "cccd", "phone", "date"}
LIST_ROWS = 20_000  # rows of the empty template that offer the drop-down lists
DROP_DOWNS = {
    "gender": GENDER_LABELS.values(),
    "relation": RELATION_LABELS.values(),
    "status": STATUS_LABELS.values(),
}


def new_workbook() -> Workbook:
    """A streaming (write-only) workbook: rows go to disk as they come."""
    return Workbook(write_only=True)


def cell(sheet: Any, value: Any) -> Any:
    """``value`` ready for ``sheet.append``: text stays text, dates become dd/mm/yyyy."""
    if isinstance(value, date):
        return vn.format_date_vn(value)
    if isinstance(value, str) and value.startswith("="):
        text = WriteOnlyCell(sheet, value)
        text.data_type = "s"  # openpyxl would otherwise write it as a formula
        return text
    return value


def add_sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
) -> Any:
    """Append a sheet with a styled header row and ``rows``; returns the sheet."""
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.kind in TEXT_KINDS:  # typed codes keep their leading zeros, dates their order
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    headers = []
    for column in columns:
        header = WriteOnlyCell(sheet, column.header)
        header.font, header.fill = HEADER_FONT, INFO_FILL if column.info else HEADER_FILL
        headers.append(header)
    sheet.append(headers)
    for row in rows:
        sheet.append([cell(sheet, value) for value in row])
    return sheet


def export_columns(layout: SheetLayout) -> tuple[Column, ...]:
    """The columns an export of ``layout`` writes (the template's, then the reading aids)."""
    return tuple(c for c in layout.columns if not c.info) + tuple(
        c for c in layout.columns if c.info
    )


def write_template(out: IO[bytes] | str, categories: Sequence[tuple[str, str]]) -> None:
    """Write the empty import template: instructions, then one sheet per kind of record.

    :param categories: (code, Vietnamese name) of the active activity categories.
    """
    workbook = new_workbook()
    _instructions(workbook, categories)
    for layout in SHEETS:
        columns = [c for c in layout.columns if not c.info]
        sheet = add_sheet(workbook, layout.title, columns, [])
        for index, column in enumerate(columns, start=1):
            if choices := DROP_DOWNS.get(column.key):
                _drop_down(sheet, index, choices)
    workbook.save(out)


def _drop_down(sheet: Any, index: int, choices: Iterable[str]) -> None:
    letter = get_column_letter(index)
    listed = ",".join(choices)
    validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    validation.add(f"{letter}2:{letter}{LIST_ROWS}")
    sheet.data_validations.append(validation)


GENERAL_RULES = (
    "Mỗi trang tính là một loại dữ liệu; dòng đầu tiên là tiêu đề cột, giữ nguyên tiêu đề. "
    "Có thể bỏ bớt cột hoặc trang không dùng, nhưng không thêm cột hay trang khác.",
    "Ngày ghi theo dạng dd/mm/yyyy (ví dụ 05/03/1980). Số CCCD, số điện thoại và các mã nên "
    "nhập dưới dạng văn bản để không mất số 0 ở đầu.",
    "Chỉ nhập giá trị, không dùng công thức: ô có công thức bị báo lỗi. Chữ bắt đầu bằng "
    "dấu = được giữ nguyên là chữ.",
    "Người, hộ, hoạt động đã có trong sổ được nhận ra và chỉ cập nhật phần khác đi; ô để trống "
    "nghĩa là giữ nguyên thông tin đã có (muốn xóa thông tin, hãy sửa trên trang web). "
    "Nhập lại cùng một tệp không tạo bản ghi trùng.",
    "Hãy chạy thử trước: chương trình kiểm tra toàn bộ tệp và liệt kê mọi lỗi theo trang, dòng "
    "và cột. Khi nhập thật, chỉ cần một lỗi là không dữ liệu nào được ghi.",
    "Chỉ nhập được dữ liệu của các thôn trong phạm vi quản lý của tài khoản. Tối đa 200.000 "
    "dòng và 20 MB mỗi tệp.",
)


def _instructions(workbook: Workbook, categories: Sequence[tuple[str, str]]) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_TITLE)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    sheet.append([_styled(sheet, "Mẫu nhập dữ liệu Sổ đăng ký Công dân học tập", TITLE_FONT)])
    sheet.append([])
    for number, rule in enumerate(GENERAL_RULES, start=1):
        sheet.append([f"{number}.", _styled(sheet, rule, None, WRAP)])
    for layout in SHEETS:
        sheet.append([])
        sheet.append([_styled(sheet, f"Trang “{layout.title}”", BOLD), layout.note])
        for column in layout.columns:
            if not column.info:
                sheet.append([column.header, column.note])
    sheet.append([])
    sheet.append([_styled(sheet, "Loại hoạt động", BOLD), _styled(sheet, "Tên loại", BOLD)])
    for code, name in categories:
        sheet.append([code, name])


def _styled(sheet: Any, value: str, font: Font | None, alignment: Alignment | None = None) -> Any:
    styled = WriteOnlyCell(sheet, value)
    if font is not None:
        styled.font = font
    if alignment is not None:
        styled.alignment = alignment
    return styled
