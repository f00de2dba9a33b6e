"""Resolve "a subject" (a citizen, household, clan, organisation or area unit) generically."""

from __future__ import annotations

from dataclasses import dataclass

from registry.auth.services import require_scope
from registry.errors import NotFound
from registry.extensions import db
from registry.models import AdminUnit, Citizen, Clan, Household, Organisation, User
from registry.models.units import UnitLevel

KIND_LABELS = {
    "citizen": "Công dân",
    "household": "Hộ gia đình",
    "clan": "Dòng họ",
    "organisation": "Cơ quan, đơn vị",
    "village": "Thôn, tổ dân phố",
    "commune": "Xã, phường",
    "district": "Huyện",
    "province": "Tỉnh",
}


@dataclass(frozen=True)
class Subject:
    """A subject of evaluation with the unit it lives in (its scope) and a display name."""

    kind: str
    id: int
    name: str
    unit: AdminUnit


def _name_and_unit(kind: str, subject_id: int) -> tuple[str, AdminUnit] | None:
    if kind == "citizen":
        citizen = db.session.get(Citizen, subject_id)
        return (citizen.full_name, citizen.village) if citizen else None
    if kind == "household":
        household = db.session.get(Household, subject_id)
        if household is None:
            return None
        head = household.head.full_name if household.head else household.code
        return f"Hộ {head}", household.village
    if kind == "clan":
        clan = db.session.get(Clan, subject_id)
        return (clan.name, clan.unit) if clan else None
    if kind == "organisation":
        organisation = db.session.get(Organisation, subject_id)
        return (organisation.name, organisation.unit) if organisation else None
    unit = db.session.get(AdminUnit, subject_id)
    if unit is None or unit.level != UnitLevel(kind):
        return None
    return unit.display_name, unit


def load_subject(actor: User | None, kind: str, subject_id: int) -> Subject:
    """The subject, checked against the actor's scope (NotFound outside it or if unknown)."""
    if kind not in KIND_LABELS:
        raise NotFound("Không có loại đối tượng này.")
    found = _name_and_unit(kind, subject_id)
    if found is None:
        raise NotFound("Không tìm thấy đối tượng đánh giá.")
    name, unit = found
    if actor is not None:
        require_scope(actor, unit)
    return Subject(kind, subject_id, name, unit)
