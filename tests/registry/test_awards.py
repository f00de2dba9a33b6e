"""Recognitions: approve (idempotent), snapshot, revoke, print, verify, authority."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.awards import services
from registry.errors import Conflict, OutOfScope, ValidationFailed
from registry.evaluation.services import evaluate_year
from registry.extensions import db
from registry.models import Assessment, AuditEntry, EvaluationResult, Recognition

YEAR = 2025
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


@pytest.fixture
def passing(world, make_citizen):
    """Two citizens of commune A who pass "Công dân học tập" in 2025, evaluated."""
    from registry.models import Activity, ActivityCategory

    people = [make_citizen("Đặng Thị Mỹ Hạnh", gender="F"), make_citizen("Lê Văn Đức")]
    categories = {c.code: c for c in db.session.scalars(select(ActivityCategory))}
    for person in people:
        for code, hours in (("self_study", 40), ("tthtcd", 30)):
            db.session.add(
                Activity(
                    citizen=person,
                    category=categories[code],
                    title="Học",
                    held_on=date(YEAR, 5, 1),
                    hours=hours,
                )
            )
        for month in (2, 3, 4):
            db.session.add(
                Activity(
                    citizen=person,
                    category=categories["online"],
                    title="MOOC",
                    held_on=date(YEAR, month, 1),
                    hours=2,
                )
            )
        for cid in ATTESTED:
            db.session.add(
                Assessment(
                    subject_type="citizen",
                    subject_id=person.id,
                    year=YEAR,
                    criterion_id=cid,
                    score=9,
                )
            )
    db.session.commit()
    evaluate_year(YEAR)
    db.session.commit()
    return people


def _decision():
    return services.parse_decision(DECISION, today=date(2026, 1, 10))


def _approve(actor, people):
    result_ids = [
        r.id for r in db.session.scalars(services.proposals_query(actor, YEAR, "citizen"))
    ]
    return services.approve(
        actor,
        YEAR,
        "citizen",
        result_ids,
        _decision(),
        public_base_url="https://khuyenhoc.example.vn",
    )


def test_proposals_then_approval_is_idempotent(world, passing):
    actor = world.users["xa_a"]
    plan = services.preview(actor, YEAR, "citizen", None)
    assert plan.by_title == {"Công dân học tập": 2}
    decision = _approve(actor, passing)
    db.session.commit()
    assert len(decision.recognitions) == 2
    assert db.session.scalars(services.proposals_query(actor, YEAR, "citizen")).all() == []
    with pytest.raises(ValidationFailed):
        _approve(actor, passing)
    assert db.session.scalar(select(func.count()).select_from(Recognition)) == 2
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "approve")) == 1


def test_other_commune_cannot_approve_or_see(world, passing):
    assert services.preview(world.users["xa_b"], YEAR, "citizen", None).result_ids == []
    viewer = services.preview(world.users["xem_a"], YEAR, "citizen", None)
    assert viewer.result_ids == []
    assert viewer.refused == 2


def test_district_official_may_approve_commune_titles(world, passing):
    commune = world.units["commune_a"]
    assert services.recogniser_unit("commune", commune).code == "344"
    assert services.recogniser_unit("citizen", world.units["village_a1"]).code == "12865"
    assert not services.can_approve(world.users["xa_a"], "commune", commune)
    assert services.can_approve(world.users["huyen"], "commune", commune)


def test_snapshot_survives_later_changes(world, passing):
    decision = _approve(world.users["xa_a"], passing)
    db.session.commit()
    recognition = decision.recognitions[0]
    before = services.certificate_data(recognition)
    person = db.session.get(type(passing[0]), recognition.subject_id)
    person.full_name = "Tên Đã Đổi"
    world.units["commune_a"].name = "Xã Mới Sáp Nhập"
    db.session.commit()
    after = services.certificate_data(recognition)
    assert after == before
    assert after.verify_url == f"https://khuyenhoc.example.vn/verify/{recognition.serial}"


def test_pdf_text_and_qr(world, passing, tmp_path):
    decision = _approve(world.users["xa_a"], passing)
    db.session.commit()
    recognition = next(r for r in decision.recognitions if "Hạnh" in r.snapshot)
    pdf = services.certificate_pdf(world.users["xa_a"], recognition)
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Đặng Thị Mỹ Hạnh" in text
    assert "Công dân học tập" in text
    assert "12/QĐ-UBND" in text
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "p")], check=True)
    image = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True
    ).stdout.strip()
    assert decoded == f"https://khuyenhoc.example.vn/verify/{recognition.serial}"
    assert recognition.pdf_sha256 is not None


def test_revoke_keeps_the_record_and_verifies_as_revoked(world, passing):
    decision = _approve(world.users["xa_a"], passing)
    db.session.commit()
    recognition = decision.recognitions[0]
    assert services.verify(recognition.serial).state == "valid"
    with pytest.raises(OutOfScope):
        services.revoke(world.users["xa_b"], recognition, "nhầm")
    with pytest.raises(ValidationFailed):
        services.revoke(world.users["xa_a"], recognition, "  ")
    services.revoke(world.users["xa_a"], recognition, "Kê khai không đúng")
    db.session.commit()
    checked = services.verify(recognition.serial.lower())
    assert checked.state == "revoked"
    assert checked.revoked_on is not None
    with pytest.raises(Conflict):
        services.revoke(world.users["xa_a"], recognition, "lần hai")
    assert services.verify("CDHT-2025-0000000000").state == "unknown"


def test_verification_shows_no_personal_data(world, passing):
    decision = _approve(world.users["xa_a"], passing)
    db.session.commit()
    shown = json.dumps(services.verify(decision.recognitions[0].serial).__dict__, default=str)
    assert "1980" not in shown  # no date of birth
    assert "CD" not in shown.replace("CDHT", "")  # no citizen code


def test_serials_are_unique_and_unguessable(world, passing):
    decision = _approve(world.users["xa_a"], passing)
    serials = [r.serial for r in decision.recognitions]
    assert len(set(serials)) == len(serials)
    assert all(s.startswith("CDHT-2025-") and len(s) == len("CDHT-2025-") + 10 for s in serials)


def test_certificates_cli_writes_one_pdf(world, passing, runner, tmp_path):
    _approve(world.users["xa_a"], passing)
    db.session.commit()
    out = tmp_path / "xa.pdf"
    result = runner.invoke(
        args=["certificates", "--year", str(YEAR), "--unit", "12865", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", pages, re.MULTILINE)
    empty = runner.invoke(
        args=["certificates", "--year", "2024", "--unit", "12865", "--out", str(out)]
    )
    assert empty.exit_code != 0
    assert "không có giấy công nhận" in empty.output


def test_decision_document(world, passing, tmp_path):
    decision = _approve(world.users["xa_a"], passing)
    data = services.decision_data(decision)
    assert len(data.recipients) == 2
    assert data.number == "12/QĐ-UBND"


def test_bad_decision_input_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        services.parse_decision(
            {**DECISION, "decided_on": "32/12/2025", "number": ""}, today=date(2026, 1, 1)
        )
    assert set(caught.value.field_errors) == {"decided_on", "number"}


def test_evaluation_result_is_not_touched_by_approval(world, passing):
    before = db.session.scalar(select(func.count()).select_from(EvaluationResult))
    _approve(world.users["xa_a"], passing)
    assert db.session.scalar(select(func.count()).select_from(EvaluationResult)) == before
