"""Organisation pages: list, search, details, members, register, edit, delete, scope, roles."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import AuditEntry, Organisation, OrganisationMember
from registry.organisations import services


@pytest.fixture
def make_organisation(world):
    """An organisation registered by the admin in ``unit``."""

    def make(name="Trường Tiểu học Tân Hòa", kind="school", unit="commune_a"):
        organisation = services.create_organisation(
            world.users["admin"], {"name": name, "kind": kind, "unit_id": world.units[unit].id}
        )
        db.session.commit()
        return organisation

    return make


def _audit(action):
    return db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "Organisation", AuditEntry.action == action
        )
    ).all()


def _count(model=Organisation):
    return db.session.scalar(select(func.count()).select_from(model))


def _add(client, organisation, code, role="staff", **kwargs):
    return client.post(
        f"/organisations/{organisation.id}/members",
        data={"citizen_code": code, "role": role},
        **kwargs,
    )


def test_register_through_the_form(login, world):
    client = login("xa_a")
    page = client.get("/organisations/new").get_data(as_text=True)
    for label in ("Cơ quan", "Trường học", "Doanh nghiệp", "Khác"):
        assert f">{label}</option>" in page
    assert "Xã Tân Hòa" in page
    assert "Song An" not in page
    unit_id = world.units["commune_a"].id
    response = client.post(
        "/organisations/new",
        data={"name": "Công ty May Đức Thành", "kind": "enterprise", "unit_id": unit_id},
    )
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation))
    assert (organisation.name, organisation.kind, organisation.unit_id) == (
        "Công ty May Đức Thành",
        "enterprise",
        world.units["commune_a"].id,
    )
    assert response.headers["Location"].endswith(f"/organisations/{organisation.id}")
    assert _audit("create")[0].user_id == world.users["xa_a"].id
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã đăng ký Công ty May Đức Thành." in detail
    assert "<dd>Doanh nghiệp</dd>" in detail


@pytest.mark.parametrize(
    ("name", "kind", "unit", "message"),
    [
        ("", "school", "commune_a", "Vui lòng nhập tên cơ quan, đơn vị."),
        ("Trường A", "hospital", "commune_a", "Giá trị không nằm trong danh sách cho phép."),
        ("Trường A", "school", None, "Vui lòng chọn địa bàn của cơ quan, đơn vị."),
        ("Trường A", "school", "commune_b", "Địa bàn nằm ngoài phạm vi quản lý của bạn."),
    ],
)
def test_invalid_form_shows_vietnamese_error_and_writes_nothing(
    login, world, name, kind, unit, message
):
    client = login("xa_a")
    unit_id = world.units[unit].id if unit else ""
    response = client.post(
        "/organisations/new", data={"name": name, "kind": kind, "unit_id": unit_id}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_list_searches_without_accents_and_keeps_scope(login, make_organisation, app):
    make_organisation("Trường Mầm non Nguyễn Trãi")
    make_organisation("Công ty Đức Phát", kind="enterprise")
    make_organisation("Trường Tiểu học Song An", unit="commune_b")
    client = login("xa_a")
    page = client.get("/organisations/").get_data(as_text=True)
    assert "Trường Mầm non Nguyễn Trãi" in page
    assert "Trường Tiểu học Song An" not in page
    found = client.get("/organisations/?q=nguyen").get_data(as_text=True)
    assert "Trường Mầm non Nguyễn Trãi" in found
    assert "Công ty Đức Phát" not in found
    found = client.get("/organisations/?q=duc").get_data(as_text=True)
    assert "Công ty Đức Phát" in found
    assert "Trường Mầm non Nguyễn Trãi" not in found
    make_organisation("Trường Mầm non Thôn Đông", unit="village_a1")
    only_a1 = client.get("/organisations/?unit=1286501").get_data(as_text=True)
    assert "Trường Mầm non Thôn Đông" in only_a1
    assert "Công ty Đức Phát" not in only_a1
    app.config["PAGE_SIZE"] = 1
    first = client.get("/organisations/").get_data(as_text=True)
    assert "Công ty Đức Phát" in first
    assert "Trường Mầm non Nguyễn Trãi" not in first
    assert "Nguyễn Trãi" in client.get("/organisations/?page=2").get_data(as_text=True)


def test_add_member_by_code_and_list_by_given_name(login, make_organisation, make_citizen):
    organisation = make_organisation()
    vu = make_citizen("Lê Văn Vũ")
    anh = make_citizen("Trần Thị Anh")
    client = login("xa_a")
    response = _add(client, organisation, f" {vu.code.lower()} ", role="learner")
    assert response.status_code == 302
    assert _add(client, organisation, anh.code).status_code == 302
    rows = db.session.execute(select(OrganisationMember.citizen_id, OrganisationMember.role))
    roles = {citizen_id: role for citizen_id, role in rows}  # noqa: C416 - rows are not tuples
    assert roles == {vu.id: "learner", anh.id: "staff"}
    assert [json.loads(e.changes)["citizen"] for e in _audit("add_member")] == [vu.code, anh.code]
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert "Đã thêm Lê Văn Vũ vào đơn vị." in page
    table = page[page.index("<tbody>") :]
    assert table.index("Trần Thị Anh") < table.index("Lê Văn Vũ")
    assert "<td>Người học</td>" in page
    assert "<td>Cán bộ, nhân viên</td>" in page
    assert "Mã công dân" in page


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("unknown", "Không tìm thấy công dân có mã này"),
        ("other_commune", "Không tìm thấy công dân có mã này"),
        ("empty", "Vui lòng nhập mã công dân."),
        ("duplicate", "Công dân này đã là thành viên của đơn vị."),
    ],
)
def test_add_member_errors_are_shown_and_nothing_is_written(
    login, make_organisation, make_citizen, world, who, message
):
    organisation = make_organisation()
    member = make_citizen("Lê Văn Vũ")
    services.add_member(world.users["admin"], organisation, member, "staff")
    db.session.commit()
    codes = {
        "unknown": "CD0000000000",
        "other_commune": make_citizen("Đỗ Thị Mai", village="village_b1").code,
        "empty": "",
        "duplicate": member.code,
    }
    client = login("xa_a")
    response = _add(client, organisation, codes[who])
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(OrganisationMember) == 1


def test_remove_member_needs_confirmation(login, make_organisation, make_citizen, world):
    organisation = make_organisation()
    citizen = make_citizen("Lê Văn Vũ")
    member = services.add_member(world.users["admin"], organisation, citizen, "staff")
    db.session.commit()
    client = login("xa_a")
    url = f"/organisations/{organisation.id}/members/{member.id}/remove"
    page = client.get(url).get_data(as_text=True)
    assert "Xác nhận xóa" in page
    assert "Lê Văn Vũ" in page
    assert _count(OrganisationMember) == 1
    response = client.post(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{organisation.id}")
    assert _count(OrganisationMember) == 0
    assert json.loads(_audit("remove_member")[0].changes) == {"citizen": citizen.code}


def test_member_of_another_organisation_is_not_found(login, make_organisation, make_citizen, world):
    first = make_organisation()
    second = make_organisation("Công ty Đức Phát", kind="enterprise")
    member = services.add_member(world.users["admin"], first, make_citizen(), "staff")
    db.session.commit()
    client = login("xa_a")
    url = f"/organisations/{second.id}/members/{member.id}/remove"
    assert client.post(url).status_code == 404
    assert _count(OrganisationMember) == 1


def test_edit_saves_and_audits(login, make_organisation, world):
    organisation = make_organisation()
    client = login("xa_a")
    form = client.get(f"/organisations/{organisation.id}/edit").get_data(as_text=True)
    assert "Trường Tiểu học Tân Hòa" in form
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data={
            "name": "Trường Tiểu học xã Tân Hòa",
            "kind": "school",
            "unit_id": world.units["commune_a"].id,
            "version": organisation.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert organisation.name == "Trường Tiểu học xã Tân Hòa"
    changes = json.loads(_audit("update")[0].changes)
    assert changes["name"] == ["Trường Tiểu học Tân Hòa", "Trường Tiểu học xã Tân Hòa"]


def test_stale_version_is_refused(login, make_organisation, world):
    organisation = make_organisation()
    stale = organisation.version
    data = {"name": "Tên mới", "kind": "school", "unit_id": organisation.unit_id}
    services.update_organisation(world.users["admin"], organisation, data, version=stale)
    db.session.commit()
    client = login("xa_a")
    response = client.post(
        f"/organisations/{organisation.id}/edit",
        data={**data, "name": "Ghi đè", "version": stale},
    )
    assert response.status_code == 200
    assert "vừa được người khác sửa" in response.get_data(as_text=True)
    db.session.expire_all()
    assert organisation.name == "Tên mới"


def test_delete_needs_confirmation(login, make_organisation):
    organisation = make_organisation()
    client = login("xa_a")
    page = client.get(f"/organisations/{organisation.id}/delete").get_data(as_text=True)
    assert "Xác nhận xóa" in page
    assert _count() == 1
    response = client.post(f"/organisations/{organisation.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organisations/")
    assert _count() == 0
    assert _audit("delete")[0].object_id == organisation.id


def test_delete_is_refused_while_members_remain(login, make_organisation, make_citizen, world):
    organisation = make_organisation()
    services.add_member(world.users["admin"], organisation, make_citizen(), "staff")
    db.session.commit()
    client = login("xa_a")
    response = client.post(f"/organisations/{organisation.id}/delete", follow_redirects=True)
    assert "Không thể xóa cơ quan, đơn vị còn thành viên." in response.get_data(as_text=True)
    assert _count() == 1
    assert _audit("delete") == []


def test_other_commune_gets_404_and_does_not_see_the_row(
    login, make_organisation, make_citizen, world
):
    organisation = make_organisation()
    member = services.add_member(world.users["admin"], organisation, make_citizen(), "staff")
    db.session.commit()
    client = login("xa_b")
    base = f"/organisations/{organisation.id}"
    for url in ("", "/edit", "/delete", f"/members/{member.id}/remove"):
        assert client.get(base + url).status_code == 404
    data = {"name": "X", "kind": "other", "unit_id": world.units["commune_b"].id}
    assert client.post(f"{base}/edit", data=data).status_code == 404
    assert client.post(f"{base}/delete").status_code == 404
    assert client.post(f"{base}/members/{member.id}/remove").status_code == 404
    assert _add(client, organisation, "CD0000000000").status_code == 404
    assert organisation.name not in client.get("/organisations/").get_data(as_text=True)
    assert client.get("/organisations/?unit=12865").status_code == 403
    assert _count(OrganisationMember) == 1


def test_viewer_reads_but_cannot_write(login, make_organisation, make_citizen, world):
    organisation = make_organisation()
    citizen = make_citizen("Lê Văn Vũ")
    member = services.add_member(world.users["admin"], organisation, citizen, "staff")
    db.session.commit()
    client = login("xem_a")
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert "Lê Văn Vũ" in page
    assert "Thêm thành viên" not in page
    base = f"/organisations/{organisation.id}"
    assert client.get("/organisations/new").status_code == 403
    data = {"name": "X", "kind": "other", "unit_id": world.units["commune_a"].id}
    assert client.post("/organisations/new", data=data).status_code == 403
    assert client.get(f"{base}/edit").status_code == 403
    assert client.post(f"{base}/delete").status_code == 403
    assert _add(client, organisation, citizen.code).status_code == 403
    assert client.post(f"{base}/members/{member.id}/remove").status_code == 403
    assert _count() == 1
    assert _count(OrganisationMember) == 1
