"""The English catalogue: pages switch to English after POST /lang/en, Vietnamese stays the
default, and every string extracted from the code has a translation (so CI catches new ones)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "registry" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
# the keywords of README.md's extract command; babel.cfg adds the services' ones
CLI_KEYWORDS = ["_l", "lazy_gettext"]
HOW_TO_FIX = "run the three pybabel commands of README.md (Translations) and translate the entries"


@pytest.fixture(autouse=True)
def locale_per_request(app):
    """Choose the locale afresh for every request, as in production.

    The ``app`` fixture keeps one application context open for the whole test, so ``g`` (where
    Flask-Babel caches the locale) would otherwise outlive a request and keep its language.
    """
    app.before_request(flask_babel.refresh)


def _english(client, page: str = "/login"):
    response = client.post("/lang/en", data={"next": page})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page)
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _assert_language(html: str, present: list[str], absent: list[str]) -> None:
    for text in present:
        assert text in html, f"{text!r} missing"
    for text in absent:
        assert text not in html, f"{text!r} should be translated"


def test_vietnamese_is_the_default(client):
    html = _text(client.get("/login"))
    assert '<html lang="vi">' in html
    _assert_language(
        html,
        present=["Đăng nhập", "Dành cho cán bộ Hội Khuyến học và cơ quan quản lý.", "Mật khẩu"],
        absent=["Log in", "Password", "For staff of"],
    )


def test_login_page_in_english_and_back(client):
    html = _text(_english(client).get("/login"))
    assert '<html lang="en">' in html
    _assert_language(
        html,
        present=[
            "Log in",
            "Username",
            "Password",
            "Remember me",
            "For staff of the Association for Promoting Learning",
        ],
        absent=["Đăng nhập", "Tên đăng nhập", "Mật khẩu", "Ghi nhớ đăng nhập"],
    )

    client.post("/lang/vi", data={"next": "/login"})
    assert "Đăng nhập" in _text(client.get("/login"))


def test_wrong_password_message_in_english(client, world):
    _english(client)
    html = _text(client.post("/login", data={"username": "xa_a", "password": "sai"}))
    _assert_language(
        html,
        present=["Wrong username or password."],
        absent=["Tên đăng nhập hoặc mật khẩu không đúng."],
    )


def test_citizen_list_in_english(login, make_citizen):
    citizen = make_citizen("Trần Thị Hằng")
    client = _english(login("xa_a"), "/citizens/")
    html = _text(client.get("/citizens/"))
    _assert_language(
        html,
        present=[
            "Citizens",
            "Export to Excel",
            "Register a citizen",
            "Search by full name (accents optional)",
            "Date of birth",
            "Resident",
            "Log out",
            citizen.full_name,  # data stays as entered
            "17/05/1980",  # dates stay dd/mm/yyyy
        ],
        absent=["Xuất Excel", "Đăng ký công dân", "Tìm theo họ tên", "Đang cư trú", "Đăng xuất"],
    )


def test_form_errors_in_english(login, world):
    client = _english(login("xa_a"), "/citizens/new")
    village = str(world.units["village_a1"].id)

    html = _text(client.post("/citizens/new", data={"full_name": "", "gender": "F"}))
    _assert_language(
        html,
        present=[
            "Register a citizen",
            "Please enter the full name.",
            "Please enter the date of birth.",
        ],
        absent=["Vui lòng nhập họ và tên.", "Vui lòng nhập ngày sinh.", "Họ và tên"],
    )

    # a business rule refused by the service: its message is in the catalogue too
    next_year = f"01/01/{date.today().year + 1}"  # noqa: DTZ011 - the app uses local dates
    future = {"full_name": "Lê Văn Tâm", "gender": "M", "birth_date": next_year}
    html = _text(client.post("/citizens/new", data={**future, "village_id": village}))
    _assert_language(
        html,
        present=["The date of birth cannot be in the future."],
        absent=["Ngày sinh không được ở tương lai."],
    )


def test_public_status_page_in_english(client):
    html = _text(_english(client, "/status").get("/status"))
    assert '<html lang="en">' in html
    _assert_language(
        html,
        present=[
            "Check your learning citizen status",
            "Citizen code or ID card number (CCCD)",
            "Date of birth",
            "Forgot your citizen code?",
        ],
        absent=["Tra cứu tình trạng", "Mã công dân hoặc số CCCD", "Quên mã công dân?"],
    )


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with PO.open("rb") as po_file:
        return read_po(po_file)


def test_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 500
    untranslated = [m.id for m in messages if not m.string]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not untranslated, f"untranslated in {PO.name}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {PO.name}: {fuzzy[:10]}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert not problems, f"placeholders differ: {problems[:5]}"


def _extracted_now() -> dict[str, str]:
    """Every msgid in the code right now (as README's extract command sees it) → one place."""
    with (TRANSLATIONS / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(CLI_KEYWORDS)}
    found: dict[str, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{line}")
    return found


def test_every_extracted_string_is_in_the_catalogue(catalogue):
    extracted = _extracted_now()
    assert "Đăng nhập" in extracted  # templates
    assert "Vui lòng nhập họ và tên." in extracted  # lazy form messages (_l)
    assert "Không tìm thấy công dân." in extracted  # a service's NotFound
    translated = {m.id for m in catalogue if m.id and m.string}
    missing = sorted(
        f"{where}: {msgid}" for msgid, where in extracted.items() if msgid not in translated
    )
    assert not missing, f"{len(missing)} string(s) without English; {HOW_TO_FIX}:\n" + "\n".join(
        missing[:20]
    )
