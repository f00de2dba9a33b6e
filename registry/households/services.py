"""Households: registering them in a village and naming their head."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, func, select

from registry import audit, vn
from registry.auth.services import require_edit, require_scope, scope_filter
from registry.errors import Conflict, NotFound, RegistryError
from registry.extensions import db
from registry.models import AdminUnit, Citizen, Household, UnitLevel, User
from registry.models.people import Relation
from registry.people_input import FieldErrors, optional_text, record_id, whole_number
from registry.units.services import subtree_cte


def households_query(
    actor: User, *, unit: AdminUnit | None = None, q: str = ""
) -> Select[tuple[Household]]:
    """Households in scope, sorted by their head's name (headless ones last), then code.

    Every word of ``q`` must appear, accents ignored, in the head's name or in the code.
    """
    stmt = (
        select(Household)
        .outerjoin(Citizen, Household.head_id == Citizen.id)
        .where(scope_filter(actor, Household.village_id))
    )
    if unit is not None:
        require_scope(actor, unit, hide=False)
        # named apart from scope_filter's own subtree CTE
        stmt = stmt.where(Household.village_id.in_(select(subtree_cte(unit.id, "unit_tree").c.id)))
    for token in vn.search_tokens(q):
        stmt = stmt.where(
            Citizen.search_name.like(f"%{token}%") | Household.code.ilike(f"%{token}%")
        )
    return stmt.order_by(Citizen.sort_key.is_(None), Citizen.sort_key, Household.code)


def get_household(actor: User, household_id: int) -> Household:
    """The household if in the actor's scope; NotFound otherwise."""
    household = db.session.get(Household, household_id)
    if household is None:
        raise NotFound("Không tìm thấy hộ gia đình.")
    require_scope(actor, household.village)
    return household


def member_counts(household_ids: Iterable[int]) -> dict[int, int]:
    """``{household id: number of members}`` for a page of households, in one query."""
    ids = list(household_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Citizen.household_id, func.count())
        .where(Citizen.household_id.in_(ids))
        .group_by(Citizen.household_id)
    )
    return {key: count for key, count in rows if key is not None}


def _village(actor: User, value: Any, errors: FieldErrors) -> AdminUnit | None:
    village_id = record_id(value)
    village = db.session.get(AdminUnit, village_id) if village_id else None
    if village is None or village.level != UnitLevel.village:
        errors.add("village_id", "Vui lòng chọn thôn/tổ dân phố.")
        return None
    try:
        require_edit(actor, village)
    except RegistryError:  # any scope refusal reads the same on a form
        errors.add("village_id", "Thôn/tổ dân phố nằm ngoài phạm vi quản lý của bạn.")
        return None
    return village


def _new_code(village: AdminUnit) -> str:
    while True:
        code = f"HGD{village.code}-{secrets.randbelow(10**6):06d}"
        if db.session.scalar(select(func.count()).where(Household.code == code)) == 0:
            return code


def create_household(actor: User, data: Mapping[str, Any]) -> Household:
    """Register a household in a village of the actor's scope (``village_id``, ``address``)."""
    errors = FieldErrors()
    village = _village(actor, data.get("village_id"), errors)
    address = errors.check("address", optional_text(200), data.get("address"))
    errors.raise_if_any()
    assert village is not None  # noqa: S101 - raise_if_any guarantees it
    household = Household(code=_new_code(village), village=village, address=address)
    db.session.add(household)
    db.session.flush()
    audit.record(actor, "create", household, unit_id=village.id,
                 changes=audit.snapshot(household), summary=household.code)  # fmt: skip
    return household


def _head(household: Household, value: Any, errors: FieldErrors) -> Citizen | None:
    if value in (None, "", 0, "0"):
        return None
    head_id = record_id(value)
    head = db.session.get(Citizen, head_id) if head_id else None
    if head is None or head.household_id != household.id:
        errors.add("head_id", "Chủ hộ phải là thành viên của hộ gia đình.")
        return None
    return head


def _change_head(household: Household, head: Citizen | None) -> None:
    """Name ``head`` and keep the members' "relation to the head" consistent with it."""
    old = household.head
    if old is not None and old is not head and old.relation is Relation.head:
        old.relation = None  # their relation to the new head is not known
    if head is not None:
        head.relation = Relation.head
    household.head = head


def update_household(
    actor: User, household: Household, data: Mapping[str, Any], *, version: Any
) -> Household:
    """Change the address or head (``address``, ``head_id``); the head must be a member.

    :raises Conflict: somebody saved the household since ``version`` was read.
    """
    require_edit(actor, household.village)
    audit.check_version(household, whole_number(version))
    errors = FieldErrors()
    address = errors.check("address", optional_text(200), data.get("address"))
    head = _head(household, data.get("head_id"), errors)
    errors.raise_if_any()
    before = audit.snapshot(household)
    household.address = address
    if head is not household.head:
        _change_head(household, head)
    db.session.flush()
    audit.record(actor, "update", household, unit_id=household.village_id,
                 changes=audit.diff(before, household), summary=household.code)  # fmt: skip
    return household


def delete_household(actor: User, household: Household) -> None:
    """Delete an empty household (members must be moved or removed first)."""
    require_edit(actor, household.village)
    if household.members:
        raise Conflict("Không thể xóa hộ còn thành viên. Hãy chuyển hoặc xóa thành viên trước.")
    audit.record(actor, "delete", household, unit_id=household.village_id,
                 changes=audit.snapshot(household), summary=household.code)  # fmt: skip
    db.session.delete(household)
    db.session.flush()
