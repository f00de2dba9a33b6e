"""Clan pages: list, search, details with members, register, edit, delete, scope and roles."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry.clans import services
from registry.extensions import db
from registry.models import AuditEntry, Clan


@pytest.fixture
def make_clan(world):
    """A clan registered by the admin in ``unit`` (a commune or village of the world)."""

    def make(name="Dòng họ Nguyễn Đình", unit="commune_a", note=""):
        clan = services.create_clan(
            world.users["admin"], {"name": name, "unit_id": world.units[unit].id, "note": note}
        )
        db.session.commit()
        return clan

    return make


def _audit(action):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "Clan", AuditEntry.action == action)
    ).all()


def _count():
    return db.session.scalar(select(func.count()).select_from(Clan))


def test_register_through_the_form(login, world):
    client = login("xa_a")
    page = client.get("/clans/new").get_data(as_text=True)
    assert "Xã Tân Hòa" in page
    assert "Thôn Đoài (Xã Tân Hòa)" in page
    assert "Song An" not in page
    response = client.post(
        "/clans/new",
        data={"name": "Dòng họ Phạm Văn", "unit_id": world.units["village_a2"].id, "note": "Chi 2"},
    )
    assert response.status_code == 302
    clan = db.session.scalar(select(Clan))
    assert (clan.name, clan.unit_id, clan.note) == (
        "Dòng họ Phạm Văn",
        world.units["village_a2"].id,
        "Chi 2",
    )
    assert clan.search_name == "dong ho pham van"
    assert response.headers["Location"].endswith(f"/clans/{clan.id}")
    assert _audit("create")[0].user_id == world.users["xa_a"].id
    assert "Đã đăng ký dòng họ “Dòng họ Phạm Văn”" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "unit", "message"),
    [
        ("", "commune_a", "Vui lòng nhập tên dòng họ."),
        ("Dòng họ Lê", None, "Vui lòng chọn xã hoặc thôn nơi dòng họ sinh sống."),
        ("Dòng họ Lê", "commune_b", "Địa bàn nằm ngoài phạm vi quản lý của bạn."),
        ("Dòng họ Lê", "district", "Vui lòng chọn xã hoặc thôn nơi dòng họ sinh sống."),
    ],
)
def test_invalid_form_shows_vietnamese_error_and_writes_nothing(login, world, name, unit, message):
    client = login("xa_a")
    unit_id = world.units[unit].id if unit else ""
    response = client.post("/clans/new", data={"name": name, "unit_id": unit_id})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_list_searches_without_accents_and_keeps_scope(login, make_clan):
    make_clan("Dòng họ Nguyễn Đình")
    make_clan("Dòng họ Trần Đức", unit="village_a1")
    make_clan("Dòng họ Lê Quang", unit="commune_b")
    client = login("xa_a")
    page = client.get("/clans/").get_data(as_text=True)
    assert page.index("Dòng họ Nguyễn Đình") < page.index("Dòng họ Trần Đức")
    assert "Dòng họ Lê Quang" not in page
    found = client.get("/clans/?q=nguyen").get_data(as_text=True)
    assert "Dòng họ Nguyễn Đình" in found
    assert "Dòng họ Trần Đức" not in found
    found = client.get("/clans/?q=duc").get_data(as_text=True)
    assert "Dòng họ Trần Đức" in found
    assert "Dòng họ Nguyễn Đình" not in found
    assert "Dòng họ Lê Quang" not in client.get("/clans/?q=le").get_data(as_text=True)
    only_a1 = client.get("/clans/?unit=1286501").get_data(as_text=True)
    assert "Dòng họ Trần Đức" in only_a1
    assert "Dòng họ Nguyễn Đình" not in only_a1


def test_list_shows_member_counts(login, make_clan, make_citizen):
    clan = make_clan()
    make_clan("Dòng họ Trống")
    make_citizen("Nguyễn Đình Anh", clan_id=clan.id)
    make_citizen("Nguyễn Đình Bảo", village="village_a2", clan_id=clan.id)
    page = login("xa_a").get("/clans/").get_data(as_text=True)
    rows = page[page.index("<tbody>") :].split("</tr>")
    assert '<td class="num">2</td>' in next(r for r in rows if "Nguyễn Đình" in r)
    assert '<td class="num">0</td>' in next(r for r in rows if "Dòng họ Trống" in r)


def test_list_paginates(login, make_clan, app):
    app.config["PAGE_SIZE"] = 2
    for name in ("Họ An", "Họ Bùi", "Họ Cao"):
        make_clan(name)
    client = login("xa_a")
    first = client.get("/clans/").get_data(as_text=True)
    assert "Họ An" in first
    assert "Họ Cao" not in first
    assert "Họ Cao" in client.get("/clans/?page=2").get_data(as_text=True)


def test_detail_lists_members_by_given_name_with_count(login, make_clan, make_citizen, app):
    clan = make_clan()
    for name in ("Nguyễn Đình Vũ", "Nguyễn Đình Anh", "Nguyễn Thị Hoa"):
        make_citizen(name, clan_id=clan.id)
    make_citizen("Nguyễn Văn Ngoài")  # not in the clan
    app.config["PAGE_SIZE"] = 2
    client = login("xa_a")
    page = client.get(f"/clans/{clan.id}").get_data(as_text=True)
    assert clan.code in page
    assert "Xã Tân Hòa" in page
    assert "<dd>3</dd>" in page
    assert page.index("Nguyễn Đình Anh") < page.index("Nguyễn Thị Hoa")
    assert "Nguyễn Đình Vũ" not in page
    assert "Nguyễn Văn Ngoài" not in page
    second = client.get(f"/clans/{clan.id}?page=2").get_data(as_text=True)
    assert "Nguyễn Đình Vũ" in second


def test_edit_saves_and_audits(login, make_clan, world):
    clan = make_clan(note="cũ")
    client = login("xa_a")
    form = client.get(f"/clans/{clan.id}/edit").get_data(as_text=True)
    assert "Dòng họ Nguyễn Đình" in form
    response = client.post(
        f"/clans/{clan.id}/edit",
        data={
            "name": "Chi họ Nguyễn Đình",
            "unit_id": world.units["village_a1"].id,
            "note": "mới",
            "version": clan.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (clan.name, clan.unit_id, clan.note) == (
        "Chi họ Nguyễn Đình",
        world.units["village_a1"].id,
        "mới",
    )
    changes = json.loads(_audit("update")[0].changes)
    assert changes["note"] == ["cũ", "mới"]


def test_stale_version_is_refused(login, make_clan, world):
    clan = make_clan()
    stale = clan.version
    services.update_clan(
        world.users["admin"], clan, {"name": "Họ Mới", "unit_id": clan.unit_id}, version=stale
    )
    db.session.commit()
    client = login("xa_a")
    response = client.post(
        f"/clans/{clan.id}/edit",
        data={"name": "Họ Ghi Đè", "unit_id": clan.unit_id, "version": stale},
    )
    assert response.status_code == 200
    assert "vừa được người khác sửa" in response.get_data(as_text=True)
    db.session.expire_all()
    assert clan.name == "Họ Mới"


def test_area_cannot_shrink_below_the_members(login, make_clan, make_citizen, world):
    clan = make_clan()
    make_citizen("Nguyễn Đình Anh", village="village_a1", clan_id=clan.id)
    client = login("xa_a")
    response = client.post(
        f"/clans/{clan.id}/edit",
        data={"name": clan.name, "unit_id": world.units["village_a2"].id, "version": clan.version},
    )
    assert response.status_code == 200
    assert "sống ngoài địa bàn mới" in response.get_data(as_text=True)
    db.session.expire_all()
    assert clan.unit_id == world.units["commune_a"].id


def test_delete_needs_confirmation(login, make_clan):
    clan = make_clan()
    client = login("xa_a")
    page = client.get(f"/clans/{clan.id}/delete").get_data(as_text=True)
    assert "Xác nhận xóa" in page
    assert _count() == 1
    response = client.post(f"/clans/{clan.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/clans/")
    assert _count() == 0
    assert _audit("delete")[0].object_id == clan.id


def test_delete_is_refused_while_members_remain(login, make_clan, make_citizen):
    clan = make_clan()
    make_citizen("Nguyễn Đình Anh", clan_id=clan.id)
    client = login("xa_a")
    response = client.post(f"/clans/{clan.id}/delete", follow_redirects=True)
    assert "Không thể xóa dòng họ còn thành viên." in response.get_data(as_text=True)
    assert _count() == 1
    assert _audit("delete") == []


def test_other_commune_gets_404_and_does_not_see_the_row(login, make_clan, world):
    clan = make_clan()
    client = login("xa_b")
    for url in ("", "/edit", "/delete"):
        assert client.get(f"/clans/{clan.id}{url}").status_code == 404
    data = {"name": "X", "unit_id": world.units["commune_b"].id, "version": clan.version}
    assert client.post(f"/clans/{clan.id}/edit", data=data).status_code == 404
    assert client.post(f"/clans/{clan.id}/delete").status_code == 404
    assert clan.name not in client.get("/clans/").get_data(as_text=True)
    assert client.get("/clans/?unit=12865").status_code == 403
    db.session.expire_all()
    assert clan.name == "Dòng họ Nguyễn Đình"


def test_viewer_reads_but_cannot_write(login, make_clan, world):
    clan = make_clan()
    client = login("xem_a")
    assert clan.name in client.get("/clans/").get_data(as_text=True)
    page = client.get(f"/clans/{clan.id}").get_data(as_text=True)
    assert clan.code in page
    assert f"/clans/{clan.id}/edit" not in page
    assert client.get("/clans/new").status_code == 403
    data = {"name": "Họ Xem", "unit_id": world.units["commune_a"].id}
    assert client.post("/clans/new", data=data).status_code == 403
    assert client.get(f"/clans/{clan.id}/edit").status_code == 403
    assert client.post(f"/clans/{clan.id}/delete").status_code == 403
    assert _count() == 1
