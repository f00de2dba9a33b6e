"""Citizen pages: list and search, details, register, edit, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from registry.activities.services import activities_query
from registry.auth.decorators import editor_required
from registry.auth.services import in_scope
from registry.citizens import services
from registry.citizens.forms import RELATION_CHOICES, CitizenForm, DeleteForm
from registry.clans.services import clans_query
from registry.evaluation.summary import subject_results
from registry.extensions import db
from registry.models import Citizen, Household, UnitLevel
from registry.people_input import record_id
from registry.templating import format_date
from registry.units.services import get_by_code, units_in_scope
from registry.web import form_data, paginate, submit_form, today

bp = Blueprint("citizens", __name__, url_prefix="/citizens")


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    unit_code = request.args.get("unit", "").strip()
    unit = get_by_code(unit_code) if unit_code else None
    q = request.args.get("q", "")[:100]
    page = paginate(services.citizens_query(current_user, unit=unit, q=q))
    return render_template("citizens/index.html", page=page, q=q, unit=unit)


@bp.route("/<int:citizen_id>")
@login_required
def detail(citizen_id: int) -> ResponseReturnValue:
    citizen = services.get_citizen(current_user, citizen_id)
    activities = db.session.scalars(activities_query(current_user, citizen=citizen)).all()
    return render_template(
        "citizens/detail.html",
        citizen=citizen,
        activities=activities,
        results=subject_results("citizen", citizen.id),
        delete_form=DeleteForm(),
    )


def _prepare(form: CitizenForm) -> None:
    villages = units_in_scope(current_user, UnitLevel.village)
    form.village_id.choices = [("", _("— Chọn thôn —"))] + [
        (str(v.id), f"{v.display_name} ({v.parent.display_name if v.parent else ''})")
        for v in villages
    ]
    form.relation.choices = RELATION_CHOICES
    clans = db.session.scalars(clans_query(current_user).limit(2000)).all()
    form.clan_id.choices = [("", _("— Không —"))] + [(str(c.id), c.name) for c in clans]


def _service_data(form: CitizenForm) -> dict[str, object]:
    data = form_data(form)
    code = (data.pop("household_code") or "").strip()
    data["household_id"] = None
    if code:
        household = db.session.scalar(select(Household).where(Household.code == code))
        data["household_id"] = household.id if household else -1
    return data


@bp.route("/new", methods=("GET", "POST"))
@editor_required
def create() -> ResponseReturnValue:
    form = CitizenForm()
    _prepare(form)
    household = None  # "Thêm thành viên" of a household page: its code and village, and back
    if (household_id := record_id(request.args.get("household"))) is not None:
        household = db.session.get(Household, household_id)
        if household is not None and not in_scope(current_user, household.village):
            household = None
    if request.method == "GET" and household is not None:
        form.household_code.data = household.code
        form.village_id.data = str(household.village_id)
    citizen = submit_form(
        form, lambda: services.create_citizen(current_user, _service_data(form), today=today())
    )
    if citizen is not None:
        flash(_("Đã đăng ký công dân %(name)s.", name=citizen.full_name), "success")
        return redirect(url_for("citizens.detail", citizen_id=citizen.id))
    return render_template("citizens/form.html", form=form, citizen=None, household=household)


@bp.route("/<int:citizen_id>/edit", methods=("GET", "POST"))
@editor_required
def edit(citizen_id: int) -> ResponseReturnValue:
    citizen = services.get_citizen(current_user, citizen_id)
    form = CitizenForm()
    _prepare(form)
    if request.method == "GET":
        _fill(form, citizen)
    if (
        submit_form(
            form,
            lambda: services.update_citizen(
                current_user, citizen, _service_data(form), version=form.version.data, today=today()
            ),
        )
        is not None
    ):
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for("citizens.detail", citizen_id=citizen.id))
    return render_template("citizens/form.html", form=form, citizen=citizen)


def _fill(form: CitizenForm, c: Citizen) -> None:
    form.full_name.data = c.full_name
    form.gender.data = c.gender
    form.birth_date.data = format_date(c.birth_date)
    form.cccd.data = c.cccd or ""
    form.phone.data = c.phone or ""
    form.village_id.data = str(c.village_id)
    form.household_code.data = c.household.code if c.household else ""
    form.relation.data = c.relation.value if c.relation else ""
    form.clan_id.data = str(c.clan_id or "")
    form.status.data = c.status.value
    form.left_on.data = format_date(c.left_on)
    form.version.data = str(c.version)


@bp.route("/<int:citizen_id>/delete", methods=("GET", "POST"))
@editor_required
def delete(citizen_id: int) -> ResponseReturnValue:
    citizen = services.get_citizen(current_user, citizen_id)
    form = DeleteForm()
    if form.validate_on_submit():
        services.delete_citizen(current_user, citizen)
        db.session.commit()
        flash(_("Đã xóa công dân %(name)s.", name=citizen.full_name), "success")
        return redirect(url_for("citizens.index"))
    return render_template(
        "confirm_delete.html",
        form=form,
        what=_("công dân %(name)s (mã %(code)s)", name=citizen.full_name, code=citizen.code),
        consequence=_("Mọi hoạt động học tập của người này cũng bị xóa."),
        cancel_url=url_for("citizens.detail", citizen_id=citizen.id),
    )
