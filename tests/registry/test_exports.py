"""List exports: every page of what the list shows, in the import layout, and back unchanged."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.awards import services as award_services
from registry.extensions import db
from registry.households.services import create_household
from registry.imports import services as import_services
from registry.imports.layout import CITIZENS, HOUSEHOLDS
from registry.models import (
    AuditEntry,
    Citizen,
    Clan,
    EvaluationResult,
    Household,
    Job,
    Organisation,
)

TODAY = date(2026, 11, 27)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PAGE_SIZE": 2, "JOBS_SYNCHRONOUS": True}


@pytest.fixture
def people(world, make_citizen):
    """Five citizens of commune A (two households, a clan, one moved away) and one of B."""
    admin = world.users["admin"]
    clan = Clan(code="DH00000042", name="Họ Trần", search_name="ho tran",
                unit=world.units["commune_a"])  # fmt: skip
    db.session.add(clan)
    first = create_household(
        admin, {"village_id": world.units["village_a1"].id, "address": "Xóm 1"}
    )
    second = create_household(admin, {"village_id": world.units["village_a2"].id})
    db.session.commit()
    make_citizen("Trần Văn Chủ", household_id=first.id, relation="head", clan_id=clan.id,
                 cccd="001070000011", phone="0911000011")  # fmt: skip
    make_citizen("Trần Thị Vợ", gender="F", household_id=first.id, relation="spouse")
    make_citizen("Lê Văn Đi", village="village_a2", household_id=second.id, relation="head",
                 status="moved", left_on=date(2024, 3, 1))  # fmt: skip
    make_citizen("Phạm Thị Một", gender="F", village="village_a2")
    make_citizen("Hoàng Văn Năm", village="village_a1", birth_date=date(2001, 1, 31))
    make_citizen("Ngô Văn Xa", village="village_b1")
    return {
        "clan": clan,
        "households": (first, second),
        "village_a1": world.units["village_a1"].display_name,
    }


def _sheet(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.sheetnames) == 1
    rows = list(workbook.active.iter_rows(values_only=True))
    return workbook.active.title, rows[0], rows[1:]


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _reimport(world, tmp_path, data, user="xa_a"):
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    return import_services.run_import(path, world.users[user], today=TODAY, dry_run=False)


def test_citizen_export_has_every_page_in_the_import_layout(login, people):
    title, header, rows = _sheet(login("xa_a").get("/export/citizens.xlsx"))
    assert title == CITIZENS.title
    assert list(header) == [c.header for c in CITIZENS.columns]
    assert len(rows) == 5  # all pages (PAGE_SIZE is 2), commune A only
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    chu = by_name["Trần Văn Chủ"]
    assert chu["Giới tính"] == "Nam"
    assert chu["Ngày sinh"] == "17/05/1980"
    assert chu["Số CCCD"] == "001070000011"
    assert chu["Điện thoại"] == "0911000011"
    assert chu["Mã thôn"] == "1286501"
    assert chu["Tên thôn"] == people["village_a1"]
    assert chu["Mã hộ"] == people["households"][0].code
    assert chu["Khóa hộ"] is None
    assert chu["Quan hệ với chủ hộ"] == "Chủ hộ"
    assert chu["Dòng họ"] == "DH00000042"
    assert chu["Tình trạng"] == "Đang cư trú"
    di = by_name["Lê Văn Đi"]
    assert (di["Tình trạng"], di["Ngày chuyển đi/mất"]) == ("Đã chuyển đi", "01/03/2024")


def test_citizen_export_round_trip_changes_nothing(login, world, people, tmp_path):
    data = login("xa_a").get("/export/citizens.xlsx").data
    versions = {c.id: c.version for c in db.session.scalars(select(Citizen))}
    audit = _count(AuditEntry)
    report = _reimport(world, tmp_path, data)
    assert report.ok, (report.refused, report.problems)
    assert report.change_total == 0
    assert report.counts["citizens"].unchanged == 5
    db.session.rollback()
    assert {c.id: c.version for c in db.session.scalars(select(Citizen))} == versions
    assert _count(AuditEntry) == audit


def test_household_export_round_trip_changes_nothing(login, world, people, tmp_path):
    first, second = people["households"]
    first.address = "=Xóm 1, đội 2"  # a text that looks like a formula stays text
    db.session.commit()
    response = login("xa_a").get("/export/households.xlsx")
    title, header, rows = _sheet(response)
    assert title == HOUSEHOLDS.title
    assert list(header) == [c.header for c in HOUSEHOLDS.columns]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_code) == {first.code, second.code}
    assert by_code[first.code]["Địa chỉ"] == "=Xóm 1, đội 2"
    assert by_code[first.code]["Chủ hộ"] == "Trần Văn Chủ"
    assert by_code[first.code]["Số thành viên"] == 2
    cell = load_workbook(io.BytesIO(response.data)).active["D2"]
    assert cell.data_type == "s"  # written as text, not as a formula
    audit = _count(AuditEntry)
    report = _reimport(world, tmp_path, response.data)
    assert report.ok
    assert report.change_total == 0
    assert report.counts["households"].unchanged == 2
    assert _count(AuditEntry) == audit


def test_export_follows_the_list_filters_and_scope(login, world, people):
    client = login("xa_a")
    _title, _header, rows = _sheet(client.get("/export/citizens.xlsx?q=tran"))
    assert sorted(r[1] for r in rows) == ["Trần Thị Vợ", "Trần Văn Chủ"]
    _title, _header, rows = _sheet(client.get("/export/citizens.xlsx?unit=1286502"))
    assert sorted(r[1] for r in rows) == ["Lê Văn Đi", "Phạm Thị Một"]
    assert client.get("/export/citizens.xlsx?unit=1286801").status_code == 403
    assert client.get("/export/citizens.xlsx?unit=0000").status_code == 404
    assert client.get("/export/nothing.xlsx").status_code == 404
    _title, _header, rows = _sheet(login("xa_b").get("/export/citizens.xlsx"))
    assert [r[1] for r in rows] == ["Ngô Văn Xa"]
    _title, _header, rows = _sheet(login("xem_a").get("/export/households.xlsx"))
    assert len(rows) == 2  # viewers may export what they may see


def test_anonymous_export_is_sent_to_login(client, world):
    response = client.get("/export/citizens.xlsx")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_clan_and_organisation_exports(login, world, people):
    db.session.add(
        Organisation(
            code="DV00000007",
            name="Trường Tiểu học Tân Hòa",
            search_name="truong tieu hoc tan hoa",
            kind="school",
            unit=world.units["commune_a"],
        )
    )
    db.session.commit()
    client = login("xa_a")
    title, header, rows = _sheet(client.get("/export/clans.xlsx"))
    assert title == "Dòng họ"
    assert rows == [("DH00000042", "Họ Trần", "12865", "Xã Tân Hòa", 1, None)]
    assert header[0] == "Mã dòng họ"
    title, header, rows = _sheet(client.get("/export/organisations.xlsx?q=tieu hoc"))
    assert title == "Cơ quan, đơn vị"
    assert rows == [("DV00000007", "Trường Tiểu học Tân Hòa", "Trường học", "12865",
                     "Xã Tân Hòa", 0)]  # fmt: skip


def test_recognition_export(login, world, people):
    citizen = db.session.scalar(select(Citizen).where(Citizen.full_name == "Trần Văn Chủ"))
    result = EvaluationResult(
        year=2025, subject_type="citizen", subject_id=citizen.id, unit_id=citizen.village_id,
        set_id="cong-dan-hoc-tap", set_version=1, total=85, passed=True, level=None, points="",
    )  # fmt: skip
    db.session.add(result)
    db.session.commit()
    particulars = award_services.parse_decision(
        {
            "number": "12/QĐ-UBND",
            "decided_on": "15/12/2025",
            "issuer_name": "Ủy ban nhân dân xã Tân Hòa",
            "issuer_short": "ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA",
            "place_name": "Tân Hòa",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "Trần Đức Mỹ",
        },
        today=date(2026, 1, 10),
    )
    award_services.approve(
        world.users["xa_a"], 2025, "citizen", [result.id], particulars,
        public_base_url="https://khuyenhoc.example.vn",
    )  # fmt: skip
    db.session.commit()
    client = login("xa_a")
    title, header, rows = _sheet(client.get("/export/awards.xlsx?year=2025&kind=citizen"))
    assert title == "Sổ công nhận"
    assert header[:4] == ("Số hiệu", "Tên", "Địa chỉ", "Danh hiệu")
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Tên"] == "Trần Văn Chủ"
    assert row["Năm"] == 2025
    assert row["Số quyết định"] == "12/QĐ-UBND"
    assert row["Ngày quyết định"] == "15/12/2025"
    assert row["Tình trạng"] == "Còn hiệu lực"
    _title, _header, rows = _sheet(client.get("/export/awards.xlsx?year=2024"))
    assert rows == []
    assert client.get("/export/awards.xlsx?kind=unknown").status_code == 404
    assert login("xa_b").get("/export/awards.xlsx?unit=12865").status_code == 403


def test_long_list_is_exported_by_a_job(app, login, people):
    app.config["EXPORT_INLINE_MAX_ROWS"] = 3
    client = login("xa_a")
    response = client.get("/export/citizens.xlsx")
    assert response.status_code == 302
    job_page = response.headers["Location"]
    assert "/jobs/" in job_page
    assert "Tải tệp kết quả" in client.get(job_page).get_data(as_text=True)
    download = client.get(job_page + "/download")
    _title, _header, rows = _sheet(download)
    download.close()
    assert len(rows) == 5
    job = db.session.scalar(select(Job))
    Path(job.result_path).unlink()


def test_too_long_list_is_refused_with_a_message(app, login, people):
    app.config["EXPORT_MAX_ROWS"] = 3
    response = login("xa_a").get("/export/citizens.xlsx?q=")
    assert response.status_code == 302
    page = login("xa_a").get(response.headers["Location"]).get_data(as_text=True)
    assert "quá 3 dòng một tệp Excel" in page


@pytest.mark.parametrize(
    ("page", "link"),
    [
        ("/citizens/?q=tran", "/export/citizens.xlsx?q=tran"),
        ("/households/?unit=1286501", "/export/households.xlsx?unit=1286501"),
        ("/clans/", "/export/clans.xlsx"),
        ("/organisations/", "/export/organisations.xlsx"),
        ("/awards/?year=2025", "/export/awards.xlsx?year=2025"),
    ],
)
def test_list_pages_link_to_their_export(login, people, page, link):
    html = login("xa_a").get(page).get_data(as_text=True)
    assert f'href="{link}"' in html
    assert "Xuất Excel" in html


def test_households_import_link_only_for_editors(login, people):
    assert "/import/" in login("xa_a").get("/households/").get_data(as_text=True)
    assert "/import/" not in login("xem_a").get("/households/").get_data(as_text=True)


def test_household_village_must_not_change_on_import(login, world, people, tmp_path):
    """An exported household whose village is edited is refused, not moved."""
    first, _second = people["households"]
    data = login("xa_a").get("/export/households.xlsx").data
    workbook = load_workbook(io.BytesIO(data))
    for row in workbook.active.iter_rows(min_row=2):
        if row[0].value == first.code:
            row[2].value = "1286502"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = _reimport(world, tmp_path, buffer.getvalue())
    assert [(p.column, p.message) for p in report.problems] == [
        ("Mã thôn", "Không đổi được thôn của hộ đã có; hãy sửa trên trang hộ gia đình.")
    ]
    assert db.session.get(Household, first.id).village_id == world.units["village_a1"].id
