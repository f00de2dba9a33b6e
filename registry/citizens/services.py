"""Registering, finding and changing citizens."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, select

from registry import audit, vn
from registry.auth.services import in_scope, require_edit, require_scope, scope_filter
from registry.errors import NotFound
from registry.extensions import db
from registry.models import AdminUnit, Citizen, Clan, Household, UnitLevel, User
from registry.models.people import CitizenStatus, Relation
from registry.people_input import (
    MAX_ID,
    FieldErrors,
    birth_date,
    choice,
    optional_cccd,
    optional_date,
    optional_phone,
    record_id,
    required_text,
    whole_number,
)
from registry.units.services import subtree_cte

CITIZEN_FIELDS = (
    "full_name",
    "gender",
    "birth_date",
    "cccd",
    "phone",
    "village_id",
    "household_id",
    "relation",
    "clan_id",
    "status",
    "left_on",
)

# the citizens table's column sizes (full_name is also the size of search_name)
NAME_LENGTHS = {"full_name": 120, "family_name": 40, "middle_name": 80, "given_name": 40}


def new_code() -> str:
    """A random, unguessable citizen code such as ``CD4830291746`` (printed on the slip)."""
    return "CD" + "".join(secrets.choice("0123456789") for _unused in range(10))


def search_filter(query: str) -> Any:
    """A WHERE clause matching every folded token of ``query`` inside the folded name."""
    tokens = vn.search_tokens(query)
    return and_(*(Citizen.search_name.like(f"%{token}%") for token in tokens)) if tokens else None


def citizens_query(
    actor: User,
    *,
    unit: AdminUnit | None = None,
    q: str = "",
    household_id: int | None = None,
    include_left: bool = True,
) -> Select[tuple[Citizen]]:
    """Citizens in the actor's scope (optionally under ``unit``), sorted by given name."""
    stmt = select(Citizen).where(scope_filter(actor, Citizen.village_id))
    if unit is not None:
        require_scope(actor, unit, hide=False)
        # a CTE name of its own: scope_filter's "subtree" CTE sits in the same statement
        stmt = stmt.where(Citizen.village_id.in_(select(subtree_cte(unit.id, "unit_tree").c.id)))
    if (clause := search_filter(q)) is not None:
        stmt = stmt.where(clause)
    if household_id is not None:
        stmt = stmt.where(Citizen.household_id == household_id)
    if not include_left:
        stmt = stmt.where(Citizen.status == CitizenStatus.active)
    return stmt.order_by(Citizen.sort_key, Citizen.id)


def get_citizen(actor: User, citizen_id: int) -> Citizen:
    """The citizen if the actor may see them; NotFound otherwise (scope is not revealed)."""
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFound("Không tìm thấy công dân.")
    require_scope(actor, citizen.village)
    return citizen


def find_by_code(code: str) -> Citizen | None:
    """The citizen with this code, unscoped (for imports and public lookups)."""
    return db.session.scalar(select(Citizen).where(Citizen.code == code.strip().upper()))


def _parse(data: Mapping[str, Any], today: date) -> tuple[dict[str, Any], FieldErrors]:
    errors = FieldErrors()
    values: dict[str, Any] = {
        "full_name": errors.check("full_name", _full_name, data.get("full_name")),
        "gender": errors.check("gender", choice({"M", "F"}), data.get("gender")),
        "birth_date": errors.check(
            "birth_date", lambda v: birth_date(v, today), data.get("birth_date")
        ),
        "cccd": errors.check("cccd", optional_cccd, data.get("cccd")),
        "phone": errors.check("phone", optional_phone, data.get("phone")),
        "relation": errors.check(
            "relation", lambda v: Relation(v) if v else None, data.get("relation") or None
        ),
        "status": errors.check(
            "status", choice(CitizenStatus), data.get("status") or CitizenStatus.active
        ),
        "left_on": errors.check("left_on", optional_date, data.get("left_on")),
    }
    for key in ("village_id", "household_id", "clan_id"):
        values[key] = errors.check(key, _optional_id, data.get(key))
    if values["village_id"] is None and "village_id" not in errors.errors:
        errors.add("village_id", "Vui lòng chọn thôn/tổ dân phố.")
    return values, errors


def _full_name(value: Any) -> str:
    # the stored name is re-cased and split (a letter may grow when re-cased, e.g. "ß" to "Ss",
    # and fold decomposes e.g. Hangul), so check what will be stored against its columns; else
    # PostgreSQL refuses the row and the user gets a server error
    text = required_text(NAME_LENGTHS["full_name"])(value)
    family, middle, given = vn.split_name(text)
    stored = {
        "full_name": " ".join(part for part in (family, middle, given) if part),
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
    }
    if len(vn.fold(stored["full_name"])) > NAME_LENGTHS["full_name"] or any(
        len(stored[key]) > limit for key, limit in NAME_LENGTHS.items()
    ):
        raise ValueError("Họ tên quá dài (họ và tên tối đa 40 ký tự mỗi phần, tên đệm tối đa 80).")
    return text


def _optional_id(value: Any) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and -MAX_ID <= value <= MAX_ID:
        return value  # the citizen form sends -1 for a household code that does not exist
    found = record_id(value)
    if found is None:  # not digits, or beyond the 32-bit ids of the database
        raise ValueError("Mã không hợp lệ.")
    return found


def _check_village(actor: User, values: dict[str, Any], errors: FieldErrors) -> AdminUnit | None:
    village = db.session.get(AdminUnit, values["village_id"]) if values["village_id"] else None
    if values["village_id"] and (village is None or village.level != UnitLevel.village):
        errors.add("village_id", "Thôn/tổ dân phố không tồn tại.")
        return None
    if village is not None and not (in_scope(actor, village) and actor.can_edit):
        errors.add("village_id", "Thôn/tổ dân phố nằm ngoài phạm vi quản lý của bạn.")
    return village


def _check_household(
    values: dict[str, Any], errors: FieldErrors, village: AdminUnit | None, citizen_id: int | None
) -> None:
    if not values["household_id"]:
        if values["relation"] is not None:
            errors.add("relation", "Chỉ ghi quan hệ với chủ hộ khi công dân thuộc một hộ.")
        return
    household = db.session.get(Household, values["household_id"])
    if household is None or (village is not None and household.village_id != village.id):
        errors.add("household_id", "Hộ gia đình phải thuộc cùng thôn với công dân.")
    elif values["relation"] is Relation.head and household.head_id not in (None, citizen_id):
        errors.add("relation", "Hộ này đã có chủ hộ. Hãy đổi chủ hộ trên trang hộ gia đình.")


def _check_links(
    actor: User, values: dict[str, Any], errors: FieldErrors, citizen_id: int | None
) -> None:
    """Check the village, household, clan and CCCD against the database and the actor's scope."""
    village = _check_village(actor, values, errors)
    _check_household(values, errors, village, citizen_id)
    if values["clan_id"]:
        clan = db.session.get(Clan, values["clan_id"])
        if (
            clan is None
            or village is None
            or clan.unit_id not in {a.id for a in village.ancestors()}
        ):
            errors.add("clan_id", "Dòng họ không thuộc địa bàn của công dân.")
    if values["cccd"]:
        other = db.session.scalar(select(Citizen.id).where(Citizen.cccd == values["cccd"]))
        if other is not None and other != citizen_id:
            errors.add("cccd", "Số CCCD này đã được đăng ký cho người khác.")
    if values["status"] != CitizenStatus.active and values["left_on"] is None:
        errors.add("left_on", "Vui lòng nhập ngày chuyển đi hoặc mất.")


def _apply(citizen: Citizen, values: dict[str, Any]) -> None:
    family, middle, given = vn.split_name(values["full_name"])
    citizen.full_name = " ".join(part for part in (family, middle, given) if part)
    citizen.family_name, citizen.middle_name, citizen.given_name = family, middle, given
    citizen.sort_key = vn.sort_key(citizen.full_name)
    citizen.search_name = vn.fold(citizen.full_name)
    for key in CITIZEN_FIELDS[1:]:
        setattr(citizen, key, values[key])
    if citizen.status == CitizenStatus.active:
        citizen.left_on = None


def create_citizen(actor: User, data: Mapping[str, Any], *, today: date) -> Citizen:
    """Register a citizen after validating every field; raises ValidationFailed with all errors."""
    values, errors = _parse(data, today)
    if not errors.errors:
        _check_links(actor, values, errors, None)
    errors.raise_if_any()
    citizen = Citizen(code=_unused_code())
    _apply(citizen, values)
    db.session.add(citizen)
    db.session.flush()
    if values["relation"] is Relation.head and citizen.household is not None:
        citizen.household.head = citizen
    audit.record(
        actor,
        "create",
        citizen,
        unit_id=citizen.village_id,
        changes=audit.snapshot(citizen),
        summary=citizen.full_name,
    )
    return citizen


def update_citizen(
    actor: User, citizen: Citizen, data: Mapping[str, Any], *, version: Any, today: date
) -> Citizen:
    """Change a citizen's record; refused when somebody saved it since ``version`` was read."""
    require_edit(actor, citizen.village)
    audit.check_version(citizen, whole_number(version))
    values, errors = _parse(data, today)
    if not errors.errors:
        _check_links(actor, values, errors, citizen.id)
    errors.raise_if_any()
    before = audit.snapshot(citizen)
    _apply(citizen, values)
    db.session.flush()
    audit.record(
        actor,
        "update",
        citizen,
        unit_id=citizen.village_id,
        changes=audit.diff(before, citizen),
        summary=citizen.full_name,
    )
    return citizen


def delete_citizen(actor: User, citizen: Citizen) -> None:
    """Remove a citizen and their activities (a snapshot stays in the audit log)."""
    require_edit(actor, citizen.village)
    for household in db.session.scalars(select(Household).where(Household.head_id == citizen.id)):
        household.head = None
    audit.record(
        actor,
        "delete",
        citizen,
        unit_id=citizen.village_id,
        changes=audit.snapshot(citizen),
        summary=citizen.full_name,
    )
    db.session.delete(citizen)
    db.session.flush()


def _unused_code() -> str:
    while True:
        code = new_code()
        if db.session.scalar(select(func.count()).where(Citizen.code == code)) == 0:
            return code
