"""CLI: ``evaluate`` and ``criteria-check`` (thin wrappers over the evaluation services)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

import criteria
from registry.errors import RegistryError
from registry.evaluation.services import LevelReport, evaluate_year, vacuum_results
from registry.extensions import db

LEVEL_NAMES = {
    "citizen": "công dân",
    "household": "hộ gia đình",
    "clan": "dòng họ",
    "organisation": "cơ quan, đơn vị",
    "village": "thôn",
    "commune": "xã",
    "district": "huyện",
    "province": "tỉnh",
}


@click.command("evaluate")
@with_appcontext
@click.option("--year", required=True, type=click.IntRange(2000, 2100))
@click.option(
    "--unit", "unit_code", default=None, help="Only this unit and below (and its ancestors)."
)
def evaluate_command(year: int, unit_code: str | None) -> None:
    """Evaluate citizens and roll up to every unit title for YEAR."""
    from registry.units.services import get_by_code

    try:
        root = get_by_code(unit_code) if unit_code else None
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    started = time.perf_counter()

    def show(report: LevelReport) -> None:
        if report.evaluated:
            click.echo(
                f"  {LEVEL_NAMES[report.kind]:<16} {report.evaluated:>9,} đánh giá, "
                f"{report.passed:>9,} đạt  ({', '.join(report.set_keys)}; {report.seconds:.2f} s)"
            )

    click.echo(f"Đánh giá năm {year}{' — ' + unit_code if unit_code else ''}:")
    evaluate_year(year, root, progress=show)
    db.session.commit()
    vacuum_results()
    click.echo(f"Xong trong {time.perf_counter() - started:.1f} s.")


@click.command("criteria-check")
@with_appcontext
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def criteria_check(files: tuple[Path, ...]) -> None:
    """Validate criteria set files (all shipped sets when none given)."""
    try:
        loaded = [criteria.load_set(path) for path in files] if files else list(criteria.load_all())
    except criteria.CriteriaError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"Không đọc được tệp: {error}") from None
    for cset in loaded:
        click.echo(f"OK  {cset.key}: {cset.title} ({cset.subject}, {len(cset.criteria)} tiêu chí)")
    click.echo(f"{len(loaded)} bộ tiêu chí hợp lệ.")


COMMANDS = (evaluate_command, criteria_check)
