"""The application factory and the pages every visitor reaches."""

from __future__ import annotations

from flask.testing import FlaskClient

from registry import create_app, normalise_database_url


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["PUBLIC_BASE_URL"] == "https://khuyenhoc.example.vn"


def test_default_config_uses_instance_sqlite():
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/registry.db")


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://postgres@127.0.0.1:5432/test") == (
        "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_login_page_is_vietnamese_by_default(client: FlaskClient):
    html = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in html
    assert 'lang="vi"' in html


def test_english_is_available(client: FlaskClient):
    client.post("/lang/en", data={"next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html


def test_security_headers(client: FlaskClient):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
