"""The "Xuất Excel" links of the list pages: the same query, every page, as .xlsx.

A long list is written by a background job (the job page offers the file when it is done),
so a request never spends minutes writing a spreadsheet.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry import jobs
from registry.exports import jobs as _export_jobs  # noqa: F401  (registers the export job)
from registry.exports import services
from registry.web import today

bp = Blueprint("exports", __name__, url_prefix="/export")

LIST_PAGES = {
    "citizens": "citizens.index",
    "households": "households.index",
    "clans": "clans.index",
    "organisations": "organisations.index",
    "awards": "awards.index",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/<name>.xlsx")
@login_required
def export(name: str) -> ResponseReturnValue:
    # the route says ``name``: ``kind`` is a filter of the recognitions list
    kind = name
    if kind not in services.EXPORTS:
        abort(404)
    filters = services.Filters.from_args(request.args)
    stmt = services.list_query(kind, current_user, filters)
    total = services.count(stmt)
    limit = current_app.config.get("EXPORT_MAX_ROWS", 200_000)
    if total > limit:
        flash(
            _(
                "Danh sách có %(n)s dòng, quá %(max)s dòng một tệp Excel. Hãy lọc theo đơn vị "
                "nhỏ hơn rồi xuất lại.",
                n=total,
                max=limit,
            ),
            "warning",
        )
        back: dict[str, Any] = dict(request.args.to_dict())
        return redirect(url_for(LIST_PAGES[kind], **back))
    if total > current_app.config.get("EXPORT_INLINE_MAX_ROWS", 10_000):
        params = {"kind": kind, "filters": filters.to_dict()}
        job = jobs.submit("export", params, actor=current_user, unit_id=current_user.unit_id)
        return redirect(url_for("main.job", job_id=job.id))
    buffer = io.BytesIO()
    services.write(kind, stmt, buffer)
    buffer.seek(0)
    return send_file(
        buffer, mimetype=XLSX, as_attachment=True, download_name=services.filename(kind, today())
    )
