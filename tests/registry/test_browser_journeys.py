"""Whole journeys through the real UI in Debian's chromium (Playwright), one test per journey.

The module serves the app itself (werkzeug on 127.0.0.1, a free port, threads) over the test
database (the session's SQLite file, or DATABASE_URL's PostgreSQL) with the production
settings that matter here: CSRF on, rate limits on, background jobs in real threads (the job
page refreshes itself until they finish), and PUBLIC_BASE_URL pointing at the server so the
certificates' QR codes can be opened. Only the units and the staff accounts are created
directly; everything else is typed and clicked by the journeys, which run in order and hand
their data on:

1. staff: a household, three members, their activities, the committee's assessments
   (citizens, household, village), the evaluation job, the results and the explanation;
2. official: approval of the proposals under a decision, the commune's batch PDF;
3. citizen: /status on a 360 px phone;
4. anyone: the QR code of a printed certificate, opened anonymously.

The last page of each journey is saved in test-artifacts/journeys/<journey>.png.
"""

from __future__ import annotations

import re
import subprocess
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from registry import create_app
from registry.activities.services import load_categories
from registry.extensions import db
from registry.models import AdminUnit, Job, Role, UnitLevel, User

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journeys"
PASSWORD = "mat-khau-123"
TODAY = date.today()  # noqa: DTZ011 - the server's today(), as the app sees it
YEAR = TODAY.year
JOB_TIMEOUT = 60_000  # ms: a job page refreshes itself every 2 s until the job is done
VILLAGE = "Thôn Đông (Xã Tân Hòa)"


def _day(days_ago: int) -> str:
    """A date this year, ``days_ago`` before today (never before 1 January), as dd/mm/yyyy."""
    day = max(date(YEAR, 1, 1), TODAY - timedelta(days=days_ago))
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Person:
    """A household member as the staff types them, with what the journeys expect of them."""

    name: str
    given: str
    gender: str
    born: str
    cccd: str
    relation: str
    activities: tuple[tuple[str, str, str, str, str], ...]  # category, title, provider, day, hours
    passes: bool  # assessed by the committee, with enough activities; else only what they did


HEAD = Person(
    "Phạm Thị Thu Hương",
    "Hương",
    "Nữ",
    "12/08/1984",
    "034184009876",
    "Chủ hộ",
    (
        (
            "Khóa học trực tuyến",
            "Khóa học “Kỹ năng số cho mọi người”",
            "Bộ Thông tin",
            _day(200),
            "6",
        ),
        (
            "Lớp học tại Trung tâm học tập cộng đồng",
            "Lớp trồng rau an toàn tại TTHTCĐ",
            "TTHTCĐ xã Tân Hòa",
            _day(150),
            "12",
        ),
        ("Tự học, đọc sách", "Đọc sách “Đất rừng phương Nam”", "", _day(90), "20"),
    ),
    passes=True,
)
SPOUSE = Person(
    "Đặng Quốc Việt",
    "Việt",
    "Nam",
    "21/11/1982",
    "",
    "Vợ/chồng",
    (
        ("Khóa học trực tuyến", "An toàn thông tin khi dùng điện thoại", "", _day(120), "8"),
        (
            "Lớp học tại Trung tâm học tập cộng đồng",
            "Lớp tin học văn phòng",
            "TTHTCĐ xã Tân Hòa",
            _day(60),
            "24",
        ),
    ),
    passes=True,
)
CHILD = Person(
    "Đặng Minh Đức",
    "Đức",
    "Nam",
    f"30/06/{YEAR - 17}",
    "",
    "Con",
    (("Tự học, đọc sách", "Đọc “Dế Mèn phiêu lưu ký”", "", _day(30), "4"),),
    passes=False,
)
FAMILY = (HEAD, SPOUSE, CHILD)


@dataclass
class Journeys:
    """The live server and what one journey leaves for the next."""

    url: str
    codes: dict[str, str] = field(default_factory=dict)  # name → citizen code
    batch_pdf: Path | None = None


def _make_world() -> None:
    """The conftest world's tree and accounts, plus the commune's chairman (an approver)."""
    province = AdminUnit(code="34", name="Thái Bình", kind="tỉnh", level=UnitLevel.province)
    district = AdminUnit(
        code="344", name="Vũ Thư", kind="huyện", level=UnitLevel.district, parent=province
    )
    commune = AdminUnit(
        code="12865", name="Tân Hòa", kind="xã", level=UnitLevel.commune, parent=district
    )
    for code, name in (("1286501", "Đông"), ("1286502", "Đoài")):
        db.session.add(
            AdminUnit(code=code, name=name, kind="thôn", level=UnitLevel.village, parent=commune)
        )
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for username, full_name, unit in (
        ("xa_a", "Lê Thị Mai", commune),
        ("chutich_a", "Trần Đức Mỹ", commune),
    ):
        user = User(username=username, role=Role.commune, unit=unit, full_name=full_name)
        user.password_hash = password_hash
        db.session.add(user)
    db.session.add_all([province, district, commune])
    db.session.commit()


@pytest.fixture(scope="module")
def journeys(database_url: str) -> Iterator[Journeys]:
    app = create_app(
        {
            "SECRET_KEY": "browser-journeys-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_categories()
        _make_world()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # the QR codes must lead to this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Journeys(url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            for path in db.session.scalars(select(Job.result_path)):
                if path:
                    Path(path).unlink(missing_ok=True)
            db.session.remove()
            db.drop_all()  # the next tests expect empty tables
            db.create_all()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: Browser, *, phone: bool = False) -> Page:
    if phone:
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="vi-VN"
        )
    else:
        context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 500 else 0)
    page.server_errors = failed  # type: ignore[attr-defined]  # read by _finish
    return page


def _finish(page: Page, journey: str) -> None:
    """Keep a full-page screenshot of the journey's last page; no request may have failed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{journey}.png"), full_page=True)
    page.context.close()
    assert not page.server_errors, page.server_errors  # type: ignore[attr-defined]


def _fits(page: Page) -> None:
    """Nothing sticks out to the right: the page never scrolls sideways."""
    width, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= client, f"{page.url} is {width}px wide on a {client}px screen"


def _login(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    form = page.locator("form").filter(has=page.get_by_label("Mật khẩu"))
    expect(form.locator("input[name=csrf_token]")).to_have_count(1)  # on, as in production
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xã Tân Hòa", level=1)).to_be_visible()


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flash").filter(has_text=text)).to_be_visible()


def _wait_for_job(page: Page, what: str) -> None:
    expect(page.get_by_role("heading", name=re.compile("Tiến trình công việc"))).to_be_visible()
    expect(page.get_by_text(f"{what} · Xã Tân Hòa · năm {YEAR}", exact=True)).to_be_visible()
    expect(page.get_by_text("Hoàn thành", exact=True)).to_be_visible(timeout=JOB_TIMEOUT)
    expect(page.get_by_role("progressbar", name="Tiến độ")).to_have_attribute("value", "100")


def _pdf_text(pdf: Path, first: int = 1, last: int = 0) -> str:
    """The text of pages ``first``–``last`` (all by default), NFC as the app writes it."""
    pages = ["-f", str(first), "-l", str(last)] if last else []
    text = subprocess.run(
        ["/usr/bin/pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return unicodedata.normalize("NFC", text)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(
        ["/usr/bin/pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert found is not None, info
    return int(found.group(1))


# --- 1. staff -------------------------------------------------------------------------------------


def _register_household(page: Page) -> None:
    page.get_by_role("link", name="Đăng ký hộ gia đình").click()
    page.get_by_label("Thôn/tổ dân phố").select_option(label=VILLAGE)
    page.get_by_label("Địa chỉ").fill("Số 12 ngõ Trúc, thôn Đông")
    page.get_by_role("button", name="Lưu").click()
    _flash(page, "Đã đăng ký hộ gia đình")


def _register_member(page: Page, person: Person) -> str:
    """From the household page: register ``person`` as a member; returns their code."""
    page.get_by_role("link", name="Thêm thành viên").click()
    expect(page.get_by_role("link", name=re.compile("^Hộ gia đình HGD"))).to_be_visible()
    expect(page.get_by_label("Thôn/tổ dân phố")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Họ và tên").fill(person.name)
    page.get_by_label("Giới tính").select_option(label=person.gender)
    page.get_by_label("Ngày sinh").fill(person.born)
    page.get_by_label("Số CCCD (không bắt buộc)").fill(person.cccd)
    page.get_by_label("Quan hệ với chủ hộ").select_option(label=person.relation)
    page.get_by_role("button", name="Lưu").click()
    _flash(page, f"Đã đăng ký công dân {person.name}.")
    expect(page.get_by_role("heading", name=person.name, level=1)).to_be_visible()
    code = re.search(r"CD\d+", page.locator("dt:text-is('Mã công dân') + dd").inner_text())
    assert code is not None
    return code.group()


def _record_activities(page: Page, person: Person) -> None:
    """From the citizen's page: record each activity with the form."""
    for category, title, provider, day, hours in person.activities:
        page.get_by_role("link", name="Ghi nhận hoạt động học tập").click()
        page.get_by_label("Loại hoạt động").select_option(label=category)
        page.get_by_label("Nội dung, tên khóa học").fill(title)
        page.get_by_label("Đơn vị tổ chức").fill(provider)
        page.get_by_label("Ngày bắt đầu").fill(day)
        page.get_by_label("Số giờ").fill(hours)
        page.get_by_role("button", name="Lưu").click()
        _flash(page, "Đã ghi nhận hoạt động học tập.")
        expect(page.get_by_role("cell", name=title)).to_be_visible()


def _assess(page: Page, scores: dict[str, str] | None = None, default: str = "9") -> None:
    """On a subject's evaluation page: fill the committee's form (every criterion) and save."""
    page.get_by_role("link", name="Nhập đánh giá của hội đồng").click()
    expect(page.get_by_role("heading", name=re.compile("Đánh giá của hội đồng"))).to_be_visible()
    groups = page.locator("fieldset")
    count = groups.count()
    for i in range(count):
        group = groups.nth(i)
        title = group.locator("legend").inner_text()
        score = next((v for k, v in (scores or {}).items() if title.startswith(k)), default)
        if group.get_by_label("Kết luận").count():
            group.get_by_label("Kết luận").select_option(label=score)
        else:
            group.get_by_label("Điểm").fill(score)
        group.get_by_label("Minh chứng").fill("Biên bản họp hội đồng khuyến học thôn Đông")
    page.get_by_role("button", name="Lưu đánh giá").click()
    _flash(page, f"Đã lưu {count} đánh giá.")


def _open_household(page: Page) -> None:
    page.locator("dt:text-is('Hộ gia đình') + dd").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile("^Hộ gia đình HGD"))).to_be_visible()


def _evaluate(page: Page) -> None:
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Đánh giá"
    ).click()
    run = page.locator("form").filter(has=page.get_by_role("button", name="Đánh giá", exact=True))
    run.get_by_label("Năm").select_option(str(YEAR))
    run.get_by_role("button", name="Đánh giá", exact=True).click()
    _wait_for_job(page, "Đánh giá")
    expect(page.locator(".joblog")).to_contain_text("công dân: 3 đánh giá, 2 đạt")


def test_staff_registers_records_assesses_and_evaluates(
    journeys: Journeys, browser: Browser
) -> None:
    page = _page(browser)
    _login(page, journeys.url, "xa_a")
    _register_household(page)
    for person in FAMILY:
        journeys.codes[person.name] = _register_member(page, person)
        _record_activities(page, person)
        if person.passes:
            page.get_by_role("link", name="Xem tình trạng hiện tại").click()
            expect(page.get_by_role("heading", name=f"{person.name} — năm {YEAR}")).to_be_visible()
            _assess(page)
            page.get_by_role("link", name=person.name, exact=True).click()
        _open_household(page)
    expect(page.locator("dt:text-is('Chủ hộ') + dd")).to_have_text(HEAD.name)
    expect(page.get_by_role("heading", name="Thành viên (3)")).to_be_visible()

    page.get_by_role("link", name="Xem tình trạng hiện tại").click()
    _assess(page, {"Học tập của trẻ em": "28", "Điều kiện học tập": "18", "Hiệu quả học tập": "18"})
    page.get_by_role("link", name=f"Hộ {HEAD.name}", exact=True).click()
    page.get_by_role("link", name="Thôn Đông", exact=True).click()
    expect(page.get_by_role("heading", name="Thôn Đông", level=1)).to_be_visible()
    page.get_by_role("link", name="Xem tình trạng hiện tại").click()
    _assess(page, {"Thôn tham gia": "Có / Đạt"})

    _evaluate(page)
    page.get_by_role("link", name="Xem kết quả đánh giá").click()
    expect(
        page.get_by_role("heading", name=f"Kết quả đánh giá năm {YEAR} · Xã Tân Hòa")
    ).to_be_visible()
    citizens = page.get_by_role("row").filter(has_text="cong-dan-hoc-tap")
    expect(citizens.get_by_role("cell")).to_have_text(
        ["Công dân", "cong-dan-hoc-tap", "3", "2", "66,7%"]
    )

    for person in (CHILD, HEAD):
        page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
            "link", name="Công dân"
        ).click()
        page.get_by_role("link", name=person.name).click()
        page.get_by_role("link", name=f"Năm {YEAR}").click()
        expect(page.get_by_role("heading", name=f"{person.name} — năm {YEAR}")).to_be_visible()
        verdict = page.locator(".card .badge").first
        expect(verdict).to_have_text("Đạt" if person.passes else "Chưa đạt")
        expect(page.get_by_role("heading", name="Giải thích từng tiêu chí")).to_be_visible()
        expect(page.get_by_text(re.compile("Kết quả đã lưu lúc"))).to_be_visible()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(10)
    for i in range(10):
        expect(rows.nth(i).locator(".badge")).to_have_text("Đạt")
    _finish(page, "staff")


# --- 2. official ----------------------------------------------------------------------------------


def _approve(page: Page, tab: str, pick: list[str] | None, number: str, n: int) -> None:
    """On the proposals page: choose, confirm the count, fill the decision and approve."""
    page.get_by_role("navigation", name="Loại đối tượng").get_by_role("link", name=tab).click()
    if pick is None:
        page.get_by_role("button", name=f"Công nhận tất cả ({n})").click()
    else:
        for name in pick:
            page.get_by_label(name).check()
        page.get_by_role("button", name="Công nhận các mục đã chọn").click()
    expect(
        page.get_by_text(f"Quyết định của Xã Tân Hòa sẽ cấp {n} giấy công nhận:")
    ).to_be_visible()
    page.get_by_label("Số quyết định").fill(number)
    page.get_by_label("Họ tên người ký").fill("Trần Đức Mỹ")
    page.get_by_role("button", name=f"Xác nhận cấp {n} giấy công nhận").click()
    _flash(page, f"Đã công nhận {n} đối tượng theo Quyết định số {number}.")
    expect(page.locator("table.list tbody tr")).to_have_count(n)


def test_official_approves_and_prints_the_batch(
    journeys: Journeys, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert journeys.codes, "the staff journey registers the citizens"
    page = _page(browser)
    _login(page, journeys.url, "chutich_a")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Công nhận"
    ).click()
    page.get_by_role("link", name="Đề nghị công nhận").click()
    expect(page.get_by_role("heading", name=f"Đề nghị công nhận năm {YEAR}")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(3)  # the header and the two adults
    _approve(page, "Công dân", [HEAD.name, SPOUSE.name], "15/QĐ-UBND", 2)
    page.get_by_role("link", name="Sổ công nhận").click()
    page.get_by_role("link", name="Đề nghị công nhận").click()
    _approve(page, "Hộ gia đình", None, "16/QĐ-UBND", 1)

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Công nhận"
    ).click()
    expect(page.locator("table.list tbody tr")).to_have_count(3)
    page.get_by_label("Đơn vị", exact=True).select_option(label="Xã Tân Hòa")
    page.get_by_role("button", name="In giấy công nhận của cả đơn vị (PDF)").click()
    _wait_for_job(page, "In giấy công nhận của cả đơn vị (PDF)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp kết quả").click()
    pdf = tmp_path_factory.mktemp("journeys") / "batch.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert _pdf_pages(pdf) == 3
    text = _pdf_text(pdf)
    for name in (HEAD.name, SPOUSE.name):
        assert name in text, name
    journeys.batch_pdf = pdf
    _finish(page, "official")


# --- 3. citizen -----------------------------------------------------------------------------------


def _look_up(page: Page, url: str, identifier: str, born: str) -> None:
    page.goto(f"{url}/status")
    _fits(page)
    page.get_by_label("Mã công dân hoặc số CCCD").fill(identifier)
    page.get_by_label("Ngày sinh").fill(born)
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url(f"{url}/status/me")


def test_citizen_checks_status_on_a_phone(journeys: Journeys, browser: Browser) -> None:
    assert journeys.batch_pdf, "the official journey recognises the adults"
    page = _page(browser, phone=True)
    _look_up(page, journeys.url, HEAD.cccd, HEAD.born)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào, {HEAD.given}")
    titles = page.get_by_role("region", name="Danh hiệu của bạn")
    expect(titles).to_contain_text(f"{YEAR} · Công dân học tập")
    expect(titles).to_contain_text("Đã được công nhận")
    expect(
        titles.get_by_role("link", name=re.compile("Kiểm tra giấy công nhận số"))
    ).to_be_visible()
    more = page.get_by_role("region", name="Bạn có thể đạt thêm điểm")
    expect(more).to_contain_text("Còn thiếu 4 giờ để đạt 10 điểm")
    _fits(page)
    page.get_by_role("button", name="Đóng trang").click()
    page.wait_for_url(f"{journeys.url}/status")

    _look_up(page, journeys.url, journeys.codes[CHILD.name].lower(), CHILD.born)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào, {CHILD.given}")
    expect(page.get_by_role("region", name="Danh hiệu của bạn")).to_contain_text("Chưa đạt")
    missing = page.get_by_role("region", name="Bạn còn thiếu")
    expect(missing).to_be_visible()
    expect(missing).to_contain_text("Đánh giá của hội đồng cho 7 tiêu chí")
    expect(page.get_by_text("Đọc “Dế Mèn phiêu lưu ký”")).to_be_visible()
    _fits(page)
    _finish(page, "citizen")


# --- 4. anyone ------------------------------------------------------------------------------------


def _certificates(pdf: Path, out: Path) -> list[tuple[str, str]]:
    """Each page's QR code (rendered at 150 dpi, decoded by zbar) with the page's text."""
    subprocess.run(
        ["/usr/bin/pdftoppm", "-png", "-r", "150", str(pdf), str(out / "page")], check=True
    )
    found = []
    for number, image in enumerate(sorted(out.glob("page-*.png")), start=1):
        url = subprocess.run(
            ["/usr/bin/zbarimg", "--raw", "-q", str(image)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        found.append((url, _pdf_text(pdf, number, number)))
    return found


def _matches_certificate(page: Page, text: str) -> None:
    """Every fact on the page is printed on the certificate (the date in the words it uses)."""
    title, recipient, address, decision = page.locator("dl.facts dd").all_inner_texts()
    assert _words(f"{title} {recipient} {address}") <= _words(text), (title, recipient, address)
    found = re.fullmatch(r"(\S+) ngày (\d+)/(\d+)/(\d+) của (.+)", decision)
    assert found is not None, decision
    number, day, month, year, issuer = found.groups()
    signed = f"ngày {int(day)} tháng {int(month)} năm {year}"
    for printed in (number, signed, issuer):
        assert printed in " ".join(text.split()), printed


def test_anyone_verifies_a_certificate_by_its_qr_code(
    journeys: Journeys, browser: Browser, tmp_path: Path
) -> None:
    assert journeys.batch_pdf, "the official journey prints the certificates"
    printed = _certificates(journeys.batch_pdf, tmp_path)
    assert len(printed) == 3
    page = _page(browser, phone=True)
    for url, text in printed:
        assert url.startswith(f"{journeys.url}/verify/"), url
        page.goto(url)
        expect(page.get_by_role("heading", name="Kết quả tra cứu")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("Giấy công nhận hợp lệ")
        _matches_certificate(page, text)
        _fits(page)

    url = next(u for u, t in printed if HEAD.name in t and "Công dân học tập" in t)
    page.goto(url)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(f"Công dân học tập năm {YEAR}")
    expect(facts).to_contain_text(f"bà {HEAD.name}")
    expect(facts).to_contain_text("15/QĐ-UBND")
    html = page.content()
    for private in (HEAD.cccd, HEAD.born, journeys.codes[HEAD.name], "điểm"):
        assert private not in html, private
    _finish(page, "verify")
