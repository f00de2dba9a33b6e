"""Learning-activity pages: record, edit and delete a citizen's activities."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from registry.activities import services
from registry.activities.forms import ActivityForm
from registry.auth.decorators import editor_required
from registry.citizens.forms import DeleteForm
from registry.citizens.services import get_citizen
from registry.extensions import db
from registry.models import Activity
from registry.templating import format_date, format_number
from registry.web import form_data, submit_form, today

bp = Blueprint("activities", __name__, url_prefix="/activities")


def _prepare(form: ActivityForm) -> None:
    english = str(get_locale()) == "en"
    form.category_id.choices = [("", _("— Chọn loại —"))] + [
        (str(c.id), c.name_en if english else c.name_vi) for c in services.categories()
    ]


@bp.route("/new/<int:citizen_id>", methods=("GET", "POST"))
@editor_required
def create(citizen_id: int) -> ResponseReturnValue:
    citizen = get_citizen(current_user, citizen_id)
    form = ActivityForm()
    _prepare(form)
    if (
        submit_form(
            form,
            lambda: services.record_activity(current_user, citizen, form_data(form), today=today()),
        )
        is not None
    ):
        flash(_("Đã ghi nhận hoạt động học tập."), "success")
        return redirect(url_for("citizens.detail", citizen_id=citizen.id))
    return render_template("activities/form.html", form=form, citizen=citizen, activity=None)


def _fill(form: ActivityForm, activity: Activity) -> None:
    form.category_id.data = str(activity.category_id)
    form.title.data = activity.title
    form.provider.data = activity.provider
    form.held_on.data = format_date(activity.held_on)
    form.ended_on.data = format_date(activity.ended_on)
    form.hours.data = format_number(activity.hours, 2).rstrip("0").rstrip(",")
    form.evidence.data = activity.evidence
    form.version.data = str(activity.version)


@bp.route("/<int:activity_id>/edit", methods=("GET", "POST"))
@editor_required
def edit(activity_id: int) -> ResponseReturnValue:
    activity = services.get_activity(current_user, activity_id)
    form = ActivityForm()
    _prepare(form)
    if request.method == "GET":
        _fill(form, activity)
    if (
        submit_form(
            form,
            lambda: services.update_activity(
                current_user, activity, form_data(form), version=form.version.data, today=today()
            ),
        )
        is not None
    ):
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for("citizens.detail", citizen_id=activity.citizen_id))
    return render_template(
        "activities/form.html", form=form, citizen=activity.citizen, activity=activity
    )


@bp.route("/<int:activity_id>/delete", methods=("GET", "POST"))
@editor_required
def delete(activity_id: int) -> ResponseReturnValue:
    activity = services.get_activity(current_user, activity_id)
    citizen_id = activity.citizen_id
    form = DeleteForm()
    if form.validate_on_submit():
        services.delete_activity(current_user, activity)
        db.session.commit()
        flash(_("Đã xóa hoạt động."), "success")
        return redirect(url_for("citizens.detail", citizen_id=citizen_id))
    return render_template(
        "confirm_delete.html",
        form=form,
        what=_(
            "hoạt động “%(title)s” của %(name)s",
            title=activity.title,
            name=activity.citizen.full_name,
        ),
        consequence=None,
        cancel_url=url_for("citizens.detail", citizen_id=citizen_id),
    )
