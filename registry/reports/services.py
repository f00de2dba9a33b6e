"""Progress of a unit against the plans' targets: figures per title and per plan indicator,
the trend over the years, the child units by gap, the reporting deadlines.

Every figure comes from :mod:`registry.reports.counts` (one GROUP BY per measure); nothing here
reads the request. Targets are data (``criteria/targets/*.toml``): an indicator is compared
with the share of the first milestone at or after the year (2025's for 2024), never an
interpolation, and the milestone year is kept with the figure so pages can say which.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

import criteria
from criteria.targets import TargetIndicator, TargetPlan
from registry.auth.services import require_scope
from registry.evaluation.sets import SUBJECT_ORDER, all_sets, ancestor_codes
from registry.evaluation.summary import own_result, unit_summary
from registry.models import AdminUnit, User
from registry.reports.counts import (
    Measure,
    Tally,
    child_index,
    denominator_subject,
    measure_of,
    roll_up,
    tally_by_home,
    years_with_results,
)
from registry.reports.figures import (
    ChildRow,
    Deadline,
    IndicatorFigure,
    Progress,
    TitleFigure,
    Trend,
)
from registry.units.services import children

#: A reporting calendar: ``(who reports to whom, month, day, levels)``; the report must arrive
#: before that day, and ``levels`` are the unit levels whose deadline it is.
Calendar = Sequence[tuple[str, int, int, Sequence[str]]]

#: The plan's calendar (the default; the setting ``REPORT_DEADLINES`` replaces it).
DEADLINES: Calendar = (
    ("Huyện, xã báo cáo Sở Giáo dục và Đào tạo", 12, 1, ("district", "commune")),
    ("Sở Giáo dục và Đào tạo báo cáo Ủy ban nhân dân tỉnh", 12, 20, ("province",)),
)


@functools.cache
def target_plans() -> tuple[TargetPlan, ...]:
    """Every shipped target plan (checked against the criteria sets), scoped plans first."""
    plans = criteria.load_targets(sets=all_sets()).values()
    return tuple(sorted(plans, key=lambda p: (p.scope is None, p.id)))


def applicable_plans(unit: AdminUnit) -> list[TargetPlan]:
    """Plans that apply to ``unit``: national ones, and those scoped to it or an ancestor."""
    codes = ancestor_codes(unit)
    return [p for p in target_plans() if p.scope is None or p.scope in codes]


def milestone(indicator: TargetIndicator, year: int) -> tuple[int, float] | None:
    """The target the unit works towards in ``year``: the first milestone at or after it."""
    return indicator.next_target(year)


def _title_measures(unit: AdminUnit, year: int) -> list[tuple[str, str, Measure]]:
    """``(set_id, title, measure)`` of every title that applies in the unit or has results."""
    codes = ancestor_codes(unit)
    found: dict[str, tuple[str, str, Measure]] = {}
    with_results = {c.set_id for c in unit_summary(unit, year)}
    for cset in sorted(all_sets(), key=lambda s: (SUBJECT_ORDER.index(s.subject), -s.version)):
        applies = cset.valid_in(year) and (cset.scope is None or cset.scope in codes)
        if cset.id not in found and (applies or cset.id in with_results):
            measure = measure_of(cset.id, cset.subject, cset.min_age)
            found[cset.id] = (cset.id, cset.title, measure)
    return list(found.values())


def _indicator_measure(indicator: TargetIndicator) -> Measure | None:
    if indicator.set_id is None:
        return None
    cset = next((s for s in all_sets() if s.id == indicator.set_id), None)
    if cset is None:
        return None
    subject = denominator_subject(indicator.denominator, cset.subject)
    return Measure(
        subject, indicator.set_id, indicator.denominator, indicator.min_age, indicator.max_age
    )


def deadlines(unit: AdminUnit, year: int, today: date, calendar: Calendar) -> list[Deadline]:
    """The year's reporting deadlines, the days left before each, and which is the unit's."""
    out = []
    for label, month, day, levels in calendar:
        due = date(year, month, day)
        out.append(Deadline(label, due, (due - today).days, unit.level.value in levels))
    return out


def _trend(unit: AdminUnit, year: int, titles: list[TitleFigure]) -> Trend:
    years = sorted(set(years_with_results(unit.id)) | {year})
    series = []
    for figure in titles:
        shares: list[float | None] = []
        for y in years:
            tally = figure.tally if y == year else _total(figure.measure, y, unit)
            shares.append(tally.share)
        series.append((figure.title, shares))
    return Trend(years, series)


def _empty(measure: Measure) -> Tally:
    return Tally(recognised=None) if measure.denominator == "criteria" else Tally()


def _total(measure: Measure, year: int, unit: AdminUnit) -> Tally:
    total, _unused = roll_up(tally_by_home(measure, year, unit.id), {}, _empty(measure))
    return total


def _tally_all(
    measures: set[Measure], year: int, unit: AdminUnit
) -> tuple[dict[Measure, Tally], dict[int, dict[Measure, Tally]]]:
    """Every measure's total in the unit, and per child: one GROUP BY per measure."""
    index = child_index(unit)
    totals: dict[Measure, Tally] = {}
    per_child: dict[int, dict[Measure, Tally]] = {}
    for measure in measures:
        by_home = tally_by_home(measure, year, unit.id)
        totals[measure], by_child = roll_up(by_home, index, _empty(measure))
        for child_id, tally in by_child.items():
            per_child.setdefault(child_id, {})[measure] = tally
    return totals, per_child


def progress(
    actor: User | None,
    unit: AdminUnit,
    year: int,
    *,
    today: date,
    sort_key: str | None = None,
    calendar: Calendar = DEADLINES,
) -> Progress:
    """The unit's figures for ``year`` against every applicable plan, with its children
    sorted by gap (on the indicator ``sort_key`` = "plan:indicator", default the first one
    compared), most behind first, and the trend of every title.

    :raises OutOfScope: the actor may not see ``unit``.
    """
    if actor is not None:
        require_scope(actor, unit, hide=False)
    plan_measures = [
        (plan, ind, _indicator_measure(ind))
        for plan in applicable_plans(unit)
        for ind in plan.indicators
    ]
    title_measures = _title_measures(unit, year)
    measures = {m for _p, _i, m in plan_measures if m} | {m for _s, _t, m in title_measures}
    totals, per_child = _tally_all(measures, year, unit)
    titles = [
        TitleFigure(set_id, title, m, totals[m])
        for set_id, title, m in title_measures
        if totals[m].population
    ]
    figures = [
        IndicatorFigure(plan, ind, m, totals[m] if m else None, milestone(ind, year))
        for plan, ind, m in plan_measures
    ]
    compared = [f for f in figures if f.tally and f.tally.population]
    sort_by = next((f for f in compared if f.key == sort_key), compared[0] if compared else None)
    return Progress(
        unit=unit,
        year=year,
        titles=titles,
        indicators=[f for f in figures if f.tally is not None],
        children=_child_rows(unit, year, per_child, sort_by),
        sort_by=sort_by,
        trend=_trend(unit, year, titles),
        deadlines=deadlines(unit, year, today, calendar),
        own=own_result(unit.level.value, unit.id, year),
        reported=[f for f in figures if f.tally is None],
    )


def _child_rows(
    unit: AdminUnit,
    year: int,
    per_child: dict[int, dict[Measure, Tally]],
    sort_by: IndicatorFigure | None,
) -> list[ChildRow]:
    """Children that existed in ``year``, most behind the sorting indicator first (lowest
    gap to its target); children without a figure for it come last, by code."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = [
        ChildRow(child, per_child.get(child.id, {}))
        for child in children(unit)
        if (child.valid_from is None or child.valid_from <= last)
        and (child.valid_to is None or child.valid_to >= first)
    ]

    def key(row: ChildRow) -> tuple[bool, float, str]:
        if sort_by is None:
            return (True, 0.0, row.unit.code)
        # after the plan's last milestone there is no gap: the lowest share comes first
        value = row.gap(sort_by) if sort_by.target is not None else row.share(sort_by.measure)
        return (value is None, value if value is not None else 0.0, row.unit.code)

    return sorted(rows, key=key)
