"""CLI: ``certificates`` (one PDF with every approved certificate of a unit and year)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

from registry import audit
from registry.awards.printing import print_unit
from registry.errors import RegistryError
from registry.extensions import db
from registry.units.services import get_by_code


@click.command("certificates")
@with_appcontext
@click.option("--year", required=True, type=click.IntRange(2000, 2100))
@click.option("--unit", "unit_code", required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def certificates_command(year: int, unit_code: str, out: Path) -> None:
    """Write one PDF with every approved certificate of UNIT for YEAR."""
    started = time.perf_counter()
    try:
        unit = get_by_code(unit_code)
        files = print_unit(unit, year, out, _show_progress())
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    audit.record(
        None,
        "print_batch",
        unit,
        unit_id=unit.id,
        summary=f"{len(files)} tệp, năm {year}",
        changes={"files": [str(f) for f in files]},
    )
    db.session.commit()
    seconds = time.perf_counter() - started
    for path in files:
        click.echo(f"Đã ghi {path}")
    click.echo(f"Xong trong {seconds:.1f} s.")


def _show_progress() -> Callable[[int, int], None]:
    """A progress line at each tenth of the batch (a big batch renders for minutes)."""
    shown = [0]

    def show(done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            click.echo(f"  Đã dựng {done:,}/{total:,} giấy công nhận…")

    return show


COMMANDS = (certificates_command,)
