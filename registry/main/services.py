"""Figures for the staff overview page."""

from __future__ import annotations

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Activity, AdminUnit, Citizen, Clan, Household, Organisation, UnitLevel
from registry.models.people import CitizenStatus
from registry.units.services import subtree_cte


def unit_counts(unit: AdminUnit) -> dict[str, int]:
    """Villages, households, clans, organisations, citizens and activities under ``unit``."""
    tree = subtree_cte(unit.id)
    ids = select(tree.c.id)
    return {
        "villages": db.session.scalar(
            select(func.count())
            .select_from(AdminUnit)
            .where(AdminUnit.id.in_(ids), AdminUnit.level == UnitLevel.village)
        )
        or 0,
        "households": db.session.scalar(
            select(func.count()).select_from(Household).where(Household.village_id.in_(ids))
        )
        or 0,
        "clans": db.session.scalar(
            select(func.count()).select_from(Clan).where(Clan.unit_id.in_(ids))
        )
        or 0,
        "organisations": db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.unit_id.in_(ids))
        )
        or 0,
        "citizens": db.session.scalar(
            select(func.count())
            .select_from(Citizen)
            .where(Citizen.village_id.in_(ids), Citizen.status == CitizenStatus.active)
        )
        or 0,
        "activities": db.session.scalar(
            select(func.count())
            .select_from(Activity)
            .join(Citizen)
            .where(Citizen.village_id.in_(ids))
        )
        or 0,
    }
