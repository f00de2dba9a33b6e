"""Plain JSON views of the models (ISO 8601 dates; never password hashes or tokens).

Each ``dump_*`` matches the schema of the same name in :mod:`registry.api.openapi`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from registry.models import (
    Activity,
    ActivityCategory,
    AdminUnit,
    Citizen,
    Clan,
    Household,
    Organisation,
    OrganisationMember,
)


def iso_date(value: date | None) -> str | None:
    """yyyy-mm-dd, or None."""
    return value.isoformat() if value is not None else None


def iso_datetime(value: datetime | None) -> str | None:
    """An ISO 8601 timestamp in UTC (SQLite hands back naive datetimes stored as UTC)."""
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _stamps(obj: Any) -> dict[str, Any]:
    return {
        "version": obj.version,
        "created_at": iso_datetime(obj.created_at),
        "updated_at": iso_datetime(obj.updated_at),
    }


def dump_unit(unit: AdminUnit) -> dict[str, Any]:
    """An administrative unit."""
    return {
        "id": unit.id,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "level": unit.level.value,
        "display_name": unit.display_name,
        "parent_code": unit.parent.code if unit.parent is not None else None,
        "valid_from": iso_date(unit.valid_from),
        "valid_to": iso_date(unit.valid_to),
    }


def dump_summary(unit: AdminUnit, year: int, counts: dict[str, int]) -> dict[str, Any]:
    """A unit's figures for one year; ``titles`` will hold each title's count and share."""
    return {"unit": dump_unit(unit), "year": year, "counts": counts, "titles": {}}


def dump_citizen(citizen: Citizen) -> dict[str, Any]:
    """A citizen (staff in scope may see the CCCD and phone number)."""
    return {
        "id": citizen.id,
        "code": citizen.code,
        "full_name": citizen.full_name,
        "family_name": citizen.family_name,
        "middle_name": citizen.middle_name,
        "given_name": citizen.given_name,
        "gender": citizen.gender,
        "birth_date": iso_date(citizen.birth_date),
        "cccd": citizen.cccd,
        "phone": citizen.phone,
        "village_id": citizen.village_id,
        "village_code": citizen.village.code,
        "household_id": citizen.household_id,
        "relation": citizen.relation.value if citizen.relation is not None else None,
        "clan_id": citizen.clan_id,
        "status": citizen.status.value,
        "left_on": iso_date(citizen.left_on),
        **_stamps(citizen),
    }


def dump_household(household: Household) -> dict[str, Any]:
    """A household (its members: ``GET /citizens?household=ID``)."""
    return {
        "id": household.id,
        "code": household.code,
        "village_id": household.village_id,
        "village_code": household.village.code,
        "address": household.address,
        "head_id": household.head_id,
        **_stamps(household),
    }


def dump_clan(clan: Clan) -> dict[str, Any]:
    """A clan."""
    return {
        "id": clan.id,
        "code": clan.code,
        "name": clan.name,
        "unit_id": clan.unit_id,
        "unit_code": clan.unit.code,
        "note": clan.note,
        **_stamps(clan),
    }


def dump_organisation(organisation: Organisation) -> dict[str, Any]:
    """An organisation."""
    return {
        "id": organisation.id,
        "code": organisation.code,
        "name": organisation.name,
        "kind": organisation.kind,
        "unit_id": organisation.unit_id,
        "unit_code": organisation.unit.code,
        **_stamps(organisation),
    }


def dump_member(member: OrganisationMember) -> dict[str, Any]:
    """One citizen's membership of an organisation."""
    return {
        "id": member.id,
        "organisation_id": member.organisation_id,
        "citizen_id": member.citizen_id,
        "citizen_code": member.citizen.code,
        "full_name": member.citizen.full_name,
        "role": member.role,
    }


def dump_activity(activity: Activity) -> dict[str, Any]:
    """A learning activity."""
    return {
        "id": activity.id,
        "citizen_id": activity.citizen_id,
        "category_id": activity.category_id,
        "category_code": activity.category.code,
        "title": activity.title,
        "provider": activity.provider,
        "held_on": iso_date(activity.held_on),
        "ended_on": iso_date(activity.ended_on),
        "hours": float(activity.hours),
        "evidence": activity.evidence,
        **_stamps(activity),
    }


def dump_category(category: ActivityCategory) -> dict[str, Any]:
    """An activity category."""
    return {
        "id": category.id,
        "code": category.code,
        "name_vi": category.name_vi,
        "name_en": category.name_en,
    }
