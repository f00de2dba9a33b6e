"""Evaluate a year: every level, set-based, bottom-up; and re-evaluate a few subjects at once.

The work per level is a bounded number of statements per applicable criteria set: one
``DELETE`` and one ``INSERT … SELECT`` whose SELECT joins the subjects to a few GROUP BY
sub-queries (activities, assessments, one per roll-up criterion) and scores them with the
compiled CASE expressions. No Python loop over citizens.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, literal, select, text

from criteria import CriteriaSet
from registry.evaluation.compile import FactColumns, as_bool, compile_set
from registry.evaluation.facts import Period, activity_facts, attested_facts, rollup_facts, subjects
from registry.evaluation.sets import AREA_SUBJECTS, SUBJECT_ORDER, all_sets, applicable
from registry.extensions import db
from registry.models import AdminUnit, EvaluationResult
from registry.models._mixins import utcnow

# where subjects of each kind live: citizens and households in villages, clans in communes or
# villages, organisations anywhere, area subjects are units of that level
HOME_LEVELS = {
    "citizen": ("village",),
    "household": ("village",),
    "clan": ("commune", "village"),
    "organisation": ("province", "district", "commune", "village"),
}


@dataclass
class LevelReport:
    """What one level's evaluation did."""

    kind: str
    set_keys: list[str] = field(default_factory=list)
    evaluated: int = 0
    passed: int = 0
    seconds: float = 0.0


@dataclass
class UnitTree:
    """Every administrative unit, loaded once (a province has a few thousand)."""

    by_id: dict[int, AdminUnit]
    children: dict[int | None, list[int]]

    @classmethod
    def load(cls) -> UnitTree:
        units = db.session.scalars(select(AdminUnit)).all()
        children: dict[int | None, list[int]] = defaultdict(list)
        for unit in units:
            children[unit.parent_id].append(unit.id)
        return cls({u.id: u for u in units}, children)

    def subtree(self, root_id: int) -> list[int]:
        out, stack = [], [root_id]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.children.get(node, ()))
        return out

    def ancestors(self, unit_id: int) -> list[int]:
        out: list[int] = []
        node = self.by_id[unit_id].parent_id
        while node is not None:
            out.append(node)
            node = self.by_id[node].parent_id
        return out


def _set_groups(
    kind: str, unit_ids: Iterable[int], tree: UnitTree, year: int, sets: tuple[CriteriaSet, ...]
) -> dict[CriteriaSet, list[int]]:
    """Home units grouped by the criteria set that applies to subjects living there."""
    levels = HOME_LEVELS.get(kind, (kind,))
    groups: dict[CriteriaSet, list[int]] = defaultdict(list)
    for unit_id in unit_ids:
        unit = tree.by_id[unit_id]
        if unit.level.value not in levels:
            continue
        cset = applicable(sets, kind, year, unit, tree.by_id)
        if cset is not None:
            groups[cset].append(unit_id)
    return groups


def build_source(
    kind: str, cset: CriteriaSet, period: Period, unit_ids: list[int], only_ids: list[int] | None
) -> tuple[Any, Any, dict[str, FactColumns]]:
    """The subjects joined to their fact sub-queries: ``(subjects, FROM clause, fact columns)``."""
    subj = subjects(kind, period, unit_ids, only_ids, citizen_min_age=cset.min_age).subquery("subj")
    subject_ids = select(subj.c.subject_id)
    parts = [attested_facts(cset, kind, period, subject_ids)]
    if kind == "citizen":
        parts.append(activity_facts(cset, period, subject_ids))
    parts.extend(rollup_facts(cset, kind, period, subject_ids))
    facts: dict[str, FactColumns] = {}
    source: Any = subj
    for sub, cols in parts:
        if sub is not None:
            source = source.outerjoin(sub, sub.c.subject_id == subj.c.subject_id)
            facts.update(cols)
    return subj, source, facts


def _evaluate_group(
    kind: str, cset: CriteriaSet, period: Period, unit_ids: list[int], only_ids: list[int] | None
) -> tuple[int, int]:
    """Score every subject of ``kind`` in ``unit_ids`` against ``cset`` and store the results."""
    subj, source, facts = build_source(kind, cset, period, unit_ids, only_ids)
    compiled = compile_set(cset, facts)
    scored = select(
        literal(period.year).label("year"),
        literal(kind).label("subject_type"),
        subj.c.subject_id,
        subj.c.unit_id,
        literal(cset.id).label("set_id"),
        literal(cset.version).label("set_version"),
        compiled.total.label("total"),
        as_bool(compiled.passed).label("passed"),
        compiled.level.label("level"),
        compiled.points_text.label("points"),
        literal(utcnow()).label("evaluated_at"),
    ).select_from(source)
    _delete_old(kind, period, unit_ids, only_ids)
    columns = [
        "year",
        "subject_type",
        "subject_id",
        "unit_id",
        "set_id",
        "set_version",
        "total",
        "passed",
        "level",
        "points",
        "evaluated_at",
    ]
    db.session.execute(insert(EvaluationResult).from_select(columns, scored))
    return _count(kind, period, unit_ids, only_ids)


def _scope(
    kind: str, period: Period, unit_ids: list[int], only_ids: list[int] | None
) -> ColumnElement[bool]:
    where = (EvaluationResult.year == period.year) & (EvaluationResult.subject_type == kind)
    if only_ids is not None:
        return where & EvaluationResult.subject_id.in_(only_ids)
    return where & EvaluationResult.unit_id.in_(unit_ids)


def _delete_old(kind: str, period: Period, unit_ids: list[int], only_ids: list[int] | None) -> None:
    db.session.execute(delete(EvaluationResult).where(_scope(kind, period, unit_ids, only_ids)))


def _count(
    kind: str, period: Period, unit_ids: list[int], only_ids: list[int] | None
) -> tuple[int, int]:
    row = db.session.execute(
        select(
            func.count(), func.coalesce(func.sum(EvaluationResult.passed.cast(db.Integer)), 0)
        ).where(_scope(kind, period, unit_ids, only_ids))
    ).one()
    return int(row[0]), int(row[1])


def _refresh_statistics() -> None:
    """Let PostgreSQL's planner see the results just written: the next level joins them, and
    with the statistics of an empty table it picks nested loops over a million rows (measured:
    the household level of the province demo ran for over 12 minutes without this)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE evaluation_results"))


def evaluate_year(
    year: int,
    root: AdminUnit | None = None,
    *,
    sets: tuple[CriteriaSet, ...] | None = None,
    progress: Callable[[LevelReport], None] | None = None,
) -> list[LevelReport]:
    """Evaluate every subject under ``root`` (everything when None) for ``year``, bottom-up.

    The ancestors of ``root`` are re-evaluated too, so their roll-ups stay current.
    Idempotent: results of the evaluated subjects are replaced. The caller commits.
    """
    sets = sets if sets is not None else all_sets()
    tree = UnitTree.load()
    roots = [root.id] if root is not None else tree.children.get(None, [])
    scope = [uid for r in roots for uid in tree.subtree(r)]
    above = tree.ancestors(root.id) if root is not None else []
    period = Period(year)
    reports = []
    for kind in SUBJECT_ORDER:
        started = time.perf_counter()
        report = LevelReport(kind)
        units = scope + above if kind in AREA_SUBJECTS else scope
        for cset, unit_ids in _set_groups(kind, units, tree, year, sets).items():
            evaluated, passed = _evaluate_group(kind, cset, period, unit_ids, None)
            report.set_keys.append(cset.key)
            report.evaluated += evaluated
            report.passed += passed
        _refresh_statistics()
        report.seconds = time.perf_counter() - started
        reports.append(report)
        if progress is not None:
            progress(report)
    return reports


def refresh(
    year: int, touched: dict[str, set[int]], *, sets: tuple[CriteriaSet, ...] | None = None
) -> None:
    """Re-evaluate a few subjects and every subject whose result depends on them.

    :param touched: subject kind → ids changed (e.g. ``{"citizen": {42}}`` after an activity).
    """
    from registry.evaluation.dependents import expand

    sets = sets if sets is not None else all_sets()
    tree = UnitTree.load()
    period = Period(year)
    for kind, ids, home_units in expand(touched, tree, period):
        for cset, unit_ids in _set_groups(kind, home_units, tree, year, sets).items():
            _evaluate_group(kind, cset, period, unit_ids, sorted(ids))


def evaluated_years() -> list[int]:
    """Years that have stored results, newest first."""
    return list(
        db.session.scalars(
            select(EvaluationResult.year).distinct().order_by(EvaluationResult.year.desc())
        )
    )


def refresh_if_evaluated(years: Iterable[int], touched: dict[str, set[int]]) -> None:
    """Keep evaluated years current after a change: re-evaluate ``touched`` and dependents.

    Years never evaluated stay empty (a partial result would mislead every roll-up).
    """
    done = set(evaluated_years())
    for year in sorted(set(years) & done):
        refresh(year, touched)
