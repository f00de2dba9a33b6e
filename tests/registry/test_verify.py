"""Public verification of a certificate: valid, revoked, unknown, no personal data, limits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from registry.awards import services
from registry.extensions import db
from registry.models import EvaluationResult

YEAR = 2025
DECISION = {
    "number": "12/QĐ-UBND",
    "decided_on": "15/12/2025",
    "issuer_name": "Ủy ban nhân dân xã Tân Hòa",
    "issuer_short": "ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA",
    "place_name": "Tân Hòa",
    "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
    "signer_name": "Trần Đức Mỹ",
}
VALID = "Giấy công nhận hợp lệ"


@pytest.fixture
def app_config(app_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """Let a test override settings with ``@pytest.mark.parametrize("app_config", [{...}])``."""
    return {**app_config, **getattr(request, "param", {})}


@pytest.fixture
def citizen(make_citizen):
    return make_citizen(
        "Đặng Thị Mỹ Hạnh", gender="F", birth_date=date(1984, 3, 9), cccd="034184001234"
    )


@pytest.fixture
def recognition(world, citizen):
    """The citizen recognised "Công dân học tập" 2025 by commune A."""
    db.session.add(
        EvaluationResult(
            year=YEAR,
            subject_type="citizen",
            subject_id=citizen.id,
            unit_id=citizen.village_id,
            set_id="cong-dan-hoc-tap",
            set_version=1,
            total=85,
            passed=True,
            points="",
        )
    )
    db.session.commit()
    actor = world.users["xa_a"]
    result_ids = [
        r.id for r in db.session.scalars(services.proposals_query(actor, YEAR, "citizen"))
    ]
    decision = services.approve(
        actor,
        YEAR,
        "citizen",
        result_ids,
        services.parse_decision(DECISION, today=date(2026, 1, 10)),
        public_base_url="https://khuyenhoc.example.vn",
    )
    db.session.commit()
    return decision.recognitions[0]


def _assert_no_personal_data(html: str, citizen) -> None:
    assert citizen.code not in html
    assert "034184001234" not in html
    for birth in ("09/03/1984", "9/3/1984", "1984-03-09", "1984"):
        assert birth not in html


def test_valid_certificate_without_login(client, recognition, citizen):
    response = client.get(f"/verify/{recognition.serial}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert VALID in html
    assert "Công dân học tập" in html
    assert "bà Đặng Thị Mỹ Hạnh" in html
    assert "12/QĐ-UBND ngày 15/12/2025" in html
    assert response.headers["Cache-Control"] == "no-store"
    _assert_no_personal_data(html, citizen)


def test_serial_is_found_whatever_the_case(client, recognition):
    assert VALID in client.get(f"/verify/{recognition.serial.lower()}").get_data(as_text=True)


def test_revoked_certificate_says_so_with_the_date(client, recognition, citizen, world):
    services.revoke(world.users["xa_a"], recognition, "Kê khai không đúng")
    db.session.commit()
    response = client.get(f"/verify/{recognition.serial}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Giấy công nhận đã bị thu hồi" in html
    assert recognition.revoked_at.strftime("%d/%m/%Y") in html
    assert "hợp lệ" not in html
    assert "Kê khai không đúng" not in html  # the reason is internal
    _assert_no_personal_data(html, citizen)


def test_unknown_serial(client, recognition):
    response = client.get("/verify/CDHT-2025-0000000000")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Không tìm thấy giấy công nhận" in html
    assert "hợp lệ" not in html
    assert "Đặng Thị Mỹ Hạnh" not in html


def test_lookup_form_redirects_to_the_serial(client, world):
    form = client.get("/verify")
    assert form.status_code == 200
    assert 'name="serial"' in form.get_data(as_text=True)
    response = client.get("/verify?serial=+cdht-2025-abc+")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/verify/CDHT-2025-ABC")
    empty = client.get("/verify?serial=").get_data(as_text=True)
    assert "Vui lòng nhập số hiệu" in empty


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "PUBLIC_RATE_LIMIT": "3 per minute"}], indirect=True
)
def test_verification_is_rate_limited(client, recognition):
    codes = [client.get(f"/verify/{recognition.serial}").status_code for _unused in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/verify/CDHT-2025-0000000000").status_code == 429


def _down(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("SELECT …", {}, Exception("could not connect to server"))


@pytest.mark.parametrize("target", ["service", "session"])
def test_database_failure_is_never_valid(client, recognition, monkeypatch, target):
    if target == "service":
        monkeypatch.setattr(services, "verify", _down)
    else:
        monkeypatch.setattr(db.session, "scalar", _down)
    response = client.get(f"/verify/{recognition.serial}")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Không thể kiểm tra lúc này" in html
    assert "hợp lệ" not in html
    assert "Đặng Thị Mỹ Hạnh" not in html
