"""Administrative unit pages: a unit with its children and history; admins manage the tree."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from registry.admin import services as audit_services
from registry.admin.forms import AUDIT_LABELS, AuditFilterForm, object_type_choices
from registry.auth.decorators import admin_required
from registry.auth.services import in_scope, require_scope
from registry.errors import RegistryError, ValidationFailed
from registry.evaluation.summary import subject_results
from registry.extensions import db
from registry.models import AdminUnit, UnitLevel
from registry.people_input import FieldErrors, choice, optional_date, parse_date, whole_number
from registry.templating import format_date
from registry.units import services
from registry.units.forms import DEFAULT_KIND, LEVEL_LABELS, MergeForm, UnitCreateForm, UnitEditForm
from registry.web import paginate, show_errors, submit_form, today

bp = Blueprint("units", __name__, url_prefix="/units")


def _unit_in_scope(code: str) -> AdminUnit:
    """The unit, or 404 when no such code, or 403 when it lies outside the user's scope."""
    unit = services.get_by_code(code)
    require_scope(current_user, unit, hide=False)
    return unit


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    return redirect(url_for("units.detail", code=current_user.unit.code))


@bp.route("/<code>")
@login_required
def detail(code: str) -> ResponseReturnValue:
    unit = _unit_in_scope(code)
    on = today()
    kids = services.children(unit)
    merged_into, merged_from = services.unit_mappings(unit)
    return render_template(
        "units/detail.html",
        unit=unit,
        crumbs=[(u, in_scope(current_user, u)) for u in reversed(unit.ancestors()[1:])],
        current=[u for u in kids if u.is_valid_on(on)],
        former=[u for u in kids if not u.is_valid_on(on)],
        counts=services.child_counts(unit),
        merged_into=merged_into,
        merged_from=merged_from,
        can_see=lambda u: in_scope(current_user, u),
        level_labels=LEVEL_LABELS,
        results=subject_results(unit.level.value, unit.id),
        child_levels=services.allowed_child_levels(unit),
    )


def _dates(form: Any, errors: FieldErrors) -> tuple[date | None, date | None]:
    return (
        errors.check("valid_from", optional_date, form.valid_from.data),
        errors.check("valid_to", optional_date, form.valid_to.data),
    )


@bp.route("/<code>/new", methods=("GET", "POST"))
@admin_required
def create(code: str) -> ResponseReturnValue:
    parent = services.get_by_code(code)
    levels = services.allowed_child_levels(parent)
    if not levels:
        flash(_("Đơn vị cấp thôn không có đơn vị trực thuộc."), "warning")
        return redirect(url_for("units.detail", code=parent.code))
    form = UnitCreateForm()
    form.level.choices = [(level.value, LEVEL_LABELS[level]) for level in levels]
    if request.method == "GET":
        form.kind.data = DEFAULT_KIND[levels[0]]
    unit = submit_form(form, lambda: _create(form, parent))
    if unit is not None:
        flash(_("Đã thêm %(name)s.", name=unit.display_name), "success")
        return redirect(url_for("units.detail", code=unit.code))
    return render_template("units/form.html", form=form, parent=parent, unit=None)


def _create(form: UnitCreateForm, parent: AdminUnit) -> AdminUnit:
    errors = FieldErrors()
    level = errors.check("level", choice(UnitLevel), form.level.data)
    valid_from, valid_to = _dates(form, errors)
    errors.raise_if_any()
    return services.create_unit(
        actor=current_user,
        code=(form.code.data or "").strip(),
        name=(form.name.data or "").strip(),
        kind=form.kind.data or "",
        level=level,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
    )


@bp.route("/<code>/edit", methods=("GET", "POST"))
@admin_required
def edit(code: str) -> ResponseReturnValue:
    unit = services.get_by_code(code)
    form = UnitEditForm()
    if request.method == "GET":
        form.name.data, form.kind.data = unit.name, unit.kind
        form.valid_from.data = format_date(unit.valid_from)
        form.valid_to.data = format_date(unit.valid_to)
        form.version.data = str(unit.version)
    if submit_form(form, lambda: _update(form, unit)) is not None:
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for("units.detail", code=unit.code))
    return render_template("units/form.html", form=form, parent=unit.parent, unit=unit)


def _update(form: UnitEditForm, unit: AdminUnit) -> None:
    errors = FieldErrors()
    valid_from, valid_to = _dates(form, errors)
    errors.raise_if_any()
    version = whole_number(form.version.data)
    services.update_unit(
        unit,
        actor=current_user,
        version=unit.version if version is None else version,
        name=(form.name.data or "").strip(),
        kind=form.kind.data or unit.kind,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _merge_target(form: MergeForm) -> tuple[AdminUnit, date]:
    """The new unit and the effective date from the form (field errors when wrong)."""
    errors = FieldErrors()
    effective_on = errors.check("effective_on", parse_date, form.effective_on.data)
    new = db.session.scalar(
        select(AdminUnit).where(AdminUnit.code == (form.new_unit.data or "").strip())
    )
    if new is None:
        errors.add("new_unit", "Không có đơn vị hành chính với mã này.")
    if new is None or errors.errors:
        raise ValidationFailed("Dữ liệu nhập chưa hợp lệ. Vui lòng kiểm tra lại.", errors.errors)
    return new, effective_on


@bp.route("/<code>/merge", methods=("GET", "POST"))
@admin_required
def merge(code: str) -> ResponseReturnValue:
    old = services.get_by_code(code)
    form = MergeForm()
    if not form.validate_on_submit():
        return render_template("units/merge.html", form=form, unit=old)
    try:
        new, effective_on = _merge_target(form)
        if form.confirmed.data != "1":
            services.check_merge(old, new, effective_on)
            form.confirmed.data = "1"
            return render_template(
                "units/merge_confirm.html", form=form, old=old, new=new,
                effective_on=effective_on, ends_on=effective_on - timedelta(days=1),
            )  # fmt: skip
        services.map_unit(
            actor=current_user, old=old, new=new, effective_on=effective_on,
            note=(form.note.data or "").strip(),
        )  # fmt: skip
    except RegistryError as error:
        db.session.rollback()
        form.confirmed.data = ""
        show_errors(form, error)
        return render_template("units/merge.html", form=form, unit=old)
    db.session.commit()
    flash(_("Đã ghi nhận %(old)s sáp nhập vào %(new)s.", old=old.display_name,
            new=new.display_name), "success")  # fmt: skip
    return redirect(url_for("units.detail", code=old.code))


@bp.route("/<code>/audit")
@login_required
def audit(code: str) -> ResponseReturnValue:
    unit = _unit_in_scope(code)
    form = AuditFilterForm(request.args, meta={"csrf": False})
    form.object_type.choices = object_type_choices(audit_services.object_types())
    page = paginate(audit_services.audit_query(current_user, form.filters(), unit=unit))
    rows = audit_services.audit_rows(page.items)
    return render_template(
        "units/audit.html", unit=unit, form=form, page=page, rows=rows, **AUDIT_LABELS
    )
