"""Citizens: the service rules and the web pages."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from registry.citizens import services
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.extensions import db
from registry.models import AuditEntry, Citizen, Household

TODAY = date(2026, 11, 27)


def _data(world, **extra):
    return {
        "full_name": "Nguyễn Văn Hằng",
        "gender": "M",
        "birth_date": "17/05/1980",
        "village_id": world.units["village_a1"].id,
        **extra,
    }


def test_create_citizen_stores_nfc_name_and_keys(world):
    nfd_name = "Nguye\u0302\u0303n Va\u0306n Ha\u0306\u0300ng"
    citizen = services.create_citizen(
        world.users["xa_a"], _data(world, full_name=nfd_name), today=TODAY
    )
    db.session.commit()
    assert citizen.full_name == "Nguyễn Văn Hằng"
    assert (citizen.family_name, citizen.middle_name, citizen.given_name) == (
        "Nguyễn",
        "Văn",
        "Hằng",
    )
    assert citizen.search_name == "nguyen van hang"
    assert citizen.code.startswith("CD")
    assert len(citizen.code) == 12
    assert citizen.birth_date == date(1980, 5, 17)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", "31/02/1990", "Ngày không hợp lệ"),
        ("birth_date", "01/01/2030", "tương lai"),
        ("cccd", "12345", "12 chữ số"),
        ("phone", "12345", "10"),
        ("full_name", "  ", "bắt buộc"),
        ("gender", "X", "danh sách"),
    ],
)
def test_invalid_fields_are_refused_in_vietnamese(world, field, value, message):
    with pytest.raises(ValidationFailed) as caught:
        services.create_citizen(world.users["xa_a"], _data(world, **{field: value}), today=TODAY)
    assert message in " ".join(caught.value.field_errors[field])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 0


def test_cccd_is_unique(world):
    services.create_citizen(world.users["xa_a"], _data(world, cccd="034080001234"), today=TODAY)
    with pytest.raises(ValidationFailed) as caught:
        services.create_citizen(
            world.users["xa_a"],
            _data(world, full_name="Lê Thị Lan", cccd="034080001234"),
            today=TODAY,
        )
    assert "đã được đăng ký" in caught.value.field_errors["cccd"][0]


def test_household_must_be_in_the_same_village(world):
    household = Household(code="H1", village=world.units["village_a2"])
    db.session.add(household)
    db.session.flush()
    with pytest.raises(ValidationFailed) as caught:
        services.create_citizen(
            world.users["xa_a"], _data(world, household_id=household.id), today=TODAY
        )
    assert "household_id" in caught.value.field_errors


def test_head_relation_makes_the_citizen_household_head(world):
    household = Household(code="H1", village=world.units["village_a1"])
    db.session.add(household)
    db.session.flush()
    citizen = services.create_citizen(
        world.users["xa_a"], _data(world, household_id=household.id, relation="head"), today=TODAY
    )
    assert household.head is citizen


def test_commune_staff_cannot_register_in_another_commune(world):
    with pytest.raises(ValidationFailed) as caught:
        services.create_citizen(
            world.users["xa_b"], _data(world, village_id=world.units["village_a1"].id), today=TODAY
        )
    assert "phạm vi" in caught.value.field_errors["village_id"][0]


def test_other_commune_cannot_read_a_citizen(world, make_citizen):
    citizen = make_citizen()
    with pytest.raises(NotFound):
        services.get_citizen(world.users["xa_b"], citizen.id)
    assert services.get_citizen(world.users["huyen"], citizen.id) is citizen


def test_stale_version_is_refused(world, make_citizen):
    citizen = make_citizen()
    services.update_citizen(
        world.users["xa_a"],
        citizen,
        _data(world, full_name="Nguyễn Văn Hùng"),
        version=citizen.version,
        today=TODAY,
    )
    db.session.commit()
    with pytest.raises(Conflict):
        services.update_citizen(
            world.users["xa_a"],
            citizen,
            _data(world, full_name="Nguyễn Văn Hào"),
            version=1,
            today=TODAY,
        )
    db.session.rollback()
    assert db.session.get(Citizen, citizen.id).full_name == "Nguyễn Văn Hùng"


def test_changes_are_audited(world, make_citizen):
    citizen = make_citizen()
    services.update_citizen(
        world.users["xa_a"],
        citizen,
        _data(world, full_name="Nguyễn Văn Hùng"),
        version=citizen.version,
        today=TODAY,
    )
    db.session.commit()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "Citizen").order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert "Nguyễn Văn Hùng" in entries[-1].changes
    assert entries[-1].user_id == world.users["xa_a"].id


def test_search_is_accent_insensitive_and_sorted_by_given_name(world, make_citizen):
    for name in ("Trần Thị Đào", "Nguyễn Văn Hằng", "Lê Đức Anh", "Phạm Minh Đức"):
        make_citizen(name)
    actor = world.users["xa_a"]
    names = [c.full_name for c in db.session.scalars(services.citizens_query(actor))]
    assert names == ["Lê Đức Anh", "Trần Thị Đào", "Phạm Minh Đức", "Nguyễn Văn Hằng"]
    found = db.session.scalars(services.citizens_query(actor, q="nguyen van hang")).all()
    assert [c.full_name for c in found] == ["Nguyễn Văn Hằng"]
    found = db.session.scalars(services.citizens_query(actor, q="duc")).all()
    assert {c.full_name for c in found} == {"Lê Đức Anh", "Phạm Minh Đức"}


def test_list_page_paginates_and_scopes(login, make_citizen, app):
    app.config["PAGE_SIZE"] = 2
    for name in ("Lê Văn An", "Lê Văn Bình", "Lê Văn Cường"):
        make_citizen(name)
    make_citizen("Đỗ Thị Mai", village="village_b1")
    client = login("xa_a")
    first = client.get("/citizens/").get_data(as_text=True)
    assert "Lê Văn An" in first
    assert "Lê Văn Bình" in first
    assert "Lê Văn Cường" not in first
    second = client.get("/citizens/?page=2").get_data(as_text=True)
    assert "Lê Văn Cường" in second
    assert "Đỗ Thị Mai" not in first + second
    assert client.get("/citizens/?page=abc").status_code == 200


def test_register_through_the_form(login, world):
    client = login("xa_a")
    response = client.post(
        "/citizens/new",
        data={
            "full_name": "đặng thị mỹ hạnh",
            "gender": "F",
            "birth_date": "05/03/1992",
            "village_id": world.units["village_a2"].id,
            "status": "active",
            "relation": "",
            "clan_id": "",
            "household_code": "",
        },
    )
    assert response.status_code == 302
    citizen = db.session.scalar(select(Citizen))
    assert citizen.full_name == "Đặng Thị Mỹ Hạnh"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "05/03/1992" in page


def test_form_shows_vietnamese_errors_and_writes_nothing(login, world):
    client = login("xa_a")
    response = client.post(
        "/citizens/new",
        data={
            "full_name": "Lê Văn Tám",
            "gender": "M",
            "birth_date": "1992-03-05",
            "village_id": world.units["village_a2"].id,
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "dd/mm/yyyy" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Citizen)) == 0


def test_delete_needs_confirmation(login, make_citizen):
    citizen = make_citizen()
    client = login("xa_a")
    page = client.get(f"/citizens/{citizen.id}/delete").get_data(as_text=True)
    assert "Xác nhận xóa" in page
    assert db.session.get(Citizen, citizen.id) is not None
    assert client.post(f"/citizens/{citizen.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Citizen, citizen.id) is None


def test_viewer_reads_but_cannot_write(login, make_citizen):
    citizen = make_citizen()
    client = login("xem_a")
    assert client.get(f"/citizens/{citizen.id}").status_code == 200
    assert client.get(f"/citizens/{citizen.id}/edit").status_code == 403
    assert client.post(f"/citizens/{citizen.id}/delete").status_code == 403


def test_other_commune_gets_404(login, make_citizen):
    citizen = make_citizen()
    client = login("xa_b")
    assert client.get(f"/citizens/{citizen.id}").status_code == 404
    assert client.post(f"/citizens/{citizen.id}/delete").status_code == 404
