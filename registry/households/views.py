"""Household pages: list and search, details with members, register, edit, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.auth.decorators import editor_required
from registry.citizens.forms import RELATION_CHOICES, DeleteForm
from registry.citizens.services import citizens_query
from registry.errors import RegistryError
from registry.evaluation.summary import subject_results
from registry.extensions import db
from registry.households import services
from registry.households.forms import HouseholdEditForm, HouseholdForm
from registry.models import Citizen, Household, UnitLevel
from registry.units.services import get_by_code, units_in_scope
from registry.web import form_data, paginate, submit_form

bp = Blueprint("households", __name__, url_prefix="/households")


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    unit_code = request.args.get("unit", "").strip()
    unit = get_by_code(unit_code) if unit_code else None
    q = request.args.get("q", "")[:100]
    page = paginate(services.households_query(current_user, unit=unit, q=q))
    counts = services.member_counts(h.id for h in page.items)
    return render_template("households/index.html", page=page, q=q, unit=unit, counts=counts)


def _members(household: Household) -> list[Citizen]:
    return list(db.session.scalars(citizens_query(current_user, household_id=household.id)))


@bp.route("/<int:household_id>")
@login_required
def detail(household_id: int) -> ResponseReturnValue:
    household = services.get_household(current_user, household_id)
    return render_template(
        "households/detail.html",
        household=household,
        members=_members(household),
        relations=dict(RELATION_CHOICES),
        results=subject_results("household", household.id),
    )


@bp.route("/new", methods=("GET", "POST"))
@editor_required
def create() -> ResponseReturnValue:
    form = HouseholdForm()
    form.village_id.choices = [("", _("— Chọn thôn —"))] + [
        (str(v.id), f"{v.display_name} ({v.parent.display_name if v.parent else ''})")
        for v in units_in_scope(current_user, UnitLevel.village)
    ]
    household = submit_form(form, lambda: services.create_household(current_user, form_data(form)))
    if household is not None:
        flash(_("Đã đăng ký hộ gia đình %(code)s.", code=household.code), "success")
        return redirect(url_for("households.detail", household_id=household.id))
    return render_template("households/form.html", form=form, household=None)


@bp.route("/<int:household_id>/edit", methods=("GET", "POST"))
@editor_required
def edit(household_id: int) -> ResponseReturnValue:
    household = services.get_household(current_user, household_id)
    form = HouseholdEditForm()
    form.head_id.choices = [("", _("— Chưa có chủ hộ —"))] + [
        (str(c.id), f"{c.full_name} ({c.code})") for c in _members(household)
    ]
    if request.method == "GET":
        form.address.data = household.address
        form.head_id.data = str(household.head_id or "")
        form.version.data = str(household.version)
    if (
        submit_form(
            form,
            lambda: services.update_household(
                current_user, household, form_data(form), version=form.version.data
            ),
        )
        is not None
    ):
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for("households.detail", household_id=household.id))
    return render_template("households/form.html", form=form, household=household)


@bp.route("/<int:household_id>/delete", methods=("GET", "POST"))
@editor_required
def delete(household_id: int) -> ResponseReturnValue:
    household = services.get_household(current_user, household_id)
    form = DeleteForm()
    if form.validate_on_submit():
        code = household.code
        try:
            services.delete_household(current_user, household)
        except RegistryError as error:
            db.session.rollback()
            flash(_(error.message), "danger")
            return redirect(url_for("households.detail", household_id=household_id))
        db.session.commit()
        flash(_("Đã xóa hộ gia đình %(code)s.", code=code), "success")
        return redirect(url_for("households.index"))
    return render_template(
        "confirm_delete.html",
        form=form,
        what=_("hộ gia đình %(code)s", code=household.code),
        consequence=_("Chỉ xóa được hộ không còn thành viên."),
        cancel_url=url_for("households.detail", household_id=household.id),
    )
