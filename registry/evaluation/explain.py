"""One subject's evaluation, explained criterion by criterion.

The facts are gathered with the very same SQL as the bulk evaluation (restricted to this
subject), then scored by the pure engine, which also words the explanation. The stored
result and this recomputation must agree; tests check that they do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

import criteria
from criteria import (
    ActivityParams,
    Attested,
    AttestedParams,
    CriteriaSet,
    Fact,
    Outcome,
    RollupParams,
    Share,
)
from registry.evaluation.facts import Period
from registry.evaluation.services import build_source, cached_statement
from registry.evaluation.sets import all_sets, applicable
from registry.extensions import db
from registry.models import AdminUnit, Assessment, EvaluationResult


@dataclass(frozen=True)
class SubjectEvaluation:
    """A subject's outcome for a year, its explanation, and the stored result if any."""

    kind: str
    subject_id: int
    year: int
    criteria_set: CriteriaSet
    outcome: Outcome
    stored: EvaluationResult | None
    lines: tuple[str, ...]


def _evidence(kind: str, subject_id: int, year: int) -> dict[str, str]:
    rows = db.session.execute(
        select(Assessment.criterion_id, Assessment.evidence).where(
            Assessment.subject_type == kind,
            Assessment.subject_id == subject_id,
            Assessment.year == year,
        )
    ).all()
    return {str(cid): str(evidence) for cid, evidence in rows}


def _facts_statement(kind: str, cset: CriteriaSet, year: int) -> Any:
    """The evaluation's own fact sub-queries for one subject (``unit_ids``, ``only_ids``)."""
    return cached_statement(("facts", kind, cset, year), lambda: _build_facts(kind, cset, year))


def _build_facts(kind: str, cset: CriteriaSet, year: int) -> Any:
    unit_ids = bindparam("unit_ids", expanding=True)
    only_ids = bindparam("only_ids", expanding=True)
    subj, source, columns = build_source(kind, cset, Period(year), unit_ids, only_ids)
    labelled = []
    for cid, cols in columns.items():
        for name in ("value", "score", "yes", "numerator", "denominator"):
            expr = getattr(cols, name)
            if expr is not None:
                labelled.append(expr.label(f"{name}:{cid}"))
    return select(subj.c.subject_id, *labelled).select_from(source)


def gather_facts(
    kind: str, subject_id: int, year: int, unit: AdminUnit, cset: CriteriaSet
) -> dict[str, Fact] | None:
    """The raw facts of one subject (None when it is not evaluated that year, e.g. moved away)."""
    statement = _facts_statement(kind, cset, year)
    row = db.session.execute(statement, {"unit_ids": [unit.id], "only_ids": [subject_id]}).first()
    if row is None:
        return None
    raw = row._mapping
    evidence = _evidence(kind, subject_id, year)
    facts: dict[str, Fact] = {}
    for c in cset.criteria:
        if isinstance(c.params, ActivityParams):
            facts[c.id] = float(raw[f"value:{c.id}"] or 0)
        elif isinstance(c.params, AttestedParams):
            score, yes = raw[f"score:{c.id}"], raw[f"yes:{c.id}"]
            facts[c.id] = Attested(
                score=None if score is None else float(score),
                yes=None if yes is None else bool(yes),
                evidence=evidence.get(c.id, ""),
            )
        elif isinstance(c.params, RollupParams):
            facts[c.id] = Share(
                int(raw[f"numerator:{c.id}"] or 0), int(raw[f"denominator:{c.id}"] or 0)
            )
    return facts


def explain_subject(
    kind: str, subject_id: int, year: int, unit: AdminUnit, lang: str = "vi"
) -> SubjectEvaluation | None:
    """Evaluate and explain one subject living in ``unit``; None when no set applies."""
    sets = all_sets()
    cset = applicable(sets, kind, year, unit)
    if cset is None:
        return None
    facts = gather_facts(kind, subject_id, year, unit, cset)
    if facts is None:
        return None
    outcome = criteria.evaluate(cset, facts)
    stored = db.session.scalar(
        select(EvaluationResult).where(
            EvaluationResult.year == year,
            EvaluationResult.subject_type == kind,
            EvaluationResult.subject_id == subject_id,
        )
    )
    lines = tuple(criteria.explain(outcome, cset, lang))
    return SubjectEvaluation(kind, subject_id, year, cset, outcome, stored, lines)
