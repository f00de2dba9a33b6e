"""The citizen status page in a real browser on a small phone (Debian's chromium, Playwright).

The test serves the app itself (werkzeug on 127.0.0.1, a free port) over a temporary SQLite
file filled through the services, with CSRF on as in production and JavaScript off (the page
must work without it). Screenshots go to test-artifacts/. `make test` installs chromium; a
missing browser fails the test rather than skipping it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from registry import create_app
from registry.activities.services import load_categories, record_activity
from registry.auth.services import create_user
from registry.awards import services as awards
from registry.citizens.services import create_citizen
from registry.evaluation.assessments import save_assessments
from registry.evaluation.services import evaluate_year
from registry.evaluation.subjects import load_subject
from registry.extensions import db
from registry.households.services import create_household
from registry.models import Role, UnitLevel
from registry.units.services import create_unit

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "mat-khau-that-dai-123"
TODAY = date(2026, 11, 27)
ATTESTED = (
    "ke-hoach-hoc-tap",
    "dong-vien-hoc-tap",
    "ngoai-ngu",
    "tinh-toan",
    "tu-duy-phan-bien",
    "quan-he-than-thien",
    "hop-tac-chia-se",
)
DECISION = {
    "number": "12/QĐ-UBND",
    "decided_on": "15/12/2025",
    "issuer_name": "Ủy ban nhân dân xã Tân Hòa",
    "issuer_short": "ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA",
    "place_name": "Tân Hòa",
    "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
    "signer_name": "Trần Đức Mỹ",
}


@dataclass(frozen=True)
class Site:
    """The running server and what the test needs to know about its data."""

    url: str
    code: str
    citizen_id: int
    serial: str


def _fill(year: int) -> tuple[str, int, str]:
    """Units, a staff account, a household of two, and one citizen's activities of two years;
    last year evaluated and recognised."""
    province = create_unit(
        actor=None, code="34", name="Thái Bình", kind="tỉnh", level=UnitLevel.province, parent=None
    )
    commune = create_unit(
        actor=None, code="12865", name="Tân Hòa", kind="xã", level=UnitLevel.commune,
        parent=province,
    )  # fmt: skip
    village = create_unit(
        actor=None, code="1286501", name="Đông", kind="thôn", level=UnitLevel.village,
        parent=commune,
    )  # fmt: skip
    staff = create_user(
        actor=None, username="xa", password=PASSWORD, role=Role.admin, unit=province
    )
    household = create_household(staff, {"village_id": village.id, "address": "Số 12 ngõ Trúc"})
    person = {"gender": "F", "village_id": village.id, "household_id": household.id}
    hanh = create_citizen(
        staff,
        {**person, "full_name": "Nguyễn Thị Bích Hạnh", "birth_date": "05/03/1985",
         "cccd": "034185001234", "relation": "head"},
        today=TODAY,
    )  # fmt: skip
    create_citizen(
        staff,
        {**person, "full_name": "Vũ Quang Khải", "birth_date": "09/07/1983", "gender": "M",
         "relation": "spouse"},
        today=TODAY,
    )  # fmt: skip
    for category, title, held_on, hours in (
        ("self_study", "Đọc sách “Truyện Kiều” và ghi chép cảm nhận", f"10/03/{year}", 6),
        ("tthtcd", "Lớp kỹ năng sử dụng điện thoại thông minh tại TTHTCĐ", f"15/04/{year}", 12),
        ("online", "Khóa học trực tuyến về an toàn thông tin", f"02/02/{year - 1}", 3),
        ("online", "Khóa học trực tuyến “Kỹ năng số cho mọi người”", f"03/03/{year - 1}", 3),
        ("online", "Khóa học trực tuyến về nuôi dạy con", f"04/04/{year - 1}", 3),
        ("self_study", "Tự học tiếng Anh giao tiếp", f"01/05/{year - 1}", 40),
        ("tthtcd", "Sinh hoạt câu lạc bộ đọc sách", f"01/06/{year - 1}", 30),
    ):
        data = {"category_id": category, "title": title, "held_on": held_on, "hours": hours}
        record_activity(staff, hanh, data, today=TODAY)
    subject = load_subject(staff, "citizen", hanh.id)
    save_assessments(staff, subject, year - 1, dict.fromkeys(ATTESTED, "9"))
    evaluate_year(year - 1)
    proposals = db.session.scalars(awards.proposals_query(staff, year - 1, "citizen")).all()
    decision = awards.approve(
        staff,
        year - 1,
        "citizen",
        [r.id for r in proposals],
        awards.parse_decision(DECISION, today=TODAY),
        public_base_url="https://khuyenhoc.example.vn",
    )
    db.session.commit()
    return hanh.code, hanh.id, decision.recognitions[0].serial


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on a temporary SQLite file, served on 127.0.0.1 and a free port."""
    db_file = tmp_path_factory.mktemp("selfservice-browser") / "registry.db"
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "RATELIMIT_ENABLED": False,
            "PUBLIC_BASE_URL": "https://khuyenhoc.example.vn",
        }
    )
    with app.app_context():
        db.create_all()
        load_categories()
        code, citizen_id, serial = _fill(TODAY.year)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", code, citizen_id, serial)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _phone_page(browser: Browser) -> Page:
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        java_script_enabled=False,
        locale="vi-VN",
    )
    return context.new_page()


def _no_horizontal_scroll(page: Page) -> None:
    """The layout fits 360 px: nothing sticks out to the right."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_status_lookup_on_a_small_phone(site: Site, browser: Browser) -> None:
    page = _phone_page(browser)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(f"{site.url}/status")
    _no_horizontal_scroll(page)
    _shot(page, "selfservice-form-360.png")

    page.get_by_label("Mã công dân hoặc số CCCD").fill("CD0000000001")
    page.get_by_label("Ngày sinh").fill("05/03/1985")
    page.get_by_role("button", name="Tra cứu").click()
    assert "Không tìm thấy thông tin phù hợp" in page.get_by_role("alert").inner_text()
    _no_horizontal_scroll(page)
    _shot(page, "selfservice-not-found-360.png")

    page.get_by_label("Mã công dân hoặc số CCCD").fill(site.code.lower())
    page.get_by_label("Ngày sinh").fill("05/03/1985")
    page.get_by_label("Ngày sinh").press("Enter")  # the keyboard submits too
    page.wait_for_url(f"{site.url}/status/me")
    assert page.get_by_role("heading", level=1).inner_text() == "Xin chào, Hạnh"
    assert page.get_by_role("heading", name="Bạn còn thiếu").is_visible()
    assert page.get_by_text("Lớp kỹ năng sử dụng điện thoại thông minh tại TTHTCĐ").is_visible()
    verify = page.get_by_role("link", name=f"Kiểm tra giấy công nhận số {site.serial}")
    assert verify.get_attribute("href") == f"/verify/{site.serial}"
    _no_horizontal_scroll(page)
    _shot(page, "selfservice-status-360.png")
    html = page.content()
    assert "034185001234" not in html
    assert "05/03/1985" not in html
    assert "Khải" not in html

    page.get_by_role("button", name="English").click()
    page.wait_for_url(f"{site.url}/status/me")
    assert "Learning citizen" in page.content()
    _no_horizontal_scroll(page)
    _shot(page, "selfservice-status-en-360.png")

    page.get_by_role("button", name="Close page").click()
    page.wait_for_url(f"{site.url}/status")
    page.goto(f"{site.url}/status/me")
    assert page.url == f"{site.url}/status"
    assert not [text for text in refused if "Content Security Policy" in text]
    page.context.close()


def test_registration_slip_prints_on_one_page(site: Site, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label("Tên đăng nhập").fill("xa")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{site.url}/citizens/{site.citizen_id}")
    page.get_by_role("link", name="In phiếu đăng ký").click()
    page.wait_for_url(f"{site.url}/citizens/{site.citizen_id}/slip")
    assert site.code in page.inner_text(".slip-code")
    _shot(page, "selfservice-slip.png")
    page.emulate_media(media="print")
    assert not page.locator(".slip-tools").is_visible()
    _shot(page, "selfservice-slip-print.png")
    page.set_viewport_size(PHONE)
    page.emulate_media(media="screen")
    _no_horizontal_scroll(page)
    _shot(page, "selfservice-slip-360.png")
    context.close()
