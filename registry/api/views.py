"""JSON API v1: tokens, the document, the unit tree, citizens and their activities.

Households, clans and organisations live in :mod:`registry.api.groups`; the blueprint, its
authentication and the request helpers in :mod:`registry.api.http`. Views stay thin: read the
request, call one service with the token's user as the actor, commit, answer JSON.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from registry import audit
from registry.activities import services as activities
from registry.api import groups as _groups  # noqa: F401 - its routes attach to ``bp``
from registry.api import services
from registry.api.http import (
    Unauthenticated,
    actor,
    bp,
    created,
    date_arg,
    int_arg,
    json_body,
    no_content,
    page_of,
    search_arg,
    unit_arg,
    version_of,
)
from registry.api.openapi import build_document
from registry.api.schemas import MAX_ID
from registry.api.serializers import (
    dump_activity,
    dump_category,
    dump_citizen,
    dump_summary,
    dump_unit,
    iso_datetime,
)
from registry.auth import LOGIN_LIMIT_SCOPE
from registry.auth.services import authenticate, require_scope
from registry.citizens import services as citizens
from registry.extensions import db, limiter
from registry.models import Citizen
from registry.people_input import FieldErrors
from registry.units.services import children, get_by_code
from registry.web import today

__all__ = ["bp"]


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.post("/token")
@limiter.shared_limit(_login_limit, scope=LOGIN_LIMIT_SCOPE)
def token() -> ResponseReturnValue:
    body = json_body("TokenRequest")
    errors = FieldErrors()
    for name in ("username", "password"):
        if not body.get(name):
            errors.add(name, _("Trường này là bắt buộc."))
    errors.raise_if_any()
    user = authenticate(body["username"], body["password"])
    if user is None:  # the same answer for an unknown user, a bad password, a locked account
        raise Unauthenticated(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    secret, expires_at = services.issue_api_token(user, int(current_app.config["API_TOKEN_HOURS"]))
    audit.record(user, "token", user, unit_id=user.unit_id, summary=user.username)
    db.session.commit()
    return {"token": secret, "token_type": "Bearer", "expires_at": iso_datetime(expires_at)}


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return build_document(int(current_app.config["API_PAGE_SIZE_MAX"]))


# --- units ----------------------------------------------------------------------------------


@bp.get("/units")
def list_units() -> ResponseReturnValue:
    user, parent, on = actor(), unit_arg("parent"), date_arg("on")
    if parent is None:
        units = [u for u in services.top_units(user) if on is None or u.is_valid_on(on)]
    else:
        require_scope(user, parent, hide=False)
        units = children(parent, on)
    return {"items": [dump_unit(unit) for unit in units]}


@bp.get("/units/<code>")
def get_unit(code: str) -> ResponseReturnValue:
    unit = get_by_code(code)
    require_scope(actor(), unit, hide=False)
    return dump_unit(unit)


@bp.get("/units/<code>/summary")
def get_unit_summary(code: str) -> ResponseReturnValue:
    unit = get_by_code(code)
    require_scope(actor(), unit, hide=False)
    year = int_arg("year", today().year, 1900, 2100) or today().year
    return dump_summary(unit, year, services.unit_summary(unit, year))


# --- citizens -------------------------------------------------------------------------------


@bp.get("/citizens")
def list_citizens() -> ResponseReturnValue:
    household_id = int_arg("household", None, 1, MAX_ID)
    stmt = citizens.citizens_query(
        actor(), unit=unit_arg(), q=search_arg(), household_id=household_id
    )
    return page_of(stmt.options(selectinload(Citizen.village)), dump_citizen)


@bp.post("/citizens")
def create_citizen() -> ResponseReturnValue:
    citizen = citizens.create_citizen(actor(), json_body("CitizenInput"), today=today())
    db.session.commit()
    return created(dump_citizen(citizen), url_for(".get_citizen", citizen_id=citizen.id))


@bp.get("/citizens/<int:citizen_id>")
def get_citizen(citizen_id: int) -> ResponseReturnValue:
    return dump_citizen(citizens.get_citizen(actor(), citizen_id))


@bp.put("/citizens/<int:citizen_id>")
def update_citizen(citizen_id: int) -> ResponseReturnValue:
    citizen = citizens.get_citizen(actor(), citizen_id)
    body = json_body("CitizenUpdate")
    citizens.update_citizen(actor(), citizen, body, version=version_of(body), today=today())
    db.session.commit()
    return dump_citizen(citizen)


@bp.delete("/citizens/<int:citizen_id>")
def delete_citizen(citizen_id: int) -> ResponseReturnValue:
    citizens.delete_citizen(actor(), citizens.get_citizen(actor(), citizen_id))
    db.session.commit()
    return no_content()


# --- activities -----------------------------------------------------------------------------


@bp.get("/citizens/<int:citizen_id>/activities")
def list_citizen_activities(citizen_id: int) -> ResponseReturnValue:
    citizen = citizens.get_citizen(actor(), citizen_id)
    year = int_arg("year", None, 1900, 2100)
    return page_of(activities.activities_query(actor(), citizen=citizen, year=year), dump_activity)


@bp.post("/citizens/<int:citizen_id>/activities")
def create_activity(citizen_id: int) -> ResponseReturnValue:
    citizen = citizens.get_citizen(actor(), citizen_id)
    activity = activities.record_activity(
        actor(), citizen, json_body("ActivityInput"), today=today()
    )
    db.session.commit()
    return created(dump_activity(activity), url_for(".get_activity", activity_id=activity.id))


@bp.get("/activities/<int:activity_id>")
def get_activity(activity_id: int) -> ResponseReturnValue:
    return dump_activity(activities.get_activity(actor(), activity_id))


@bp.put("/activities/<int:activity_id>")
def update_activity(activity_id: int) -> ResponseReturnValue:
    activity = activities.get_activity(actor(), activity_id)
    body = json_body("ActivityUpdate")
    activities.update_activity(actor(), activity, body, version=version_of(body), today=today())
    db.session.commit()
    return dump_activity(activity)


@bp.delete("/activities/<int:activity_id>")
def delete_activity(activity_id: int) -> ResponseReturnValue:
    activities.delete_activity(actor(), activities.get_activity(actor(), activity_id))
    db.session.commit()
    return no_content()


@bp.get("/activity-categories")
def list_activity_categories() -> ResponseReturnValue:
    return {"items": [dump_category(category) for category in activities.categories()]}
