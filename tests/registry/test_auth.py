"""Staff login: hashed passwords, safe redirects, throttling, deactivation."""

from __future__ import annotations

import pytest

from registry.extensions import db


def test_passwords_are_hashed(world):
    user = world.users["xa_a"]
    assert world.password not in user.password_hash
    assert user.check_password(world.password)
    assert not user.check_password("sai-mat-khau")


def test_wrong_password_gives_one_message(client, world):
    for username in ("xa_a", "khong-ton-tai"):
        page = client.post("/login", data={"username": username, "password": "sai"})
        assert page.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.get_data(as_text=True)


def test_next_must_be_a_local_path(client, world):
    for target, expected in (
        ("/citizens/", "/citizens/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
    ):
        client.post("/logout")
        response = client.post(
            f"/login?next={target}", data={"username": "xa_a", "password": world.password}
        )
        assert response.headers["Location"] == expected


def test_pages_need_login(client, world):
    response = client.get("/citizens/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_deactivated_account_loses_its_session(login, world):
    client = login("xa_a")
    assert client.get("/citizens/").status_code == 200
    world.users["xa_a"].active = False
    db.session.commit()
    response = client.get("/citizens/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}


def test_login_is_rate_limited(client, world):
    codes = [
        client.post("/login", data={"username": "xa_a", "password": "sai"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
