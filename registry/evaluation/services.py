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
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, literal, select, text, true
from sqlalchemy.dialects import postgresql, sqlite

from criteria import CriteriaSet
from registry.evaluation.compile import FactColumns, as_bool, base_points, finish
from registry.evaluation.facts import Period, activity_facts, attested_facts, rollup_facts, subjects
from registry.evaluation.sets import AREA_SUBJECTS, SUBJECT_ORDER, all_sets, applicable
from registry.extensions import db
from registry.models import AdminUnit, EvaluationResult, UnitLevel
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


@dataclass(frozen=True, slots=True)
class UnitNode:
    """What the evaluation needs of an administrative unit (a detached, immutable copy)."""

    id: int
    parent_id: int | None
    code: str
    level: UnitLevel
    valid_from: date | None
    valid_to: date | None


_TREE_CACHE: dict[str, tuple[Any, UnitTree]] = {}


@dataclass
class UnitTree:
    """Every administrative unit, loaded once (a province has a few thousand)."""

    by_id: dict[int, Any]
    children: dict[int | None, list[int]]

    @classmethod
    def load(cls) -> UnitTree:
        """The units as ORM objects (for pages that show them)."""
        return cls._build(db.session.scalars(select(AdminUnit)).all())

    @classmethod
    def cached(cls) -> UnitTree:
        """The units as :class:`UnitNode`, cached per process and database.

        Re-reading 2,000 units on every recorded activity cost more than the re-evaluation
        itself; the cache is checked against one aggregate over the table (count, newest
        change, highest id), so a merger or a new unit is seen at once.
        """
        generation = tuple(
            db.session.execute(
                select(func.count(), func.max(AdminUnit.updated_at), func.max(AdminUnit.id))
            ).one()
        )
        key = str(db.session.get_bind().url)
        hit = _TREE_CACHE.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]
        rows = db.session.execute(
            select(
                AdminUnit.id,
                AdminUnit.parent_id,
                AdminUnit.code,
                AdminUnit.level,
                AdminUnit.valid_from,
                AdminUnit.valid_to,
            )
        ).all()
        tree = cls._build([UnitNode(*row) for row in rows])
        _TREE_CACHE[key] = (generation, tree)
        return tree

    @classmethod
    def _build(cls, units: Iterable[Any]) -> UnitTree:
        children: dict[int | None, list[int]] = defaultdict(list)
        by_id = {}
        for unit in units:
            children[unit.parent_id].append(unit.id)
            by_id[unit.id] = unit
        return cls(by_id, dict(children))

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
    kind: str,
    cset: CriteriaSet,
    period: Period,
    unit_ids: list[int],
    only_ids: list[int] | None,
    *,
    whole: bool = False,
) -> tuple[Any, Any, dict[str, FactColumns]]:
    """The subjects joined to their fact sub-queries: ``(subjects, FROM clause, fact columns)``.

    :param whole: ``unit_ids`` are all the home units of ``kind`` there are (a province-wide
        run with one set): the sub-queries then aggregate everything instead of filtering each
        row by a list of thousands of units.
    """
    subj = subjects(
        kind, period, None if whole else unit_ids, only_ids, citizen_min_age=cset.min_age
    ).subquery("subj")
    subject_ids = None if whole else select(subj.c.subject_id)
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


RESULTS = EvaluationResult.__table__
COLUMNS = (
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
)
# built statements: building one costs more than running it when a single activity is recorded
# or one citizen's page is shown; the unit and subject ids are bound at execution
_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def cached_statement(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """The statement built by ``build()`` for ``key``, built once per process (the cache is
    emptied past 500 entries: sets and years come and go, it never grows without bound)."""
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) > 500:
            _STATEMENTS.clear()
        statement = _STATEMENTS[key] = build()
    return statement


UPDATED = ("unit_id", "set_id", "set_version", "total", "passed", "level", "points", "evaluated_at")


def _insert_statement(kind: str, cset: CriteriaSet, period: Period, whole: bool, few: bool) -> Any:
    """``INSERT INTO evaluation_results … SELECT … ON CONFLICT DO UPDATE`` for one set group.

    Two stages: a sub-query computes each criterion's points once per subject (``OFFSET 0``
    keeps SQLite and PostgreSQL from inlining it, which would evaluate every CASE three times:
    for the total, the pass rule and the points text), then the outer SELECT adds them up.
    Results are replaced in place (an upsert on year, kind and subject): deleting 1.5 million
    rows first took longer than computing them. Parameters: ``unit_ids`` (unless ``whole``),
    ``only_ids`` (when ``few``), ``evaluated_at``.
    """
    dialect = db.session.get_bind().dialect.name
    key = ("insert", dialect, kind, cset, period.year, whole, few)
    return cached_statement(key, lambda: _build_insert(dialect, kind, cset, period, whole, few))


def _build_insert(
    dialect: str, kind: str, cset: CriteriaSet, period: Period, whole: bool, few: bool
) -> Any:
    unit_ids: Any = None if whole else bindparam("unit_ids", expanding=True)
    only_ids: Any = bindparam("only_ids", expanding=True) if few else None
    subj, source, facts = build_source(kind, cset, period, unit_ids, only_ids, whole=whole)
    base = base_points(cset, facts)
    names = {cid: f"p{i}" for i, cid in enumerate(base)}
    stage = (
        select(
            subj.c.subject_id,
            subj.c.unit_id,
            *(expr.label(names[cid]) for cid, expr in base.items()),
        )
        .select_from(source)
        .offset(0)
        .subquery("scored")
    )
    compiled = finish(cset, {cid: stage.c[name] for cid, name in names.items()})
    scored = (
        select(
            literal(period.year).label("year"),
            literal(kind).label("subject_type"),
            stage.c.subject_id,
            stage.c.unit_id,
            literal(cset.id).label("set_id"),
            literal(cset.version).label("set_version"),
            compiled.total.label("total"),
            as_bool(compiled.passed).label("passed"),
            compiled.level.label("level"),
            compiled.points_text.label("points"),
            bindparam("evaluated_at", type_=RESULTS.c.evaluated_at.type).label("evaluated_at"),
        )
        .select_from(stage)
        # SQLite reads "ON CONFLICT" after a FROM clause as a join constraint without a WHERE
        .where(true())
    )
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = upsert(RESULTS).from_select(list(COLUMNS), scored)
    return inserted.on_conflict_do_update(
        index_elements=["year", "subject_type", "subject_id"],
        set_={name: inserted.excluded[name] for name in UPDATED},
    )


def _evaluate_group(
    kind: str,
    cset: CriteriaSet,
    period: Period,
    unit_ids: list[int],
    only_ids: list[int] | None,
    *,
    whole: bool = False,
    count: bool = True,
) -> tuple[int, int]:
    """Score every subject of ``kind`` in ``unit_ids`` against ``cset`` and store the results;
    how many were evaluated and passed (``(0, 0)`` without ``count``).

    The results of this scope that the run did not write (a citizen who died, moved away or
    turned out of the age range) are deleted afterwards.
    """
    statement = _insert_statement(kind, cset, period, whole, only_ids is not None)
    now = utcnow()
    params: dict[str, Any] = {"evaluated_at": now}
    if not whole:
        params["unit_ids"] = list(unit_ids)
    if only_ids is not None:
        params["only_ids"] = list(only_ids)
    # PostgreSQL writes a new row version for every update anyway, and finding the rows a
    # province-wide upsert did not write meant scanning old and new versions (measured 22 s
    # for the citizens): there, a whole run deletes first and inserts
    delete_first = whole and db.session.get_bind().dialect.name == "postgresql"
    if delete_first:
        _delete_old(kind, period, unit_ids, only_ids, whole=whole, written_at=None)
    db.session.execute(statement, params)
    if not delete_first:
        _delete_old(kind, period, unit_ids, only_ids, whole=whole, written_at=now)
    return _count(kind, period, unit_ids, only_ids, whole=whole) if count else (0, 0)


def _scope(
    kind: str,
    period: Period,
    unit_ids: list[int],
    only_ids: list[int] | None,
    *,
    whole: bool = False,
) -> ColumnElement[bool]:
    r = RESULTS.c
    where = (r.year == period.year) & (r.subject_type == kind)
    if whole:
        return where
    if only_ids is not None:
        return where & r.subject_id.in_(only_ids)
    return where & r.unit_id.in_(unit_ids)


def _delete_old(
    kind: str,
    period: Period,
    unit_ids: list[int],
    only_ids: list[int] | None,
    *,
    whole: bool = False,
    written_at: datetime | None,
) -> None:
    """Delete the results of the scope that were not written at ``written_at`` (all: None)."""
    # Core, not ORM: results are never loaded as objects while evaluating, and the ORM's
    # session synchronisation cost more than the DELETE itself
    scope = _scope(kind, period, unit_ids, only_ids, whole=whole)
    if written_at is not None:
        scope = scope & (RESULTS.c.evaluated_at != written_at)
    db.session.execute(delete(RESULTS).where(scope))


def vacuum_results() -> None:
    """After a large evaluation has been committed: let PostgreSQL reclaim the replaced rows
    of ``evaluation_results`` and refresh its statistics (outside any transaction). Without
    it, back-to-back province runs left over ten million dead rows for the next run and every
    roll-up to wade through. Nothing to do on SQLite, which rewrites rows in place."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE) evaluation_results"))


def _count(
    kind: str,
    period: Period,
    unit_ids: list[int],
    only_ids: list[int] | None,
    *,
    whole: bool = False,
) -> tuple[int, int]:
    r = RESULTS.c
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(r.passed.cast(db.Integer)), 0)).where(
            _scope(kind, period, unit_ids, only_ids, whole=whole)
        )
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
    tree = UnitTree.cached()
    roots = [root.id] if root is not None else tree.children.get(None, [])
    scope = [uid for r in roots for uid in tree.subtree(r)]
    above = tree.ancestors(root.id) if root is not None else []
    period = Period(year)
    reports = []
    for kind in SUBJECT_ORDER:
        started = time.perf_counter()
        report = LevelReport(kind)
        units = scope + above if kind in AREA_SUBJECTS else scope
        groups = _set_groups(kind, units, tree, year, sets)
        # one set for every home unit of the whole tree: no unit lists in the SQL
        homes = HOME_LEVELS.get(kind, (kind,))
        whole = (
            root is None
            and len(groups) == 1
            and sum(1 for u in units if tree.by_id[u].level.value in homes)
            == len(next(iter(groups.values())))
        )
        for cset, unit_ids in groups.items():
            evaluated, passed = _evaluate_group(kind, cset, period, unit_ids, None, whole=whole)
            report.set_keys.append(cset.key)
            report.evaluated += evaluated
            report.passed += passed
        if report.evaluated >= 10_000:  # small levels change nothing a plan depends on
            _refresh_statistics()
        report.seconds = time.perf_counter() - started
        reports.append(report)
        if progress is not None:
            progress(report)
    return reports


def refresh(
    year: int,
    touched: dict[str, set[int]],
    *,
    sets: tuple[CriteriaSet, ...] | None = None,
    propagate: str = "changes",
) -> None:
    """Re-evaluate a few subjects and every subject whose result depends on them.

    Roll-ups count passing members, so a level above only needs re-evaluating when a level
    below changed: once the touched subjects are re-evaluated, the dependents of a level whose
    results (which subjects have one, which passed) are the same as before are left as they
    are. Recording an activity that does not change whether the citizen passes is then one
    level of work instead of eight.

    :param touched: subject kind → ids changed (e.g. ``{"citizen": {42}}`` after an activity).
    :param propagate: ``"changes"`` (above) or ``"always"`` (every dependent, e.g. to measure
        the worst case).
    """
    from registry.evaluation.dependents import expand

    sets = sets if sets is not None else all_sets()
    tree = UnitTree.cached()
    period = Period(year)
    changed = propagate == "always"
    for kind, ids, home_units in expand(touched, tree, period):
        wanted = ids if changed else ids & touched.get(kind, set())
        if not wanted:
            continue  # nothing it depends on changed
        before = _outcomes(kind, period, wanted)
        for cset, unit_ids in _set_groups(kind, home_units, tree, year, sets).items():
            _evaluate_group(kind, cset, period, unit_ids, sorted(wanted), count=False)
        if not changed and _outcomes(kind, period, wanted) != before:
            changed = True


def _outcomes(kind: str, period: Period, ids: set[int]) -> dict[int, bool]:
    """Which of ``ids`` have a result for the year, and whether each passed."""
    r = RESULTS.c
    rows = db.session.execute(
        select(r.subject_id, r.passed).where(
            r.year == period.year, r.subject_type == kind, r.subject_id.in_(sorted(ids))
        )
    )
    return {int(subject_id): bool(passed) for subject_id, passed in rows}


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
    for year in sorted(set(years)):
        if _is_evaluated(year):
            refresh(year, touched)


def _is_evaluated(year: int) -> bool:
    """One index probe (``evaluated_years`` scans every result: too slow on each change)."""
    probe = select(EvaluationResult.id).where(EvaluationResult.year == year).limit(1)
    return db.session.scalar(probe) is not None
