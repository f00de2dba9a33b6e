"""The yearly report (báo cáo năm) of a unit: its content, and the PDF through the
``certificates`` renderer (``layouts/report``); the workbook is in :mod:`.workbook`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

import certificates
from certificates.data import (
    ReportCell,
    ReportChild,
    ReportData,
    ReportDeadline,
    ReportEntry,
    ReportFigure,
    ReportList,
)
from registry import vn
from registry.models import AdminUnit, User
from registry.reports.charts import FONT, Bar, bar_chart
from registry.reports.counts import Tally
from registry.reports.figures import IndicatorFigure, Progress, TitleFigure, population_label
from registry.reports.recognised import RecognisedList, recognised_lists
from registry.reports.services import DEADLINES, Calendar, progress

#: The PDF lists at most this many subjects per title (the workbook lists them all): a
#: province's learning citizens would otherwise make a report of thousands of pages.
PDF_LIST_LIMIT = 2000
#: The chart in the PDF uses the layout's bundled font (declared in its style.css), so the
#: report embeds no host font.
PDF_FONT = "GCN Sans"


@dataclass(frozen=True)
class YearlyReport:
    """Figures, drill-down and lists of recognised subjects of one unit and year."""

    progress: Progress
    lists: list[RecognisedList]
    reported_on: date

    @property
    def unit(self) -> AdminUnit:
        return self.progress.unit

    @property
    def year(self) -> int:
        return self.progress.year


def yearly_report(
    actor: User | None,
    unit: AdminUnit,
    year: int,
    *,
    today: date,
    calendar: Calendar = DEADLINES,
) -> YearlyReport:
    """Gather the unit's yearly report.

    :raises OutOfScope: the actor may not see ``unit``.
    """
    figures = progress(actor, unit, year, today=today, calendar=calendar)
    return YearlyReport(figures, recognised_lists(unit.id, year), today)


def filename(report: YearlyReport, extension: str) -> str:
    """``bao-cao-nam-2025-huyen-vu-thu-344.pdf``: ASCII, safe in a download header."""
    slug = re.sub(r"[^a-z0-9]+", "-", vn.fold(report.unit.display_name)).strip("-")
    return f"bao-cao-nam-{report.year}-{slug}-{report.unit.code}.{extension}"


def target_percent(share: float | None) -> str:
    """A target as written in plans: "70%", "67,5%" ("—" for None)."""
    if share is None:
        return "—"
    points = round(100 * share, 1)
    return f"{vn.format_number_vn(points, 0 if points == int(points) else 1)}%"


def column_label(figure: IndicatorFigure) -> str:
    """A drill-down column: the indicator and its target ("… — chỉ tiêu 70% (2025)")."""
    if figure.target is None:
        return figure.label
    return f"{figure.label} — chỉ tiêu {target_percent(figure.target)} ({figure.target_year})"


def chart(figures: Sequence[IndicatorFigure], font: str = FONT) -> Markup:
    """The bar chart of share against target, grouped by plan (SVG markup, text escaped)."""
    groups: dict[str, list[Bar]] = {}
    for f in figures:
        tally = f.tally
        groups.setdefault(f.plan.title, []).append(
            Bar(
                f.label,
                f.share,
                tally.recognised_share if tally else None,
                f.target,
                f.target_year,
            )
        )
    return bar_chart(list(groups.items()), "Tỷ lệ đạt so với chỉ tiêu", font)


def _title_row(figure: TitleFigure) -> ReportFigure:
    t = figure.tally
    return ReportFigure(
        figure.title,
        population_label(figure.measure),
        t.population,
        t.evaluated,
        t.passed,
        t.share,
        t.recognised,
        t.recognised_share,
    )


def _indicator_row(figure: IndicatorFigure) -> ReportFigure:
    t = figure.tally or Tally()
    return ReportFigure(
        figure.label,
        population_label(figure.measure) if figure.measure else "",
        t.population,
        None,
        t.passed,
        t.share,
        t.recognised,
        t.recognised_share,
        figure.target,
        figure.target_year,
        figure.plan.title,
    )


def report_data(report: YearlyReport) -> ReportData:
    """The report as plain data for the ``report`` layout."""
    p = report.progress
    compared = p.compared
    lists = [
        ReportList(
            f"{item.title}",
            tuple(
                ReportEntry(
                    e.serial,
                    e.name,
                    e.address,
                    f"{e.decision_number} ngày {vn.format_date_vn(e.decided_on)}",
                )
                for e in item.entries[:PDF_LIST_LIMIT]
            ),
            max(0, len(item.entries) - PDF_LIST_LIMIT),
        )
        for item in report.lists
    ]
    return ReportData(
        unit_name=p.unit.display_name,
        year=p.year,
        reported_on=report.reported_on,
        deadlines=[ReportDeadline(d.label, d.due) for d in p.deadlines],
        titles=[_title_row(f) for f in p.titles],
        indicators=[_indicator_row(f) for f in compared],
        child_columns=[column_label(f) for f in compared],
        children=[
            ReportChild(
                row.unit.display_name,
                tuple(ReportCell(row.share(f.measure), f.target) for f in compared),
            )
            for row in p.children
        ],
        lists=lists,
        chart_svg=chart(compared, PDF_FONT) if compared else None,
    )


def report_pdf(report: YearlyReport) -> bytes:
    """The yearly report as a PDF (WeasyPrint, the ``report`` layout)."""
    return certificates.render_pdf("report", report_data(report))
