"""Home page, language switch, and the staff overview of their unit."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from registry.extensions import db
from registry.main import services
from registry.models import Job, Role

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


def _own_job(job_id: int) -> Job:
    found = db.session.get(Job, job_id)
    if found is None or (found.user_id != current_user.id and current_user.role != Role.admin):
        abort(404)
    return found


@bp.route("/jobs/<int:job_id>")
@login_required
def job(job_id: int) -> ResponseReturnValue:
    return render_template("main/job.html", job=_own_job(job_id))


@bp.route("/jobs/<int:job_id>/download")
@login_required
def job_download(job_id: int) -> ResponseReturnValue:
    found = _own_job(job_id)
    exports = (Path(current_app.instance_path) / "exports").resolve()
    path = Path(found.result_path or "").resolve()
    if found.status != "done" or not path.is_file() or exports not in path.parents:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name)
