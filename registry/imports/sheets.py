"""From raw cells to rows of typed values, checked against the template's sheets and headers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from registry import vn
from registry.imports.layout import BY_TITLE, INSTRUCTIONS_TITLE, SHEETS, Column, SheetLayout
from registry.imports.reader import CellError, Formula, RawSheet, column_letters
from registry.imports.report import ImportRefusedError, ImportReport

MAX_CODE_LENGTH = 40


@dataclass
class Row:
    """One data row: its Excel row number and its non-empty values by column key."""

    number: int
    values: dict[str, Any]
    invalid: set[str] = field(default_factory=set)  # keys whose cell could not be read

    def get(self, key: str) -> Any:
        """The value of column ``key`` (None when empty or unreadable)."""
        return self.values.get(key)


@dataclass
class SheetRows:
    """The data rows of one sheet and the columns its header row has."""

    layout: SheetLayout
    present: frozenset[str]
    rows: list[Row]


def tabulate(raw_sheets: list[RawSheet], report: ImportReport) -> dict[str, SheetRows]:
    """Match sheets and headers to the template and convert every cell.

    Unknown sheets and headers refuse the whole file; a cell of the wrong type is a problem of
    its row (reported with sheet, row and column).
    """
    result: dict[str, SheetRows] = {}
    for raw in raw_sheets:
        layout = sheet_layout(raw.name)
        if layout is None:
            continue
        if layout.key in result:
            raise ImportRefusedError(f"Trang tính “{layout.title}” xuất hiện hai lần.")
        if raw.rows and (rows := _rows(raw, layout, report)).rows:  # headers are checked anyway
            result[layout.key] = rows
    return result


def sheet_layout(name: str) -> SheetLayout | None:
    """The layout of the sheet called ``name``; None for the instructions sheet.

    :raises ImportRefusedError: no sheet of the template has that name.
    """
    if vn.fold(name) == vn.fold(INSTRUCTIONS_TITLE):
        return None
    layout = BY_TITLE.get(vn.fold(name))
    if layout is None:
        known = ", ".join(f"“{s.title}”" for s in SHEETS)
        raise ImportRefusedError(
            f"Trang tính “{name}” không có trong mẫu nhập. Chỉ nhận các trang {known} "
            f"(và trang “{INSTRUCTIONS_TITLE}”)."
        )
    return layout


def wanted(name: str) -> bool:
    """For the reader: parse the template's sheets, skip the instructions, refuse the rest."""
    return sheet_layout(name) is not None


def _headers(raw: RawSheet, layout: SheetLayout) -> dict[int, Column]:
    number, cells = raw.rows[0]
    headers: dict[int, Column] = {}
    for index, value in cells:
        column = layout.by_header.get(vn.fold(value)) if isinstance(value, str) else None
        if column is None:
            allowed = ", ".join(c.header for c in layout.columns)
            cell = f"{column_letters(index)}{number}"
            raise ImportRefusedError(
                f"Trang “{layout.title}”, ô {cell}: tiêu đề “{value}” không có trong mẫu. "
                f"Các cột được nhận: {allowed}."
            )
        if column in headers.values():
            raise ImportRefusedError(
                f"Trang “{layout.title}”: cột “{column.header}” xuất hiện hai lần ở dòng tiêu đề."
            )
        headers[index] = column
    return headers


def _rows(raw: RawSheet, layout: SheetLayout, report: ImportReport) -> SheetRows:
    headers = _headers(raw, layout)
    rows = []
    for number, cells in raw.rows[1:]:
        row = Row(number, {})
        for index, value in cells:
            column = headers.get(index)
            if column is None:
                letters = column_letters(index)
                raise ImportRefusedError(
                    f"Trang “{layout.title}”, ô {letters}{number}: có dữ liệu nhưng cột "
                    f"{letters} không có tiêu đề."
                )
            if column.info:
                continue
            try:
                converted = convert(column, value)
            except ValueError as error:
                row.invalid.add(column.key)
                report.problem(layout.title, number, column.header, str(error))
                continue
            if converted is not None:
                row.values[column.key] = converted
        if row.values or row.invalid:
            rows.append(row)
    return SheetRows(layout, frozenset(c.key for c in headers.values() if not c.info), rows)


def convert(column: Column, value: Any) -> Any:
    """A cell's value as the import expects it for ``column``; ValueError (Vietnamese) if not."""
    if isinstance(value, Formula):
        raise ValueError(
            "Ô chứa công thức. Hãy thay công thức bằng giá trị (Sao chép rồi Dán đặc biệt → "
            "Giá trị)."
        )
    if isinstance(value, CellError):
        raise ValueError(f"Ô đang báo lỗi {value.code}.")
    if isinstance(value, bool):
        raise ValueError("Ô chứa giá trị đúng/sai (TRUE/FALSE), không phải dữ liệu hợp lệ.")
    return _CONVERTERS[column.kind](value)


def _text(value: Any) -> str | None:
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, date | datetime) or not isinstance(value, str):
        raise ValueError("Ô này cần văn bản, không phải ngày tháng.")
    return value.strip() or None


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _code(value: Any) -> str | None:
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= 10**15:
            raise ValueError("Mã không hợp lệ.")
        return str(int(value))
    text = _text(value)
    if text is not None and len(text) > MAX_CODE_LENGTH:
        raise ValueError(f"Mã quá dài (tối đa {MAX_CODE_LENGTH} ký tự).")
    return text


def _cccd(value: Any) -> str | None:
    text = _code(value)
    # a number cell loses the leading zero every CCCD has (province codes 001-096)
    return text.zfill(12) if isinstance(value, float) and text and len(text) < 12 else text


def _phone(value: Any) -> str | None:
    text = _code(value)
    # a number cell loses the leading 0 of a Vietnamese phone number
    return "0" + text if isinstance(value, float) and text and len(text) == 9 else text


def _date(value: Any) -> date | str | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return value.strip() or None
    raise ValueError("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy.")


def _number(value: Any) -> float | str | None:
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return value.strip() or None
    raise ValueError("Ô này cần một số.")


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "code": _code,
    "cccd": _cccd,
    "phone": _phone,
    "date": _date,
    "number": _number,
}
