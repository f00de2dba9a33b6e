"""Citizen self-service (/status): lookup, one neutral answer, rate limit, privacy, the
lookup cookie, and the staff's registration slip."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import event, func, select

from registry.activities.services import record_activity
from registry.awards import services as awards
from registry.citizens.services import update_citizen
from registry.evaluation.services import evaluate_year
from registry.extensions import db
from registry.households.services import create_household
from registry.models import Assessment, AuditEntry
from registry.selfservice import services

LAST_YEAR, THIS_YEAR = 2025, 2026
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
ADDRESS = "Số 12 ngõ Trúc Lâm"
NOT_FOUND = "Không tìm thấy thông tin phù hợp"


@pytest.fixture
def app_config(app_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """Let a test override settings with ``@pytest.mark.parametrize("app_config", [{...}])``."""
    return {**app_config, **getattr(request, "param", {})}


def _activity(admin, citizen, category, title, held_on, hours):
    data = {"category_id": category, "title": title, "held_on": held_on, "hours": hours}
    record_activity(admin, citizen, data, today=TODAY)


@pytest.fixture
def family(world, make_citizen):
    """Hạnh (recognised last year, part-way this year) and her husband Khải in one household."""
    admin = world.users["admin"]
    household = create_household(admin, {"village_id": world.units["village_a1"].id})
    household.address = ADDRESS
    db.session.commit()
    hanh = make_citizen(
        "Đặng Thị Mỹ Hạnh",
        gender="F",
        birth_date=date(1985, 3, 5),
        cccd="034185001234",
        phone="0912345678",
        household_id=household.id,
        relation="head",
    )
    khai = make_citizen(
        "Vũ Quang Khải",
        birth_date=date(1983, 7, 9),
        cccd="034083009876",
        phone="0987654321",
        household_id=household.id,
        relation="spouse",
    )
    for category, hours in (("self_study", 40), ("tthtcd", 30)):
        _activity(admin, hanh, category, f"Lớp {category} 2025", "01/05/2025", hours)
    for month in (2, 3, 4):
        _activity(admin, hanh, "online", "Khóa học trực tuyến", f"01/{month:02d}/2025", 2)
    for cid in ATTESTED:
        db.session.add(
            Assessment(
                subject_type="citizen",
                subject_id=hanh.id,
                year=LAST_YEAR,
                criterion_id=cid,
                score=9,
            )
        )
    _activity(admin, hanh, "self_study", "Đọc sách Truyện Kiều", "10/03/2026", 6)
    db.session.commit()
    evaluate_year(LAST_YEAR)
    db.session.commit()
    actor = world.users["xa_a"]
    proposals = db.session.scalars(awards.proposals_query(actor, LAST_YEAR, "citizen")).all()
    decision = awards.approve(
        actor,
        LAST_YEAR,
        "citizen",
        [r.id for r in proposals],
        awards.parse_decision(DECISION, today=date(2026, 1, 10)),
        public_base_url="https://khuyenhoc.example.vn",
    )
    db.session.commit()
    serial = next(r.serial for r in decision.recognitions if r.subject_id == hanh.id)
    return SimpleNamespace(hanh=hanh, khai=khai, household=household, serial=serial)


def _lookup(client, identifier, birth="05/03/1985"):
    return client.post("/status", data={"identifier": identifier, "birth_date": birth})


def _cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("citizen_status"))


# --- finding oneself -------------------------------------------------------------------------


def test_lookup_by_code_shows_own_status(client, family):
    response = _lookup(client, family.hanh.code)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/status/me")
    assert response.headers["Cache-Control"] == "no-store"
    page = client.get("/status/me")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "Xin chào, Hạnh" in html
    # titles by year, with the certificate's verification link
    assert "Công dân học tập" in html
    assert "Đã được công nhận" in html
    assert f'href="/verify/{family.serial}"' in html
    # this year, criterion by criterion, and what is missing
    assert f"Năm {THIS_YEAR}: kết quả đến hôm nay" in html
    assert "Đọc sách, báo và cập nhật thông tin" in html
    assert "Bạn còn thiếu" in html
    assert re.search(r"Còn thiếu \d+ giờ để đạt \d+ điểm", html)  # 6 hours so far
    assert "Đánh giá của hội đồng cho 7 tiêu chí" in html
    # activities of this year and last year
    assert "Đọc sách Truyện Kiều" in html
    assert "Lớp self_study 2025" in html
    # the household's title
    assert "Danh hiệu của hộ gia đình bạn" in html
    assert "Gia đình học tập" in html


@pytest.mark.parametrize(
    ("identifier", "birth"),
    [
        ("034185001234", "05/03/1985"),
        ("034 185 001234", "5/3/1985"),
        ("034.185.001.234", "05031985"),
    ],
)
def test_lookup_by_cccd_in_any_spelling(client, family, identifier, birth):
    response = _lookup(client, identifier, birth)
    assert response.status_code == 302
    assert "Xin chào, Hạnh" in client.get("/status/me").get_data(as_text=True)


def test_code_is_case_and_space_insensitive(client, family):
    code = family.hanh.code.lower()
    assert _lookup(client, f" {code[:4]} {code[4:]} ", "05-03-1985").status_code == 302


def test_successful_lookups_are_audited(client, family):
    _lookup(client, family.hanh.code)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "self_lookup"))
    assert entry is not None
    assert (entry.object_type, entry.object_id, entry.user_id) == ("Citizen", family.hanh.id, None)


# --- one neutral answer ----------------------------------------------------------------------


def _wrong_inputs(family) -> dict[str, tuple[str, str]]:
    return {
        "unknown code": ("CD0000000001", "05/03/1985"),
        "wrong birth date": (family.hanh.code, "06/03/1985"),
        "birth date of someone else": (family.hanh.code, "09/07/1983"),
        "another person's code": (family.khai.code, "05/03/1985"),
        "impossible date": (family.hanh.code, "31/02/1985"),
        "unknown cccd": ("034185009999", "05/03/1985"),
        "cccd with a bad province": ("999185001234", "05/03/1985"),
        "cccd of someone else": ("034083009876", "05/03/1985"),
        "garbage": ("'; DROP TABLE citizens; --", "05/03/1985"),
        "a household code": (family.household.code, "05/03/1985"),
        "deceased citizen": (family.khai.code, "09/07/1983"),
    }


def test_every_wrong_input_gives_the_same_answer(client, world, family):
    update_citizen(
        world.users["admin"],
        family.khai,
        {
            "full_name": family.khai.full_name,
            "gender": "M",
            "birth_date": "09/07/1983",
            "village_id": family.khai.village_id,
            "status": "deceased",
            "left_on": "01/10/2026",
        },
        version=family.khai.version,
        today=TODAY,
    )
    db.session.commit()
    answers = {}
    for kind, (identifier, birth) in _wrong_inputs(family).items():
        response = _lookup(client, identifier, birth)
        assert "Set-Cookie" not in response.headers or "citizen_status" not in str(
            response.headers.getlist("Set-Cookie")
        ), kind
        answers[kind] = (response.status_code, response.get_data(as_text=True))
    first = next(iter(answers.values()))
    assert first[0] == 200
    assert NOT_FOUND in first[1]
    assert "has-error" not in first[1]
    for kind, answer in answers.items():
        assert answer == first, kind
    assert client.get("/status/me").status_code == 302


def test_typed_values_are_not_echoed(client, family):
    html = _lookup(client, "034185009999", "05/03/1985").get_data(as_text=True)
    assert "034185009999" not in html
    assert "05/03/1985" not in html


def test_missing_fields_are_form_errors_not_lookups(client, family):
    response = client.post("/status", data={"identifier": " ", "birth_date": "1985"})
    html = response.get_data(as_text=True)
    assert "Vui lòng nhập mã công dân hoặc số CCCD." in html
    assert "Ngày sinh theo dạng dd/mm/yyyy" in html
    assert NOT_FOUND not in html


def test_every_lookup_runs_exactly_one_query(app, family):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for identifier, birth in (
            (family.hanh.code, "05/03/1985"),
            (family.hanh.code, "06/03/1985"),
            ("CD0000000001", "05/03/1985"),
            ("034185001234", "31/02/1985"),
            ("nonsense", "nonsense"),
        ):
            before = len(statements)
            services.lookup(identifier, birth)
            assert len(statements) - before == 1, (identifier, birth)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert services.lookup(family.hanh.code, "05/03/1985") == family.hanh.id


# --- rate limit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "PUBLIC_RATE_LIMIT": "3 per minute"}], indirect=True
)
def test_lookups_are_rate_limited_per_client(client, family):
    codes = [_lookup(client, "CD0000000001").status_code for _unused in range(3)]
    assert codes == [200, 200, 200]
    blocked = _lookup(client, family.hanh.code)  # even the right answer waits now
    assert blocked.status_code == 429
    assert "citizen_status" not in str(blocked.headers.getlist("Set-Cookie"))
    assert client.get("/status").status_code == 200  # the form itself stays readable
    other = client.post(
        "/status",
        data={"identifier": family.hanh.code, "birth_date": "05/03/1985"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 302  # another client has its own allowance


# --- privacy ----------------------------------------------------------------------------------


def test_no_personal_data_on_the_status_page(client, family):
    _lookup(client, family.hanh.code)
    html = client.get("/status/me").get_data(as_text=True)
    hanh, khai = family.hanh, family.khai
    for secret in (
        hanh.cccd,
        "034 185",
        "05/03/1985",
        "1985-03-05",
        "05.03.1985",
        hanh.phone,
        ADDRESS,
        hanh.full_name,
        khai.full_name,
        khai.given_name,
        khai.code,
        khai.cccd,
        khai.phone,
        "09/07/1983",
        family.household.code,
    ):
        assert secret not in html, secret
    assert "Thôn Đông" not in html  # not even the village


def test_status_page_data_holds_nothing_personal(app, family):
    page = services.status_page(family.hanh.id, year=THIS_YEAR)
    assert page is not None
    text = repr(page)
    for secret in (family.hanh.cccd, family.hanh.phone, "1985", ADDRESS, family.khai.given_name):
        assert secret not in text


# --- the lookup cookie ------------------------------------------------------------------------


def test_lookup_cookie_is_its_own_short_lived_strict_cookie(client, family):
    header = _cookie(_lookup(client, family.hanh.code))
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    assert "Path=/status" in header
    assert "Max-Age=600" in header
    with client.session_transaction() as session:
        assert not any("citizen" in key or "status" in key for key in session)
        assert family.hanh.id not in session.values()


def test_lookup_expires(client, family, monkeypatch):
    _lookup(client, family.hanh.code)
    assert client.get("/status/me").status_code == 200
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + 601)
    response = client.get("/status/me")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/status")
    assert "citizen_status=;" in _cookie(response)  # deleted
    assert "Phiên tra cứu đã hết hạn" in client.get("/status").get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/status/me").status_code == 302  # and gone for good


@pytest.mark.parametrize("app_config", [{"STATUS_SESSION_SECONDS": 120}], indirect=True)
def test_lookup_lifetime_is_configurable(client, family):
    assert "Max-Age=120" in _cookie(_lookup(client, family.hanh.code))


def test_close_button_ends_the_lookup(client, family):
    _lookup(client, family.hanh.code)
    response = client.post("/status/logout")
    assert response.status_code == 302
    assert "citizen_status=;" in _cookie(response)
    assert client.get("/status/me").status_code == 302


def test_staff_session_does_not_open_a_citizen_status(app, login, family):
    staff = login("xa_a")
    response = staff.get("/status/me")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/status")
    # the staff session's own cookie, replayed as the lookup cookie, is refused
    session_cookie = staff.get_cookie("session")
    assert session_cookie is not None
    staff.set_cookie("citizen_status", session_cookie.value, path="/status")
    assert staff.get("/status/me").status_code == 302
    # a token signed with the same key for another purpose is refused too
    forged = URLSafeTimedSerializer(app.secret_key, salt="cookie-session").dumps(
        {"citizen": family.hanh.id}
    )
    staff.set_cookie("citizen_status", forged, path="/status")
    assert staff.get("/status/me").status_code == 302


def test_lookup_cookie_does_not_log_staff_in(client, family):
    header = _cookie(_lookup(client, family.hanh.code))
    token = re.match(r"citizen_status=([^;]+)", header).group(1)
    client.set_cookie("session", token)
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_moved_citizen_keeps_past_titles(client, world, family):
    hanh = family.hanh
    data = {
        "full_name": hanh.full_name,
        "gender": "F",
        "birth_date": "05/03/1985",
        "village_id": hanh.village_id,
        "household_id": hanh.household_id,
        "relation": "head",
        "cccd": hanh.cccd,
        "status": "moved",
        "left_on": "01/06/2026",
    }
    update_citizen(world.users["admin"], hanh, data, version=hanh.version, today=TODAY)
    db.session.commit()
    assert _lookup(client, hanh.code).status_code == 302
    html = client.get("/status/me").get_data(as_text=True)
    assert "đã chuyển đi nơi khác" in html
    assert f"/verify/{family.serial}" in html
    assert "không thuộc diện đánh giá" in html


def test_english_explanations(client, family):
    client.post("/lang/en", data={"next": "/status"})
    _lookup(client, family.hanh.code)
    html = client.get("/status/me").get_data(as_text=True)
    assert "Learning citizen" in html
    assert "not assessed yet" in html


def test_status_form_is_public_and_has_no_staff_navigation(client, world):
    html = client.get("/status").get_data(as_text=True)
    assert '<label for="identifier">' in html
    assert '<label for="birth_date">' in html
    assert "mainnav" not in html
    assert "/citizens" not in html


# --- the registration slip --------------------------------------------------------------------


def test_staff_print_a_registration_slip(login, family):
    staff = login("xa_a")
    detail = staff.get(f"/citizens/{family.hanh.id}").get_data(as_text=True)
    assert f'href="/citizens/{family.hanh.id}/slip"' in detail
    assert "In phiếu đăng ký" in detail
    response = staff.get(f"/citizens/{family.hanh.id}/slip")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    for shown in (
        family.hanh.code,
        family.hanh.full_name,
        "Thôn Đông",
        "https://khuyenhoc.example.vn/status",
        'src="data:image/png;base64,',
    ):
        assert shown in html
    for hidden in ("05/03/1985", family.hanh.cccd, family.hanh.phone, ADDRESS):
        assert hidden not in html
    assert db.session.scalar(
        select(func.count()).where(
            AuditEntry.action == "print_slip", AuditEntry.object_id == family.hanh.id
        )
    )


def test_slip_needs_login_and_scope(client, login, family):
    response = client.get(f"/citizens/{family.hanh.id}/slip")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert login("xa_b").get(f"/citizens/{family.hanh.id}/slip").status_code == 404
    assert login("xem_a").get(f"/citizens/{family.hanh.id}/slip").status_code == 200


# --- pure helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("034185001234", ("cccd", "034185001234")),
        (" 034-185-001234 ", ("cccd", "034185001234")),
        ("cd 4830 291746", ("code", "CD4830291746")),
        ("0341850012345", ("code", "0341850012345")),
        ("x" * 40, ("code", "X" * 20)),
    ],
)
def test_normalise_identifier(typed, expected):
    assert services.normalise_identifier(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("05/03/1985", date(1985, 3, 5)),
        ("5.3.1985", date(1985, 3, 5)),
        ("05031985", date(1985, 3, 5)),
        ("31/02/1985", None),
        ("1985-03-05", None),
        ("", None),
    ],
)
def test_parse_birth(typed, expected):
    assert services.parse_birth(typed) == expected


def test_signed_citizen_round_trip():
    token = services.sign_citizen("k", 42)
    assert services.read_citizen("k", token, 600) == 42
    assert services.read_citizen("other key", token, 600) is None
    assert services.read_citizen("k", token + "x", 600) is None
    assert services.read_citizen("k", None, 600) is None
    assert services.read_citizen("k", "", 600) is None


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_a_stale_form_asks_again_instead_of_failing(client, family):
    response = _lookup(client, family.hanh.code)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Trang đã mở quá lâu" in html
    assert 'name="csrf_token"' in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {"identifier": family.hanh.code, "birth_date": "05/03/1985", "csrf_token": token}
    assert client.post("/status", data=data).status_code == 302
