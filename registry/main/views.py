"""Home page, language switch, and the staff overview of their unit."""

from __future__ import annotations

import json
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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from registry import jobs
from registry.extensions import db
from registry.main import services
from registry.models import AdminUnit, Job, Role
from registry.web import local_target

bp = Blueprint("main", __name__)

JOB_KINDS = {
    "evaluate": _l("Đánh giá"),
    "certificates": _l("In giấy công nhận của cả đơn vị (PDF)"),
    "export": _l("Xuất Excel"),
    "import": _l("Nhập từ Excel"),
}


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
    return redirect(local_target(request.form.get("next"), url_for("main.index")))


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    return {"status": "ok"}


def _own_job(job_id: int) -> Job:
    found = db.session.get(Job, job_id)
    if found is None or (found.user_id != current_user.id and current_user.role != Role.admin):
        abort(404)
    return jobs.reap(found)  # a job whose process died says so instead of waiting for ever


def _describe(found: Job) -> str:
    """What the job does, for its page: "Đánh giá · Xã Tân Hòa · năm 2026"."""
    parts = [str(JOB_KINDS.get(found.kind, found.kind))]
    unit = db.session.get(AdminUnit, found.unit_id) if found.unit_id else None
    if unit is not None:
        parts.append(unit.display_name)
    if year := json.loads(found.params).get("year"):
        parts.append(_("năm %(year)s", year=year))
    return " · ".join(parts)


def _results_url(found: Job) -> str | None:
    """Where a finished evaluation's results are shown (other jobs hand over a file)."""
    if found.status != "done" or found.kind != "evaluate":
        return None
    return url_for("evaluation.index", year=json.loads(found.params).get("year"))


@bp.route("/jobs/<int:job_id>")
@login_required
def job(job_id: int) -> ResponseReturnValue:
    found = _own_job(job_id)
    return render_template(
        "main/job.html", job=found, description=_describe(found), results_url=_results_url(found)
    )


@bp.route("/jobs/<int:job_id>/download")
@login_required
def job_download(job_id: int) -> ResponseReturnValue:
    found = _own_job(job_id)
    exports = (Path(current_app.instance_path) / "exports").resolve()
    path = Path(found.result_path or "").resolve()
    if found.status != "done" or not path.is_file() or exports not in path.parents:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name)
