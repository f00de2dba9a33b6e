"""Compile a criteria set into SQL expressions that score every subject of a level at once.

The pure engine (``criteria.evaluate``) is the reference; these expressions reproduce it
(``criteria.scoring``: inclusive thresholds, shares compared as quotients, clamped scores,
``is_passed``), and tests check both agree on the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, Integer, String, and_, case, cast, false, func, literal, or_, true
from sqlalchemy.sql.elements import ColumnElement

from criteria import (
    ActivityParams,
    AttestedParams,
    CombineParams,
    CriteriaSet,
    Criterion,
    RollupParams,
)


@dataclass
class FactColumns:
    """The raw-fact SQL columns of one criterion (which ones depends on its kind)."""

    value: ColumnElement | None = None  # activity: hours, count or distinct categories
    score: ColumnElement | None = None  # attested: entered score (NULL = not assessed)
    yes: ColumnElement | None = None  # attested: 1 yes, 0 no, NULL not assessed
    numerator: ColumnElement | None = None  # rollup
    denominator: ColumnElement | None = None  # rollup


@dataclass
class Compiled:
    """Per-criterion points, then total, pass and level, as SQL expressions."""

    points: dict[str, ColumnElement]
    total: ColumnElement
    passed: ColumnElement
    level: ColumnElement
    points_text: ColumnElement


def _need(expr: ColumnElement | None, what: str) -> ColumnElement:
    if expr is None:  # pragma: no cover - the fact builders always provide the columns
        raise TypeError(f"missing fact column {what}")
    return expr


def _stepped(value: ColumnElement, thresholds: tuple[tuple[float, float], ...]) -> ColumnElement:
    whens = [(value >= literal(t, Float), literal(p, Float)) for t, p in thresholds]
    return case(*whens, else_=literal(0.0, Float))


def _activity(c: Criterion, params: ActivityParams, facts: FactColumns) -> ColumnElement:
    return _stepped(func.coalesce(_need(facts.value, c.id), 0.0), params.thresholds)


def _attested(c: Criterion, params: AttestedParams, facts: FactColumns) -> ColumnElement:
    default = literal(params.default if params.default is not None else 0.0, Float)
    if params.scale == "yes_no":
        yes = _need(facts.yes, c.id)
        return case(
            (yes == 1, literal(c.points, Float)),
            (yes == 0, literal(0.0, Float)),
            else_=default,
        )
    score = _need(facts.score, c.id)
    clamped = case(
        (score < 0, literal(0.0, Float)),
        (score > c.points, literal(c.points, Float)),
        else_=cast(score, Float),
    )
    return case((score.is_(None), default), else_=clamped)


def _rollup(c: Criterion, params: RollupParams, facts: FactColumns) -> ColumnElement:
    numerator = func.coalesce(_need(facts.numerator, c.id), 0)
    denominator = func.coalesce(_need(facts.denominator, c.id), 0)
    if params.measure == "count":
        measured = cast(numerator, Float)
    else:
        # the quotient, never numerator >= t * denominator (see criteria.scoring.share_value)
        measured = cast(numerator, Float) / case((denominator == 0, None), else_=denominator)
    return case(
        (denominator == 0, literal(0.0, Float)), else_=_stepped(measured, params.thresholds)
    )


def criterion_passed(points: ColumnElement, c: Criterion, min_each: float | None) -> ColumnElement:
    """SQL for ``criteria.is_passed``."""
    minimum = max(c.min_points or 0.0, min_each or 0.0)
    return and_(points > 0, points >= minimum)


def base_points(
    criteria_set: CriteriaSet, facts: dict[str, FactColumns]
) -> dict[str, ColumnElement]:
    """Points of every criterion computed from facts (all but the ``all``/``any`` kinds)."""
    points: dict[str, ColumnElement] = {}
    for c in criteria_set.criteria:
        params = c.params
        if isinstance(params, ActivityParams):
            points[c.id] = _activity(c, params, facts[c.id])
        elif isinstance(params, AttestedParams):
            points[c.id] = _attested(c, params, facts[c.id])
        elif isinstance(params, RollupParams):
            points[c.id] = _rollup(c, params, facts[c.id])
        elif not isinstance(params, CombineParams):  # pragma: no cover - loader-built kinds only
            raise TypeError(f"unsupported criterion kind {c.kind}")
    return points


def finish(criteria_set: CriteriaSet, base: dict[str, ColumnElement]) -> Compiled:
    """Combined criteria, total, pass rule, level and points text from the base points.

    ``base`` may be the expressions of :func:`base_points` or the columns of a sub-query that
    computed them once per subject (the evaluation does that: each CASE runs once per row).
    """
    from criteria import evaluation_order

    rule = criteria_set.pass_rule
    points_by_id: dict[str, ColumnElement] = {}
    passed: dict[str, ColumnElement] = {}
    for c in evaluation_order(criteria_set):
        params = c.params
        if isinstance(params, CombineParams):
            joined = (
                and_(*(passed[i] for i in params.of))
                if c.kind == "all"
                else or_(*(passed[i] for i in params.of))
            )
            points = case((joined, literal(c.points, Float)), else_=literal(0.0, Float))
        else:
            points = base[c.id]
        points_by_id[c.id] = points
        passed[c.id] = criterion_passed(points, c, rule.min_each)
    ordered = [points_by_id[c.id] for c in criteria_set.criteria]
    total = ordered[0]
    for expr in ordered[1:]:
        total = total + expr
    conditions = [total >= rule.min_total]
    if rule.min_each is not None:
        conditions += [expr >= rule.min_each for expr in ordered]
    conditions += [passed[cid] for cid in rule.required]
    all_met = and_(*conditions)
    levels = [
        (and_(all_met, total >= lv.min_total, *(passed[cid] for cid in lv.required)), lv.name)
        for lv in criteria_set.levels
    ]
    level = case(*levels, else_=None) if levels else cast(None, String)
    text = _as_text(ordered[0])
    for expr in ordered[1:]:
        text = text + ";" + _as_text(expr)
    return Compiled(points_by_id, total, all_met, level, text)


def _as_text(points: ColumnElement) -> ColumnElement:
    """Points as text, whole numbers without ``.0``: "8", "7.5". Integers print several times
    faster than floats in SQLite, and nearly every point value is whole."""
    whole = cast(points, Integer)
    return case((points == whole, cast(whole, String)), else_=cast(points, String))


def compile_set(criteria_set: CriteriaSet, facts: dict[str, FactColumns]) -> Compiled:
    """Points of every criterion, the total, the pass rule and the level, as SQL."""
    return finish(criteria_set, base_points(criteria_set, facts))


def as_bool(expr: ColumnElement) -> ColumnElement:
    """A boolean expression as a value both SQLite and PostgreSQL store in a BOOLEAN column."""
    return case((expr, true()), else_=false())
