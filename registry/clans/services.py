"""Clans (dòng họ): lineages registered within a commune or village."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, func, select

from registry import audit, vn
from registry.auth.services import require_edit, require_scope, scope_filter
from registry.errors import Conflict, NotFound, RegistryError, ValidationFailed
from registry.extensions import db
from registry.models import AdminUnit, Citizen, Clan, UnitLevel, User
from registry.people_input import (
    FieldErrors,
    optional_text,
    record_id,
    required_text,
    whole_number,
)
from registry.units.services import subtree_cte, subtree_ids


def clans_query(actor: User, *, unit: AdminUnit | None = None, q: str = "") -> Select[tuple[Clan]]:
    """Clans in scope, by name."""
    stmt = select(Clan).where(scope_filter(actor, Clan.unit_id))
    if unit is not None:
        require_scope(actor, unit, hide=False)
        # named apart from scope_filter's own subtree CTE
        stmt = stmt.where(Clan.unit_id.in_(select(subtree_cte(unit.id, "unit_tree").c.id)))
    for token in vn.search_tokens(q):
        stmt = stmt.where(Clan.search_name.like(f"%{token}%") | Clan.code.ilike(f"%{token}%"))
    return stmt.order_by(Clan.name, Clan.id)


def get_clan(actor: User, clan_id: int) -> Clan:
    """The clan if in the actor's scope; NotFound otherwise."""
    clan = db.session.get(Clan, clan_id)
    if clan is None:
        raise NotFound("Không tìm thấy dòng họ.")
    require_scope(actor, clan.unit)
    return clan


def member_count(clan: Clan) -> int:
    """How many citizens belong to the clan."""
    return db.session.scalar(select(func.count()).where(Citizen.clan_id == clan.id)) or 0


def member_counts(clan_ids: Iterable[int]) -> dict[int, int]:
    """``{clan id: number of members}`` for a page of clans, in one query."""
    ids = list(clan_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Citizen.clan_id, func.count())
        .where(Citizen.clan_id.in_(ids))
        .group_by(Citizen.clan_id)
    )
    return {key: count for key, count in rows if key is not None}


def members_query(actor: User, clan: Clan) -> Select[tuple[Citizen]]:
    """The clan's members that the actor may see, sorted by given name."""
    return (
        select(Citizen)
        .where(Citizen.clan_id == clan.id, scope_filter(actor, Citizen.village_id))
        .order_by(Citizen.sort_key, Citizen.id)
    )


def _values(actor: User, data: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    name = errors.check("name", required_text(150), data.get("name"))
    if name and len(vn.fold(name)) > 150:  # the search column; fold decomposes e.g. Hangul
        errors.add("name", "Tên quá dài.")
    note = errors.check("note", optional_text(2000), data.get("note"))
    unit_id = record_id(data.get("unit_id"))
    unit = db.session.get(AdminUnit, unit_id) if unit_id else None
    if unit is None or unit.level not in (UnitLevel.commune, UnitLevel.village):
        errors.add("unit_id", "Vui lòng chọn xã hoặc thôn nơi dòng họ sinh sống.")
    else:
        try:
            require_edit(actor, unit)
        except RegistryError:  # any scope refusal reads the same on a form
            errors.add("unit_id", "Địa bàn nằm ngoài phạm vi quản lý của bạn.")
    errors.raise_if_any()
    return {"name": name, "search_name": vn.fold(name or ""), "note": note, "unit": unit}


def create_clan(actor: User, data: Mapping[str, Any]) -> Clan:
    """Register a clan in a commune or village of the actor's scope."""
    values = _values(actor, data)
    clan = Clan(code=_new_code(), **values)
    db.session.add(clan)
    db.session.flush()
    audit.record(actor, "create", clan, unit_id=clan.unit_id, changes=audit.snapshot(clan),
                 summary=clan.name)  # fmt: skip
    return clan


def update_clan(actor: User, clan: Clan, data: Mapping[str, Any], *, version: Any) -> Clan:
    """Rename a clan or change its area."""
    require_edit(actor, clan.unit)
    audit.check_version(clan, whole_number(version))
    values = _values(actor, data)
    if values["unit"].id != clan.unit_id and _members_outside(clan, values["unit"]):
        raise ValidationFailed(
            "Dữ liệu nhập chưa hợp lệ. Vui lòng kiểm tra lại.",
            {"unit_id": ["Có thành viên của dòng họ sống ngoài địa bàn mới."]},
        )
    before = audit.snapshot(clan)
    for key, value in values.items():
        setattr(clan, key, value)
    db.session.flush()
    audit.record(actor, "update", clan, unit_id=clan.unit_id, changes=audit.diff(before, clan),
                 summary=clan.name)  # fmt: skip
    return clan


def _members_outside(clan: Clan, unit: AdminUnit) -> bool:
    """Whether some member of ``clan`` lives outside ``unit`` (a citizen's clan is local)."""
    outside = select(Citizen.id).where(
        Citizen.clan_id == clan.id, Citizen.village_id.not_in(subtree_ids(unit.id))
    )
    return db.session.scalar(outside.limit(1)) is not None


def delete_clan(actor: User, clan: Clan) -> None:
    """Delete a clan that no citizen belongs to any more."""
    require_edit(actor, clan.unit)
    if member_count(clan):
        raise Conflict("Không thể xóa dòng họ còn thành viên.")
    audit.record(actor, "delete", clan, unit_id=clan.unit_id, changes=audit.snapshot(clan),
                 summary=clan.name)  # fmt: skip
    db.session.delete(clan)
    db.session.flush()


def _new_code() -> str:
    while True:
        code = f"DH{secrets.randbelow(10**8):08d}"
        if db.session.scalar(select(func.count()).where(Clan.code == code)) == 0:
            return code
