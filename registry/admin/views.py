"""Administration (admins only): staff accounts and the whole audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from registry.admin import services
from registry.admin.forms import (
    AUDIT_LABELS,
    ROLE_LABELS,
    AuditFilterForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    object_type_choices,
)
from registry.auth import services as auth_services
from registry.auth.decorators import admin_required
from registry.errors import ValidationFailed
from registry.extensions import db
from registry.models import AdminUnit, Role, User
from registry.web import paginate, submit_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _unit(code: str | None) -> AdminUnit:
    """The unit typed into a form, as a field error on ``unit`` when there is none."""
    unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == (code or "").strip()))
    if unit is None:
        raise ValidationFailed(
            "Thông tin tài khoản không hợp lệ.",
            {"unit": ["Không có đơn vị hành chính với mã này."]},
        )
    return unit


def _get_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/")
@admin_required
def index() -> ResponseReturnValue:
    return redirect(url_for("admin.users"))


@bp.route("/users")
@admin_required
def users() -> ResponseReturnValue:
    stmt = select(User).options(joinedload(User.unit)).order_by(User.username)
    page = paginate(stmt)
    return render_template("admin/users.html", page=page, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=("GET", "POST"))
@admin_required
def create_user() -> ResponseReturnValue:
    form = UserCreateForm()
    user = submit_form(
        form,
        lambda: auth_services.create_user(
            actor=current_user,
            username=form.username.data or "",
            password=form.password.data or "",
            role=Role(form.role.data),
            unit=_unit(form.unit.data),
            full_name=(form.full_name.data or "").strip(),
        ),
    )
    if user is not None:
        flash(_("Đã tạo tài khoản %(name)s.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=("GET", "POST"))
@admin_required
def edit_user(user_id: int) -> ResponseReturnValue:
    user = _get_user(user_id)
    form = UserEditForm(obj=None if request.method == "POST" else user)
    if request.method == "GET":
        form.role.data, form.unit.data = user.role.value, user.unit.code
    if (
        submit_form(
            form,
            lambda: auth_services.update_user(
                user,
                actor=current_user,
                full_name=form.full_name.data or "",
                role=Role(form.role.data),
                unit=_unit(form.unit.data),
                active=bool(form.active.data),
            ),
        )
        is not None
    ):
        flash(_("Đã lưu tài khoản %(name)s.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/password", methods=("GET", "POST"))
@admin_required
def reset_password(user_id: int) -> ResponseReturnValue:
    user = _get_user(user_id)
    form = PasswordResetForm()
    if (
        submit_form(
            form,
            lambda: auth_services.reset_password(
                user, actor=current_user, new_password=form.password.data or ""
            ),
        )
        is not None
    ):
        flash(_("Đã đặt lại mật khẩu cho %(name)s.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/password.html", form=form, user=user)


@bp.route("/audit")
@admin_required
def audit() -> ResponseReturnValue:
    form = AuditFilterForm(request.args, meta={"csrf": False})
    form.object_type.choices = object_type_choices(services.object_types())
    page = paginate(services.audit_query(current_user, form.filters()))
    rows = services.audit_rows(page.items)
    return render_template("admin/audit.html", form=form, page=page, rows=rows, **AUDIT_LABELS)
