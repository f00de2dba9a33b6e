"""Excel import: template, dry run, all-or-nothing commit, idempotence, hostile files, scope."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from registry.extensions import db
from registry.imports import services
from registry.imports.layout import SHEETS
from registry.imports.reader import Limits
from registry.models import Activity, AuditEntry, Citizen, Clan, Household
from registry.models.people import CitizenStatus, Relation

TODAY = date(2026, 11, 27)
PATHS = {"service": 10**9, "bulk": 0}  # bulk_min: never / always the set-wise path
CITIZEN_HEADERS = [
    "Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD", "Điện thoại", "Mã thôn", "Khóa hộ",
    "Quan hệ với chủ hộ", "Dòng họ",
]  # fmt: skip


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "JOBS_SYNCHRONOUS": True, "IMPORTS_DIR": str(tmp_path / "uploads")}


@pytest.fixture(params=list(PATHS))
def bulk_min(request):
    """Run the test through the per-row services and through the set-wise path."""
    return PATHS[request.param]


def write_xlsx(path, sheets):
    """A workbook (shared strings, as Excel writes) with ``{title: [rows]}``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_xlsx(path, rows, title="Công dân"):
    """A workbook as Excel writes it: shared strings (one with rich-text runs and a phonetic
    reading) and dates stored as serial numbers with a date format. openpyxl writes neither."""
    strings, cells = [], []
    for r, row in enumerate(rows, start=1):
        out = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if value is None:
                continue
            if isinstance(value, bool):
                out.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, date):
                serial = (value - date(1899, 12, 30)).days
                out.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
            elif isinstance(value, int | float):
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                strings.append(value)
                out.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        cells.append(f'<row r="{r}">{"".join(out)}</row>')
    shared = "".join(
        f'<si><r><t>{v[:3]}</t></r><r><t xml:space="preserve">{v[3:]}</t></r>'
        f'<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>'
        for v in strings
    )
    parts = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'<x:workbook xmlns:x="{MAIN}" xmlns:r="{RELS}"><x:sheets>'
        f'<x:sheet name="{title}" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org'
        '/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{RELS}/styles" Target="/xl/styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{shared}</sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(cells)}'
        "</sheetData></worksheet>",
    }
    return _zip_with(path, {name: text.encode() for name, text in parts.items()})


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def run(world, path, user="xa_a", *, dry_run=False, bulk_min=PATHS["service"], limits=None):
    report = services.run_import(
        path, world.users[user], today=TODAY, dry_run=dry_run, bulk_min=bulk_min, limits=limits
    )
    if report.committed:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def problems(report):
    return [(p.sheet, p.row, p.column, p.message) for p in report.problems]


@pytest.fixture
def clan(world):
    row = Clan(code="DH00000001", name="Họ Nguyễn Đình", search_name="ho nguyen dinh",
               unit=world.units["commune_a"])  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def family_file(tmp_path, clan):
    """A household of three (new, by Khóa hộ), a clan membership and two activities."""
    return write_xlsx(
        tmp_path / "gia-dinh.xlsx",
        {
            "Hộ gia đình": [
                ["Khóa hộ", "Mã thôn", "Địa chỉ"],
                ["H1", "1286501", "Xóm 3"],
            ],
            "Công dân": [
                CITIZEN_HEADERS,
                [
                    "Nguyễn Văn An",
                    "Nam",
                    "05/03/1980",
                    "001080000001",
                    "0912345678",
                    "1286501",
                    "H1",
                    "Chủ hộ",
                    "DH00000001",
                ],
                [
                    "Trần Thị Bình",
                    "Nữ",
                    date(1982, 4, 6),
                    "001182000002",
                    None,
                    "1286501",
                    "H1",
                    "Vợ/chồng",
                    None,
                ],
                ["nguyễn văn cường", "nam", "1/9/2010", None, None, "1286501", "h1", "Con", None],
            ],
            "Thành viên dòng họ": [
                ["Số CCCD", "Dòng họ"],
                ["001182000002", "Họ Nguyễn Đình"],
            ],
            "Hoạt động học tập": [
                [
                    "Số CCCD",
                    "Loại hoạt động",
                    "Nội dung",
                    "Đơn vị tổ chức",
                    "Ngày",
                    "Số giờ",
                    "Minh chứng",
                ],
                [
                    "001080000001",
                    "online",
                    "Tin học văn phòng",
                    "TTHTCĐ Tân Hòa",
                    "02/03/2025",
                    12,
                    "Giấy chứng nhận",
                ],
                [
                    "001182000002",
                    "Tự học, đọc sách",
                    "Đọc sách",
                    None,
                    date(2025, 5, 1),
                    "2,5",
                    None,
                ],
            ],
        },
    )


# --- the template ----------------------------------------------------------------------------


def test_template_has_instructions_sheets_and_headers(app, tmp_path):
    path = tmp_path / "mau.xlsx"
    services.template(str(path))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Hướng dẫn", *(s.title for s in SHEETS)]
    for layout in SHEETS:
        headers = [c.value for c in workbook[layout.title][1]]
        assert headers == [c.header for c in layout.columns if not c.info]
    instructions = " ".join(
        str(c.value) for row in workbook["Hướng dẫn"].iter_rows() for c in row if c.value
    )
    assert "dd/mm/yyyy" in instructions
    assert "tthtcd" in instructions  # the activity categories are listed
    assert "Lớp học tại Trung tâm học tập cộng đồng" in instructions


def test_empty_template_imports_as_nothing(world, tmp_path):
    path = tmp_path / "mau.xlsx"
    services.template(str(path))
    report = run(world, path, dry_run=True)
    assert report.ok
    assert report.rows == 0
    assert "không có dòng dữ liệu" in report.summary()


# --- dry run, commit, idempotence ------------------------------------------------------------


def test_dry_run_reports_changes_and_writes_nothing(world, family_file, bulk_min):
    audit_before = count(AuditEntry)
    report = run(world, family_file, dry_run=True, bulk_min=bulk_min)
    assert report.ok, problems(report)
    assert not report.committed
    assert {k: (c.created, c.updated, c.unchanged) for k, c in report.counts.items()} == {
        "households": (1, 0, 0),
        "citizens": (3, 0, 0),
        "clan_members": (0, 1, 0),
        "activities": (2, 0, 0),
    }
    assert "Công dân: sẽ thêm 3" in report.summary()
    assert any(c.summary == "Nguyễn Văn Cường" and c.row == 4 for c in report.changes)
    assert count(Citizen) == count(Household) == count(Activity) == 0
    assert count(AuditEntry) == audit_before


def test_commit_applies_everything(world, family_file, clan, bulk_min):
    report = run(world, family_file, bulk_min=bulk_min)
    assert report.committed, problems(report)
    household = db.session.scalar(select(Household))
    assert household.address == "Xóm 3"
    assert household.village_id == world.units["village_a1"].id
    people = {c.full_name: c for c in db.session.scalars(select(Citizen))}
    assert set(people) == {"Nguyễn Văn An", "Trần Thị Bình", "Nguyễn Văn Cường"}
    an, binh, cuong = people["Nguyễn Văn An"], people["Trần Thị Bình"], people["Nguyễn Văn Cường"]
    assert household.head_id == an.id
    assert {c.household_id for c in people.values()} == {household.id}
    assert (an.relation, binh.relation, cuong.relation) == (
        Relation.head, Relation.spouse, Relation.child,
    )  # fmt: skip
    assert an.clan_id == binh.clan_id == clan.id
    assert binh.birth_date == date(1982, 4, 6)
    assert cuong.birth_date == date(2010, 9, 1)
    assert cuong.cccd is None
    assert an.phone == "0912345678"
    assert an.code.startswith("CD")
    activities = {a.title: a for a in db.session.scalars(select(Activity))}
    assert activities["Đọc sách"].hours == 2.5
    assert activities["Đọc sách"].category.code == "self_study"
    assert activities["Tin học văn phòng"].citizen_id == an.id
    assert activities["Tin học văn phòng"].created_by_id == world.users["xa_a"].id
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "create")).all()
    assert {e.object_type for e in entries} == {"Household", "Citizen", "Activity"}
    assert {e.user_id for e in entries} == {world.users["xa_a"].id}


def test_reimport_changes_nothing(world, family_file, bulk_min):
    assert run(world, family_file, bulk_min=bulk_min).committed
    versions = {c.id: c.version for c in db.session.scalars(select(Citizen))}
    before = (count(Citizen), count(Household), count(Activity), count(AuditEntry))
    report = run(world, family_file, bulk_min=bulk_min)
    assert report.ok
    assert report.change_total == 0
    assert all(c.created == c.updated == 0 for c in report.counts.values())
    assert report.counts["citizens"].unchanged == 3
    assert report.counts["activities"].unchanged == 2
    assert (count(Citizen), count(Household), count(Activity), count(AuditEntry)) == before
    assert {c.id: c.version for c in db.session.scalars(select(Citizen))} == versions


def test_one_bad_row_writes_nothing(world, tmp_path, bulk_min):
    rows = [
        [f"Người Số {n}", "Nam", f"0{n}/01/1990", None, None, "1286501", None, None, None]
        for n in range(1, 4)
    ]
    rows.append(["Người Sai", "Nam", "31/02/1990", None, None, "1286501", None, None, None])
    path = write_xlsx(tmp_path / "sai.xlsx", {"Công dân": [CITIZEN_HEADERS, *rows]})
    audit_before = count(AuditEntry)
    report = run(world, path, bulk_min=bulk_min)
    assert not report.ok
    assert not report.committed
    assert problems(report) == [
        ("Công dân", 5, "Ngày sinh", "Ngày không hợp lệ: 31/02/1990 (định dạng dd/mm/yyyy)")
    ]
    assert "Có 1 lỗi; chưa ghi gì vào sổ." in report.summary()
    assert count(Citizen) == 0
    assert count(AuditEntry) == audit_before


BAD_ROWS = {
    "Công dân": [
        CITIZEN_HEADERS,
        ["Đúng Người", "Nam", "01/01/1990", "001090000009", None, "1286501", None, None, None],
        [None, "Nam", "01/01/1990", None, None, "1286501", None, None, None],
        ["Sai Giới", "X", "01/01/1990", None, None, "1286501", None, None, None],
        ["Sai Thôn", "Nữ", "01/01/1990", None, None, "9999999", None, None, None],
        ["Sai Cccd", "Nữ", "01/01/1990", "12345", None, "1286501", None, None, None],
        ["Trùng Cccd", "Nữ", "01/01/1990", "001090000009", None, "1286501", None, None, None],
        ["Sai Quan Hệ", "Nữ", "01/01/1990", None, None, "1286501", None, "Bạn", None],
        ["Sai Điện Thoại", "Nữ", "01/01/1990", None, "12", "1286501", None, None, None],
        ["Tương Lai", "Nữ", "01/01/2090", None, None, "1286501", None, None, None],
        ["Không Hộ", "Nữ", "01/01/1990", None, None, "1286501", None, "Con", None],
        ["Sai Dòng Họ", "Nữ", "01/01/1990", None, None, "1286501", None, None, "Họ Lạ"],
    ],
    "Hoạt động học tập": [
        ["Số CCCD", "Mã công dân", "Loại hoạt động", "Nội dung", "Ngày", "Số giờ"],
        ["001090000009", None, "online", "Tiếng Anh", "01/02/2025", "abc"],
        [None, "CD0000000000", "online", "Tiếng Anh", "01/02/2025", 2],
        ["001090000009", None, "lạ", "Tiếng Anh", "01/12/2026", 2],
        ["001090000009", None, "online", None, "01/02/2025", 2],
    ],
}
EXPECTED = [
    ("Công dân", 3, "Họ và tên", "Trường này là bắt buộc."),
    ("Công dân", 4, "Giới tính", "Giới tính phải là Nam hoặc Nữ."),
    ("Công dân", 5, "Mã thôn", "Không có thôn/tổ dân phố mã 9999999."),
    ("Công dân", 6, "Số CCCD", "Số CCCD phải gồm đúng 12 chữ số"),
    ("Công dân", 7, "", "Trùng công dân với dòng 2; mỗi người chỉ ghi một dòng."),
    ("Công dân", 8, "Quan hệ với chủ hộ", "Quan hệ với chủ hộ phải là một trong: Chủ hộ, "
     "Vợ/chồng, Con, Bố/mẹ, Cháu, Anh/chị/em, Khác."),
    ("Công dân", 9, "Điện thoại", "Số điện thoại"),
    ("Công dân", 10, "Ngày sinh", "Ngày sinh không được ở tương lai."),
    ("Công dân", 11, "Quan hệ với chủ hộ", "Chỉ ghi quan hệ với chủ hộ khi công dân thuộc một hộ."),
    ("Công dân", 12, "Dòng họ", "Không có dòng họ “Họ Lạ” ở địa bàn của công dân."),
    ("Hoạt động học tập", 2, "Số giờ", "Số giờ phải là một số."),
    ("Hoạt động học tập", 3, "Mã công dân",
     "Không tìm thấy công dân này trong phạm vi quản lý của bạn."),
    ("Hoạt động học tập", 4, "Loại hoạt động", "Không có loại hoạt động “lạ”."),
    ("Hoạt động học tập", 4, "Ngày", "Không ghi nhận hoạt động chưa diễn ra."),
    ("Hoạt động học tập", 5, "Nội dung", "Trường này là bắt buộc."),
]  # fmt: skip


def _matches(found, expected):
    """Every expected (sheet, row, column, message start) is found, and nothing else."""
    assert len(found) == len(expected), found
    for (sheet, row, column, message), want in zip(found, expected, strict=True):
        assert (sheet, row, column) == want[:3], (found, want)
        assert message.startswith(want[3]), (message, want)


def test_every_error_names_sheet_row_and_column(world, tmp_path, bulk_min):
    path = write_xlsx(tmp_path / "loi.xlsx", BAD_ROWS)
    report = run(world, path, dry_run=True, bulk_min=bulk_min)
    _matches(sorted(problems(report), key=lambda p: (p[0] != "Công dân", p[1])), EXPECTED)
    assert count(Citizen) == 0


def test_service_and_bulk_paths_agree(world, tmp_path, clan):
    """The set-wise path reports the same problems and writes the same records."""
    sheets = {
        "Hộ gia đình": [["Khóa hộ", "Mã thôn"], ["H1", "1286501"], ["H2", "1286502"]],
        "Công dân": [
            [*CITIZEN_HEADERS, "Tình trạng", "Ngày chuyển đi/mất"],
            [
                "Lê Văn Một",
                "Nam",
                "01/01/1970",
                "001070000001",
                None,
                "1286501",
                "H1",
                "Chủ hộ",
                "DH00000001",
                None,
                None,
            ],
            [
                "Lê Văn Hai",
                "Nam",
                "01/01/1971",
                None,
                None,
                "1286501",
                "H1",
                "Chủ hộ",
                None,
                None,
                None,
            ],
            [
                "Lê Văn Ba",
                "Nam",
                "01/01/1972",
                None,
                None,
                "1286501",
                "H2",
                "Con",
                None,
                None,
                None,
            ],
            [
                "Lê Thị Bốn",
                "Nữ",
                "01/01/1973",
                None,
                None,
                "1286502",
                None,
                None,
                "DH00000001",
                "Đã chuyển đi",
                None,
            ],
            [
                "Lê Thị Năm",
                "Nữ",
                "01/01/1974",
                None,
                None,
                "1286502",
                "H2",
                "Chủ hộ",
                None,
                "Đã mất",
                "01/01/2020",
            ],
            ["Lê Thị Sáu", "Nữ", "01/01/1975", None, None, "1286801", None, None, None, None, None],
        ],
    }
    path = write_xlsx(tmp_path / "ss.xlsx", sheets)
    outcomes = []
    for bulk_min in PATHS.values():
        report = run(world, path, dry_run=True, bulk_min=bulk_min)
        outcomes.append(problems(report))
    assert outcomes[0] == outcomes[1]
    assert [p[1:3] for p in outcomes[0]] == [
        (3, "Quan hệ với chủ hộ"),  # H1 has a head already (row 2)
        (4, "Khóa hộ"),  # H2 lives in another village
        (5, "Ngày chuyển đi/mất"),
        (7, "Mã thôn"),  # commune B is out of scope
    ]
    del sheets["Công dân"][2:5], sheets["Công dân"][-1]  # keep the valid rows only
    path = write_xlsx(tmp_path / "ok.xlsx", sheets)
    snapshots = []
    for bulk_min in PATHS.values():
        report = run(world, path, bulk_min=bulk_min)
        assert report.committed, problems(report)
        citizens = db.session.scalars(select(Citizen).order_by(Citizen.full_name)).all()
        households = db.session.scalars(select(Household)).all()
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "Citizen")
        ).all()
        snapshots.append(
            (
                [(c.full_name, c.sort_key, c.search_name, c.clan_id, c.relation, c.status,
                  c.left_on, c.household.head_id == c.id if c.household else None)
                 for c in citizens],
                [(h.village_id, h.head.full_name if h.head else None) for h in households],
                sorted(
                    json.dumps({k: v for k, v in json.loads(e.changes).items()
                                if k not in {"id", "code", "household_id"}}, sort_keys=True)
                    for e in entries
                ),
            )
        )  # fmt: skip
        for model in (AuditEntry, Citizen, Household):
            db.session.execute(model.__table__.delete())
        db.session.commit()
    assert snapshots[0] == snapshots[1]
    assert sorted(snapshots[0][1]) == [
        (world.units["village_a1"].id, "Lê Văn Một"),
        (world.units["village_a2"].id, "Lê Thị Năm"),
    ]


# --- recognising registered people -----------------------------------------------------------


def test_updates_by_code_or_cccd_and_empty_cells_keep_values(world, tmp_path, make_citizen):
    hang = make_citizen("Nguyễn Thị Hằng", gender="F", phone="0911111111", cccd="001180000003")
    duc = make_citizen("Lê Văn Đức", cccd="001080000004")
    path = write_xlsx(
        tmp_path / "sua.xlsx",
        {
            "Công dân": [
                ["Mã công dân", "Số CCCD", "Điện thoại", "Họ và tên"],
                [hang.code.lower(), None, "0922222222", None],
                [None, "001080000004", None, "Lê Văn Đức"],
            ]
        },
    )
    report = run(world, path, dry_run=True)
    assert report.ok, problems(report)
    assert [(c.action, c.fields) for c in report.changes] == [("update", ("Điện thoại",))]
    assert report.counts["citizens"].unchanged == 1
    report = run(world, path)
    assert report.committed
    db.session.refresh(hang)
    db.session.refresh(duc)
    assert hang.phone == "0922222222"
    assert hang.cccd == "001180000003"
    assert hang.gender == "F"
    assert duc.version == 1
    assert count(Citizen) == 2


def test_rows_without_identifiers_match_name_birth_date_and_village(world, tmp_path, make_citizen):
    make_citizen("Phạm Văn Tư", birth_date=date(1960, 2, 2))
    row = ["Phạm Văn Tư", "Nam", "02/02/1960", None, "0933333333", "1286501", None, None, None]
    path = write_xlsx(tmp_path / "ten.xlsx", {"Công dân": [CITIZEN_HEADERS, row]})
    report = run(world, path)
    assert report.committed
    assert report.counts["citizens"].updated == 1
    assert count(Citizen) == 1


def test_existing_household_by_code_and_new_member(world, tmp_path, make_citizen):
    from registry.households.services import create_household

    household = create_household(world.users["admin"], {"village_id": world.units["village_a1"].id})
    db.session.commit()
    path = write_xlsx(
        tmp_path / "ho.xlsx",
        {
            "Hộ gia đình": [["Mã hộ", "Địa chỉ"], [household.code, "Số 9"]],
            "Công dân": [
                ["Họ và tên", "Giới tính", "Ngày sinh", "Mã thôn", "Mã hộ", "Quan hệ với chủ hộ"],
                ["Vũ Văn Chủ", "Nam", "01/01/1970", "1286501", household.code, "Chủ hộ"],
            ],
        },
    )
    assert run(world, path).committed
    db.session.refresh(household)
    assert household.address == "Số 9"
    assert household.head.full_name == "Vũ Văn Chủ"
    report = run(world, path)
    assert report.change_total == 0
    assert report.ok


# --- scope -----------------------------------------------------------------------------------


def test_commune_user_cannot_import_into_another_commune(world, tmp_path, make_citizen):
    other = make_citizen("Ngô Thị Xa", village="village_b1", gender="F")
    path = write_xlsx(
        tmp_path / "pham-vi.xlsx",
        {
            "Công dân": [
                ["Mã công dân", "Họ và tên", "Giới tính", "Ngày sinh", "Mã thôn"],
                [None, "Đinh Văn Lạ", "Nam", "01/01/1990", "1286801"],
                [other.code, None, None, None, None],
            ]
        },
    )
    report = run(world, path, "xa_a")
    assert problems(report) == [
        ("Công dân", 3, "Mã công dân",
         "Không tìm thấy công dân có mã này trong phạm vi quản lý của bạn."),
        ("Công dân", 2, "Mã thôn", "Thôn/tổ dân phố nằm ngoài phạm vi quản lý của bạn."),
    ]  # fmt: skip
    assert count(Citizen) == 1
    assert run(world, path, "huyen").committed  # the district covers both communes


def test_viewer_cannot_import(world, family_file):
    report = run(world, family_file, "xem_a")
    assert report.refused.startswith("Tài khoản của bạn chỉ có quyền xem")
    assert count(Citizen) == 0


# --- hostile and malformed files -------------------------------------------------------------


def _zip_with(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _bomb(path):
    """A 2 MB xlsx whose sheet inflates to 300 MB of zeros (a zip bomb)."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _unused in range(300):
            member.write(chunk)
    return path


def _xml_with_entities(path):
    """An xlsx whose shared strings declare entities (the "billion laughs" pattern)."""
    excel_xlsx(path, [["Họ và tên"], ["x"]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&lol2;</t></si><si><t>x</t></si></sst>"
    )
    return _zip_with(path, parts)


def _truncated(path):
    write_xlsx(path, {"Công dân": [CITIZEN_HEADERS, ["An"]]})
    path.write_bytes(path.read_bytes()[:700])
    return path


BAD_FILES = {
    "csv": (
        lambda p: p.write_text("Họ và tên;Ngày sinh\nAn;01/01/1990\n", encoding="utf-8"),
        "Tệp không phải là tệp Excel .xlsx",
    ),
    "xls": (
        lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        "Tệp là định dạng Excel cũ (.xls)",
    ),
    "truncated": (_truncated, "Tệp Excel bị hỏng"),
    "not-excel-zip": (
        lambda p: _zip_with(p, {"readme.txt": b"hello"}),
        "Tệp không phải là tệp Excel .xlsx",
    ),
    "bomb": (_bomb, "Tệp nén bất thường"),
    "entities": (_xml_with_entities, "Tệp chứa khai báo XML không được phép"),
    "too-many-rows": (
        lambda p: write_xlsx(p, {"Công dân": [CITIZEN_HEADERS] + [["An"]] * 6}),
        "Tệp có quá nhiều dòng (tối đa 5 dòng dữ liệu)",
    ),
    "unknown-sheet": (
        lambda p: write_xlsx(p, {"Sheet1": [["a"]]}),
        "Trang tính “Sheet1” không có trong mẫu nhập",
    ),
    "unknown-header": (
        lambda p: write_xlsx(p, {"Công dân": [["Họ và tên", "Ghi chú riêng"]]}),
        "Trang “Công dân”, ô B1: tiêu đề “Ghi chú riêng” không có trong mẫu",
    ),
    "duplicate-header": (
        lambda p: write_xlsx(p, {"Công dân": [["Họ và tên", "Ngày sinh", "họ và tên"]]}),
        "Trang “Công dân”: cột “Họ và tên” xuất hiện hai lần",
    ),
    "headerless-data": (
        lambda p: write_xlsx(
            p, {"Công dân": [["Họ và tên", "Ngày sinh"], ["An", "01/01/1990", "x"]]}
        ),
        "Trang “Công dân”, ô C2: có dữ liệu nhưng cột C không có tiêu đề",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_files_are_refused_cleanly(world, tmp_path, kind):
    make, message = BAD_FILES[kind]
    path = tmp_path / f"{kind}.xlsx"
    make(path)
    limits = Limits(max_rows=5) if kind == "too-many-rows" else None
    report = run(world, path, limits=limits)
    assert report.refused.startswith(message), report.refused
    assert not report.ok
    assert not report.problems
    assert count(Citizen) == 0


def test_a_zip_bomb_is_small(tmp_path):
    assert _bomb(tmp_path / "bomb.xlsx").stat().st_size < 2_000_000


def test_a_million_rows_stop_at_the_cap(world, tmp_path):
    """The row cap stops the read early: 1,000,000 rows are never all parsed."""
    path = tmp_path / "trieu.xlsx"
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>'
                   for n in range(2, 1_000_002))  # fmt: skip
    write_xlsx(path, {"Công dân": [["Họ và tên"]]})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("</row>", "</row>" + rows, 1).encode()
    path = _zip_with(tmp_path / "trieu2.xlsx", parts)
    report = run(world, path)
    assert report.refused.startswith("Tệp có quá nhiều dòng (tối đa 200.000 dòng dữ liệu)")
    assert report.seconds < 60


def test_lying_zip_header_cannot_inflate(world, tmp_path):
    """A member that declares a small size but inflates further fails its checks."""
    path = write_xlsx(tmp_path / "lie.xlsx", {"Công dân": [CITIZEN_HEADERS, ["An"] * 9]})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # shrink the declared size in the central directory record of the sheet
    name = info.filename.encode()
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    report = run(world, path)
    assert report.refused.startswith("Tệp Excel bị hỏng")


def test_formulas_and_wrong_types_are_row_errors(world, tmp_path, bulk_min):
    path = tmp_path / "kieu.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Công dân"
    sheet.append(["Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD", "Mã thôn", "Điện thoại"])
    sheet.append(['=CONCATENATE("A","B")', "Nam", "01/01/1990", None, "1286501", None])
    sheet.append(["Đúng Kiểu", True, "01/01/1990", date(2020, 1, 1), 1286501.5, None])
    sheet.append(["Số Điện Thoại", "Nữ", 1990, 1080000005, 1286501, 912345678])
    sheet.append([None, "Nữ", "02/02/1992", None, "1286501", None])
    text = sheet.cell(row=5, column=1, value="=không phải công thức")
    text.data_type = "s"  # typed as text in Excel ('=...)
    workbook.save(path)
    report = run(world, path, dry_run=True, bulk_min=bulk_min)
    _matches(
        problems(report),
        [
            ("Công dân", 2, "Họ và tên", "Ô chứa công thức."),
            ("Công dân", 3, "Giới tính", "Ô chứa giá trị đúng/sai"),
            ("Công dân", 3, "Số CCCD", "Ô này cần văn bản, không phải ngày tháng."),
            ("Công dân", 3, "Mã thôn", "Mã không hợp lệ."),
            ("Công dân", 4, "Ngày sinh", "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy."),
        ],
    )
    assert report.counts["citizens"].created == 1  # row 5: text that starts with "=" is text
    assert any(c.summary == "=không Phải Công Thức" for c in report.changes)


def test_excel_shared_strings_and_date_cells(world, tmp_path, bulk_min):
    path = excel_xlsx(
        tmp_path / "excel.xlsx",
        [
            ["Họ và tên", "Giới tính", "Ngày sinh", "Mã thôn", "Số CCCD"],
            ["Nguyễn Văn Excel", "Nam", date(1985, 7, 9), "1286501", "001085000007"],
            ["Đỗ Thị Hai", "Nữ", "10/10/1991", 1286501, None],
        ],
    )
    report = run(world, path, bulk_min=bulk_min)
    assert report.committed, (report.refused, problems(report))
    people = {c.full_name: c for c in db.session.scalars(select(Citizen))}
    assert people["Nguyễn Văn Excel"].birth_date == date(1985, 7, 9)
    assert people["Đỗ Thị Hai"].birth_date == date(1991, 10, 10)


def test_numbers_that_lost_their_leading_zero(world, tmp_path):
    path = write_xlsx(
        tmp_path / "so.xlsx",
        {
            "Công dân": [
                ["Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD", "Điện thoại", "Mã thôn"],
                ["Hồ Văn Số", "Nam", date(1990, 1, 1), 1090000006, 912345678, 1286501],
            ]
        },
    )
    assert run(world, path).committed
    citizen = db.session.scalar(select(Citizen))
    assert (citizen.cccd, citizen.phone) == ("001090000006", "0912345678")


# --- command line ----------------------------------------------------------------------------


def test_cli_template_and_dry_run_and_import(world, runner, tmp_path, family_file):
    out = tmp_path / "mau.xlsx"
    result = runner.invoke(args=["import-template", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Đã ghi mẫu nhập" in result.output
    assert load_workbook(out).sheetnames[0] == "Hướng dẫn"
    result = runner.invoke(args=["import", str(family_file), "--dry-run", "--user", "xa_a"])
    assert result.exit_code == 0, result.output
    assert "Chạy thử" in result.output
    assert "Công dân: sẽ thêm 3" in result.output
    assert count(Citizen) == 0
    result = runner.invoke(args=["import", str(family_file)])
    assert result.exit_code == 0, result.output
    assert "Công dân: đã thêm 3" in result.output
    assert count(Citizen) == 3
    result = runner.invoke(args=["import", str(family_file)])
    assert result.exit_code == 0
    assert "3 không đổi" in result.output


def test_cli_errors_exit_non_zero(world, runner, tmp_path):
    bad = write_xlsx(tmp_path / "loi.xlsx", BAD_ROWS)
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code == 1
    assert "Công dân, dòng 4, cột Giới tính: Giới tính phải là Nam hoặc Nữ." in result.output
    assert "không có dữ liệu nào được ghi" in result.output
    assert count(Citizen) == 0
    not_xlsx = tmp_path / "a.xlsx"
    not_xlsx.write_text("hello")
    result = runner.invoke(args=["import", str(not_xlsx), "--dry-run"])
    assert result.exit_code == 1
    assert "không phải là tệp Excel" in result.output
    result = runner.invoke(args=["import", str(tmp_path / "missing.xlsx")])
    assert result.exit_code == 1
    assert "Không tìm thấy tệp" in result.output
    result = runner.invoke(args=["import", str(bad), "--user", "nobody"])
    assert result.exit_code == 1
    assert "Không có tài khoản" in result.output
    result = runner.invoke(args=["import-template", "--out", str(tmp_path / "no" / "x.xlsx")])
    assert result.exit_code == 1
    assert "không tồn tại" in result.output


def test_cli_user_scope_applies(world, runner, tmp_path):
    row = ["Đinh Văn B", "Nam", "01/01/1990", None, None, "1286801", None, None, None]
    path = write_xlsx(tmp_path / "b.xlsx", {"Công dân": [CITIZEN_HEADERS, row]})
    result = runner.invoke(args=["import", str(path), "--user", "xa_a"])
    assert result.exit_code == 1
    assert "nằm ngoài phạm vi quản lý" in result.output
    assert runner.invoke(args=["import", str(path), "--user", "xa_b"]).exit_code == 0


# --- web pages -------------------------------------------------------------------------------


def test_upload_shows_dry_run_then_imports_on_confirmation(login, family_file):
    client = login("xa_a")
    page = client.get("/import/")
    assert page.status_code == 200
    assert "Tải mẫu nhập" in page.get_data(as_text=True)
    with family_file.open("rb") as handle:
        response = client.post(
            "/import/", data={"file": (handle, "gia-dinh.xlsx")}, content_type="multipart/form-data"
        )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kết quả chạy thử" in page
    assert "Nhập vào sổ" in page
    assert "Nguyễn Văn Cường" in page
    assert count(Citizen) == 0
    confirm = response.headers["Location"] + "/confirm"
    response = client.post(confirm)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập xong" in page
    assert count(Citizen) == 3
    assert client.post(confirm).status_code == 302  # the upload is gone: asks for a new one
    assert count(Citizen) == 3


def test_upload_of_a_bad_file_lists_errors(login, tmp_path):
    client = login("xa_a")
    bad = write_xlsx(tmp_path / "loi.xlsx", BAD_ROWS)
    response = client.post(
        "/import/",
        data={"file": (io.BytesIO(bad.read_bytes()), "loi.xlsx")},
        content_type="multipart/form-data",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tệp còn lỗi nên chưa có dữ liệu nào được ghi" in page
    assert "Giới tính phải là Nam hoặc Nữ." in page
    assert "Nhập vào sổ" not in page
    assert client.post(response.headers["Location"] + "/confirm").status_code == 400
    response = client.post(
        "/import/",
        data={"file": (io.BytesIO(b"not a spreadsheet"), "a.xlsx")},
        content_type="multipart/form-data",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tệp bị từ chối" in page


def test_upload_form_refuses_other_extensions(login):
    client = login("xa_a")
    response = client.post(
        "/import/",
        data={"file": (io.BytesIO(b"a;b"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Chỉ nhận tệp Excel .xlsx." in response.get_data(as_text=True)


def test_import_pages_access(login, family_file):
    client = login("xem_a")
    assert client.get("/import/").status_code == 403
    assert client.get("/import/template.xlsx").status_code == 200
    client = login("xa_a")
    with family_file.open("rb") as handle:
        response = client.post(
            "/import/", data={"file": (handle, "a.xlsx")}, content_type="multipart/form-data"
        )
    job_url = response.headers["Location"]
    assert login("xa_b").get(job_url).status_code == 404  # somebody else's upload
    assert login("admin").get(job_url).status_code == 200


def test_template_download(login):
    response = login("xa_a").get("/import/template.xlsx")
    assert response.status_code == 200
    assert "mau-nhap-du-lieu.xlsx" in response.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.data)).sheetnames[0] == "Hướng dẫn"


def test_status_labels_round_trip(world, tmp_path):
    path = write_xlsx(
        tmp_path / "tt.xlsx",
        {
            "Công dân": [
                [
                    "Họ và tên",
                    "Giới tính",
                    "Ngày sinh",
                    "Mã thôn",
                    "Tình trạng",
                    "Ngày chuyển đi/mất",
                ],
                ["Mai Văn Đi", "Nam", "01/01/1950", "1286501", "Đã chuyển đi", "01/06/2024"],
            ]
        },
    )
    assert run(world, path).committed
    citizen = db.session.scalar(select(Citizen))
    assert (citizen.status, citizen.left_on) == (CitizenStatus.moved, date(2024, 6, 1))


def test_changed_activity_is_updated_not_duplicated(world, tmp_path, make_citizen):
    citizen = make_citizen("Lý Văn Học", cccd="001080000008")
    rows = [
        ["Mã công dân", "Loại hoạt động", "Nội dung", "Ngày", "Số giờ"],
        [citizen.code, "Khóa học trực tuyến", "Kỹ năng số", "03/04/2025", 3],
    ]
    path = write_xlsx(tmp_path / "hd.xlsx", {"Hoạt động học tập": rows})
    assert run(world, path).committed
    rows[1][4] = 5
    path = write_xlsx(tmp_path / "hd2.xlsx", {"Hoạt động học tập": rows})
    report = run(world, path)
    assert report.committed
    assert [(c.action, c.fields) for c in report.changes] == [("update", ("Số giờ",))]
    activity = db.session.scalar(select(Activity))
    assert count(Activity) == 1
    assert activity.hours == 5
    assert activity.version == 2


def test_clan_membership_of_registered_citizens(world, tmp_path, make_citizen, clan):
    near = make_citizen("Nguyễn Đình Gần")
    far = make_citizen("Nguyễn Đình Xa", village="village_b1")
    path = write_xlsx(
        tmp_path / "dh.xlsx",
        {
            "Thành viên dòng họ": [
                ["Mã công dân", "Dòng họ"],
                [near.code, "ho nguyen dinh"],
                [near.code, "DH00000001"],
                [far.code, "DH00000001"],
            ]
        },
    )
    report = run(world, path, "huyen", dry_run=True)
    assert problems(report) == [
        ("Thành viên dòng họ", 3, "", "Công dân này đã có ở dòng 2."),
        ("Thành viên dòng họ", 4, "Dòng họ", "Dòng họ không thuộc địa bàn của công dân."),
    ]
    del path
    path = write_xlsx(
        tmp_path / "dh2.xlsx",
        {"Thành viên dòng họ": [["Mã công dân", "Dòng họ"], [near.code, "Họ Nguyễn Đình"]]},
    )
    assert run(world, path).committed
    db.session.refresh(near)
    assert near.clan_id == clan.id
    assert run(world, path).change_total == 0
