"""CLI: ``import-template --out FILE`` and ``import FILE [--dry-run] [--user NAME]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from registry.extensions import db
from registry.imports import services
from registry.imports.report import ImportReport
from registry.models import Role, User
from registry.web import today


@click.command("import-template")
@with_appcontext
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def import_template_command(out: Path) -> None:
    """Write the empty .xlsx import template (Vietnamese headers and an instructions sheet)."""
    if not out.parent.is_dir():
        raise click.ClickException(f"Thư mục {out.parent} không tồn tại.")
    services.template(str(out))
    click.echo(f"Đã ghi mẫu nhập vào {out}.")


def _actor(username: str | None) -> User:
    """The named staff account, or (no --user) the system acting with an admin's scope."""
    if username is None:
        return User(username="system", role=Role.admin, full_name="Dòng lệnh")
    user: User | None = db.session.scalar(
        select(User).where(User.username == username.strip().lower())
    )
    if user is None or not user.active:
        raise click.ClickException(f"Không có tài khoản đang hoạt động tên “{username}”.")
    return user


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything and write nothing.")
@click.option("--user", "username", help="Import as this account (its scope applies).")
def import_command(file: Path, dry_run: bool, username: str | None) -> None:
    """Import FILE (.xlsx in the template's layout): all or nothing, errors by row and column."""
    if not file.is_file():
        raise click.ClickException(f"Không tìm thấy tệp {file}.")
    actor = _actor(username)
    report = services.run_import(
        file,
        actor,
        today=today(),
        dry_run=dry_run,
        limits=services.limits_from(current_app.config),
        bulk_min=int(current_app.config.get("IMPORT_BULK_MIN_ROWS", services.BULK_MIN_ROWS)),
    )
    if report.committed:
        db.session.commit()
    else:
        db.session.rollback()
    _echo(report)
    if not report.ok:
        raise click.ClickException(
            report.refused or f"Có {report.problem_total} lỗi; không có dữ liệu nào được ghi."
        )


def _echo(report: ImportReport) -> None:
    title = "Chạy thử" if report.dry_run else "Nhập dữ liệu"
    click.echo(f"{title}: {report.filename} ({report.rows} dòng, {report.seconds:.1f} s)")
    if report.refused:
        return
    click.echo(report.summary())
    for problem in report.problems:
        click.echo(f"  Lỗi – {problem}", err=True)
    if report.problem_total > len(report.problems):
        click.echo(f"  … và {report.problem_total - len(report.problems)} lỗi khác.", err=True)
    if report.dry_run and report.ok:
        for change in report.changes[:50]:
            click.echo(f"  {change}")
        if report.change_total > 50:
            click.echo(f"  … và {report.change_total - 50} thay đổi khác.")


COMMANDS = (import_template_command, import_command)
