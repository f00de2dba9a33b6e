"""Recognition pages: proposals, approval with confirmation, register, PDFs, revocation, scope."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.awards import services
from registry.extensions import db
from registry.models import AuditEntry, Decision, EvaluationResult, Job, Recognition

YEAR = 2025
DECISION = {
    "number": "12/QĐ-UBND",
    "decided_on": "15/12/2025",
    "issuer_name": "Ủy ban nhân dân xã Tân Hòa",
    "issuer_short": "ỦY BAN NHÂN DÂN\r\nXÃ TÂN HÒA",
    "place_name": "Tân Hòa",
    "signer_title": "TM. ỦY BAN NHÂN DÂN\r\nCHỦ TỊCH",
    "signer_name": "Trần Đức Mỹ",
}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JOBS_SYNCHRONOUS": True}


def _result(citizen, passed=True, total=82.5):
    row = EvaluationResult(
        year=YEAR,
        subject_type="citizen",
        subject_id=citizen.id,
        unit_id=citizen.village_id,
        set_id="cong-dan-hoc-tap",
        set_version=1,
        total=total,
        passed=passed,
        level=None,
        points="",
    )
    db.session.add(row)
    return row


@pytest.fixture
def results(make_citizen):
    """Stored 2025 results: two passing citizens of commune A, one failing, one passing in B."""
    rows = {
        "hanh": _result(make_citizen("Đặng Thị Mỹ Hạnh", gender="F")),
        "duc": _result(make_citizen("Lê Văn Đức")),
        "failed": _result(make_citizen("Phạm Văn Trượt"), passed=False, total=40),
        "b": _result(make_citizen("Ngô Thị Bình", village="village_b1", gender="F")),
    }
    db.session.commit()
    return rows


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _confirm(client, selection, **changes):
    data = {**DECISION, "year": YEAR, "kind": "citizen", "selection": selection, **changes}
    return client.post("/awards/approve/confirm", data=data)


@pytest.fixture
def approved(world, results):
    """Commune A's two passing citizens approved under decision 12/QĐ-UBND."""
    particulars = services.parse_decision(DECISION, today=date(2026, 1, 10))
    ids = [results["hanh"].id, results["duc"].id]
    decision = services.approve(
        world.users["xa_a"],
        YEAR,
        "citizen",
        ids,
        particulars,
        public_base_url="https://khuyenhoc.example.vn",
    )
    db.session.commit()
    return decision


def _hanh(decision):
    return next(r for r in decision.recognitions if "Hạnh" in r.snapshot)


def test_proposals_list_passing_subjects_in_scope_only(login, results):
    page = login("xa_a").get(f"/awards/proposals?year={YEAR}&kind=citizen")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Đặng Thị Mỹ Hạnh" in html
    assert "Lê Văn Đức" in html
    assert "Phạm Văn Trượt" not in html  # did not pass
    assert "Ngô Thị Bình" not in html  # another commune
    assert f"/evaluation/citizen/{results['hanh'].subject_id}?year={YEAR}" in html
    assert "Công nhận các mục đã chọn" in html
    assert "Công nhận tất cả" in html
    other = login("xa_b").get(f"/awards/proposals?year={YEAR}").get_data(as_text=True)
    assert "Ngô Thị Bình" in other
    assert "Hạnh" not in other


def test_viewer_sees_proposals_without_approval_buttons(login, results):
    html = login("xem_a").get(f"/awards/proposals?year={YEAR}").get_data(as_text=True)
    assert "Đặng Thị Mỹ Hạnh" in html
    assert "Công nhận tất cả" not in html


def test_approve_selected_confirms_then_creates_once(login, results):
    client = login("xa_a")
    chosen = results["hanh"].id
    page = client.post(
        "/awards/approve",
        data={"year": YEAR, "kind": "citizen", "ids": [str(chosen)], "action": "selected"},
    )
    html = page.get_data(as_text=True)
    assert "Quyết định của Xã Tân Hòa sẽ cấp 1 giấy công nhận" in html
    assert "Công dân học tập</strong>: 1" in html
    assert "Ủy ban nhân dân xã Tân Hòa" in html  # pre-filled from the user's commune
    assert "ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA" in html
    assert _count(Recognition) == 0  # nothing saved by the confirmation page

    done = _confirm(client, str(chosen))
    decision = db.session.scalar(select(Decision))
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/awards/decisions/{decision.id}")
    assert _count(Recognition) == 1
    snapshot = json.loads(db.session.scalar(select(Recognition.snapshot)))
    assert snapshot["issuer_short"] == "ỦY BAN NHÂN DÂN\nXÃ TÂN HÒA"  # line breaks kept
    listed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đặng Thị Mỹ Hạnh" in listed
    assert "Đã công nhận 1 đối tượng" in listed

    again = client.post(
        "/awards/approve",
        data={"year": YEAR, "kind": "citizen", "ids": [str(chosen)], "action": "selected"},
    ).get_data(as_text=True)
    assert "Không còn đối tượng nào cần công nhận" in again
    repeated = _confirm(client, str(chosen), number="13/QĐ-UBND").get_data(as_text=True)
    assert "Không có đối tượng nào đủ điều kiện" in repeated
    assert _count(Recognition) == 1
    assert _count(Decision) == 1


def test_approve_all_counts_every_proposal(login, results):
    client = login("xa_a")
    html = client.post(
        "/awards/approve", data={"year": YEAR, "kind": "citizen", "action": "all"}
    ).get_data(as_text=True)
    assert "Quyết định của Xã Tân Hòa sẽ cấp 2 giấy công nhận" in html
    assert _confirm(client, "all").status_code == 302
    assert _count(Recognition) == 2
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "approve")) == 1


def test_nothing_selected_goes_back(login, results):
    response = login("xa_a").post(
        "/awards/approve", data={"year": YEAR, "kind": "citizen", "action": "selected"}
    )
    assert response.status_code == 302
    assert "/awards/proposals" in response.headers["Location"]


def test_district_approval_shows_refused_count(login, results, world):
    # a commune is recognised by the district: the commune's own staff are refused
    db.session.add(
        EvaluationResult(
            year=YEAR,
            subject_type="commune",
            subject_id=world.units["commune_a"].id,
            unit_id=world.units["commune_a"].id,
            set_id="cong-dong-hoc-tap-xa",
            set_version=1,
            total=90,
            passed=True,
            points="",
        )
    )
    db.session.commit()
    html = (
        login("xa_a")
        .post("/awards/approve", data={"year": YEAR, "kind": "commune", "action": "all"})
        .get_data(as_text=True)
    )
    assert "1 đối tượng trong lựa chọn không thuộc thẩm quyền" in html
    assert "sẽ cấp" not in html


def test_one_decision_per_issuing_unit(login, results):
    client = login("huyen")  # passing citizens in communes A and B: two issuing communes
    html = client.post(
        "/awards/approve", data={"year": YEAR, "kind": "citizen", "action": "all"}
    ).get_data(as_text=True)
    assert "thuộc 2 đơn vị công nhận khác nhau" in html
    assert "/awards/proposals?year=2025&amp;kind=citizen&amp;unit=12868" in html
    assert 'name="number"' not in html  # no decision form
    refused = _confirm(client, "all").get_data(as_text=True)
    assert "mỗi quyết định chỉ do một đơn vị ban hành" in refused
    assert _count(Recognition) == 0
    only_b = client.post(
        "/awards/approve", data={"year": YEAR, "kind": "citizen", "unit": "12868", "action": "all"}
    ).get_data(as_text=True)
    assert "Quyết định của Xã Song An sẽ cấp 1 giấy công nhận" in only_b
    assert "Ủy ban nhân dân xã Song An" in only_b


def test_invalid_decision_shows_field_errors_and_saves_nothing(login, results):
    client = login("xa_a")
    page = _confirm(client, "all", number="", decided_on="32/13/2025", signer_name=" ")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Trường này là bắt buộc." in html
    assert "Dữ liệu nhập chưa hợp lệ" in html
    assert 'id="decided_on-err"' in html
    assert _count(Recognition) == 0
    assert _count(Decision) == 0
    future = _confirm(client, "all", decided_on="01/01/2099").get_data(as_text=True)
    assert "Ngày quyết định không được ở tương lai." in future
    assert _count(Decision) == 0


def test_reused_decision_number_is_refused(login, results):
    client = login("xa_a")
    assert _confirm(client, str(results["hanh"].id)).status_code == 302
    html = _confirm(client, str(results["duc"].id)).get_data(as_text=True)
    assert "Số quyết định đã tồn tại." in html
    assert _count(Recognition) == 1


def test_register_lists_and_searches_without_accents(login, approved):
    client = login("xa_a")
    html = client.get(f"/awards/?year={YEAR}").get_data(as_text=True)
    assert "Đặng Thị Mỹ Hạnh" in html
    assert "Lê Văn Đức" in html
    assert "Còn hiệu lực" in html
    assert "12/QĐ-UBND" in html
    found = client.get("/awards/?q=my+hanh").get_data(as_text=True)
    assert "Đặng Thị Mỹ Hạnh" in found
    assert "Lê Văn Đức" not in found
    assert "Ngô Thị Bình" not in client.get("/awards/?kind=citizen").get_data(as_text=True)


def test_detail_shows_frozen_content(login, approved):
    recognition = _hanh(approved)
    html = login("xa_a").get(f"/awards/{recognition.id}").get_data(as_text=True)
    assert recognition.serial in html
    assert "Công dân học tập" in html
    assert "bà Đặng Thị Mỹ Hạnh" in html
    assert f"https://khuyenhoc.example.vn/verify/{recognition.serial}" in html
    assert f"/awards/decisions/{approved.id}" in html
    assert "Cán bộ xa_a" in html  # approved by


def test_revoke_flow_asks_for_a_reason(login, approved):
    recognition = _hanh(approved)
    client = login("xa_a")
    form = client.get(f"/awards/{recognition.id}/revoke").get_data(as_text=True)
    assert "Lý do thu hồi" in form
    assert recognition.serial in form
    empty = client.post(f"/awards/{recognition.id}/revoke", data={"reason": "  "})
    assert "Trường này là bắt buộc." in empty.get_data(as_text=True)
    assert db.session.get(Recognition, recognition.id).revoked_at is None
    done = client.post(f"/awards/{recognition.id}/revoke", data={"reason": "Kê khai sai"})
    assert done.status_code == 302
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã thu hồi" in html
    assert "Kê khai sai" in html
    assert services.verify(recognition.serial).state == "revoked"
    assert client.get(f"/awards/{recognition.id}/certificate.pdf").status_code == 409
    again = client.get(f"/awards/{recognition.id}/revoke", follow_redirects=True)
    assert "đã bị thu hồi trước đó" in again.get_data(as_text=True)


def test_certificate_pdf_download_is_audited(login, approved):
    recognition = _hanh(approved)
    response = login("xem_a").get(f"/awards/{recognition.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline")
    assert f"{recognition.serial}.pdf" in disposition
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "print")) == 1


def test_decision_pdf(login, approved):
    response = login("xa_a").get(f"/awards/decisions/{approved.id}.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "quyet-dinh-12-qd-ubnd-2025.pdf" in response.headers["Content-Disposition"]


def test_batch_print_runs_as_a_job_and_downloads(login, approved):
    client = login("xa_a")
    response = client.post("/awards/print", data={"year": YEAR, "unit": "12865"})
    job = db.session.scalar(select(Job))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert job.status == "done", job.message
    try:
        download = client.get(f"/jobs/{job.id}/download")
        assert download.status_code == 200
        assert download.data.startswith(b"%PDF-")
        download.close()  # send_file keeps the file open until the response is closed
    finally:
        Path(job.result_path).unlink(missing_ok=True)


def test_batch_print_of_an_empty_year_says_so(login, approved):
    response = login("xa_a").post(
        "/awards/print", data={"year": "2024", "unit": "12865"}, follow_redirects=True
    )
    assert "không có giấy công nhận nào" in response.get_data(as_text=True)
    assert _count(Job) == 0


SCOPE = [
    # (user, method, url, expected status)
    ("xa_b", "GET", "/awards/{rid}", 404),
    ("xa_b", "GET", "/awards/{rid}/certificate.pdf", 404),
    ("xa_b", "GET", "/awards/{rid}/revoke", 404),
    ("xa_b", "POST", "/awards/{rid}/revoke", 404),
    ("xa_b", "GET", "/awards/decisions/{did}", 404),
    ("xa_b", "GET", "/awards/decisions/{did}.pdf", 404),
    ("xa_b", "POST", "/awards/print", 403),
    ("xa_b", "GET", "/awards/proposals?unit=12865", 403),
    ("xa_b", "GET", "/awards/?unit=12865", 403),
    ("xem_a", "GET", "/awards/{rid}", 200),
    ("xem_a", "GET", "/awards/decisions/{did}", 200),
    ("xem_a", "GET", "/awards/proposals", 200),
    ("xem_a", "POST", "/awards/approve", 403),
    ("xem_a", "POST", "/awards/approve/confirm", 403),
    ("xem_a", "GET", "/awards/{rid}/revoke", 403),
    ("xem_a", "POST", "/awards/{rid}/revoke", 403),
    ("xem_a", "POST", "/awards/print", 403),
    ("huyen", "GET", "/awards/{rid}", 200),
    ("huyen", "GET", "/awards/{rid}/revoke", 200),
    ("huyen", "GET", "/awards/decisions/{did}", 200),
    ("huyen", "POST", "/awards/print", 302),
    ("xa_a", "GET", "/awards/proposals?kind=nonsense", 404),
]


@pytest.mark.parametrize(("user", "method", "url", "expected"), SCOPE)
def test_scope(login, approved, user, method, url, expected):
    rid = approved.recognitions[0].id
    target = url.format(rid=rid, did=approved.id)
    data = {"year": YEAR, "unit": "12865", "reason": "thử", "kind": "citizen", "action": "all"}
    client = login(user)
    response = client.get(target) if method == "GET" else client.post(target, data=data)
    assert response.status_code == expected
    assert db.session.get(Recognition, rid).revoked_at is None
    job = db.session.scalar(select(Job))
    if job is not None and job.result_path:
        Path(job.result_path).unlink(missing_ok=True)


def test_other_commune_cannot_approve_by_posting_ids(login, results):
    client = login("xa_b")
    html = _confirm(client, str(results["hanh"].id)).get_data(as_text=True)
    assert "Không có đối tượng nào đủ điều kiện" in html
    assert _count(Recognition) == 0


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/awards/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
