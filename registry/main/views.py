"""Home page, language switch, and the staff overview of their unit."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from registry.main import services

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    return render_template(
        "main/index.html", unit=current_user.unit, counts=services.unit_counts(current_user.unit)
    )


@bp.route("/lang/<code>", methods=("POST",))
def set_language(code: str) -> ResponseReturnValue:
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    return {"status": "ok"}
