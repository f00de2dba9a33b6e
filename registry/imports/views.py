"""Import pages: the template, the upload and its dry run, and the confirmed import."""

from __future__ import annotations

import io
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry import jobs
from registry.auth.decorators import editor_required
from registry.extensions import db
from registry.imports import jobs as import_jobs
from registry.imports import services
from registry.imports.forms import ConfirmForm, UploadForm
from registry.models import Job, Role

bp = Blueprint("imports", __name__, url_prefix="/import")


@bp.route("/template.xlsx")
@login_required
def template() -> ResponseReturnValue:
    buffer = io.BytesIO()
    services.template(buffer)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="mau-nhap-du-lieu.xlsx",
    )


@bp.route("/", methods=("GET", "POST"))
@editor_required
def index() -> ResponseReturnValue:
    form = UploadForm()
    if form.validate_on_submit():
        import_jobs.forget_old_uploads()
        token = secrets.token_hex(16)
        form.file.data.save(import_jobs.upload_path(token))
        params = {"file": token, "filename": form.file.data.filename or "", "dry_run": True}
        job = jobs.submit("import", params, actor=current_user, unit_id=current_user.unit_id)
        return redirect(url_for("imports.job", job_id=job.id))
    return render_template("imports/index.html", form=form)


def _own_import(job_id: int) -> Job:
    found = db.session.get(Job, job_id)
    if found is None or found.kind != "import":
        abort(404)
    if found.user_id != current_user.id and current_user.role != Role.admin:
        abort(404)
    return jobs.reap(found)


@bp.route("/jobs/<int:job_id>")
@editor_required
def job(job_id: int) -> ResponseReturnValue:
    found = _own_import(job_id)
    report = import_jobs.load_report(found) if found.status == "done" else None
    return render_template("imports/job.html", job=found, report=report, form=ConfirmForm())


@bp.route("/jobs/<int:job_id>/confirm", methods=("POST",))
@editor_required
def confirm(job_id: int) -> ResponseReturnValue:
    found = _own_import(job_id)
    report = import_jobs.load_report(found)
    params = import_jobs.job_params(found)
    if not ConfirmForm().validate_on_submit() or report is None or not report.dry_run:
        abort(400)
    if not report.ok:
        abort(400)
    token = str(params.get("file", ""))
    if not token.isalnum() or not import_jobs.upload_path(token).is_file():
        flash(
            _("Tệp đã tải lên không còn nữa (đã nhập hoặc quá một ngày). Hãy tải lên lại."),
            "warning",
        )
        return redirect(url_for("imports.index"))
    params["dry_run"] = False
    new_job = jobs.submit("import", params, actor=current_user, unit_id=current_user.unit_id)
    return redirect(url_for("imports.job", job_id=new_job.id))
