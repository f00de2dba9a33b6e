"""Household pages: list, search, details, register, edit, delete, scope and roles."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.households import services
from registry.models import AuditEntry, Citizen, Household
from registry.models.people import Relation


@pytest.fixture
def make_household(world, make_citizen):
    """A household in ``village`` whose first named member is its head."""

    def make(*names, village="village_a1", address=""):
        household = services.create_household(
            world.users["admin"], {"village_id": world.units[village].id, "address": address}
        )
        db.session.commit()
        for index, name in enumerate(names):
            relation = "head" if index == 0 else "child"
            make_citizen(name, village=village, household_id=household.id, relation=relation)
        return household

    return make


def _audit(action):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "Household", AuditEntry.action == action)
    ).all()


def _count():
    return db.session.scalar(select(func.count()).select_from(Household))


def test_register_through_the_form(login, world):
    client = login("xa_a")
    page = client.get("/households/new").get_data(as_text=True)
    assert "Thôn Đông" in page
    assert "Thôn Nam" not in page
    response = client.post(
        "/households/new",
        data={"village_id": world.units["village_a2"].id, "address": "Số 5, xóm 2"},
    )
    assert response.status_code == 302
    household = db.session.scalar(select(Household))
    assert household.village_id == world.units["village_a2"].id
    assert household.address == "Số 5, xóm 2"
    assert household.code.startswith("HGD1286502-")
    assert response.headers["Location"].endswith(f"/households/{household.id}")
    entry = _audit("create")[0]
    assert entry.user_id == world.users["xa_a"].id
    assert entry.object_id == household.id
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã đăng ký hộ gia đình" in detail
    assert household.code in detail


def test_register_without_village_shows_vietnamese_error(login):
    client = login("xa_a")
    response = client.post("/households/new", data={"village_id": "", "address": "x"})
    assert response.status_code == 200
    assert "Vui lòng chọn thôn/tổ dân phố." in response.get_data(as_text=True)
    assert _count() == 0


def test_register_in_another_commune_is_refused(login, world):
    client = login("xa_b")
    response = client.post("/households/new", data={"village_id": world.units["village_a1"].id})
    assert response.status_code == 200
    assert "nằm ngoài phạm vi quản lý" in response.get_data(as_text=True)
    assert _count() == 0


def test_list_sorts_by_head_given_name_and_searches_without_accents(login, make_household):
    hang = make_household("Nguyễn Văn Hằng")
    anh = make_household("Lê Đức Anh", village="village_a2")
    make_household("Đỗ Thị Mai", village="village_b1")
    client = login("xa_a")
    page = client.get("/households/").get_data(as_text=True)
    assert page.index("Lê Đức Anh") < page.index("Nguyễn Văn Hằng")
    assert "Đỗ Thị Mai" not in page
    found = client.get("/households/?q=nguyen").get_data(as_text=True)
    assert "Nguyễn Văn Hằng" in found
    assert "Lê Đức Anh" not in found
    found = client.get("/households/?q=duc").get_data(as_text=True)
    assert "Lê Đức Anh" in found
    assert "Nguyễn Văn Hằng" not in found
    found = client.get(f"/households/?q={hang.code.lower()}").get_data(as_text=True)
    assert "Nguyễn Văn Hằng" in found
    assert "Lê Đức Anh" not in found
    only_a2 = client.get("/households/?unit=1286502").get_data(as_text=True)
    assert anh.code in only_a2
    assert hang.code not in only_a2


def test_list_shows_member_counts(login, make_household):
    make_household("Trần Văn Tuấn", "Trần Thị Bích", "Trần Văn Cường")
    empty = make_household()
    page = login("xa_a").get("/households/").get_data(as_text=True)
    rows = page[page.index("<tbody>") :].split("</tr>")
    assert '<td class="num">3</td>' in next(r for r in rows if "Trần Văn Tuấn" in r)
    assert '<td class="num">0</td>' in next(r for r in rows if empty.code in r)


def test_list_paginates(login, make_household, app):
    app.config["PAGE_SIZE"] = 2
    for name in ("Lê Văn An", "Lê Văn Bình", "Lê Văn Cường"):
        make_household(name)
    client = login("xa_a")
    first = client.get("/households/").get_data(as_text=True)
    assert "Lê Văn An" in first
    assert "Lê Văn Bình" in first
    assert "Lê Văn Cường" not in first
    assert "Lê Văn Cường" in client.get("/households/?page=2").get_data(as_text=True)


def test_detail_lists_members_by_given_name_with_relation(login, make_household):
    household = make_household("Trần Văn Tuấn", "Trần Thị Bích", address="Xóm Chợ")
    client = login("xa_a")
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert household.code in page
    assert "Thôn Đông" in page
    assert "Xóm Chợ" in page
    table = page[page.index("<h2>") :]
    assert table.index("Trần Thị Bích") < table.index("<td>Con</td>")
    assert table.index("<td>Con</td>") < table.index("Trần Văn Tuấn")
    assert table.index("Trần Văn Tuấn") < table.index("<td>Chủ hộ</td>")
    assert f"/citizens/new?household={household.id}" in page
    assert "Thêm thành viên" in page


def test_edit_changes_address_and_head(login, make_household, world):
    household = make_household("Trần Văn Tuấn", "Trần Thị Bích")
    old_head = household.head
    new_head = db.session.scalar(select(Citizen).where(Citizen.given_name == "Bích"))
    client = login("xa_a")
    form = client.get(f"/households/{household.id}/edit").get_data(as_text=True)
    assert f'value="{household.version}"' in form
    response = client.post(
        f"/households/{household.id}/edit",
        data={"address": "Số 9", "head_id": new_head.id, "version": household.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert household.address == "Số 9"
    assert household.head_id == new_head.id
    assert new_head.relation is Relation.head
    assert old_head.relation is None
    changes = json.loads(_audit("update")[0].changes)
    assert changes["address"] == ["", "Số 9"]
    assert changes["head_id"] == [old_head.id, new_head.id]


def test_head_must_be_a_member(login, make_household, make_citizen):
    household = make_household("Trần Văn Tuấn")
    stranger = make_citizen("Phạm Văn Lạ")
    client = login("xa_a")
    response = client.post(
        f"/households/{household.id}/edit",
        data={"address": "Số 9", "head_id": stranger.id, "version": household.version},
    )
    assert response.status_code == 200
    assert "Chủ hộ phải là thành viên của hộ gia đình." in response.get_data(as_text=True)
    db.session.expire_all()
    assert household.address == ""
    assert household.head.full_name == "Trần Văn Tuấn"
    assert _audit("update") == []


def test_stale_version_is_refused(login, make_household, world):
    household = make_household("Trần Văn Tuấn")
    stale = household.version
    services.update_household(
        world.users["admin"], household, {"address": "Đã sửa", "head_id": household.head_id},
        version=stale,
    )  # fmt: skip
    db.session.commit()
    client = login("xa_a")
    response = client.post(
        f"/households/{household.id}/edit",
        data={"address": "Ghi đè", "head_id": household.head_id, "version": stale},
    )
    assert response.status_code == 200
    assert "vừa được người khác sửa" in response.get_data(as_text=True)
    db.session.expire_all()
    assert household.address == "Đã sửa"


def test_delete_needs_confirmation(login, make_household):
    household = make_household()
    client = login("xa_a")
    page = client.get(f"/households/{household.id}/delete").get_data(as_text=True)
    assert "Xác nhận xóa" in page
    assert household.code in page
    assert _count() == 1
    response = client.post(f"/households/{household.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/households/")
    assert _count() == 0
    assert _audit("delete")[0].object_id == household.id


def test_delete_is_refused_while_members_remain(login, make_household):
    household = make_household("Trần Văn Tuấn")
    client = login("xa_a")
    response = client.post(f"/households/{household.id}/delete", follow_redirects=True)
    assert "Không thể xóa hộ còn thành viên" in response.get_data(as_text=True)
    assert _count() == 1
    assert _audit("delete") == []


def test_other_commune_gets_404_and_does_not_see_the_row(login, make_household):
    household = make_household("Nguyễn Văn Hằng")
    client = login("xa_b")
    for url in ("", "/edit", "/delete"):
        assert client.get(f"/households/{household.id}{url}").status_code == 404
    assert client.post(f"/households/{household.id}/edit", data={"address": "x"}).status_code == 404
    assert client.post(f"/households/{household.id}/delete").status_code == 404
    assert household.code not in client.get("/households/").get_data(as_text=True)
    assert client.get("/households/?unit=12865").status_code == 403
    assert _count() == 1


def test_viewer_reads_but_cannot_write(login, make_household, world):
    household = make_household("Nguyễn Văn Hằng")
    client = login("xem_a")
    assert client.get("/households/").status_code == 200
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Nguyễn Văn Hằng" in page
    assert "Thêm thành viên" not in page
    assert client.get("/households/new").status_code == 403
    village = world.units["village_a1"].id
    assert client.post("/households/new", data={"village_id": village}).status_code == 403
    assert client.get(f"/households/{household.id}/edit").status_code == 403
    assert client.post(f"/households/{household.id}/delete").status_code == 403
    assert _count() == 1
