"""The SQL behind the dashboard: one GROUP BY per measure, by the unit each subject lives in.

A *measure* is what a share counts: the holders of one title among the subjects a target's
denominator names (adults, households, staff…). Each measure is one statement over the
subjects of a unit's subtree, outer-joined to their stored result and their recognition and
grouped by home unit; the totals of the unit and of each of its children are sums of those
rows, so the two always agree and match the stored evaluation results exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, select

from criteria import is_passed
from criteria.targets import DENOMINATORS
from registry.evaluation.facts import Period, age_between, present, subjects
from registry.evaluation.sets import AREA_SUBJECTS, all_sets, find_set
from registry.extensions import db
from registry.models import (
    AdminUnit,
    Citizen,
    EvaluationResult,
    Organisation,
    OrganisationMember,
    Recognition,
)
from registry.units.services import subtree_cte

#: Organisation kinds whose staff are "cán bộ, công chức, viên chức" (our default: agencies and
#: public schools; enterprises' employees are not counted in the ``staff`` denominator).
PUBLIC_STAFF_KINDS = ("agency", "school")

#: The denominator a title's own figures use, by the kind of subject holding it.
SUBJECT_DENOMINATOR = {
    "citizen": "adults",
    "household": "households",
    "clan": "clans",
    "organisation": "organisations",
    "village": "villages",
    "commune": "communes",
    "district": "districts",
    "province": "provinces",
}


@dataclass(frozen=True)
class Measure:
    """Holders of the title ``set_id`` among the subjects of ``denominator`` (a target file's
    word), people aged ``min_age``..``max_age`` on 31 December when given."""

    subject: str
    set_id: str
    denominator: str
    min_age: int | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class Tally:
    """Counts of one measure: subjects in the denominator, evaluated, passed, recognised.

    ``recognised`` counts approved, not revoked recognitions (None where a measure has no
    recognition of its own, such as a share of criteria met).
    """

    population: int = 0
    evaluated: int = 0
    passed: int = 0
    recognised: int | None = 0

    def __add__(self, other: Tally) -> Tally:
        recognised = (
            None
            if self.recognised is None or other.recognised is None
            else self.recognised + other.recognised
        )
        return Tally(
            self.population + other.population,
            self.evaluated + other.evaluated,
            self.passed + other.passed,
            recognised,
        )

    @property
    def share(self) -> float | None:
        """Passed / population (None when the denominator is empty)."""
        return self.passed / self.population if self.population else None

    @property
    def recognised_share(self) -> float | None:
        """Recognised / population (None when empty or not applicable)."""
        if not self.population or self.recognised is None:
            return None
        return self.recognised / self.population


def measure_of(set_id: str, subject: str, min_age: int | None = None) -> Measure:
    """The measure of a title's own figures: every subject of its kind (adults for citizens)."""
    denominator = SUBJECT_DENOMINATOR[subject]
    if subject == "citizen" and min_age is None:
        denominator = "citizens"
    return Measure(subject, set_id, denominator, min_age)


def _homes(root_id: int, *, with_root: bool) -> Select[Any]:
    tree = subtree_cte(root_id)
    homes = select(tree.c.id)
    return homes if with_root else homes.where(tree.c.id != root_id)


def population(measure: Measure, period: Period, root_id: int) -> Select[int, int]:
    """``(subject_id, unit_id)`` of every subject in the measure's denominator under the root.

    Area units count their own subtree only (a district is not one of "its" districts); staff
    are the people working for a public organisation of the subtree, counted once each.
    """
    homes = _homes(root_id, with_root=measure.subject not in AREA_SUBJECTS)
    ages = age_between(period, measure.min_age, measure.max_age)
    if measure.denominator == "staff":
        return (
            select(
                OrganisationMember.citizen_id.label("subject_id"),
                func.min(Organisation.unit_id).label("unit_id"),
            )
            .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
            .join(Citizen, Citizen.id == OrganisationMember.citizen_id)
            .where(
                OrganisationMember.role == "staff",
                Organisation.kind.in_(PUBLIC_STAFF_KINDS),
                Organisation.unit_id.in_(homes),
                present(period),
                *ages,
            )
            .group_by(OrganisationMember.citizen_id)
        )
    if measure.subject == "citizen":
        return select(Citizen.id.label("subject_id"), Citizen.village_id.label("unit_id")).where(
            Citizen.village_id.in_(homes), present(period), *ages
        )
    return subjects(measure.subject, period, homes)


def tally_by_home(measure: Measure, year: int, root_id: int) -> dict[int, Tally]:
    """The measure's counts under ``root_id`` for ``year``, by the unit the subjects live in."""
    if measure.denominator == "criteria":
        return _criteria_by_home(measure, year, root_id)
    pop = population(measure, Period(year), root_id).subquery("pop")
    same_subject = (
        EvaluationResult.year == year,
        EvaluationResult.subject_type == measure.subject,
        EvaluationResult.subject_id == pop.c.subject_id,
        EvaluationResult.set_id == measure.set_id,
    )
    recognised = (
        Recognition.year == year,
        Recognition.subject_type == measure.subject,
        Recognition.subject_id == pop.c.subject_id,
        Recognition.set_id == measure.set_id,
        Recognition.revoked_at.is_(None),
    )
    rows = db.session.execute(
        select(
            pop.c.unit_id,
            func.count(),
            func.count(EvaluationResult.id),
            func.coalesce(func.sum(case((EvaluationResult.passed.is_(True), 1), else_=0)), 0),
            func.count(Recognition.id),
        )
        .select_from(pop)
        .outerjoin(EvaluationResult, and_(*same_subject))
        .outerjoin(Recognition, and_(*recognised))
        .group_by(pop.c.unit_id)
    ).all()
    return {int(u): Tally(int(n), int(e), int(p), int(r)) for u, n, e, p, r in rows}


def _criteria_by_home(measure: Measure, year: int, root_id: int) -> dict[int, Tally]:
    """Criteria of the title's own set that its holders met (a criterion is met as the engine
    says: points above 0 and at least its minimum); only evaluated subjects count."""
    rows = db.session.execute(
        select(EvaluationResult.unit_id, EvaluationResult.set_version, EvaluationResult.points)
        .where(
            EvaluationResult.year == year,
            EvaluationResult.subject_type == measure.subject,
            EvaluationResult.set_id == measure.set_id,
            EvaluationResult.unit_id.in_(_homes(root_id, with_root=True)),
        )
        .order_by(EvaluationResult.unit_id)
    ).all()
    out: dict[int, Tally] = {}
    for unit_id, version, points in rows:
        cset = find_set(all_sets(), measure.set_id, version)
        if cset is None:
            continue
        scored = [float(p) for p in points.split(";")] if points else []
        met = sum(
            is_passed(p, c, cset.pass_rule.min_each)
            for p, c in zip(scored, cset.criteria, strict=False)
        )
        total = len(cset.criteria)
        out[unit_id] = out.get(unit_id, Tally(recognised=None)) + Tally(total, total, met, None)
    return out


def child_index(root: AdminUnit) -> dict[int, int]:
    """Every unit under ``root`` (the root excluded) → the child of ``root`` it lies under."""
    tree = subtree_cte(root.id)
    parents: dict[int, int | None] = {
        int(i): p
        for i, p in db.session.execute(
            select(AdminUnit.id, AdminUnit.parent_id).where(AdminUnit.id.in_(select(tree.c.id)))
        )
    }
    index: dict[int, int] = {}

    def top(unit_id: int) -> int:
        if unit_id not in index:
            parent = parents.get(unit_id)
            index[unit_id] = unit_id if parent == root.id or parent is None else top(parent)
        return index[unit_id]

    for unit_id in parents:
        if unit_id != root.id:
            top(unit_id)
    return index


def roll_up(
    by_home: Mapping[int, Tally], index: Mapping[int, int], empty: Tally
) -> tuple[Tally, dict[int, Tally]]:
    """The total of every home unit, and the total under each child (homes → child via
    ``index``; subjects living in the root itself count in the total only)."""
    total, per_child = empty, dict[int, Tally]()
    for unit_id, tally in by_home.items():
        total = total + tally
        child = index.get(unit_id)
        if child is not None:
            per_child[child] = per_child.get(child, empty) + tally
    return total, per_child


def denominator_subject(denominator: str, set_subject: str) -> str:
    """The kind of subject a denominator counts (``criteria`` counts the set's own holders)."""
    return DENOMINATORS.get(denominator) or set_subject


def years_with_results(root_id: int) -> list[int]:
    """Years with stored results for any subject living under ``root_id``, oldest first."""
    return list(
        db.session.scalars(
            select(EvaluationResult.year)
            .where(EvaluationResult.unit_id.in_(_homes(root_id, with_root=True)))
            .distinct()
            .order_by(EvaluationResult.year)
        )
    )
