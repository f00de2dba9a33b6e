"""Approve, revoke and print recognitions. The only place that joins evaluation results,
the recognising authority and the certificate renderer.

Nothing is issued without an explicit approval; approving again does not duplicate (one
recognition per subject, title and year); the certificate's content is frozen at approval.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select

import certificates
from registry import audit, vn
from registry.auth.services import in_scope, scope_filter
from registry.awards.names import recipients
from registry.errors import Conflict, NotFound, OutOfScope, ValidationFailed
from registry.evaluation.sets import all_sets
from registry.extensions import db
from registry.models import AdminUnit, Decision, EvaluationResult, Recognition, Role, User
from registry.models._mixins import utcnow
from registry.people_input import FieldErrors, parse_date, required_text
from registry.units.services import subtree_ids

# which level recognises each title (configuration: AWARDS_RECOGNISER overrides it)
DEFAULT_RECOGNISER = {
    "citizen": "commune",
    "household": "commune",
    "clan": "commune",
    "organisation": "commune",
    "village": "commune",
    "commune": "district",
    "district": "province",
    "province": "province",
}
DEPTH = {"province": 0, "district": 1, "commune": 2, "village": 3}


def recogniser_unit(
    kind: str, home: AdminUnit, config: Mapping[str, str] | None = None
) -> AdminUnit:
    """The unit whose officials recognise a subject of ``kind`` living in ``home``.

    The first ancestor (or ``home`` itself) at the configured level; where that level does
    not exist (no district since the 2025 reform) the nearest unit above it.
    """
    level = (config or DEFAULT_RECOGNISER).get(kind, "commune")
    chain = home.ancestors()
    if kind in DEPTH and kind != "province":
        chain = chain[1:]  # an area unit is recognised by a unit above it
    for unit in chain:
        if DEPTH[unit.level.value] <= DEPTH[level]:
            return unit
    return chain[-1] if chain else home


def can_approve(
    actor: User, kind: str, home: AdminUnit, config: Mapping[str, str] | None = None
) -> bool:
    """Officials of the recognising unit (or above it) who may edit; admins always."""
    if actor.role is Role.admin:
        return True
    return actor.can_edit and in_scope(actor, recogniser_unit(kind, home, config))


def title_of(set_id: str) -> str:
    """The title's name ("Gia đình học tập") from the loaded criteria sets."""
    return next((s.title for s in all_sets() if s.id == set_id), set_id)


# --- proposals ----------------------------------------------------------------------------------


def proposals_query(
    actor: User, year: int, kind: str, unit: AdminUnit | None = None
) -> Select[Any]:
    """Results that pass, in the actor's scope, not yet recognised."""
    already = select(Recognition.id).where(
        Recognition.subject_type == EvaluationResult.subject_type,
        Recognition.subject_id == EvaluationResult.subject_id,
        Recognition.year == EvaluationResult.year,
        Recognition.set_id == EvaluationResult.set_id,
    )
    stmt = select(EvaluationResult).where(
        EvaluationResult.year == year,
        EvaluationResult.subject_type == kind,
        EvaluationResult.passed.is_(True),
        scope_filter(actor, EvaluationResult.unit_id),
        ~already.exists(),
    )
    if unit is not None:
        stmt = stmt.where(EvaluationResult.unit_id.in_(subtree_ids(unit.id)))
    return stmt.order_by(EvaluationResult.unit_id, EvaluationResult.subject_id)


@dataclass(frozen=True)
class ApprovalPreview:
    """What an approval would create: counts by title, and the results it covers.

    ``issuers`` counts the results by the unit that would recognise them; one decision is
    issued by one unit, so a selection with several issuers must be split (filter by unit).
    """

    by_title: dict[str, int]
    result_ids: list[int]
    refused: int
    issuers: dict[AdminUnit, int] = field(default_factory=dict)


def preview(
    actor: User,
    year: int,
    kind: str,
    result_ids: Sequence[int] | None,
    unit: AdminUnit | None = None,
) -> ApprovalPreview:
    """Count what approving ``result_ids`` (all proposals, of ``unit`` if given, when None)
    would create."""
    stmt = proposals_query(actor, year, kind, unit)
    if result_ids is not None:
        stmt = stmt.where(EvaluationResult.id.in_(list(result_ids)))
    results = db.session.scalars(stmt).all()
    units = {
        u.id: u
        for u in db.session.scalars(
            select(AdminUnit).where(AdminUnit.id.in_({r.unit_id for r in results}))
        )
    }
    allowed = [r for r in results if can_approve(actor, kind, units[r.unit_id])]
    counts = Counter(title_of(r.set_id) for r in allowed)
    issuer_of = {unit_id: recogniser_unit(kind, home) for unit_id, home in units.items()}
    issuers = Counter(issuer_of[r.unit_id] for r in allowed)
    return ApprovalPreview(
        dict(counts), [r.id for r in allowed], len(results) - len(allowed), dict(issuers)
    )


# --- approval -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    """The decision's particulars, validated."""

    number: str
    decided_on: date
    issuer_name: str
    issuer_short: str
    place_name: str
    signer_title: str
    signer_name: str


def parse_decision(data: Mapping[str, Any], today: date) -> DecisionInput:
    """Validate the decision form (number, date dd/mm/yyyy, issuer, place, signer)."""
    errors = FieldErrors()
    values = {
        "number": errors.check("number", required_text(60), data.get("number")),
        "decided_on": errors.check("decided_on", parse_date, data.get("decided_on")),
        "issuer_name": errors.check("issuer_name", required_text(200), data.get("issuer_name")),
        "issuer_short": errors.check("issuer_short", _lines(200), data.get("issuer_short")),
        "place_name": errors.check("place_name", required_text(100), data.get("place_name")),
        "signer_title": errors.check("signer_title", _lines(200), data.get("signer_title")),
        "signer_name": errors.check("signer_name", required_text(120), data.get("signer_name")),
    }
    if values["decided_on"] is not None and values["decided_on"] > today:
        errors.add("decided_on", "Ngày quyết định không được ở tương lai.")
    errors.raise_if_any()
    return DecisionInput(**values)


def _lines(max_length: int) -> Callable[[Any], str]:
    """Like ``required_text`` but keeping line breaks (headings printed on several lines)."""
    one_line = required_text(max_length)

    def parse(value: Any) -> str:
        text = value if isinstance(value, str) else ""
        lines = [line for line in (vn.nfc(raw) for raw in text.splitlines()) if line]
        one_line(" ".join(lines))  # raises when empty or too long
        return "\n".join(lines)

    return parse


def last_decision(unit: AdminUnit) -> Decision | None:
    """The unit's most recent decision (its issuer and signer are the next one's defaults)."""
    return db.session.scalar(
        select(Decision)
        .where(Decision.unit_id == unit.id)
        .order_by(Decision.decided_on.desc(), Decision.id.desc())
        .limit(1)
    )


def new_serial(set_id: str, year: int) -> str:
    """An unguessable serial such as ``GDHT-2025-7E1E2FEB89`` (initials of the title)."""
    initials = "".join(part[0] for part in set_id.split("-") if part).upper()
    return f"{initials}-{year}-{secrets.token_hex(5).upper()}"


def new_serials(set_id: str, year: int, count: int) -> list[str]:
    """``count`` new serials, distinct from each other and from every serial already issued.

    40 random bits are unguessable but not collision-free at our scale: a province issues
    about a million citizen certificates a year, and among a million random serials two
    are equal with a probability of about one in three. A repeat would abort the whole
    approval on the unique constraint, so repeats are drawn again here.
    """
    chosen: set[str] = set()
    while len(chosen) < count:
        fresh = {new_serial(set_id, year) for _ in range(count - len(chosen))} - chosen
        listed = sorted(fresh)
        for start in range(0, len(listed), 1000):  # bounded IN lists (SQLite's variable limit)
            chunk = listed[start : start + 1000]
            fresh -= set(
                db.session.scalars(select(Recognition.serial).where(Recognition.serial.in_(chunk)))
            )
        chosen |= fresh
    return sorted(chosen)


def approve(
    actor: User,
    year: int,
    kind: str,
    result_ids: Sequence[int],
    decision: DecisionInput,
    *,
    public_base_url: str,
) -> Decision:
    """Recognise the given passing results under one decision; existing ones are skipped.

    Every result must be a current, passing, not-yet-recognised proposal the actor may approve
    (else nothing is created). Certificate wording is snapshotted now.
    """
    plan = preview(actor, year, kind, result_ids)
    if not plan.result_ids:
        raise ValidationFailed(
            "Không có đối tượng nào đủ điều kiện để công nhận trong lựa chọn này."
        )
    if plan.refused:
        raise OutOfScope("Một số đối tượng không thuộc thẩm quyền công nhận của bạn.")
    if len(plan.issuers) > 1:
        raise ValidationFailed(
            "Các đối tượng đã chọn thuộc nhiều đơn vị công nhận khác nhau; mỗi quyết định chỉ do "
            "một đơn vị ban hành. Hãy lọc theo từng đơn vị rồi lập quyết định riêng."
        )
    results = db.session.scalars(
        select(EvaluationResult).where(EvaluationResult.id.in_(plan.result_ids))
    ).all()
    set_ids = {r.set_id for r in results}
    if len(set_ids) != 1:
        raise ValidationFailed("Mỗi quyết định chỉ công nhận một danh hiệu.")
    set_id = set_ids.pop()
    unit = recogniser_unit(kind, db.session.get(AdminUnit, results[0].unit_id))  # type: ignore[arg-type]
    if db.session.scalar(
        select(Decision.id).where(
            Decision.unit_id == unit.id, Decision.year == year, Decision.number == decision.number
        )
    ):
        raise Conflict(
            "Số quyết định này đã được dùng trong năm.", {"number": ["Số quyết định đã tồn tại."]}
        )
    record = Decision(
        unit_id=unit.id,
        year=year,
        set_id=set_id,
        title=title_of(set_id),
        created_by_id=actor.id,
        **decision.__dict__,
    )
    db.session.add(record)
    db.session.flush()
    names = recipients(kind, [r.subject_id for r in results])
    base = public_base_url.rstrip("/")
    for result, serial in zip(results, new_serials(set_id, year, len(results)), strict=True):
        snapshot = _snapshot(
            result, record, names[result.subject_id], f"{base}/verify/{serial}", serial
        )
        db.session.add(
            Recognition(
                serial=serial,
                decision_id=record.id,
                subject_type=kind,
                subject_id=result.subject_id,
                unit_id=result.unit_id,
                year=year,
                set_id=result.set_id,
                set_version=result.set_version,
                total=result.total,
                level=result.level,
                points=result.points,
                snapshot=json.dumps(snapshot, ensure_ascii=False),
                search_name=vn.fold(names[result.subject_id].name)[:200],
                approved_by_id=actor.id,
            )
        )
    db.session.flush()
    audit.record(
        actor,
        "approve",
        record,
        unit_id=unit.id,
        changes={"recognitions": len(results), "title": record.title, "year": year},
        summary=f"QĐ {record.number}: {len(results)} × {record.title} {year}",
    )
    return record


def _snapshot(
    result: EvaluationResult, decision: Decision, who: Any, verify_url: str, serial: str
) -> dict[str, Any]:
    return {
        "serial": serial,
        "verify_url": verify_url,
        "title": decision.title,
        "year": result.year,
        "recipient_label": who.label,
        "recipient_name": who.name,
        "address_line": who.address,
        "issuer_name": decision.issuer_name,
        "issuer_short": decision.issuer_short,
        "decision_number": decision.number,
        "decision_date": decision.decided_on.isoformat(),
        "place_name": decision.place_name,
        "signed_on": decision.decided_on.isoformat(),
        "signer_title": decision.signer_title,
        "signer_name": decision.signer_name,
        "level": result.level,
        "sort_key": who.sort_key,
    }


# --- revocation and lookup ------------------------------------------------------------------------


def get_recognition(actor: User, recognition_id: int) -> Recognition:
    """A recognition in the actor's scope (NotFound otherwise)."""
    found = db.session.get(Recognition, recognition_id)
    if found is None or not in_scope(actor, found.unit):
        raise NotFound("Không tìm thấy quyết định công nhận.")
    return found


def get_decision(actor: User, decision_id: int) -> Decision:
    """A decision issued by a unit in the actor's scope (NotFound otherwise)."""
    found = db.session.get(Decision, decision_id)
    if found is None or not in_scope(actor, found.unit):
        raise NotFound("Không tìm thấy quyết định công nhận.")
    return found


def revoke(actor: User, recognition: Recognition, reason: str) -> None:
    """Revoke a recognition with a reason; it stays in the register and verifies as revoked."""
    if not can_approve(actor, recognition.subject_type, recognition.unit):
        raise OutOfScope("Bạn không có thẩm quyền thu hồi công nhận này.")
    if recognition.revoked_at is not None:
        raise Conflict("Công nhận này đã bị thu hồi trước đó.")
    errors = FieldErrors()
    text = errors.check("reason", required_text(500), reason)
    errors.raise_if_any()
    recognition.revoked_at, recognition.revoked_by_id, recognition.revoke_reason = (
        utcnow(),
        actor.id,
        text,
    )
    db.session.flush()
    audit.record(
        actor,
        "revoke",
        recognition,
        unit_id=recognition.unit_id,
        changes={"reason": text},
        summary=recognition.serial,
    )


def recognitions_query(
    actor: User,
    year: int | None,
    unit: AdminUnit | None = None,
    kind: str | None = None,
    q: str = "",
) -> Select[Any]:
    """Recognitions in the actor's scope, newest decision first; ``q`` searches the recipient's
    name without accents."""
    stmt = select(Recognition).where(scope_filter(actor, Recognition.unit_id))
    for token in vn.search_tokens(q):
        stmt = stmt.where(Recognition.search_name.like(f"%{token}%"))
    if year is not None:
        stmt = stmt.where(Recognition.year == year)
    if unit is not None:
        stmt = stmt.where(Recognition.unit_id.in_(subtree_ids(unit.id)))
    if kind:
        stmt = stmt.where(Recognition.subject_type == kind)
    return stmt.order_by(
        Recognition.year.desc(), Recognition.set_id, Recognition.unit_id, Recognition.id
    )


# --- certificates ---------------------------------------------------------------------------------


def certificate_data(recognition: Recognition) -> certificates.CertificateData:
    """The frozen certificate content of a recognition."""
    data = json.loads(recognition.snapshot)
    data.pop("sort_key", None)
    return certificates.CertificateData(**data)


def certificate_pdf(actor: User | None, recognition: Recognition) -> bytes:
    """Render one certificate; the first print's hash is kept, every print is audited.

    :raises Conflict: the recognition was revoked (its certificate is no longer issued).
    """
    if recognition.revoked_at is not None:
        raise Conflict("Công nhận này đã bị thu hồi; không in lại giấy công nhận.")
    pdf = certificates.render_pdf("certificate", certificate_data(recognition))
    digest = hashlib.sha256(pdf).hexdigest()
    reprint = recognition.pdf_sha256 is not None
    if not reprint:
        recognition.pdf_sha256 = digest
    audit.record(
        actor,
        "reprint" if reprint else "print",
        recognition,
        unit_id=recognition.unit_id,
        summary=recognition.serial,
    )
    return pdf


def batch_items(unit: AdminUnit, year: int) -> list[certificates.CertificateData]:
    """Valid (not revoked) certificates of ``unit`` and below for ``year``, by title, then name."""
    rows = db.session.scalars(
        select(Recognition).where(
            Recognition.year == year,
            Recognition.revoked_at.is_(None),
            Recognition.unit_id.in_(subtree_ids(unit.id)),
        )
    ).all()
    ordered = sorted(
        rows, key=lambda r: (r.set_id, r.unit_id, json.loads(r.snapshot).get("sort_key", ""), r.id)
    )
    return [certificate_data(r) for r in ordered]


def decision_data(decision: Decision) -> certificates.DecisionData:
    """The decision document with its list of recipients."""
    rows = sorted(
        decision.recognitions, key=lambda r: (r.unit_id, json.loads(r.snapshot).get("sort_key", ""))
    )
    listed = []
    for r in rows:
        snap = json.loads(r.snapshot)
        listed.append((r.serial, snap["recipient_name"], snap.get("address_line") or ""))
    return certificates.DecisionData(
        issuer_name=decision.issuer_name,
        issuer_short=decision.issuer_short,
        number=decision.number,
        date=decision.decided_on,
        place_name=decision.place_name,
        title=decision.title,
        year=decision.year,
        legal_bases=(
            "Căn cứ Quyết định số 1373/QĐ-TTg ngày 30/7/2021 của Thủ tướng Chính phủ phê duyệt "
            "Đề án \u201cXây dựng xã hội học tập giai đoạn 2021 - 2030\u201d",
            f"Căn cứ kết quả đánh giá danh hiệu \u201c{decision.title}\u201d năm {decision.year}",
        ),
        recipients=listed,
        signer_title=decision.signer_title,
        signer_name=decision.signer_name,
    )


# --- public verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show: only what the certificate shows."""

    state: str  # "valid" | "revoked" | "unknown"
    title: str = ""
    year: int = 0
    recipient: str = ""
    unit: str = ""
    decision: str = ""
    revoked_on: date | None = None


def verify(serial: str) -> Verification:
    """Look a serial up (exact match; unknown serials reveal nothing)."""
    clean = serial.strip().upper()[:40]
    found = db.session.scalar(select(Recognition).where(Recognition.serial == clean))
    if found is None:
        return Verification("unknown")
    snap = json.loads(found.snapshot)
    return Verification(
        state="revoked" if found.revoked_at is not None else "valid",
        title=snap["title"],
        year=int(snap["year"]),
        recipient=f"{snap['recipient_label']} {snap['recipient_name']}",
        unit=snap.get("address_line") or "",
        decision=f"{snap['decision_number']} ngày "
        f"{vn.format_date_vn(date.fromisoformat(snap['decision_date']))} "
        f"của {snap['issuer_name']}",
        revoked_on=vn.local_date(found.revoked_at) if found.revoked_at else None,
    )


def counts_by_title(actor: User, year: int) -> dict[str, int]:
    """Recognitions (not revoked) per title in the actor's scope."""
    rows = db.session.execute(
        select(Recognition.set_id, func.count())
        .where(
            Recognition.year == year,
            Recognition.revoked_at.is_(None),
            scope_filter(actor, Recognition.unit_id),
        )
        .group_by(Recognition.set_id)
    ).all()
    return {title_of(set_id): int(n) for set_id, n in rows}
