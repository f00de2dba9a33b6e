"""Staff login and logout."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from registry import audit
from registry.auth import LOGIN_LIMIT_SCOPE, services
from registry.auth.forms import LoginForm, PasswordForm
from registry.extensions import db, limiter
from registry.web import local_target

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=("GET", "POST"))
@limiter.shared_limit(_login_limit, scope=LOGIN_LIMIT_SCOPE, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
            audit.record(user, "login", user, unit_id=user.unit_id, summary=user.username)
            db.session.commit()
            return redirect(local_target(request.args.get("next"), url_for("main.index")))
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=("POST",))
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=("GET", "POST"))
@login_required
def password() -> ResponseReturnValue:
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data or ""):
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            services.change_password(current_user, actor=current_user, new_password=form.new.data)
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on, the others end
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
