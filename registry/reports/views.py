"""The progress dashboard of a unit and the downloads of its yearly report."""

from __future__ import annotations

import io

from flask import Blueprint, current_app, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.auth.services import in_scope, require_scope
from registry.models import AdminUnit
from registry.reports.charts import line_chart
from registry.reports.counts import years_with_results
from registry.reports.documents import (
    YearlyReport,
    chart,
    column_label,
    filename,
    report_pdf,
    target_percent,
    yearly_report,
)
from registry.reports.figures import population_label
from registry.reports.services import DEADLINES, Calendar, progress
from registry.reports.workbook import report_xlsx
from registry.units.services import get_by_code
from registry.web import today, year_of

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit() -> AdminUnit:
    code = request.args.get("unit", "").strip()
    unit = get_by_code(code) if code else current_user.unit
    require_scope(current_user, unit, hide=False)
    return unit


def _year(unit: AdminUnit) -> int:
    if (year := year_of(request.args.get("year"))) is not None:
        return year
    years = years_with_results(unit.id)
    return years[-1] if years else today().year


def _calendar() -> Calendar:
    return current_app.config.get("REPORT_DEADLINES", DEADLINES)  # type: ignore[no-any-return]


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    unit = _unit()
    year = _year(unit)
    figures = progress(
        current_user,
        unit,
        year,
        today=today(),
        sort_key=request.args.get("by") or None,
        calendar=_calendar(),
    )
    years = sorted(set(figures.trend.years) | {today().year, today().year - 1, year}, reverse=True)
    return render_template(
        "reports/index.html",
        p=figures,
        years=years,
        bars=chart(figures.compared) if figures.compared else "",
        trend=line_chart(
            figures.trend.years, figures.trend.series, _("Tỷ lệ đạt danh hiệu qua các năm")
        ),
        population_label=population_label,
        column_label=column_label,
        target_percent=target_percent,
        ancestors=[(a, in_scope(current_user, a)) for a in reversed(unit.ancestors()[1:])],
    )


def _yearly() -> YearlyReport:
    unit = _unit()
    return yearly_report(current_user, unit, _year(unit), today=today(), calendar=_calendar())


@bp.route("/yearly.xlsx")
@login_required
def yearly_xlsx() -> ResponseReturnValue:
    report = _yearly()
    return send_file(
        io.BytesIO(report_xlsx(report)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=filename(report, "xlsx"),
    )


@bp.route("/yearly.pdf")
@login_required
def yearly_pdf() -> ResponseReturnValue:
    report = _yearly()
    return send_file(
        io.BytesIO(report_pdf(report)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=filename(report, "pdf"),
    )
