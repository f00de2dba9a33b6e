"""Committee assessments of attested criteria, entered by staff per subject and year."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from criteria import AttestedParams, CriteriaSet, Criterion
from registry import audit
from registry.auth.services import require_edit
from registry.evaluation.services import refresh_if_evaluated
from registry.evaluation.sets import all_sets, applicable
from registry.evaluation.subjects import Subject
from registry.extensions import db
from registry.models import Assessment, User
from registry.people_input import FieldErrors, optional_text


@dataclass(frozen=True)
class AssessmentInput:
    """One attested criterion as entered: a score or a yes/no, with the evidence."""

    criterion: Criterion
    current: Assessment | None


def attested_criteria(
    subject: Subject, year: int
) -> tuple[CriteriaSet | None, list[AssessmentInput]]:
    """The applicable set and its attested criteria with what was entered so far."""
    cset = applicable(all_sets(), subject.kind, year, subject.unit)
    if cset is None:
        return None, []
    entered = {
        a.criterion_id: a
        for a in db.session.scalars(
            select(Assessment).where(
                Assessment.subject_type == subject.kind,
                Assessment.subject_id == subject.id,
                Assessment.year == year,
            )
        )
    }
    return cset, [
        AssessmentInput(c, entered.get(c.id))
        for c in cset.criteria
        if isinstance(c.params, AttestedParams)
    ]


def _parse_value(c: Criterion, raw: Any, errors: FieldErrors) -> tuple[float | None, bool | None]:
    params = c.params
    if not isinstance(params, AttestedParams):  # pragma: no cover - filtered by the caller
        return None, None
    text = "" if raw is None else str(raw).strip()
    if text == "":
        return None, None
    if params.scale == "yes_no":
        if text.lower() in {"1", "true", "yes", "co", "có", "dat", "đạt"}:
            return None, True
        if text.lower() in {"0", "false", "no", "khong", "không"}:
            return None, False
        errors.add(c.id, "Chọn Có hoặc Không.")
        return None, None
    try:
        score = float(text.replace(",", "."))
    except ValueError:
        errors.add(c.id, "Điểm phải là một số.")
        return None, None
    if not 0 <= score <= c.points:
        errors.add(c.id, f"Điểm phải từ 0 đến {c.points:g}.")
        return None, None
    return score, None


def save_assessments(actor: User, subject: Subject, year: int, data: Mapping[str, Any]) -> int:
    """Store the entered scores (``data[criterion_id]``, ``data[criterion_id + ':evidence']``).

    All values are validated first; nothing is saved if one is wrong. An empty value removes
    a previous assessment. Re-evaluates the subject and its ancestors when the year has results.
    Returns how many assessments changed.
    """
    require_edit(actor, subject.unit)
    _cset, inputs = attested_criteria(subject, year)
    errors = FieldErrors()
    parsed = {}
    for item in inputs:
        c = item.criterion
        score, yes = _parse_value(c, data.get(c.id), errors)
        evidence = errors.check(
            f"{c.id}:evidence", optional_text(2000), data.get(f"{c.id}:evidence")
        )
        parsed[c.id] = (score, yes, evidence or "")
    errors.raise_if_any()
    changed = sum(_store(actor, subject, year, item, *parsed[item.criterion.id]) for item in inputs)
    if changed:
        refresh_if_evaluated([year], {subject.kind: {subject.id}})
    return changed


def _store(
    actor: User,
    subject: Subject,
    year: int,
    item: AssessmentInput,
    score: float | None,
    yes: bool | None,
    evidence: str,
) -> int:
    current = item.current
    if score is None and yes is None:
        if current is None:
            return 0
        audit.record(
            actor, "delete", current, unit_id=subject.unit.id, changes=audit.snapshot(current)
        )
        db.session.delete(current)
        return 1
    if current is not None and (current.score, current.yes, current.evidence) == (
        score,
        yes,
        evidence,
    ):
        return 0
    row = current or Assessment(
        subject_type=subject.kind, subject_id=subject.id, year=year, criterion_id=item.criterion.id
    )
    before = audit.snapshot(row) if current is not None else {}
    row.score, row.yes, row.evidence, row.entered_by_id = score, yes, evidence, actor.id
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "update" if current is not None else "create",
        row,
        unit_id=subject.unit.id,
        changes=audit.diff(before, row) if current is not None else audit.snapshot(row),
        summary=f"{subject.name}: {item.criterion.title}",
    )
    return 1
