"""Administrative unit pages: detail with child counts, scope, and the admin's unit management."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select

from registry.extensions import db
from registry.households.services import create_household
from registry.models import AdminUnit, AuditEntry, UnitLevel, UnitMapping
from registry.units.services import child_counts

NON_ADMINS = ["tinh", "huyen", "xa_a", "xa_b", "xem_a"]


@pytest.fixture
def populated(world, make_citizen):
    """Households and citizens with hand-counted totals.

    village A1: 2 households, 3 active citizens and 1 who moved away
    village A2: 1 household, 1 active citizen
    village B1: 1 household, 2 active citizens
    """
    admin = world.users["admin"]
    for village, n in (("village_a1", 2), ("village_a2", 1), ("village_b1", 1)):
        for _unused in range(n):
            create_household(admin, {"village_id": world.units[village].id})
    db.session.commit()
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
        make_citizen(name, "village_a1")
    make_citizen("Phạm Văn Dũng", "village_a1", status="moved", left_on=date(2024, 3, 1))
    make_citizen("Hoàng Thị Em", "village_a2")
    make_citizen("Vũ Văn Giang", "village_b1")
    make_citizen("Đỗ Thị Hà", "village_b1")
    return world


def _row(html: str, code: str) -> str:
    """The table row of the child with ``code`` (its cells up to the next row)."""
    start = html.index(f"<td>{code}</td>")
    return html[start : html.index("</tr>", start)]


def test_units_index_redirects_to_own_unit(login):
    response = login("xa_a").get("/units/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/units/12865")


def test_district_detail_counts_each_commune_subtree(login, populated):
    html = login("huyen").get("/units/344").get_data(as_text=True)
    row_a, row_b = _row(html, "12865"), _row(html, "12868")
    assert "Xã Tân Hòa" in row_a
    assert '<td class="num"><a href="/households/?unit=12865">3</a></td>' in row_a
    assert '<td class="num"><a href="/citizens/?unit=12865">4</a></td>' in row_a
    assert '<a href="/households/?unit=12868">1</a>' in row_b
    assert '<a href="/citizens/?unit=12868">2</a>' in row_b
    assert "Cấp huyện" in html


def test_commune_and_province_counts(login, populated):
    client = login("admin")
    html = client.get("/units/12865").get_data(as_text=True)
    assert '<a href="/citizens/?unit=1286501">3</a>' in _row(html, "1286501")
    assert '<a href="/households/?unit=1286502">1</a>' in _row(html, "1286502")
    html = client.get("/units/34").get_data(as_text=True)
    row = _row(html, "344")
    assert '<a href="/households/?unit=344">4</a>' in row
    assert '<a href="/citizens/?unit=344">6</a>' in row


def test_child_counts_is_one_query(app, populated):
    district, a, b = (populated.units[k] for k in ("district", "commune_a", "commune_b"))
    expected = {a.id: (3, 4), b.id: (1, 2)}
    assert district.id  # reloads the expired units before statements are counted
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        counts = child_counts(district)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert counts == expected


def test_village_has_no_children_and_links_filtered_lists(login, world):
    html = login("xa_a").get("/units/1286501").get_data(as_text=True)
    assert "Không có đơn vị trực thuộc đang có hiệu lực." in html
    for href in ("/citizens/?unit=1286501", "/households/?unit=1286501", "/clans/?unit=1286501"):
        assert f'href="{href}"' in html


def test_breadcrumb_links_only_units_in_scope(login, world):
    html = login("xa_a").get("/units/1286501").get_data(as_text=True)
    crumbs = html[html.index('<nav class="crumbs"') : html.index("</nav>", html.index("crumbs"))]
    assert '<a href="/units/12865">Xã Tân Hòa</a>' in crumbs
    assert "Huyện Vũ Thư" in crumbs
    assert "Tỉnh Thái Bình" in crumbs
    assert 'href="/units/344"' not in crumbs
    assert 'href="/units/34"' not in crumbs
    html = login("huyen").get("/units/1286501").get_data(as_text=True)
    assert 'href="/units/344"' in html


def test_validity_dates_are_shown(login, world):
    unit = world.units["commune_b"]
    unit.valid_from, unit.valid_to = date(2008, 8, 1), date(2025, 6, 30)
    db.session.commit()
    html = login("admin").get("/units/12868").get_data(as_text=True)
    assert "Hiệu lực từ 01/08/2008 đến 30/06/2025" in html


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("xa_b", "12865", 403),
        ("xa_b", "12868", 200),
        ("xa_b", "1286801", 200),
        ("xa_a", "12868", 403),
        ("xa_a", "344", 403),
        ("xem_a", "12865", 200),
        ("huyen", "12865", 200),
        ("huyen", "12868", 200),
        ("huyen", "34", 403),
        ("tinh", "34", 200),
        ("admin", "1286801", 200),
        ("admin", "99999", 404),
    ],
)
def test_unit_scope(login, username, code, status):
    assert login(username).get(f"/units/{code}").status_code == status


@pytest.mark.parametrize("username", NON_ADMINS)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/units/12865/new"),
        ("POST", "/units/12865/new"),
        ("GET", "/units/12865/edit"),
        ("POST", "/units/12865/edit"),
        ("GET", "/units/12865/merge"),
        ("POST", "/units/12865/merge"),
    ],
)
def test_unit_management_is_admin_only(login, username, method, url):
    client = login(username)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == 403


def _new_village(**overrides: str) -> dict[str, str]:
    return {
        "code": "1286503",
        "name": "Thôn Bắc",
        "kind": "thôn",
        "level": "village",
        "valid_from": "01/01/2020",
        "valid_to": "",
        **overrides,
    }


def test_admin_creates_child_unit(login, world):
    client = login("admin")
    form = client.get("/units/12865/new").get_data(as_text=True)
    assert '<option value="village">Cấp thôn</option>' in form
    assert '<option value="tổ dân phố">Tổ dân phố</option>' in form
    assert '<option selected value="thôn">Thôn</option>' in form
    response = client.post("/units/12865/new", data=_new_village())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/units/1286503")
    unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "1286503"))
    assert unit.parent_id == world.units["commune_a"].id
    assert unit.level is UnitLevel.village
    assert unit.valid_from == date(2020, 1, 1)
    assert unit.valid_to is None
    assert db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "AdminUnit", AuditEntry.action == "create"
        )
    )


def test_create_unit_refuses_duplicate_code(login, world):
    response = login("admin").post("/units/12865/new", data=_new_village(code="1286501"))
    assert response.status_code == 200
    assert "Mã đơn vị đã tồn tại." in response.get_data(as_text=True)
    assert db.session.scalar(select(AdminUnit).where(AdminUnit.name == "Thôn Bắc")) is None


def test_create_unit_refuses_wrong_level(login, world):
    response = login("admin").post("/units/12865/new", data=_new_village(level="commune"))
    assert response.status_code == 200
    assert "Cấp đơn vị không phù hợp với đơn vị cấp trên." in response.get_data(as_text=True)
    assert db.session.scalar(select(AdminUnit).where(AdminUnit.code == "1286503")) is None


def test_create_unit_refuses_bad_dates(login, world):
    data = _new_village(valid_from="01/01/2020", valid_to="31/12/2019")
    html = login("admin").post("/units/12865/new", data=data).get_data(as_text=True)
    assert "Ngày hết hiệu lực phải sau ngày bắt đầu." in html
    html = login("admin").post("/units/12865/new", data=_new_village(valid_from="31/02/2020"))
    assert "Ngày không hợp lệ" in html.get_data(as_text=True)
    assert db.session.scalar(select(AdminUnit).where(AdminUnit.code == "1286503")) is None


def test_village_cannot_have_children(login, world):
    response = login("admin").get("/units/1286501/new")
    assert response.status_code == 302


def test_admin_edits_unit_with_optimistic_locking(login, world):
    client = login("admin")
    unit = world.units["village_a1"]
    data = {"name": "Thôn Đông Mới", "kind": "tổ dân phố", "valid_from": "", "valid_to": ""}
    stale = client.post("/units/1286501/edit", data={**data, "version": str(unit.version + 1)})
    assert "vừa được người khác sửa" in stale.get_data(as_text=True)
    response = client.post("/units/1286501/edit", data={**data, "version": str(unit.version)})
    assert response.status_code == 302
    db.session.refresh(unit)
    assert (unit.name, unit.kind) == ("Thôn Đông Mới", "tổ dân phố")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
    assert "Thôn Đông Mới" in entry.changes


def test_merger_is_confirmed_then_recorded_on_both_units(login, world):
    client = login("admin")
    data = {"new_unit": "12865", "effective_on": "01/07/2025", "note": "NQ 1234/NQ-UBTVQH15"}
    confirm = client.post("/units/12868/merge", data=data)
    html = confirm.get_data(as_text=True)
    assert "Xác nhận sáp nhập" in html
    assert "30/06/2025" in html
    assert db.session.scalar(select(UnitMapping)) is None

    response = client.post("/units/12868/merge", data={**data, "confirmed": "1"})
    assert response.status_code == 302
    mapping = db.session.scalar(select(UnitMapping))
    assert mapping.old_unit.code == "12868"
    assert mapping.new_unit.code == "12865"
    assert mapping.effective_on == date(2025, 7, 1)
    assert mapping.old_unit.valid_to == date(2025, 6, 30)

    old_page = client.get("/units/12868").get_data(as_text=True)
    assert 'Đã sáp nhập vào <a href="/units/12865">Xã Tân Hòa</a> từ ngày 01/07/2025.' in old_page
    assert "đến 30/06/2025" in old_page
    new_page = client.get("/units/12865").get_data(as_text=True)
    assert "Các đơn vị đã sáp nhập vào đơn vị này" in new_page
    assert '<a href="/units/12868">Xã Song An</a>' in new_page
    district = client.get("/units/344").get_data(as_text=True)
    assert "<td>12868</td>" not in district  # no longer a current child
    assert "Đơn vị trực thuộc hết hoặc chưa có hiệu lực" in district


def test_merger_shown_to_staff_of_new_unit_without_link_out_of_scope(login, world):
    client = login("admin")
    data = {"new_unit": "12865", "effective_on": "01/07/2025", "confirmed": "1"}
    assert client.post("/units/12868/merge", data=data).status_code == 302
    html = login("xa_a").get("/units/12865").get_data(as_text=True)
    assert "Xã Song An" in html
    assert 'href="/units/12868"' not in html


@pytest.mark.parametrize(
    ("new_unit", "effective_on", "message"),
    [
        ("12868", "01/07/2025", "không được là đơn vị cũ"),
        ("1286801", "01/07/2025", "không được là đơn vị cũ"),
        ("1286501", "01/07/2025", "không được ở cấp thấp hơn"),
        ("00000", "01/07/2025", "Không có đơn vị hành chính với mã này."),
        ("12865", "31/02/2025", "Ngày không hợp lệ"),
    ],
)
def test_merger_validation(login, world, new_unit, effective_on, message):
    data = {"new_unit": new_unit, "effective_on": effective_on, "confirmed": "1"}
    response = login("admin").post("/units/12868/merge", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(UnitMapping)) is None


def test_merger_recorded_twice_is_refused(login, world):
    client = login("admin")
    data = {"new_unit": "12865", "effective_on": "01/07/2025", "confirmed": "1"}
    assert client.post("/units/12868/merge", data=data).status_code == 302
    html = client.post("/units/12868/merge", data=data).get_data(as_text=True)
    assert "Việc sáp nhập này đã được ghi nhận." in html
    assert len(db.session.scalars(select(UnitMapping)).all()) == 1
