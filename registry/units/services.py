"""The administrative tree: subtree queries, lookups and unit management."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import CTE, Select, func, select

from registry import audit
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.extensions import db
from registry.models import AdminUnit, Citizen, Household, UnitLevel, UnitMapping, User
from registry.models.people import CitizenStatus
from registry.models.units import LEVEL_DEPTH

CHILD_LEVELS: dict[UnitLevel, list[UnitLevel]] = {
    UnitLevel.province: [UnitLevel.district, UnitLevel.commune],
    UnitLevel.district: [UnitLevel.commune],
    UnitLevel.commune: [UnitLevel.village],
    UnitLevel.village: [],
}


_cte_names = itertools.count()


def subtree_cte(unit_id: int, name: str | None = None) -> CTE:
    """A recursive CTE with the ids of ``unit_id`` and all its descendants.

    Each CTE gets its own name, so one statement may hold several (the actor's scope and a
    unit filter): SQLAlchemy refuses two different CTEs of the same name.
    """
    name = name or f"subtree_{next(_cte_names)}"
    tree = select(AdminUnit.id).where(AdminUnit.id == unit_id).cte(name, recursive=True)
    return tree.union_all(select(AdminUnit.id).where(AdminUnit.parent_id == tree.c.id))


def subtree_ids(unit_id: int) -> Select[tuple[int]]:
    """A SELECT of the ids of ``unit_id`` and its descendants, for ``column.in_(...)``."""
    tree = subtree_cte(unit_id)
    return select(tree.c.id)


def get_by_code(code: str) -> AdminUnit:
    """The unit with ``code``, or NotFound."""
    unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == code.strip()))
    if unit is None:
        raise NotFound(f"Không có đơn vị hành chính mã {code}.")
    return unit


def children(unit: AdminUnit, on: date | None = None) -> list[AdminUnit]:
    """The unit's children valid on ``on`` (all of them when ``on`` is None), by code."""
    rows = db.session.scalars(
        select(AdminUnit).where(AdminUnit.parent_id == unit.id).order_by(AdminUnit.code)
    ).all()
    return [u for u in rows if on is None or u.is_valid_on(on)]


def allowed_child_levels(parent: AdminUnit | None) -> list[UnitLevel]:
    """Levels a child of ``parent`` may have (a province holds communes directly since 2025)."""
    if parent is None:
        return [UnitLevel.province]
    return CHILD_LEVELS[parent.level]


def create_unit(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    level: UnitLevel,
    parent: AdminUnit | None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> AdminUnit:
    """Add a unit under ``parent``; the code must be unused and the level fit the parent."""
    if db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == code)) is not None:
        raise Conflict(f"Mã đơn vị {code} đã tồn tại.", {"code": ["Mã đơn vị đã tồn tại."]})
    if level not in allowed_child_levels(parent):
        raise ValidationFailed(
            "Cấp đơn vị không phù hợp với đơn vị cấp trên.", {"level": ["Cấp không phù hợp."]}
        )
    _check_dates(valid_from, valid_to)
    unit = AdminUnit(
        code=code,
        name=name,
        kind=kind,
        level=level,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "create", unit, unit_id=unit.id, changes=audit.snapshot(unit))
    return unit


def update_unit(
    unit: AdminUnit,
    *,
    actor: User | None,
    version: int,
    name: str,
    kind: str,
    valid_from: date | None,
    valid_to: date | None,
) -> AdminUnit:
    """Rename a unit or change its validity dates (optimistic locking on ``version``)."""
    audit.check_version(unit, version)
    _check_dates(valid_from, valid_to)
    before = audit.snapshot(unit)
    unit.name, unit.kind, unit.valid_from, unit.valid_to = name, kind, valid_from, valid_to
    db.session.flush()
    audit.record(actor, "update", unit, unit_id=unit.id, changes=audit.diff(before, unit))
    return unit


def map_unit(
    *, actor: User | None, old: AdminUnit, new: AdminUnit, effective_on: date, note: str = ""
) -> UnitMapping:
    """Record that ``old`` merged into ``new`` on ``effective_on``; ``old`` ends the day before.

    :raises ValidationFailed: see :func:`check_merge`.
    :raises Conflict: the same mapping is already recorded.
    """
    check_merge(old, new, effective_on)
    mapping = UnitMapping(old_unit=old, new_unit=new, effective_on=effective_on, note=note)
    if old.valid_to is None or old.valid_to >= effective_on:
        old.valid_to = date.fromordinal(effective_on.toordinal() - 1)
    db.session.add(mapping)
    db.session.flush()
    audit.record(
        actor,
        "merge",
        old,
        unit_id=old.id,
        changes={"new_unit": new.code, "effective_on": effective_on.isoformat()},
    )
    return mapping


def check_merge(old: AdminUnit, new: AdminUnit, effective_on: date) -> None:
    """Refuse a merger that cannot be right (run before asking the user to confirm it).

    A unit may be split among several new units, so ``old`` may have other mappings, but not
    the same one twice; the new unit must exist on the effective date, not lie inside the old
    unit's tree, and not be of a lower level.
    """
    errors: dict[str, list[str]] = {}
    if old.id == new.id or any(node.id == old.id for node in new.ancestors()):
        errors["new_unit"] = ["Đơn vị mới không được là đơn vị cũ hoặc đơn vị trực thuộc nó."]
    elif LEVEL_DEPTH[new.level] > LEVEL_DEPTH[old.level]:
        errors["new_unit"] = ["Đơn vị mới không được ở cấp thấp hơn đơn vị cũ."]
    elif not new.is_valid_on(effective_on):
        errors["effective_on"] = ["Đơn vị mới không có hiệu lực vào ngày này."]
    if old.valid_from is not None and effective_on <= old.valid_from:
        errors["effective_on"] = ["Ngày sáp nhập phải sau ngày đơn vị cũ bắt đầu hiệu lực."]
    if errors:
        raise ValidationFailed("Không thể ghi nhận việc sáp nhập này.", errors)
    existing = db.session.scalar(
        select(UnitMapping.id).where(
            UnitMapping.old_unit_id == old.id, UnitMapping.new_unit_id == new.id
        )
    )
    if existing is not None:
        raise Conflict(
            "Việc sáp nhập này đã được ghi nhận.", {"new_unit": ["Đã ghi nhận trước đó."]}
        )


def unit_mappings(unit: AdminUnit) -> tuple[list[UnitMapping], list[UnitMapping]]:
    """The mappings out of ``unit`` (where it went) and into it (which old units it took in)."""
    rows = db.session.scalars(
        select(UnitMapping)
        .where((UnitMapping.old_unit_id == unit.id) | (UnitMapping.new_unit_id == unit.id))
        .order_by(UnitMapping.effective_on, UnitMapping.id)
    ).all()
    return (
        [m for m in rows if m.old_unit_id == unit.id],
        [m for m in rows if m.new_unit_id == unit.id],
    )


def child_counts(unit: AdminUnit) -> dict[int, tuple[int, int]]:
    """``{child id: (households, active citizens)}`` over each child's whole subtree.

    One grouped query: a recursive CTE tags every descendant with the child it lies under,
    and per-village counts (restricted to the subtree) are summed per child.
    """
    tree = (
        select(AdminUnit.id, AdminUnit.id.label("child_id"))
        .where(AdminUnit.parent_id == unit.id)
        .cte("child_tree", recursive=True)
    )
    tree = tree.union_all(
        select(AdminUnit.id, tree.c.child_id).where(AdminUnit.parent_id == tree.c.id)
    )
    in_tree = select(tree.c.id)
    households = (
        select(Household.village_id.label("unit_id"), func.count().label("n"))
        .where(Household.village_id.in_(in_tree))
        .group_by(Household.village_id)
        .subquery("household_counts")
    )
    citizens = (
        select(Citizen.village_id.label("unit_id"), func.count().label("n"))
        .where(Citizen.village_id.in_(in_tree), Citizen.status == CitizenStatus.active)
        .group_by(Citizen.village_id)
        .subquery("citizen_counts")
    )
    stmt = (
        select(
            tree.c.child_id,
            func.coalesce(func.sum(households.c.n), 0),
            func.coalesce(func.sum(citizens.c.n), 0),
        )
        .select_from(tree)
        .outerjoin(households, households.c.unit_id == tree.c.id)
        .outerjoin(citizens, citizens.c.unit_id == tree.c.id)
        .group_by(tree.c.child_id)
    )
    return {child_id: (int(h), int(c)) for child_id, h, c in db.session.execute(stmt)}


def _check_dates(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationFailed(
            "Ngày hết hiệu lực phải sau ngày bắt đầu.",
            {"valid_to": ["Ngày hết hiệu lực phải sau ngày bắt đầu."]},
        )


def units_in_scope(actor: User, level: UnitLevel, limit: int = 2000) -> list[AdminUnit]:
    """Units of ``level`` the actor may see (for form choices), by code."""
    stmt = select(AdminUnit).where(AdminUnit.level == level).order_by(AdminUnit.code).limit(limit)
    if actor.role.value != "admin":
        stmt = stmt.where(AdminUnit.id.in_(subtree_ids(actor.unit_id)))
    return list(db.session.scalars(stmt))
