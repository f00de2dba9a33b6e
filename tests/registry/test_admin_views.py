"""Administration: staff accounts, the audit log viewer, and each unit's scoped change log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial

import pytest
from sqlalchemy import func, select

from registry.auth.services import issue_token
from registry.extensions import db
from registry.models import ApiToken, AuditEntry, Role, User

NON_ADMINS = ["tinh", "huyen", "xa_a", "xa_b", "xem_a"]


def _can_log_in(app, username: str, password: str) -> bool:
    # a fresh app context: the test's own context holds the last request's user in ``g``
    with app.app_context():
        data = {"username": username, "password": password}
        response = app.test_client().post("/login", data=data)
    return response.status_code == 302


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


@pytest.mark.parametrize("username", NON_ADMINS)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/admin/"),
        ("GET", "/admin/users"),
        ("GET", "/admin/users/new"),
        ("POST", "/admin/users/new"),
        ("GET", "/admin/users/1/edit"),
        ("POST", "/admin/users/1/edit"),
        ("GET", "/admin/users/1/password"),
        ("POST", "/admin/users/1/password"),
        ("GET", "/admin/audit"),
    ],
)
def test_admin_pages_are_admin_only(login, username, method, url):
    client = login(username)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == 403


def test_admin_pages_need_login(client, world):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_users_list_is_paginated_with_vietnamese_roles(app, login, world):
    for n in range(25):
        user = User(username=f"can_bo_{n:02d}", role=Role.viewer, unit=world.units["commune_b"])
        user.set_password(world.password)
        db.session.add(user)
    db.session.commit()
    client = login("admin")
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Quản trị hệ thống" in first
    assert "Chỉ xem" in first
    assert "Tổng số: 31" in first
    assert 'rel="next"' in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "xem_a" in second
    assert "xem_a" not in first


def _new_user(**overrides: str) -> dict[str, str]:
    return {
        "username": "Xa_Moi",
        "full_name": "Nguyễn Thị Mới",
        "role": "commune",
        "unit": "12868",
        "password": "mat-khau-moi-1",
        "confirm": "mat-khau-moi-1",
        **overrides,
    }


def test_admin_creates_user_who_can_log_in(app, login, world):
    client = login("admin")
    assert 'value="commune">Cán bộ cấp xã</option>' in client.get("/admin/users/new").get_data(
        as_text=True
    )
    response = client.post("/admin/users/new", data=_new_user())
    assert response.status_code == 302
    user = _user("xa_moi")
    assert user is not None
    assert (user.role, user.unit.code, user.full_name) == (Role.commune, "12868", "Nguyễn Thị Mới")
    assert _can_log_in(app, "xa_moi", "mat-khau-moi-1")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.object_type == "User", AuditEntry.action == "create")
    )
    assert entry.user_id == world.users["admin"].id
    assert "password_hash" not in entry.changes


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"unit": "344"}, "Vai trò không phù hợp với cấp của đơn vị."),
        ({"role": "district", "unit": "12865"}, "Vai trò không phù hợp với cấp của đơn vị."),
        ({"password": "ngan", "confirm": "ngan"}, "Mật khẩu cần ít nhất 8 ký tự."),
        ({"username": "xa_a"}, "Tên đăng nhập đã tồn tại."),
        ({"username": "xa moi"}, "Tên đăng nhập chỉ gồm chữ, số"),
        ({"confirm": "khac-han-nhe"}, "Hai mật khẩu không khớp."),
        ({"unit": "99999"}, "Không có đơn vị hành chính với mã này."),
    ],
)
def test_create_user_validation(login, world, overrides, message):
    response = login("admin").post("/admin/users/new", data=_new_user(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == len(world.users)


def test_viewer_and_admin_accounts_fit_any_unit(login, world):
    client = login("admin")
    data = _new_user(username="xem_huyen", role="viewer", unit="344")
    assert client.post("/admin/users/new", data=data).status_code == 302
    assert _user("xem_huyen").unit.code == "344"


def test_deactivated_user_cannot_log_in(app, login, world):
    xa_a = world.users["xa_a"]
    data = {"full_name": "Cán bộ xa_a", "role": "commune", "unit": "12865"}  # active unchecked
    response = login("admin").post(f"/admin/users/{xa_a.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(xa_a)
    assert xa_a.active is False
    assert not _can_log_in(app, "xa_a", world.password)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.object_type == "User", AuditEntry.action == "update")
    )
    assert json.loads(entry.changes)["active"] == [True, False]


def test_admin_edits_role_and_unit(login, world):
    xa_b = world.users["xa_b"]
    data = {"full_name": "Cán bộ huyện mới", "role": "district", "unit": "344", "active": "y"}
    assert login("admin").post(f"/admin/users/{xa_b.id}/edit", data=data).status_code == 302
    db.session.refresh(xa_b)
    assert (xa_b.role, xa_b.unit.code, xa_b.active) == (Role.district, "344", True)


def test_edit_user_refuses_role_unit_mismatch(login, world):
    xa_b = world.users["xa_b"]
    data = {"full_name": "x", "role": "province", "unit": "12868", "active": "y"}
    html = login("admin").post(f"/admin/users/{xa_b.id}/edit", data=data).get_data(as_text=True)
    assert "Vai trò không phù hợp với cấp của đơn vị." in html
    db.session.refresh(xa_b)
    assert xa_b.role is Role.commune


def test_admin_cannot_deactivate_or_demote_themselves(app, login, world):
    admin = world.users["admin"]
    client = login("admin")
    html = client.post(
        f"/admin/users/{admin.id}/edit", data={"full_name": "A", "role": "admin", "unit": "34"}
    ).get_data(as_text=True)
    assert "Bạn không thể tự khóa tài khoản của chính mình." in html
    html = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"full_name": "A", "role": "viewer", "unit": "34", "active": "y"},
    ).get_data(as_text=True)
    assert "Bạn không thể tự bỏ quyền quản trị của chính mình." in html
    db.session.refresh(admin)
    assert admin.active
    assert admin.role is Role.admin


def test_edit_form_is_filled_with_the_account(login, world):
    html = login("admin").get(f"/admin/users/{world.users['xa_b'].id}/edit").get_data(as_text=True)
    assert 'value="12868"' in html
    assert '<option selected value="commune">' in html
    assert 'checked id="active"' in html or 'id="active" checked' in html


def test_edit_unknown_user_is_404(login, world):
    assert login("admin").get("/admin/users/9999/edit").status_code == 404


def test_admin_resets_password_and_revokes_tokens(app, login, world):
    xa_a = world.users["xa_a"]
    issue_token(xa_a, hours=1)
    db.session.commit()
    data = {"password": "mat-khau-moi-2", "confirm": "mat-khau-moi-2"}
    response = login("admin").post(f"/admin/users/{xa_a.id}/password", data=data)
    assert response.status_code == 302
    assert _can_log_in(app, "xa_a", "mat-khau-moi-2")
    assert not _can_log_in(app, "xa_a", world.password)
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reset_password"))


def test_reset_password_refuses_short_password(app, login, world):
    xa_a = world.users["xa_a"]
    data = {"password": "ngan", "confirm": "ngan"}
    html = login("admin").post(f"/admin/users/{xa_a.id}/password", data=data)
    assert "Cần ít nhất 8 ký tự." in html.get_data(as_text=True)
    assert _can_log_in(app, "xa_a", world.password)


# --- audit log ------------------------------------------------------------------------------


@pytest.fixture
def entries(world):
    """Three entries around Vietnam's midnight of 01/07/2025 (UTC+7), in different units."""
    utc = partial(datetime, tzinfo=UTC)
    rows = [
        # 30/06/2025 23:30 in Vietnam
        ("xa_a", "create", "Citizen", "village_a1", utc(2025, 6, 30, 16, 30), {"x": 1}),
        # 01/07/2025 00:30 in Vietnam, though still 30/06 in UTC
        ("xa_b", "update", "Household", "village_b1", utc(2025, 6, 30, 17, 30),
         {"address": ["Xóm Cũ", "Xóm Mới"]}),
        # 02/07/2025 10:00 in Vietnam
        ("huyen", "delete", "Clan", "commune_a", utc(2025, 7, 2, 3, 0), {"name": "Họ Lê"}),
    ]  # fmt: skip
    for n, (user, action, object_type, unit, at, changes) in enumerate(rows, start=1):
        db.session.add(
            AuditEntry(
                at=at,
                user_id=world.users[user].id,
                action=action,
                object_type=object_type,
                object_id=n,
                unit_id=world.units[unit].id,
                summary=f"muc-{n}",
                changes=json.dumps(changes, ensure_ascii=False),
            )
        )
    db.session.commit()
    return world


def _shown(html: str) -> set[str]:
    return {f"muc-{n}" for n in (1, 2, 3) if f"muc-{n}" in html}


def test_audit_viewer_shows_entries_newest_first_in_vietnam_time(login, entries):
    html = login("admin").get("/admin/audit").get_data(as_text=True)
    assert _shown(html) == {"muc-1", "muc-2", "muc-3"}
    assert html.index("muc-3") < html.index("muc-2") < html.index("muc-1")
    assert "01/07/2025 00:30" in html
    assert "30/06/2025 23:30" in html
    assert "Cán bộ xa_b" in html
    assert "<td>Sửa</td>" in html
    assert "Hộ gia đình #2" in html
    assert '<th scope="row">address</th><td>Xóm Cũ → Xóm Mới</td>' in html
    assert '<th scope="row">name</th><td>Họ Lê</td>' in html  # the deleted clan's old name
    assert "<td>Đăng nhập</td>" in html  # the admin's own login is logged too


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("username=xa_b", {"muc-2"}),
        ("username=XA_A", {"muc-1"}),
        ("object_type=Clan", {"muc-3"}),
        ("action=update", {"muc-2"}),
        ("action=create&object_type=Citizen", {"muc-1"}),
        ("date_from=01/07/2025", {"muc-2", "muc-3"}),
        ("date_to=30/06/2025", {"muc-1"}),
        ("date_from=01/07/2025&date_to=01/07/2025", {"muc-2"}),
        ("date_from=02/07/2025&username=xa_b", set()),
    ],
)
def test_audit_filters(login, entries, query, expected):
    html = login("admin").get(f"/admin/audit?{query}").get_data(as_text=True)
    assert _shown(html) == expected


def test_audit_filter_with_bad_date_reports_it(login, entries):
    response = login("admin").get("/admin/audit?date_from=31/02/2025")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ngày không hợp lệ" in html
    assert _shown(html) == {"muc-1", "muc-2", "muc-3"}


def test_commune_audit_excludes_other_communes(login, entries):
    html = login("xa_b").get("/units/12868/audit").get_data(as_text=True)
    assert _shown(html) == {"muc-2"}
    assert "<td>Đăng nhập</td>" in html  # xa_b's own login belongs to commune B
    assert "Cán bộ xa_a" not in html


def test_commune_staff_cannot_read_another_communes_audit(login, entries):
    assert login("xa_b").get("/units/12865/audit").status_code == 403
    assert login("xem_a").get("/units/12865/audit").status_code == 200


def test_district_audit_covers_its_communes_and_filters(login, entries):
    client = login("huyen")
    assert _shown(client.get("/units/344/audit").get_data(as_text=True)) == {
        "muc-1", "muc-2", "muc-3",
    }  # fmt: skip
    html = client.get("/units/12865/audit?date_from=01/07/2025").get_data(as_text=True)
    assert _shown(html) == {"muc-3"}


def test_unit_page_links_to_its_audit(login, world):
    html = login("xa_a").get("/units/12865").get_data(as_text=True)
    assert 'href="/units/12865/audit"' in html
