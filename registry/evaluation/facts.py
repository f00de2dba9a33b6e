"""SQL that gathers the raw facts of every subject of one level with a few GROUP BY queries.

Semantics (the same everywhere, see issue "criteria engine"): ages at 31 December of the
year; a citizen counts when born by then and not moved away or dead on or before it;
membership as recorded; an activity counts in the year of its first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    CTE,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from criteria import ActivityParams, AttestedParams, CriteriaSet, RollupParams
from registry.evaluation.compile import FactColumns
from registry.models import (
    Activity,
    ActivityCategory,
    AdminUnit,
    Assessment,
    Citizen,
    Clan,
    EvaluationResult,
    Household,
    Organisation,
    OrganisationMember,
)
from registry.models.people import CitizenStatus


@dataclass(frozen=True)
class Period:
    """The evaluated calendar year."""

    year: int

    @property
    def first(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last(self) -> date:
        return date(self.year, 12, 31)

    def born_by_age(self, age: int) -> date:
        """Latest birth date of someone at least ``age`` years old on 31 December."""
        return date(self.year - age, 12, 31)

    def born_after_age(self, age: int) -> date:
        """Birth dates after this are at most ``age`` years old on 31 December."""
        return date(self.year - age - 1, 12, 31)


def present(period: Period, table: Any = Citizen) -> ColumnElement[bool]:
    """Citizens who count on 31 December: born by then, not gone on or before it."""
    return and_(
        table.birth_date <= period.last,
        or_(
            table.status == CitizenStatus.active,
            table.left_on.is_(None),
            table.left_on > period.last,
        ),
    )


def age_between(
    period: Period, low: int | None, high: int | None, table: Any = Citizen
) -> list[Any]:
    """Conditions for an age on 31 December in ``low..high`` (inclusive; None = open)."""
    conditions = []
    if low is not None:
        conditions.append(table.birth_date <= period.born_by_age(low))
    if high is not None:
        conditions.append(table.birth_date > period.born_after_age(high))
    return conditions


# --- the subjects of each level ---------------------------------------------------------------

SUBJECT_TABLES: dict[str, Any] = {
    "citizen": (Citizen, Citizen.id, Citizen.village_id),
    "household": (Household, Household.id, Household.village_id),
    "clan": (Clan, Clan.id, Clan.unit_id),
    "organisation": (Organisation, Organisation.id, Organisation.unit_id),
}


def subjects(
    kind: str,
    period: Period,
    unit_ids: Any,
    only_ids: Any = None,
    citizen_min_age: int | None = None,
) -> Select[Any]:
    """``(subject_id, unit_id)`` of every subject of ``kind`` living in ``unit_ids``.

    :param unit_ids: the home units; None for every unit.
    :param only_ids: restrict to these subject ids (re-evaluating a few subjects).
    """
    if kind in SUBJECT_TABLES:
        _table, id_col, unit_col = SUBJECT_TABLES[kind]
        stmt = select(id_col.label("subject_id"), unit_col.label("unit_id"))
        if unit_ids is not None:
            stmt = stmt.where(unit_col.in_(unit_ids))
        if only_ids is not None:
            stmt = stmt.where(id_col.in_(only_ids))
        if kind == "citizen":
            stmt = stmt.where(present(period), *age_between(period, citizen_min_age, None))
        return stmt
    stmt = select(AdminUnit.id.label("subject_id"), AdminUnit.id.label("unit_id"))
    if unit_ids is not None:
        stmt = stmt.where(AdminUnit.id.in_(unit_ids))
    if only_ids is not None:
        stmt = stmt.where(AdminUnit.id.in_(only_ids))
    return stmt.where(
        AdminUnit.level == kind,
        or_(AdminUnit.valid_from.is_(None), AdminUnit.valid_from <= period.last),
        or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to >= period.first),
    )


# --- activity facts (citizens) ----------------------------------------------------------------


def activity_facts(
    cset: CriteriaSet, period: Period, subject_ids: Any
) -> tuple[Any, dict[str, FactColumns]]:
    """One GROUP BY over the year's activities: a column per activity criterion."""
    columns = []
    for c in cset.criteria:
        if not isinstance(c.params, ActivityParams):
            continue
        p = c.params
        conditions = []
        if p.categories:
            conditions.append(ActivityCategory.code.in_(p.categories))
        if p.providers:
            conditions.append(Activity.provider.in_(p.providers))
        matches = and_(*conditions) if conditions else literal(True)
        if p.measure == "hours":
            expr = func.sum(case((matches, Activity.hours), else_=0.0))
        elif p.measure == "count":
            expr = func.count(case((matches, Activity.id), else_=None))
        else:
            expr = func.count(distinct(case((matches, Activity.category_id), else_=None)))
        columns.append(expr.label(_col(c.id)))
    if not columns:
        return None, {}
    sub = (
        select(Activity.citizen_id.label("subject_id"), *columns)
        .join(ActivityCategory, ActivityCategory.id == Activity.category_id)
        .where(
            Activity.held_on.between(period.first, period.last),
            *_among(Activity.citizen_id, subject_ids),
        )
        .group_by(Activity.citizen_id)
        .subquery("act")
    )
    return sub, {
        c.id: FactColumns(value=sub.c[_col(c.id)])
        for c in cset.criteria
        if isinstance(c.params, ActivityParams)
    }


def _among(column: Any, subject_ids: Any) -> list[Any]:
    """``column IN subject_ids``, or no condition when ``subject_ids`` is None (everyone)."""
    return [] if subject_ids is None else [column.in_(subject_ids)]


def _col(criterion_id: str) -> str:
    return "f_" + criterion_id.replace("-", "_")


# --- attested facts ---------------------------------------------------------------------------


def attested_facts(
    cset: CriteriaSet, kind: str, period: Period, subject_ids: Any
) -> tuple[Any, dict[str, FactColumns]]:
    """One GROUP BY over the year's assessments: score and yes columns per attested criterion."""
    attested = [c for c in cset.criteria if isinstance(c.params, AttestedParams)]
    if not attested:
        return None, {}
    columns = []
    for c in attested:
        this = Assessment.criterion_id == c.id
        columns.append(
            func.max(case((this, Assessment.score), else_=None)).label(_col(c.id) + "_s")
        )
        yes_int = case((Assessment.yes.is_(None), None), (Assessment.yes, 1), else_=0)
        columns.append(func.max(case((this, yes_int), else_=None)).label(_col(c.id) + "_y"))
    sub = (
        select(Assessment.subject_id.label("subject_id"), *columns)
        .where(
            Assessment.subject_type == kind,
            Assessment.year == period.year,
            *_among(Assessment.subject_id, subject_ids),
        )
        .group_by(Assessment.subject_id)
        .subquery("att")
    )
    return sub, {
        c.id: FactColumns(score=sub.c[_col(c.id) + "_s"], yes=sub.c[_col(c.id) + "_y"])
        for c in attested
    }


# --- roll-up facts ----------------------------------------------------------------------------


def closure(roots: Any = None, name: str = "closure") -> CTE:
    """``(unit_id, ancestor_id)`` for every unit and each of its ancestors, itself included.

    :param roots: only the pairs whose ancestor is one of these units, found by walking down
        from them (a few units re-evaluated after a change need a few hundred rows, not the
        whole tree's).
    """
    if roots is not None:
        start = select(AdminUnit.id.label("unit_id"), AdminUnit.id.label("ancestor_id"))
        down = start.where(AdminUnit.id.in_(roots)).cte(name, recursive=True)
        child = AdminUnit.__table__.alias()
        return down.union_all(
            select(child.c.id, down.c.ancestor_id).join(child, child.c.parent_id == down.c.unit_id)
        )
    base = select(AdminUnit.id.label("unit_id"), AdminUnit.id.label("ancestor_id")).cte(
        name, recursive=True
    )
    parent = AdminUnit.__table__.alias()
    return base.union_all(
        select(base.c.unit_id, parent.c.parent_id)
        .join(parent, parent.c.id == base.c.ancestor_id)
        .where(parent.c.parent_id.is_not(None))
    )


def _result(kind: str, title: str, period: Period) -> Any:
    # Core aliases: an ORM ``aliased()`` costs milliseconds to build, on every re-evaluation
    result = EvaluationResult.__table__.alias()
    on = and_(
        result.c.subject_type == kind,
        result.c.year == period.year,
        result.c.set_id == title,
    )
    return result, on


def _member_rows(
    subject: str, p: RollupParams, period: Period, subject_ids: Any = None
) -> Select[Any]:
    """``(group_id, passed)`` rows: one per member of ``p.member`` kind, keyed by its subject.

    :param subject_ids: where a filter on the group cannot reach inside a sub-query (DISTINCT,
        joins the planners do not reorder), it is applied here too; None for every subject.
    """
    result, on = _result(p.member, p.member_title, period)
    passed = case((result.c.passed.is_(True), 1), else_=0).label("passed")
    if p.member == "citizen":
        keys = {"household": Citizen.household_id, "clan": Citizen.clan_id}
        key = keys.get(subject, Citizen.village_id)
        stmt = (
            select(key.label("group_id"), passed)
            .select_from(Citizen)
            .outerjoin(result, and_(on, result.c.subject_id == Citizen.id))
            .where(present(period), *age_between(period, p.min_age, p.max_age))
        )
        if subject == "organisation":
            stmt = (
                select(OrganisationMember.organisation_id.label("group_id"), passed)
                .select_from(Citizen)
                .join(OrganisationMember, OrganisationMember.citizen_id == Citizen.id)
                .outerjoin(result, and_(on, result.c.subject_id == Citizen.id))
                .where(present(period), *age_between(period, p.min_age, p.max_age))
            )
        return stmt
    if p.member == "household" and subject == "clan":
        # a household belongs to its head's clan; reached from the head (clan index, then the
        # household's primary key: the head lives in it) instead of scanning every household
        head = Citizen.__table__.alias()
        return (
            select(head.c.clan_id.label("group_id"), passed)
            .select_from(head)
            .join(
                Household,
                and_(Household.id == head.c.household_id, Household.head_id == head.c.id),
            )
            .outerjoin(result, and_(on, result.c.subject_id == Household.id))
            .where(*_among(head.c.clan_id, subject_ids))
        )
    if p.member == "household":
        return (
            select(Household.village_id.label("group_id"), passed)
            .select_from(Household)
            .outerjoin(result, and_(on, result.c.subject_id == Household.id))
        )
    if p.member == "clan" and subject == "village":
        present_clans = (
            select(Citizen.village_id, Citizen.clan_id)
            .where(
                Citizen.clan_id.is_not(None),
                present(period),
                *_among(Citizen.village_id, subject_ids),
            )
            .distinct()
            .subquery("present_clans")
        )
        return select(present_clans.c.village_id.label("group_id"), passed).outerjoin(
            result, and_(on, result.c.subject_id == present_clans.c.clan_id)
        )
    table, id_col, unit_col = SUBJECT_TABLES.get(p.member) or (
        AdminUnit,
        AdminUnit.id,
        AdminUnit.id,
    )
    stmt = (
        select(unit_col.label("group_id"), passed)
        .select_from(table)
        .outerjoin(result, and_(on, result.c.subject_id == id_col))
    )
    if table is AdminUnit:
        stmt = stmt.where(
            AdminUnit.level == p.member,
            or_(AdminUnit.valid_from.is_(None), AdminUnit.valid_from <= period.last),
            or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to >= period.first),
        )
    return stmt


def rollup_facts(
    cset: CriteriaSet, subject: str, period: Period, subject_ids: Any
) -> list[tuple[Any, dict[str, FactColumns]]]:
    """One GROUP BY per roll-up criterion: qualifying members and the denominator."""
    out = []
    for index, c in enumerate(cset.criteria):
        if not isinstance(c.params, RollupParams):
            continue
        inner_ids = None if subject in ("commune", "district", "province") else subject_ids
        rows = _member_rows(subject, c.params, period, inner_ids).subquery(f"m{index}")
        if subject in ("commune", "district", "province"):
            tree = closure(subject_ids, f"closure{index}")
            group = tree.c.ancestor_id
            source = rows.join(tree, tree.c.unit_id == rows.c.group_id)
            stmt = select(
                group.label("subject_id"),
                func.sum(rows.c.passed).label("num"),
                func.count().label("den"),
            ).select_from(source)
            stmt = stmt.where(*_among(group, subject_ids))
        else:
            group = rows.c.group_id
            stmt = select(
                group.label("subject_id"),
                func.sum(rows.c.passed).label("num"),
                func.count().label("den"),
            ).where(*_among(group, subject_ids))
        sub = stmt.group_by(group).subquery(f"r{index}")
        out.append((sub, {c.id: FactColumns(numerator=sub.c.num, denominator=sub.c.den)}))
    return out
