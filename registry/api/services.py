"""What the API needs beyond the feature services: tokens, top units, yearly unit figures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, func, select

from registry.auth.services import issue_token
from registry.errors import NotFound
from registry.extensions import db
from registry.models import (
    Activity,
    AdminUnit,
    ApiToken,
    Citizen,
    Clan,
    Household,
    Organisation,
    OrganisationMember,
    Role,
    UnitLevel,
    User,
)
from registry.models.people import CitizenStatus
from registry.units.services import subtree_cte


def issue_api_token(user: User, hours: int) -> tuple[str, datetime]:
    """A new bearer token for ``user`` and the moment it expires."""
    token = issue_token(user, hours)
    # the row issue_token just flushed is the user's newest one
    expires_at = db.session.scalar(
        select(ApiToken.expires_at)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.id.desc())
        .limit(1)
    )
    assert expires_at is not None  # noqa: S101 - flushed just above
    return token, expires_at


def top_units(actor: User) -> list[AdminUnit]:
    """Where the actor's tree starts: every root for an admin, else the actor's own unit."""
    if actor.role is Role.admin:
        return list(
            db.session.scalars(
                select(AdminUnit).where(AdminUnit.parent_id.is_(None)).order_by(AdminUnit.code)
            )
        )
    return [actor.unit]


def unit_summary(unit: AdminUnit, year: int) -> dict[str, int]:
    """Counts under ``unit``: villages, households, clans, organisations, active citizens, and
    the activities held in ``year``.

    One aggregate query per figure, each bounded by the unit's subtree (never per citizen).
    """
    ids = select(subtree_cte(unit.id).c.id)
    in_year = Activity.held_on.between(date(year, 1, 1), date(year, 12, 31))
    queries: dict[str, Select[int]] = {
        "villages": select(func.count())
        .select_from(AdminUnit)
        .where(AdminUnit.id.in_(ids), AdminUnit.level == UnitLevel.village),
        "households": select(func.count())
        .select_from(Household)
        .where(Household.village_id.in_(ids)),
        "clans": select(func.count()).select_from(Clan).where(Clan.unit_id.in_(ids)),
        "organisations": select(func.count())
        .select_from(Organisation)
        .where(Organisation.unit_id.in_(ids)),
        "citizens": select(func.count())
        .select_from(Citizen)
        .where(Citizen.village_id.in_(ids), Citizen.status == CitizenStatus.active),
        "activities": select(func.count())
        .select_from(Activity)
        .join(Citizen)
        .where(Citizen.village_id.in_(ids), in_year),
    }
    return {name: db.session.scalar(query) or 0 for name, query in queries.items()}


def get_member(organisation: Organisation, member_id: int) -> OrganisationMember:
    """The membership ``member_id`` of ``organisation``; NotFound for any other."""
    member = db.session.get(OrganisationMember, member_id)
    if member is None or member.organisation_id != organisation.id:
        raise NotFound("Không tìm thấy thành viên.")
    return member
