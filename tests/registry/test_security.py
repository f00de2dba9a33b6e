"""Web security: CSRF on every state-changing page, no cookie authentication on the API, login
and lookup throttling, security headers on every kind of response, no inline script or style
in any template, safe redirects, and secure cookies in the production configuration."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from registry import create_app
from registry.extensions import db
from registry.models import AuditEntry, Citizen

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# a value for each path parameter: CSRF is checked before the view looks anything up
PATH_VALUES = {"code": "12865", "kind": "citizen", "key": "cong-dan-hoc-tap-v1"}
STRICT_SCRIPT_SOURCES = {"'self'", "'none'"}


def _rules() -> list[Any]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


RULES = _rules()
PAGE_WRITES = [
    pytest.param(rule.rule, method, id=f"{rule.endpoint}-{method}")
    for rule in RULES
    if not rule.endpoint.startswith("api.")
    for method in sorted(rule.methods & WRITE_METHODS)
]
API_CALLS = [
    pytest.param(rule.rule, method, id=f"{rule.endpoint}-{method}")
    for rule in RULES
    if rule.endpoint.startswith("api.") and rule.endpoint not in {"api.token", "api.openapi"}
    for method in sorted(rule.methods & (WRITE_METHODS | {"GET"}))
]


@pytest.fixture
def app_config(app_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test settings, plus what a test asks for: ``parametrize("app_config", [{...}])``."""
    return {**app_config, **getattr(request, "param", {})}


def _url(rule: str, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        return str(values.get(name, PATH_VALUES.get(name, 1 if converter == "int:" else "x")))

    return re.sub(r"<([a-z]+:)?([a-z_]+)>", value, rule)


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


def _changes() -> int:
    """Audit entries (every change the registry makes is audited) and citizens."""
    audit = select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "login")
    return db.session.scalar(audit) * 1000 + db.session.scalar(
        select(func.count()).select_from(Citizen)
    )


@pytest.fixture
def csrf_login(client: FlaskClient, world: Any) -> Callable[[str], FlaskClient]:
    """Log in through the real form, CSRF token included."""

    def do_login(username: str) -> FlaskClient:
        token = _csrf_token(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login",
            data={"username": username, "password": world.password, "csrf_token": token},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    return do_login


# --- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
@pytest.mark.parametrize(("rule", "method"), PAGE_WRITES)
def test_page_writes_need_a_csrf_token(csrf_login, make_citizen, rule, method):
    client = csrf_login("admin")  # every role check passes: only the token is missing
    citizen = make_citizen()
    url = _url(rule, {"citizen_id": citizen.id, "subject_id": citizen.id})
    before = _changes()
    for data in ({}, {"csrf_token": "forged"}):
        response = client.open(url, method=method, data={**data, "year": "2025"})
        assert response.status_code == 400, (url, data, response.status_code)
    assert _changes() == before
    assert client.get("/").status_code == 200  # still logged in: the refusal logged nobody out


def test_every_page_write_is_in_the_csrf_test():
    assert len(PAGE_WRITES) >= 40


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_a_form_with_its_token_goes_through(csrf_login):
    client = csrf_login("xa_a")
    token = _csrf_token(client.get("/account/password").get_data(as_text=True))
    response = client.post("/lang/en", data={"next": "/citizens/", "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/citizens/"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
@pytest.mark.parametrize(("rule", "method"), API_CALLS)
def test_the_api_ignores_the_session_cookie(csrf_login, make_citizen, rule, method):
    """A logged-in browser reaching the API (exempt from CSRF) without a token gets 401."""
    client = csrf_login("admin")
    citizen = make_citizen()
    url = _url(rule, {"citizen_id": citizen.id})
    before = _changes()
    response = client.open(url, method=method, json={"version": 1, "full_name": "X"})
    assert response.status_code == 401, (url, response.status_code)
    assert _changes() == before


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_the_api_with_a_bearer_token_needs_no_csrf_token(client, world):
    token = client.post(
        "/api/v1/token", json={"username": "xa_a", "password": world.password}
    ).get_json()["token"]
    response = client.post(
        "/api/v1/households",
        json={"village_id": world.units["village_a1"].id},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201


# --- throttling -----------------------------------------------------------------------------

THROTTLED = {
    "RATELIMIT_ENABLED": True,
    "LOGIN_RATE_LIMIT": "3 per minute",
    "PUBLIC_RATE_LIMIT": "3 per minute",
}


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


@pytest.mark.parametrize("app_config", [THROTTLED], indirect=True)
def test_a_throttled_login_refuses_even_the_right_password(client, world):
    for _attempt in range(3):
        client.post("/login", data={"username": "xa_a", "password": "sai"})
    response = client.post("/login", data={"username": "xa_a", "password": world.password})
    assert response.status_code == 429
    assert not _logged_in(client)
    logins = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login")
    assert db.session.scalar(logins) == 0


@pytest.mark.parametrize("app_config", [THROTTLED], indirect=True)
@pytest.mark.parametrize("first", ["/login", "/api/v1/token"])
def test_the_login_form_and_the_api_share_one_budget(client, world, first):
    """Two doors to the same password check must not double an attacker's guesses."""
    for _attempt in range(3):
        if first == "/login":
            client.post("/login", data={"username": "xa_a", "password": "sai"})
        else:
            client.post("/api/v1/token", json={"username": "xa_a", "password": "sai"})
    good = {"username": "xa_a", "password": world.password}
    assert client.post("/api/v1/token", json=good).status_code == 429
    assert client.post("/login", data=good).status_code == 429
    assert not _logged_in(client)


@pytest.mark.parametrize("app_config", [THROTTLED], indirect=True)
def test_a_throttled_status_lookup_refuses_even_the_right_answer(client, make_citizen):
    citizen = make_citizen()
    for _attempt in range(3):
        client.post("/status", data={"identifier": citizen.code, "birth_date": "01/01/1990"})
    response = client.post("/status", data={"identifier": citizen.code, "birth_date": "17/05/1980"})
    assert response.status_code == 429
    assert not any(h.startswith("citizen_status=") for h in response.headers.getlist("Set-Cookie"))
    assert client.get("/status/me").status_code == 302  # nothing to show


@pytest.mark.parametrize("app_config", [THROTTLED], indirect=True)
def test_certificate_verification_is_throttled(client, world):
    codes = [client.get(f"/verify/CDHT-2025-{n:010d}").status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]
    # the form only redirects to the throttled page
    response = client.get("/verify?serial=CDHT-2025-0000000009")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 429


# --- security headers -----------------------------------------------------------------------


def _directives(policy: str) -> dict[str, set[str]]:
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def assert_secure_headers(response: Any) -> None:
    """The headers every response carries, page, error, API or static file."""
    policy = _directives(response.headers["Content-Security-Policy"])
    scripts = policy.get("script-src", policy["default-src"])
    styles = policy.get("style-src", policy["default-src"])
    assert scripts <= STRICT_SCRIPT_SOURCES, f"scripts may come from {scripts}"
    assert styles <= STRICT_SCRIPT_SOURCES, f"styles may come from {styles}"
    assert policy["default-src"] <= STRICT_SCRIPT_SOURCES
    assert policy["object-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["base-uri"] <= STRICT_SCRIPT_SOURCES
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The app with a route that crashes, and crashes shown as the 500 page (as in production)."""

    def crash() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/_crash", "crash", crash)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/login", 200),
        ("GET", "/no-such-page", 404),
        ("GET", "/logout", 405),
        ("GET", "/_crash", 500),
        ("GET", "/citizens/", 302),
        ("GET", "/status", 200),
        ("GET", "/verify/CDHT-2025-0000000000", 404),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/api/v1/citizens", 401),
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/static/app.css", 200),
        ("GET", "/healthz", 200),
    ],
)
def test_every_kind_of_response_has_the_security_headers(failing_app, method, path, status):
    client = failing_app.test_client()
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_secure_headers(response)
    if path.startswith("/static/"):
        assert "no-store" not in response.headers.get("Cache-Control", "")
    else:
        assert "no-store" in response.headers["Cache-Control"]
    response.close()


def test_logged_in_pages_and_downloads_are_not_cached(login, make_citizen):
    client = login("xa_a")
    citizen = make_citizen()
    for path in (f"/citizens/{citizen.id}", "/export/citizens.xlsx", "/import/template.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path
        assert_secure_headers(response)
        response.close()


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, **THROTTLED}], indirect=True)
def test_refusals_have_the_security_headers(client, world):
    response = client.post("/logout")  # no CSRF token
    assert response.status_code == 400
    assert_secure_headers(response)
    for _attempt in range(3):
        client.get("/verify/CDHT-2025-0000000000")
    response = client.get("/verify/CDHT-2025-0000000000")
    assert response.status_code == 429
    assert_secure_headers(response)


# --- no inline script or style (the CSP would block it) -------------------------------------

TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
INLINE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
IN_TAG = {
    "an on* event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
}


def inline_code(html: str) -> list[str]:
    """What in ``html`` a strict CSP (no 'unsafe-inline') would block."""
    found = [name for name, pattern in INLINE.items() if pattern.search(html)]
    for tag in TAG.findall(html):
        found += [
            f"{name} in {tag[:80]}" for name, pattern in IN_TAG.items() if pattern.search(tag)
        ]
    return found


def test_the_inline_check_finds_what_the_csp_blocks():
    assert inline_code('<a href="#" onclick="go()">x</a>')
    assert inline_code('<p\n  style="color: red">x</p>')
    assert inline_code("<script>alert(1)</script>")
    assert inline_code("<style>p {}</style>")
    assert not inline_code('<script src="/static/app.js"></script><p class="on">on=1</p>')


@pytest.mark.parametrize(
    "template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))
)
def test_templates_have_no_inline_script_or_style(template):
    assert inline_code((TEMPLATES / template).read_text(encoding="utf-8")) == []


def test_rendered_pages_have_no_inline_script_or_style(app, login, make_citizen):
    """Pages as rendered (macros, form widgets, charts), for an admin who sees every page."""
    client = login("admin")
    citizen = make_citizen()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.arguments - {"citizen_id"}:
            continue
        response = client.get(_url(rule.rule, {"citizen_id": citizen.id}))
        if response.mimetype == "text/html" and response.status_code == 200:
            assert inline_code(response.get_data(as_text=True)) == [], rule.rule
            checked += 1
        response.close()
    assert checked > 25


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "\\\\evil.example/",
        "javascript:alert(1)",
    ],
)
def test_redirect_targets_stay_on_the_site(client, world, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "xa_a", "password": world.password},
    )
    assert response.headers["Location"] == "/"
    response = client.post("/lang/en", data={"next": target})
    assert response.headers["Location"] == "/"


def test_local_redirect_targets_are_kept(client, world):
    response = client.post("/lang/en", data={"next": "/citizens/?q=Nguy%E1%BB%85n&page=2"})
    assert response.headers["Location"] == "/citizens/?q=Nguy%E1%BB%85n&page=2"


# --- sessions end with the password -------------------------------------------------------


@pytest.fixture
def two_browsers(app: Flask) -> Flask:
    """Load the user afresh on every request, as in production.

    The ``app`` fixture keeps one application context open for the whole test, so ``g`` (where
    Flask-Login keeps the request's user) would otherwise carry one client's user to the next.
    """

    @app.before_request
    def forget_the_last_user() -> None:
        g.pop("_login_user", None)

    return app


def test_a_new_password_ends_the_other_sessions_and_tokens(two_browsers, world, login):
    app = two_browsers
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"username": "xa_a", "password": world.password})
    token = elsewhere.post(
        "/api/v1/token", json={"username": "xa_a", "password": world.password}
    ).get_json()["token"]
    client = login("xa_a")
    new = "mat-khau-moi-456"
    response = client.post(
        "/account/password", data={"current": world.password, "new": new, "confirm": new}
    )
    assert response.status_code == 302
    assert client.get("/citizens/").status_code == 200  # this session goes on
    assert elsewhere.get("/citizens/").status_code == 302  # the other one ended
    bearer = {"Authorization": f"Bearer {token}"}
    assert elsewhere.get("/api/v1/units", headers=bearer).status_code == 401


def test_a_reset_password_ends_the_account_s_sessions(two_browsers, world, login):
    app = two_browsers
    victim = app.test_client()
    victim.post("/login", data={"username": "xa_a", "password": world.password})
    assert victim.get("/citizens/").status_code == 200
    admin = login("admin")
    new = "mat-khau-moi-456"
    response = admin.post(
        f"/admin/users/{world.users['xa_a'].id}/password", data={"password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert victim.get("/citizens/").status_code == 302
    assert admin.get("/admin/users").status_code == 200


def test_a_session_of_another_form_is_refused(app, world):
    """Sessions made before ids were tied to the password ("5") no longer log anyone in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(world.users["admin"].id)
        session["_fresh"] = True
    assert client.get("/citizens/").status_code == 302


# --- cookies in the production configuration ------------------------------------------------

HTTPS = "https://khuyenhoc.example.vn"


@pytest.fixture
def production(monkeypatch, database_url: str, app: Flask) -> Any:
    """The app as ``flask run``/a WSGI server creates it: no test settings, the environment of
    a deployment behind HTTPS (sharing the test database, where ``world`` puts its users)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("PUBLIC_BASE_URL", HTTPS)
    made: list[Flask] = []

    def make() -> Flask:
        made.append(create_app())
        return made[-1]

    yield make
    for application in made:
        with application.app_context():
            for engine in db.engines.values():
                engine.dispose()


def _cookie(response: Any, name: str) -> dict[str, str | bool]:
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))
    attributes: dict[str, str | bool] = {}
    for part in header.split(";")[1:]:
        key, _sep, value = part.strip().partition("=")
        attributes[key.lower()] = value or True
    return attributes


class HttpsClient:
    """A test client speaking HTTPS, with the Referer Flask-WTF checks on HTTPS form posts
    (WTF_CSRF_SSL_STRICT)."""

    def __init__(self, application: Flask) -> None:
        self.client = application.test_client()

    def get(self, path: str) -> Any:
        return self.client.get(path, base_url="https://localhost")

    def post(self, path: str, data: dict[str, str]) -> Any:
        referer = {"Referer": f"https://localhost{path}"}
        return self.client.post(path, data=data, headers=referer, base_url="https://localhost")


def test_production_configuration_is_strict(production):
    application = production()
    assert not application.testing
    assert not application.debug
    assert application.config.get("WTF_CSRF_ENABLED", True)
    assert application.config.get("RATELIMIT_ENABLED", True)
    assert application.config["SESSION_COOKIE_SECURE"]
    assert application.config["REMEMBER_COOKIE_SECURE"]


def test_login_cookies_are_secure_in_production(production, world):
    client = HttpsClient(production())
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={
            "username": "xa_a",
            "password": world.password,
            "remember": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    session = _cookie(response, "session")
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    remember = _cookie(response, "remember_token")
    assert remember["secure"] is True
    assert remember["httponly"] is True
    assert remember["samesite"] == "Lax"
    lasts = parsedate_to_datetime(str(remember["expires"])) - datetime.now(UTC)
    assert lasts <= timedelta(days=14)


def test_status_cookie_is_secure_in_production(production, make_citizen):
    citizen = make_citizen()
    client = HttpsClient(production())
    token = _csrf_token(client.get("/status").get_data(as_text=True))
    response = client.post(
        "/status",
        data={"identifier": citizen.code, "birth_date": "17/05/1980", "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookie = _cookie(response, "citizen_status")
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/status"


def test_plain_http_development_keeps_cookies_usable(production, monkeypatch):
    """``make run`` serves http://127.0.0.1:5000: a Secure cookie would never come back."""
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    application = production()
    assert not application.config["SESSION_COOKIE_SECURE"]
    assert application.config["SESSION_COOKIE_HTTPONLY"]
