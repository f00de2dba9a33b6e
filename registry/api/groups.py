"""JSON API v1: households, clans, organisations and their members (routes on ``http.bp``)."""

from __future__ import annotations

from flask import url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from registry.api import services
from registry.api.http import (
    actor,
    bp,
    created,
    json_body,
    no_content,
    page_of,
    search_arg,
    unit_arg,
    version_of,
)
from registry.api.serializers import dump_clan, dump_household, dump_member, dump_organisation
from registry.citizens.services import get_citizen
from registry.clans import services as clans
from registry.errors import NotFound, ValidationFailed
from registry.extensions import db
from registry.households import services as households
from registry.models import Citizen, Clan, Household, Organisation
from registry.organisations import services as organisations

# --- households -----------------------------------------------------------------------------


@bp.get("/households")
def list_households() -> ResponseReturnValue:
    stmt = households.households_query(actor(), unit=unit_arg(), q=search_arg())
    return page_of(stmt.options(selectinload(Household.village)), dump_household)


@bp.post("/households")
def create_household() -> ResponseReturnValue:
    household = households.create_household(actor(), json_body("HouseholdInput"))
    db.session.commit()
    return created(dump_household(household), url_for(".get_household", household_id=household.id))


@bp.get("/households/<int:household_id>")
def get_household(household_id: int) -> ResponseReturnValue:
    return dump_household(households.get_household(actor(), household_id))


@bp.put("/households/<int:household_id>")
def update_household(household_id: int) -> ResponseReturnValue:
    household = households.get_household(actor(), household_id)
    body = json_body("HouseholdUpdate")
    households.update_household(actor(), household, body, version=version_of(body))
    db.session.commit()
    return dump_household(household)


@bp.delete("/households/<int:household_id>")
def delete_household(household_id: int) -> ResponseReturnValue:
    households.delete_household(actor(), households.get_household(actor(), household_id))
    db.session.commit()
    return no_content()


# --- clans ----------------------------------------------------------------------------------


@bp.get("/clans")
def list_clans() -> ResponseReturnValue:
    stmt = clans.clans_query(actor(), unit=unit_arg(), q=search_arg())
    return page_of(stmt.options(selectinload(Clan.unit)), dump_clan)


@bp.post("/clans")
def create_clan() -> ResponseReturnValue:
    clan = clans.create_clan(actor(), json_body("ClanInput"))
    db.session.commit()
    return created(dump_clan(clan), url_for(".get_clan", clan_id=clan.id))


@bp.get("/clans/<int:clan_id>")
def get_clan(clan_id: int) -> ResponseReturnValue:
    return dump_clan(clans.get_clan(actor(), clan_id))


@bp.put("/clans/<int:clan_id>")
def update_clan(clan_id: int) -> ResponseReturnValue:
    clan = clans.get_clan(actor(), clan_id)
    body = json_body("ClanUpdate")
    clans.update_clan(actor(), clan, body, version=version_of(body))
    db.session.commit()
    return dump_clan(clan)


@bp.delete("/clans/<int:clan_id>")
def delete_clan(clan_id: int) -> ResponseReturnValue:
    clans.delete_clan(actor(), clans.get_clan(actor(), clan_id))
    db.session.commit()
    return no_content()


# --- organisations --------------------------------------------------------------------------


@bp.get("/organisations")
def list_organisations() -> ResponseReturnValue:
    stmt = organisations.organisations_query(actor(), unit=unit_arg(), q=search_arg())
    return page_of(stmt.options(selectinload(Organisation.unit)), dump_organisation)


@bp.post("/organisations")
def create_organisation() -> ResponseReturnValue:
    organisation = organisations.create_organisation(actor(), json_body("OrganisationInput"))
    db.session.commit()
    location = url_for(".get_organisation", organisation_id=organisation.id)
    return created(dump_organisation(organisation), location)


@bp.get("/organisations/<int:organisation_id>")
def get_organisation(organisation_id: int) -> ResponseReturnValue:
    return dump_organisation(organisations.get_organisation(actor(), organisation_id))


@bp.put("/organisations/<int:organisation_id>")
def update_organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = organisations.get_organisation(actor(), organisation_id)
    body = json_body("OrganisationUpdate")
    organisations.update_organisation(actor(), organisation, body, version=version_of(body))
    db.session.commit()
    return dump_organisation(organisation)


@bp.delete("/organisations/<int:organisation_id>")
def delete_organisation(organisation_id: int) -> ResponseReturnValue:
    organisation = organisations.get_organisation(actor(), organisation_id)
    organisations.delete_organisation(actor(), organisation)
    db.session.commit()
    return no_content()


@bp.get("/organisations/<int:organisation_id>/members")
def list_members(organisation_id: int) -> ResponseReturnValue:
    organisation = organisations.get_organisation(actor(), organisation_id)
    return {"items": [dump_member(member) for member in organisations.members(organisation)]}


@bp.post("/organisations/<int:organisation_id>/members")
def add_member(organisation_id: int) -> ResponseReturnValue:
    organisation = organisations.get_organisation(actor(), organisation_id)
    body = json_body("MemberInput")
    citizen = _member_citizen(body.get("citizen_id"))
    member = organisations.add_member(actor(), organisation, citizen, body.get("role") or "staff")
    db.session.commit()
    location = url_for(".remove_member", organisation_id=organisation.id, member_id=member.id)
    return created(dump_member(member), location)


def _member_citizen(citizen_id: int | None) -> Citizen:
    # a citizen the caller cannot see reads like a missing one: a field error, not a 404
    try:
        return get_citizen(actor(), citizen_id or 0)
    except NotFound:
        message = _("Không tìm thấy công dân.")
        raise ValidationFailed(message, {"citizen_id": [message]}) from None


@bp.delete("/organisations/<int:organisation_id>/members/<int:member_id>")
def remove_member(organisation_id: int, member_id: int) -> ResponseReturnValue:
    organisation = organisations.get_organisation(actor(), organisation_id)
    organisations.remove_member(actor(), services.get_member(organisation, member_id))
    db.session.commit()
    return no_content()
