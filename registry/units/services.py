"""The administrative tree: subtree queries, lookups and unit management."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CTE, Select, select

from registry import audit
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.extensions import db
from registry.models import AdminUnit, UnitLevel, UnitMapping, User


CHILD_LEVELS: dict[UnitLevel, list[UnitLevel]] = {
    UnitLevel.province: [UnitLevel.district, UnitLevel.commune],
    UnitLevel.district: [UnitLevel.commune],
    UnitLevel.commune: [UnitLevel.village],
    UnitLevel.village: [],
}


def subtree_cte(unit_id: int, name: str = "subtree") -> CTE:
    """A recursive CTE with the ids of ``unit_id`` and all its descendants."""
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
        code=code, name=name, kind=kind, level=level, parent=parent,
        valid_from=valid_from, valid_to=valid_to,
    )
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "create", unit, unit_id=unit.id, changes=audit.snapshot(unit))
    return unit


def update_unit(
    unit: AdminUnit, *, actor: User | None, version: int, name: str, kind: str,
    valid_from: date | None, valid_to: date | None,
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
    """Record that ``old`` merged into ``new`` on ``effective_on``; ``old`` ends the day before."""
    mapping = UnitMapping(old_unit=old, new_unit=new, effective_on=effective_on, note=note)
    if old.valid_to is None or old.valid_to >= effective_on:
        old.valid_to = date.fromordinal(effective_on.toordinal() - 1)
    db.session.add(mapping)
    db.session.flush()
    audit.record(
        actor, "merge", old, unit_id=old.id,
        changes={"new_unit": new.code, "effective_on": effective_on.isoformat()},
    )
    return mapping


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
