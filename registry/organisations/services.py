"""Organisations (cơ quan, trường học, doanh nghiệp) and their members."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, func, select

from registry import audit, vn
from registry.auth.services import require_edit, require_scope, scope_filter
from registry.errors import Conflict, NotFound, RegistryError, ValidationFailed
from registry.extensions import db
from registry.models import AdminUnit, Citizen, Organisation, OrganisationMember, User
from registry.people_input import FieldErrors, choice, record_id, required_text, whole_number
from registry.units.services import subtree_cte

KINDS = ("agency", "school", "enterprise", "other")
MEMBER_ROLES = ("staff", "learner")


def organisations_query(
    actor: User, *, unit: AdminUnit | None = None, q: str = ""
) -> Select[tuple[Organisation]]:
    """Organisations in scope, by name."""
    stmt = select(Organisation).where(scope_filter(actor, Organisation.unit_id))
    if unit is not None:
        require_scope(actor, unit, hide=False)
        # named apart from scope_filter's own subtree CTE
        stmt = stmt.where(Organisation.unit_id.in_(select(subtree_cte(unit.id, "unit_tree").c.id)))
    for token in vn.search_tokens(q):
        stmt = stmt.where(
            Organisation.search_name.like(f"%{token}%") | Organisation.code.ilike(f"%{token}%")
        )
    return stmt.order_by(Organisation.name, Organisation.id)


def get_organisation(actor: User, organisation_id: int) -> Organisation:
    """The organisation if in the actor's scope; NotFound otherwise."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Không tìm thấy cơ quan, đơn vị.")
    require_scope(actor, organisation.unit)
    return organisation


def members_query(organisation: Organisation) -> Select[tuple[OrganisationMember]]:
    """The organisation's memberships sorted by the member's given name."""
    return (
        select(OrganisationMember)
        .join(Citizen)
        .where(OrganisationMember.organisation_id == organisation.id)
        .order_by(Citizen.sort_key, Citizen.id)
    )


def members(organisation: Organisation) -> list[OrganisationMember]:
    """The organisation's members sorted by given name."""
    return list(db.session.scalars(members_query(organisation)))


def member_count(organisation: Organisation) -> int:
    """How many citizens belong to the organisation."""
    return (
        db.session.scalar(
            select(func.count()).where(OrganisationMember.organisation_id == organisation.id)
        )
        or 0
    )


def member_counts(organisation_ids: Iterable[int]) -> dict[int, int]:
    """``{organisation id: number of members}`` for a page of organisations, in one query."""
    ids = list(organisation_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(OrganisationMember.organisation_id, func.count())
        .where(OrganisationMember.organisation_id.in_(ids))
        .group_by(OrganisationMember.organisation_id)
    )
    return {key: count for key, count in rows if key is not None}


def get_member(actor: User, organisation: Organisation, member_id: int) -> OrganisationMember:
    """One membership of ``organisation`` (already loaded in scope); NotFound otherwise."""
    member = db.session.get(OrganisationMember, member_id)
    if member is None or member.organisation_id != organisation.id:
        raise NotFound("Không tìm thấy thành viên.")
    require_scope(actor, organisation.unit)
    return member


def _values(actor: User, data: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    name = errors.check("name", required_text(200), data.get("name"))
    if name and len(vn.fold(name)) > 200:  # the search column; fold decomposes e.g. Hangul
        errors.add("name", "Tên quá dài.")
    kind = errors.check("kind", choice(KINDS), data.get("kind"))
    unit_id = record_id(data.get("unit_id"))
    unit = db.session.get(AdminUnit, unit_id) if unit_id else None
    if unit is None:
        errors.add("unit_id", "Vui lòng chọn địa bàn của cơ quan, đơn vị.")
    else:
        try:
            require_edit(actor, unit)
        except RegistryError:  # any scope refusal reads the same on a form
            errors.add("unit_id", "Địa bàn nằm ngoài phạm vi quản lý của bạn.")
    errors.raise_if_any()
    return {"name": name, "search_name": vn.fold(name or ""), "kind": kind, "unit": unit}


def create_organisation(actor: User, data: Mapping[str, Any]) -> Organisation:
    """Register an organisation in the actor's scope."""
    organisation = Organisation(code=_new_code(), **_values(actor, data))
    db.session.add(organisation)
    db.session.flush()
    audit.record(actor, "create", organisation, unit_id=organisation.unit_id,
                 changes=audit.snapshot(organisation), summary=organisation.name)  # fmt: skip
    return organisation


def update_organisation(
    actor: User, organisation: Organisation, data: Mapping[str, Any], *, version: Any
) -> Organisation:
    """Rename an organisation or change its kind or area."""
    require_edit(actor, organisation.unit)
    audit.check_version(organisation, whole_number(version))
    values = _values(actor, data)
    before = audit.snapshot(organisation)
    for key, value in values.items():
        setattr(organisation, key, value)
    db.session.flush()
    audit.record(actor, "update", organisation, unit_id=organisation.unit_id,
                 changes=audit.diff(before, organisation), summary=organisation.name)  # fmt: skip
    return organisation


def delete_organisation(actor: User, organisation: Organisation) -> None:
    """Delete an organisation without members."""
    require_edit(actor, organisation.unit)
    if member_count(organisation):
        raise Conflict("Không thể xóa cơ quan, đơn vị còn thành viên.")
    audit.record(actor, "delete", organisation, unit_id=organisation.unit_id,
                 changes=audit.snapshot(organisation), summary=organisation.name)  # fmt: skip
    db.session.delete(organisation)
    db.session.flush()


def add_member(
    actor: User, organisation: Organisation, citizen: Citizen, role: str
) -> OrganisationMember:
    """Add ``citizen`` (in the actor's scope) to the organisation."""
    require_edit(actor, organisation.unit)
    require_scope(actor, citizen.village)
    errors = FieldErrors()
    role = errors.check("role", choice(MEMBER_ROLES), role)
    errors.raise_if_any()
    exists = db.session.scalar(
        select(OrganisationMember.id).where(
            OrganisationMember.organisation_id == organisation.id,
            OrganisationMember.citizen_id == citizen.id,
        )
    )
    if exists is not None:
        raise Conflict("Công dân này đã là thành viên của đơn vị.")
    member = OrganisationMember(organisation=organisation, citizen=citizen, role=role)
    db.session.add(member)
    db.session.flush()
    audit.record(
        actor, "add_member", organisation, unit_id=organisation.unit_id,
        changes={"citizen": citizen.code, "role": role}, summary=citizen.full_name,
    )  # fmt: skip
    return member


def add_member_by_code(
    actor: User, organisation: Organisation, citizen_code: Any, role: Any
) -> OrganisationMember:
    """Add the citizen with ``citizen_code`` (as on their slip) to the organisation.

    An unknown code and a citizen outside the actor's scope read the same, so the form does
    not reveal who is registered elsewhere.
    """
    require_edit(actor, organisation.unit)
    code = citizen_code.strip().upper() if isinstance(citizen_code, str) else ""
    citizen = db.session.scalar(select(Citizen).where(Citizen.code == code)) if code else None
    if citizen is not None:
        try:
            require_scope(actor, citizen.village)
        except RegistryError:
            citizen = None
    if citizen is None:
        raise ValidationFailed(
            "Không thêm được thành viên.",
            {"citizen_code": ["Không tìm thấy công dân có mã này trong phạm vi quản lý của bạn."]},
        )
    return add_member(actor, organisation, citizen, role)


def remove_member(actor: User, member: OrganisationMember) -> None:
    """Remove a membership."""
    organisation = member.organisation
    require_edit(actor, organisation.unit)
    audit.record(
        actor, "remove_member", organisation, unit_id=organisation.unit_id,
        changes={"citizen": member.citizen.code}, summary=member.citizen.full_name,
    )  # fmt: skip
    db.session.delete(member)
    db.session.flush()


def _new_code() -> str:
    while True:
        code = f"DV{secrets.randbelow(10**8):08d}"
        if db.session.scalar(select(func.count()).where(Organisation.code == code)) == 0:
            return code
