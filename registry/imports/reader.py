"""Reading an uploaded .xlsx safely: archive checks first, then a streaming XML read.

Every check happens before the cell data is parsed, and every failure is an
:class:`ImportRefusedError` with a Vietnamese message, never a crash:

* not a zip (an old binary .xls, a CSV, a renamed file) or a corrupt zip;
* a zip bomb: the sizes the archive declares for its members are added up and capped before
  anything is decompressed. Python's ``zipfile`` stops a member at its declared size and then
  fails its CRC check, so a member that lies about its size cannot inflate past the cap;
* too many members, or a row count over the cap (counted while reading: parsing stops there);
* XML with a DTD or entity declarations (billion-laughs and external-entity tricks): Excel
  never writes them, so any ``<!DOCTYPE`` is refused.

Cells are read with the C expat parser straight from the archive. openpyxl's read-only reader
was measured first: 100,000 citizen rows (1.3 million cells) took 18 s of CPU with shared
strings and 28 s with the inline strings openpyxl itself writes, against about 4 s here.
openpyxl still writes the template and exports, and supplies the date-format rules.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from registry.imports.report import ImportRefusedError

MAIN_RELATIONSHIP = "/officeDocument"
NOT_XLSX = (
    "Tệp không phải là tệp Excel .xlsx. Hãy mở tệp bằng Excel và lưu lại dưới dạng "
    "“Sổ làm việc Excel (.xlsx)”."
)
CORRUPT = "Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx; không đọc được."


@dataclass(frozen=True)
class Limits:
    """Caps on what an import may contain (see the module docstring)."""

    max_bytes: int = 20 * 1024 * 1024
    # a 100,000-row citizen sheet is about 55 MB of XML when written with inline strings
    max_uncompressed: int = 256 * 1024 * 1024
    max_rows: int = 200_000
    max_members: int = 1000
    max_columns: int = 30  # the widest sheet has 14


class Formula:
    """Marks a cell holding a formula (refused: only plain values are imported)."""

    def __repr__(self) -> str:
        return "Formula()"


FORMULA = Formula()


@dataclass(frozen=True)
class CellError:
    """A cell showing an Excel error such as ``#N/A`` or ``#REF!``."""

    code: str


@dataclass
class RawSheet:
    """The non-empty cells of one sheet: ``rows`` of (row number, [(column, value)])."""

    name: str
    rows: list[tuple[int, list[tuple[int, Any]]]] = field(default_factory=list)


class _HostileFileError(Exception):
    """Raised inside the XML handlers to stop parsing."""


def read_workbook(
    path: Path, limits: Limits, accept: Callable[[str], bool] = lambda _name: True
) -> list[RawSheet]:
    """The sheets of the workbook at ``path`` that ``accept`` wants, in workbook order.

    ``accept`` sees every sheet name before any cell is parsed; it may refuse the file.

    :raises ImportRefusedError: the file is not a readable, reasonable .xlsx (see module
        docstring), or ``accept`` refused it.
    """
    archive = _open_archive(path, limits)
    with archive:
        try:
            return _read_sheets(archive, limits, accept)
        except ImportRefusedError:
            raise
        except _HostileFileError as error:
            raise ImportRefusedError(str(error)) from None
        except (KeyError, ValueError, IndexError, expat.ExpatError, zipfile.BadZipFile, OSError):
            raise ImportRefusedError(CORRUPT) from None
        except (zlib.error, EOFError):  # a damaged deflate stream inside a readable archive
            raise ImportRefusedError(CORRUPT) from None
        except (RuntimeError, NotImplementedError):  # encrypted or unsupported compression
            raise ImportRefusedError(CORRUPT) from None


def _open_archive(path: Path, limits: Limits) -> zipfile.ZipFile:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ImportRefusedError(f"Tệp quá lớn (tối đa {limits.max_bytes // (1024 * 1024)} MB).")
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefusedError(
            "Tệp là định dạng Excel cũ (.xls) hoặc đã đặt mật khẩu. Hãy bỏ mật khẩu và lưu "
            "lại dưới dạng .xlsx."
        )
    if not magic.startswith(b"PK"):
        raise ImportRefusedError(NOT_XLSX)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportRefusedError(CORRUPT) from None
    members = archive.infolist()
    declared = sum(info.file_size for info in members)
    if len(members) > limits.max_members or declared > limits.max_uncompressed:
        archive.close()
        raise ImportRefusedError(
            "Tệp nén bất thường: dữ liệu sau khi giải nén quá lớn "
            f"(tối đa {limits.max_uncompressed // (1024 * 1024)} MB). Tệp bị từ chối."
        )
    return archive


def _parse(
    stream: IO[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    chars: Callable[[str], None] | None = None,
) -> None:
    """Run expat over ``stream``; element names arrive as "namespace local" (local only if none)."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args: Any) -> Any:
        raise _HostileFileError(
            "Tệp chứa khai báo XML không được phép (DTD/entity). Tệp bị từ chối."
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if chars is not None:
        parser.CharacterDataHandler = chars
    parser.ParseFile(stream)


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """``{id: (type, absolute target)}`` of the relationships of ``part``."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship":
            target = attrs.get("Target", "")
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), target)

    if rels_path not in archive.NameToInfo:
        return found
    with archive.open(rels_path) as stream:
        _parse(stream, start)
    return found


def _workbook_part(archive: zipfile.ZipFile) -> str:
    for rel_type, target in _relationships(archive, "").values():
        if rel_type.endswith(MAIN_RELATIONSHIP):
            return target
    raise ImportRefusedError(NOT_XLSX)


def _read_sheets(
    archive: zipfile.ZipFile, limits: Limits, accept: Callable[[str], bool]
) -> list[RawSheet]:
    workbook = _workbook_part(archive)
    rels = _relationships(archive, workbook)
    sheets: list[tuple[str, str]] = []
    calendar = [CALENDAR_WINDOWS_1900]
    strings_part = styles_part = None
    for rel_type, target in rels.values():
        if rel_type.endswith("/sharedStrings"):
            strings_part = target
        elif rel_type.endswith("/styles"):
            styles_part = target

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sheet":
            rel_id = next((v for k, v in attrs.items() if _local(k) == "id" and " " in k), "")
            sheets.append((attrs.get("name", ""), rels.get(rel_id, ("", ""))[1]))
        elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            calendar[0] = CALENDAR_MAC_1904

    with archive.open(workbook) as stream:
        _parse(stream, start)
    sheets = [(name, part) for name, part in sheets if accept(name)]
    strings = _shared_strings(archive, strings_part) if strings_part else []
    date_styles = _date_styles(archive, styles_part) if styles_part else set()
    counter = _RowCounter(limits.max_rows)
    result = []
    for name, part in sheets:
        sheet = RawSheet(name)
        reader = _SheetReader(sheet, strings, date_styles, calendar[0], counter, limits)
        with archive.open(part) as stream:
            _parse(stream, reader.start, reader.end, reader.chars)
        result.append(sheet)
    return result


class _TextCollector:
    """Collects the text of ``<t>`` elements, leaving out phonetic runs (``<rPh>``)."""

    def __init__(self) -> None:
        self.capture = False
        self.phonetic = False
        self.parts: list[str] = []

    def chars(self, data: str) -> None:
        if self.capture and not self.phonetic:
            self.parts.append(data)


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    strings: list[str] = []
    text = _TextCollector()

    def start(tag: str, _attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            text.parts = []
        elif local == "t":
            text.capture = True
        elif local == "rPh":
            text.phonetic = True

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "t":
            text.capture = False
        elif local == "rPh":
            text.phonetic = False
        elif local == "si":
            strings.append("".join(text.parts))

    with archive.open(part) as stream:
        _parse(stream, start, end, text.chars)
    return strings


def _date_styles(archive: zipfile.ZipFile, part: str) -> set[int]:
    """Indexes of the cell formats (``cellXfs``) that show a number as a date."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = [False]

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            inside[0] = True
        elif local == "xf" and inside[0]:
            formats.append(int(attrs.get("numFmtId", "0")))

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            inside[0] = False

    with archive.open(part) as stream:
        _parse(stream, start, end)
    codes = {**BUILTIN_FORMATS, **custom}
    return {index for index, fmt in enumerate(formats) if is_date_format(codes.get(fmt, ""))}


class _RowCounter:
    """Counts rows over every sheet and stops the read past the cap."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.rows = 0

    def add(self) -> None:
        self.rows += 1
        if self.rows > self.cap + 1:  # + the header row
            raise _HostileFileError(
                f"Tệp có quá nhiều dòng (tối đa {self.cap:,} dòng dữ liệu)".replace(",", ".")
                + ". Hãy chia thành nhiều tệp nhỏ hơn."
            )


class _SheetReader:
    """expat handlers that turn ``<row>``/``<c>`` elements into (column, value) lists."""

    def __init__(
        self,
        sheet: RawSheet,
        strings: list[str],
        date_styles: set[int],
        calendar: datetime,
        counter: _RowCounter,
        limits: Limits,
    ) -> None:
        self.sheet, self.strings, self.date_styles = sheet, strings, date_styles
        self.calendar, self.counter, self.max_columns = calendar, counter, limits.max_columns
        self.text = _TextCollector()
        self.width = 0  # columns of the header row (the first row with a value)
        self.row_number = 0
        self.column = 0
        self.cells: list[tuple[int, Any]] = []
        self.cell: dict[str, str] = {}
        self.value: str | None = None
        self.formula = False
        self.chars = self.text.chars
        self.names: dict[str, str] = {}  # element name → local name (a hot path: cache it)
        self.columns: dict[str, int] = {}  # column letters → index

    def _name(self, tag: str) -> str:
        local = self.names[tag] = _local(tag)
        return local

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = self.names.get(tag) or self._name(tag)
        if local == "c":
            self.cell, self.value, self.formula = attrs, None, False
            self.text.parts = []
        elif local in ("v", "t"):
            if local == "v":
                self.text.parts = []
            self.text.capture = True
        elif local == "f":
            self.formula = True
        elif local == "rPh":
            self.text.phonetic = True
        elif local == "row":
            self.counter.add()
            number = int(attrs.get("r") or self.row_number + 1)
            if number <= self.row_number:  # rows are numbered from 1, in order: a damaged file
                raise ValueError(f"row {number} after row {self.row_number}")
            self.row_number = number
            self.column = 0
            self.cells = []

    def end(self, tag: str) -> None:
        local = self.names.get(tag) or self._name(tag)
        if local == "c":
            self._end_cell()
        elif local == "v":
            self.value = "".join(self.text.parts)
            self.text.capture = False
        elif local == "t":
            self.text.capture = False
        elif local == "rPh":
            self.text.phonetic = False
        elif local == "row" and self.cells:
            self.sheet.rows.append((self.row_number, self.cells))
            self.width = self.width or max(column for column, _value in self.cells)

    def _end_cell(self) -> None:
        ref = self.cell.get("r")
        if ref:
            letters = ref.rstrip("0123456789")
            column = self.columns.get(letters)
            if column is None:
                column = self.columns[letters] = _column_index(letters)
            self.column = column
        else:
            self.column += 1
        value = FORMULA if self.formula else self._value()
        if value is None or value == "":
            return
        if self.width and self.column > self.width:  # stop now, whatever the file's size
            letters = column_letters(self.column)
            raise ImportRefusedError(
                f"Trang “{self.sheet.name}”, ô {letters}{self.row_number}: có dữ liệu nhưng "
                f"cột {letters} không có tiêu đề."
            )
        if self.column <= self.max_columns:
            self.cells.append((self.column, value))

    def _value(self) -> Any:
        kind = self.cell.get("t", "n")
        raw = self.value
        if kind == "s":
            return self.strings[int(raw or "")]
        if kind == "inlineStr":
            return "".join(self.text.parts)
        if kind == "str":
            return raw or ""
        if kind == "b":
            return raw == "1"
        if kind == "e":
            return CellError(raw or "#ERROR")
        if raw is None or raw == "":
            return None
        if kind == "d":
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                return CellError("#DATE")
        number = float(raw)
        if int(self.cell.get("s", "0") or 0) in self.date_styles:
            return _excel_date(number, self.calendar)
        return number


def _excel_date(number: float, calendar: datetime) -> date | datetime | time | CellError:
    try:
        value: date | datetime | time = from_excel(number, calendar)
        return value
    except (ValueError, OverflowError, TypeError):
        return CellError("#DATE")


def column_letters(index: int) -> str:
    """28 → ``"AB"``."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(ref: str) -> int:
    """``"AB12"`` → 28."""
    index = 0
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - 96
        else:
            break
    return index
