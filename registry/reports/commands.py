"""CLI: ``report`` (a unit's yearly report as .xlsx or PDF)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.errors import RegistryError
from registry.reports.documents import report_pdf, yearly_report
from registry.reports.services import DEADLINES
from registry.reports.workbook import report_xlsx
from registry.units.services import get_by_code
from registry.web import today


@click.command("report")
@with_appcontext
@click.option("--year", required=True, type=click.IntRange(2000, 2100))
@click.option("--unit", "unit_code", required=True, help="Code of the administrative unit.")
@click.option("--format", "fmt", required=True, type=click.Choice(["xlsx", "pdf"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def report_command(year: int, unit_code: str, fmt: str, out: Path) -> None:
    """Write the yearly report of UNIT for YEAR (figures against the plans' targets, child
    units, lists of recognised subjects) as .xlsx or PDF."""
    try:
        unit = get_by_code(unit_code)
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    calendar = current_app.config.get("REPORT_DEADLINES", DEADLINES)
    report = yearly_report(None, unit, year, today=today(), calendar=calendar)
    content = report_xlsx(report) if fmt == "xlsx" else report_pdf(report)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"Không ghi được tệp {out}: {error.strerror}") from None
    click.echo(f"Đã ghi {out}: báo cáo năm {year} của {unit.display_name}.")


COMMANDS = (report_command,)
