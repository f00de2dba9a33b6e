"""Bad input to the Excel import (hypothesis): random bytes, damaged archives, hand-written
sheet XML and well-formed workbooks full of random cells. Whatever the file, ``run_import``
returns a report (a refusal, or row-level problems naming sheet, row and column) and writes
nothing unless the whole file is clean: the database is compared table by table.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from registry.extensions import db
from registry.imports import services
from registry.imports.layout import INSTRUCTIONS_TITLE, SHEETS
from registry.imports.reader import Limits
from registry.models import Clan, Household

TODAY = date(2026, 11, 27)
# small caps so that a generated file can hit every limit
LIMITS = Limits(max_bytes=200_000, max_uncompressed=2_000_000, max_rows=40, max_members=20)

fuzz = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def registry_data(world, make_citizen):
    """A citizen, a household and a clan of commune A for the random rows to name."""
    citizen = make_citizen("Nguyễn Văn An", cccd="001080000001")
    household = Household(code="HFUZZ01", village=world.units["village_a1"], address="Xóm 1")
    clan = Clan(
        code="DHFUZZ01", name="Họ Nguyễn", search_name="ho nguyen", unit=world.units["commune_a"]
    )
    db.session.add_all([household, clan])
    db.session.commit()
    return {"citizen": citizen.code, "household": household.code, "clan": clan.code}


def snapshot() -> dict[str, list[str]]:
    """Every committed row of every table (the whole database is a few dozen rows)."""
    db.session.rollback()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        for table in db.metadata.sorted_tables
    }


# --- strategies -------------------------------------------------------------------------------

PLAUSIBLE = [
    "1286501", "1286502", "1286801", "12865", "HFUZZ01", "DHFUZZ01", "Họ Nguyễn", "Nam", "Nữ",
    "nữ", "M", "F", "Chủ hộ", "Con", "Khác", "Đang cư trú", "Đã mất", "Đã chuyển đi", "online",
    "tthtcd", "Tự học, đọc sách", "05/03/1980", "31/02/2020", "1/1/1899", "2025-03-01",
    "001080000001", "001182000002", "0912345678", "H1", "h1", "2,5", "0", "-1", "2000", "2001",
    "Nguyễn Văn An", "Trần Thị Bình", "CD0000000001", "#N/A",
]  # fmt: skip
NASTY = [
    "", " ", "\t", "\r\n", "\u200b", "\ufeff", "Nguye\u0302\u0303n", "‮evil", "😀" * 10,
    "a" * 300, "Ngô " * 500, "1e309", "nan", "inf", "-0", "9" * 40, "=1+1", "<b>x</b>",
    "' OR 1=1 --", "%s%s%n", "{{ 7*7 }}",
]  # fmt: skip

texts = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet="0123456789", min_size=1, max_size=14),
)
# openpyxl refuses control characters in cells (XML cannot hold them)
cell_texts = texts.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text))
cells = st.one_of(
    st.none(),
    cell_texts,
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1)),  # noqa: DTZ001 - Excel has no time zones
    st.times(),
    st.sampled_from([1286501, 1286501.0, 1080000001, 912345678, 2.5, 0.0, 12.0]),
)
SHEET_TITLES = [INSTRUCTIONS_TITLE, *(s.title for s in SHEETS)]


@st.composite
def workbooks(draw: st.DrawFn, codes: dict[str, str]) -> bytes:
    """A real .xlsx (openpyxl) in the template's shape, mostly, with random cells."""
    book = Workbook()
    book.remove(book.active)
    titles = draw(st.lists(st.sampled_from(SHEET_TITLES), min_size=1, max_size=4, unique=True))
    if draw(st.integers(0, 9)) == 0:  # now and then a sheet the template does not have
        titles.append(ILLEGAL_CHARACTERS_RE.sub("", draw(st.text(min_size=1, max_size=31))))
    own = st.sampled_from([codes["citizen"], codes["household"], codes["clan"]])
    for title in titles:
        name = "".join(c for c in title.strip("'") if c not in "[]:*?/\\")[:31]
        sheet = book.create_sheet(name or "x")
        layout = next((s for s in SHEETS if s.title == title), SHEETS[1])
        known = [c.header for c in layout.columns]
        headers: list[Any] = draw(st.lists(st.sampled_from(known), min_size=1, unique=True))
        if draw(st.integers(0, 9)) == 0:  # now and then a header the template does not have
            headers.insert(draw(st.integers(0, len(headers))), draw(cell_texts))
        sheet.append(headers)
        width = len(headers) + (draw(st.integers(0, 9)) == 0)
        for row in draw(st.lists(st.lists(cells | own, max_size=width), max_size=6)):
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _template_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Công dân"
    sheet.append(["Họ và tên", "Giới tính", "Ngày sinh", "Mã thôn"])
    sheet.append(["Nguyễn Văn Bình", "Nam", date(1980, 3, 5), "1286501"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


VALID = _template_bytes()


@st.composite
def damaged_archives(draw: st.DrawFn) -> bytes:
    """A valid workbook truncated, with bytes flipped, or with one member rewritten."""
    action = draw(st.sampled_from(["truncate", "flip", "member"]))
    if action == "truncate":
        return VALID[: draw(st.integers(0, len(VALID) - 1))]
    if action == "flip":
        data = bytearray(VALID)
        for _step in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    with zipfile.ZipFile(io.BytesIO(VALID)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    name = draw(st.sampled_from(sorted(members)))
    members[name] = draw(
        st.sampled_from(
            [
                b"",
                b"<",
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
                members[name][: len(members[name]) // 2],
                members[name].replace(b'r="A', b'r="ZZZZZZZZ'),
                members[name].replace(b"<v>", b"<v>x"),
                members[name].replace(b't="s"', b't="d"'),
            ]
        )
        | st.binary(max_size=200)
    )
    if draw(st.booleans()):
        del members[draw(st.sampled_from(sorted(members)))]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member, content in members.items():
            target.writestr(member, content)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ODD_REFERENCE = st.sampled_from(
    ["Z9", "AAA1", "1", "A", "A99999999999", "a1", "Ā1", "ZZZZZZZZZZZZZZZZ1"]
)
CELL_TYPE = st.sampled_from(["s", "n", "b", "e", "str", "inlineStr", "d", "x", ""])
RAW_VALUE = st.sampled_from(["0", "1", "99", "-1", "1e400", "nan", "", "abc", "2025-13-45", "4e6"])


@st.composite
def raw_cells(draw: st.DrawFn, width: int) -> str:
    if draw(st.integers(0, 9)) == 0:
        ref = draw(ODD_REFERENCE)
    else:
        ref = draw(st.sampled_from(["", *(chr(65 + i) + "2" for i in range(width))]))
    kind = draw(CELL_TYPE)
    style = draw(st.sampled_from(["", ' s="0"', ' s="1"', ' s="9"', ' s="x"']))
    value = draw(RAW_VALUE | st.text(alphabet="0123456789.-eE", max_size=12))
    body = draw(
        st.sampled_from(
            [f"<v>{value}</v>", f"<is><t>{value}</t></is>", "<f>1+1</f><v>2</v>", "", "<v/>"]
        )
    )
    return f'<c r="{ref}" t="{kind}"{style}>{body}</c>'


@st.composite
def hand_written(draw: st.DrawFn) -> bytes:
    """An archive written by hand, as Excel or another tool might: shared strings, styles with
    date formats and cells of every type, with references and indexes that may not exist."""
    title = draw(st.sampled_from(SHEET_TITLES))
    layout = next((s for s in SHEETS if s.title == title), SHEETS[1])
    known = [c.header for c in layout.columns]
    headers = draw(st.lists(st.sampled_from(known), min_size=1, max_size=4, unique=True))
    strings = [*headers, *draw(st.lists(st.sampled_from(PLAUSIBLE), max_size=4))]
    header_cells = "".join(f'<c t="s"><v>{i}</v></c>' for i in range(len(headers)))
    rows = [f'<row r="1">{header_cells}</row>']
    for number in range(draw(st.integers(0, 5))):
        row_ref = draw(st.sampled_from([str(number + 2), "", "0", "x", "99999999999999999999"]))
        row_cells = draw(st.lists(raw_cells(len(headers)), max_size=len(headers) + 1))
        rows.append(f'<row r="{row_ref}">{"".join(row_cells)}</row>')
    date1904 = draw(st.sampled_from(["0", "1"]))
    date_format = draw(st.sampled_from(["dd/mm/yyyy", "0.00", "", "[h]:mm"]))
    return sheet_archive(title, strings, rows, date1904, date_format)


def sheet_archive(
    title: str, strings: list[str], rows: list[str], date1904: str = "0", date_format: str = ""
) -> bytes:
    """An .xlsx of one sheet from its ``<row>`` elements and shared strings, written by hand."""
    shared = "".join(f"<si><t>{s}</t></si>" for s in strings)
    parts = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><workbookPr '
        f'date1904="{date1904}"/><sheets><sheet name="{title}" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{RELS}/styles" Target="/xl/styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts><numFmt numFmtId="200" '
        f'formatCode="{date_format}"/></numFmts>'
        '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="200"/></cellXfs>'
        "</styleSheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{shared}</sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}'
        "</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return out.getvalue()


# --- the property -------------------------------------------------------------------------------


def import_bytes(world: Any, content: bytes, *, user: str, bulk: bool, dry_run: bool) -> Any:
    """Import ``content`` as ``user``; check the report and that a refusal wrote nothing."""
    before = snapshot()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.xlsx"
        path.write_bytes(content)
        report = services.run_import(
            path,
            world.users[user],
            today=TODAY,
            dry_run=dry_run,
            limits=LIMITS,
            bulk_min=0 if bulk else 10**9,
        )
    if currently_in_test_context():
        event("refused" if report.refused else "row problems" if report.problems else "clean")
    if report.committed:
        assert report.ok
        assert not dry_run
        db.session.commit()
    else:
        db.session.rollback()
        assert snapshot() == before, report.summary()
    if not report.ok:
        assert report.refused or report.problems
        for problem in report.problems:
            assert problem.sheet, problem
            assert problem.message, problem
            assert problem.row is None or problem.row >= 1, problem
    assert report.summary()
    assert type(report).from_dict(report.to_dict()) == report
    return report


@fuzz
@given(content=st.binary(max_size=400) | st.binary(max_size=400).map(b"PK\x03\x04".__add__))
def test_random_bytes_are_refused(world, content: bytes) -> None:
    report = import_bytes(world, content, user="xa_a", bulk=False, dry_run=False)
    assert report.refused


@fuzz
@given(content=damaged_archives())
def test_a_damaged_archive_is_refused_or_read(world, content: bytes) -> None:
    import_bytes(world, content, user="xa_a", bulk=False, dry_run=False)


@fuzz
@given(content=hand_written(), bulk=st.booleans())
def test_hand_written_sheet_xml_never_crashes(world, registry_data, content: bytes, bulk) -> None:
    import_bytes(world, content, user="xa_a", bulk=bulk, dry_run=False)


@settings(fuzz, max_examples=50)
@given(
    data=st.data(),
    user=st.sampled_from(["xa_a", "xa_a", "xa_a", "huyen", "admin", "xem_a"]),
    bulk=st.booleans(),
    dry_run=st.booleans(),
)
def test_random_cells_give_row_problems_or_a_clean_import(
    world, registry_data, data, user: str, bulk: bool, dry_run: bool
) -> None:
    content = data.draw(workbooks(registry_data))
    report = import_bytes(world, content, user=user, bulk=bulk, dry_run=dry_run)
    if user == "xem_a":
        assert report.refused


# --- regressions ----------------------------------------------------------------------------------


def test_a_broken_deflate_stream_is_refused(world):
    """zlib's own error (not BadZipFile) used to escape the reader as a crash."""
    data = bytearray(VALID)
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    name_length, extra_length = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    data[info.header_offset + 30 + name_length + extra_length] = 0xFF  # reserved block type
    report = import_bytes(world, bytes(data), user="xa_a", bulk=False, dry_run=False)
    assert "bị hỏng" in report.refused


@pytest.mark.parametrize("second", ["0", "1", "-3"])
def test_rows_out_of_order_are_a_damaged_file(world, second):
    """A row numbered 0, or not after the one before it, used to be reported as "dòng 0"."""
    rows = [
        '<row r="1"><c t="s"><v>0</v></c></row>',
        f'<row r="{second}"><c t="inlineStr"><is><t>HFUZZ01</t></is></c></row>',
    ]
    content = sheet_archive("Hộ gia đình", ["Mã hộ"], rows)
    report = import_bytes(world, content, user="xa_a", bulk=False, dry_run=False)
    assert "bị hỏng" in report.refused
