"""Counts of results per title in a unit's subtree (one GROUP BY), for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, func, select

from registry.evaluation.sets import SUBJECT_ORDER
from registry.extensions import db
from registry.models import AdminUnit, EvaluationResult
from registry.units.services import subtree_ids


@dataclass(frozen=True)
class TitleCount:
    """How many subjects of one kind were evaluated under a unit, and how many passed."""

    kind: str
    set_id: str
    evaluated: int
    passed: int

    @property
    def share(self) -> float | None:
        return self.passed / self.evaluated if self.evaluated else None


def unit_summary(unit: AdminUnit, year: int) -> list[TitleCount]:
    """Per subject kind and title: evaluated and passed under ``unit`` (itself included)."""
    rows = db.session.execute(
        select(
            EvaluationResult.subject_type,
            EvaluationResult.set_id,
            func.count(),
            func.sum(EvaluationResult.passed.cast(Integer)),
        )
        .where(EvaluationResult.year == year, EvaluationResult.unit_id.in_(subtree_ids(unit.id)))
        .group_by(EvaluationResult.subject_type, EvaluationResult.set_id)
    ).all()
    counts = [TitleCount(kind, set_id, int(n), int(p or 0)) for kind, set_id, n, p in rows]
    return sorted(counts, key=lambda c: SUBJECT_ORDER.index(c.kind))


def child_results(unit: AdminUnit, year: int) -> list[tuple[AdminUnit, EvaluationResult | None]]:
    """The unit's children with their own result for ``year`` (None when not evaluated)."""
    children = db.session.scalars(
        select(AdminUnit).where(AdminUnit.parent_id == unit.id).order_by(AdminUnit.code)
    ).all()
    results = {
        r.subject_id: r
        for r in db.session.scalars(
            select(EvaluationResult).where(
                EvaluationResult.year == year,
                EvaluationResult.subject_id.in_([c.id for c in children]),
                EvaluationResult.subject_type.in_([c.level.value for c in children] or [""]),
            )
        )
    }
    return [(child, results.get(child.id)) for child in children]


def own_result(kind: str, subject_id: int, year: int) -> EvaluationResult | None:
    """The stored result of one subject."""
    return db.session.scalar(
        select(EvaluationResult).where(
            EvaluationResult.year == year,
            EvaluationResult.subject_type == kind,
            EvaluationResult.subject_id == subject_id,
        )
    )


def subject_results(kind: str, subject_id: int) -> list[EvaluationResult]:
    """Every stored result of one subject, newest year first."""
    return list(
        db.session.scalars(
            select(EvaluationResult)
            .where(EvaluationResult.subject_type == kind, EvaluationResult.subject_id == subject_id)
            .order_by(EvaluationResult.year.desc())
        )
    )
