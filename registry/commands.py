"""The ``flask`` command-line interface of the contract; thin wrappers over the services."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from registry.errors import RegistryError
from registry.extensions import db


def _fail(message: str) -> None:
    """Print ``message`` on stderr and exit with status 1."""
    raise click.ClickException(message)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema (migrations) and load reference data; safe to run twice."""
    from registry.activities.services import load_categories

    upgrade(directory=current_app.extensions["migrate"].directory)
    changed = load_categories()
    db.session.commit()
    click.echo(f"Schema up to date; {changed} activity categories added or changed.")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "province", "district", "commune", "viewer"]),
)
@click.option("--unit", "unit_code", required=True, help="Code of the administrative unit.")
@click.option("--password", required=True)
@click.option("--name", "full_name", default="", help="Full name shown in the interface.")
def create_user(username: str, role: str, unit_code: str, password: str, full_name: str) -> None:
    """Create a staff account scoped to an administrative unit."""
    from registry.auth.services import create_user as create
    from registry.models import Role
    from registry.units.services import get_by_code

    try:
        user = create(
            actor=None,
            username=username,
            password=password,
            role=Role(role),
            unit=get_by_code(unit_code),
            full_name=full_name,
        )
    except RegistryError as error:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.field_errors.items())
        _fail(f"{error.message} {details}".strip())
        return
    db.session.commit()
    click.echo(f"Created {user.role.value} account '{user.username}' for unit {unit_code}.")


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--size", type=click.Choice(["small", "province"]), default="small", show_default=True
)
@click.option("--seed", default=1373, show_default=True, help="Random seed (same seed, same data).")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and succeed) if the database has units."
)
@click.option(
    "--scale", type=float, default=1.0, hidden=True, help="Households per village × SCALE (tests)."
)
def seed_demo(size: str, seed: int, if_empty: bool, scale: float) -> None:
    """Fill an empty database with demo data under province code 34 (Thái Bình)."""
    from registry import demo

    try:
        summary = demo.seed(size=size, seed=seed, echo=click.echo, if_empty=if_empty, scale=scale)
    except RegistryError as error:
        _fail(error.message)
        return
    db.session.commit()
    click.echo(summary)


def register(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    from registry.awards.commands import COMMANDS as AWARD_COMMANDS
    from registry.backup import COMMANDS as BACKUP_COMMANDS
    from registry.evaluation.commands import COMMANDS as EVALUATION_COMMANDS
    from registry.imports.commands import COMMANDS as IMPORT_COMMANDS
    from registry.reports.commands import COMMANDS as REPORT_COMMANDS

    for command in (
        init_db,
        create_user,
        seed_demo,
        *EVALUATION_COMMANDS,
        *AWARD_COMMANDS,
        *REPORT_COMMANDS,
        *IMPORT_COMMANDS,
        *BACKUP_COMMANDS,
    ):
        app.cli.add_command(command)
