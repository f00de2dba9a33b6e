"""Criteria sets pages: the list, the source of a set, upload, what-if, activate and retire."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from criteria import CriteriaSet
from registry.auth.decorators import admin_required, roles_required
from registry.criteria_admin import services, whatif
from registry.criteria_admin.forms import UploadForm
from registry.errors import RegistryError
from registry.evaluation.services import evaluated_years
from registry.evaluation.subjects import KIND_LABELS
from registry.extensions import db
from registry.models import Role, UploadStatus
from registry.web import show_errors, today, year_of

bp = Blueprint("criteria_admin", __name__, url_prefix="/criteria")

officials_required = roles_required(Role.admin, Role.province)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    return render_template(
        "criteria_admin/index.html", rows=services.set_rows(), labels=KIND_LABELS
    )


@bp.route("/shipped/<key>")
@login_required
def shipped(key: str) -> ResponseReturnValue:
    cset, filename, source = services.shipped_source(key)
    return render_template(
        "criteria_admin/detail.html",
        key=key,
        cset=cset,
        upload=None,
        filename=filename,
        source=source,
        labels=KIND_LABELS,
    )


@bp.route("/<int:upload_id>")
@login_required
def detail(upload_id: int) -> ResponseReturnValue:
    upload = services.get_upload(upload_id)
    cset = services.parsed(upload)
    return render_template(
        "criteria_admin/detail.html",
        key=upload.key,
        cset=cset,
        upload=upload,
        filename=upload.filename,
        source=upload.source,
        labels=KIND_LABELS,
        may_change=services.may_activate(current_user, cset),
    )


@bp.route("/upload", methods=("GET", "POST"))
@admin_required
def upload() -> ResponseReturnValue:
    form = UploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        try:
            stored = services.upload_set(
                current_user, storage.filename or "", storage.read(services.MAX_BYTES + 1)
            )
        except RegistryError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(
                _("Đã lưu %(key)s làm bản nháp: chưa được dùng để đánh giá.", key=stored.key),
                "success",
            )
            return redirect(url_for("criteria_admin.what_if", upload_id=stored.id))
    return render_template("criteria_admin/upload.html", form=form)


def _preview_year(cset: CriteriaSet) -> int:
    if (year := year_of(request.args.get("year"))) is not None:
        return year
    return whatif.default_year(cset, evaluated_years(), today().year)


@bp.route("/<int:upload_id>/what-if")
@login_required
def what_if(upload_id: int) -> ResponseReturnValue:
    upload = services.get_upload(upload_id)
    if upload.status is not UploadStatus.draft:
        abort(404)
    cset = services.parsed(upload)
    year = _preview_year(cset)
    return render_template(
        "criteria_admin/what_if.html",
        upload=upload,
        result=whatif.preview(current_user, cset, year),
        years=sorted({*evaluated_years(), today().year, year}, reverse=True),
        labels=KIND_LABELS,
        may_change=services.may_activate(current_user, cset),
    )


@bp.route("/<int:upload_id>/activate", methods=("GET", "POST"))
@officials_required
def activate(upload_id: int) -> ResponseReturnValue:
    upload = services.get_upload(upload_id)
    cset = services.parsed(upload)
    if not services.may_activate(current_user, cset):
        abort(403)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            services.activate(current_user, upload)
        except RegistryError as error:
            db.session.rollback()
            _flash_error(error)
        else:
            db.session.commit()
            flash(_("Đã áp dụng %(key)s.", key=upload.key), "success")
        return redirect(url_for("criteria_admin.detail", upload_id=upload.id))
    return render_template(
        "criteria_admin/confirm.html", action="activate", upload=upload, cset=cset, form=form
    )


@bp.route("/<int:upload_id>/retire", methods=("GET", "POST"))
@officials_required
def retire(upload_id: int) -> ResponseReturnValue:
    upload = services.get_upload(upload_id)
    cset = services.parsed(upload)
    if not services.may_activate(current_user, cset):
        abort(403)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            services.retire(current_user, upload)
        except RegistryError as error:
            db.session.rollback()
            _flash_error(error)
        else:
            db.session.commit()
            flash(_("Đã ngừng áp dụng %(key)s.", key=upload.key), "success")
        return redirect(url_for("criteria_admin.detail", upload_id=upload.id))
    return render_template(
        "criteria_admin/confirm.html", action="retire", upload=upload, cset=cset, form=form
    )


def _flash_error(error: RegistryError) -> None:
    flash(_(error.message), "danger")
    for problem in error.field_errors.get("file", []):
        flash(problem, "danger")
