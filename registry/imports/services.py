"""Importing an .xlsx in the template's layout: dry run or all-or-nothing import.

The steps run in a SAVEPOINT inside the caller's transaction, in the order the sheets depend
on each other: the citizens are recognised first (a new household may turn out to be the one
its members already share), then households, citizens, clan memberships and activities are
written through the features' services. A dry run, or any problem, rolls the SAVEPOINT back,
so nothing is written unless the whole file is clean; the caller commits a clean import.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from registry.extensions import db
from registry.imports import activities, citizens, households, members
from registry.imports.context import Context
from registry.imports.reader import Limits, read_workbook
from registry.imports.report import ImportRefusedError, ImportReport
from registry.imports.sheets import SheetRows, tabulate, wanted
from registry.imports.template import write_template
from registry.models import ActivityCategory, User

#: at or above this many new records in a sheet, the set-wise path creates them
BULK_MIN_ROWS = 200

Progress = Callable[[int, str], None]


def limits_from(config: Mapping[str, Any]) -> Limits:
    """Import limits from the application's configuration (``IMPORT_*`` settings)."""
    defaults = Limits()
    return Limits(
        max_bytes=int(config.get("MAX_CONTENT_LENGTH") or defaults.max_bytes),
        max_uncompressed=int(config.get("IMPORT_MAX_UNCOMPRESSED", defaults.max_uncompressed)),
        max_rows=int(config.get("IMPORT_MAX_ROWS", defaults.max_rows)),
    )


def template(out: IO[bytes] | str) -> None:
    """Write the empty import template (with the active activity categories listed)."""
    stmt = (
        select(ActivityCategory.code, ActivityCategory.name_vi)
        .where(ActivityCategory.is_active.is_(True))
        .order_by(ActivityCategory.sort_order)
    )
    write_template(out, [(code, name) for code, name in db.session.execute(stmt)])


def run_import(
    path: Path,
    actor: User,
    *,
    today: date,
    dry_run: bool,
    filename: str = "",
    limits: Limits | None = None,
    bulk_min: int = BULK_MIN_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """Check (and unless ``dry_run``, apply) the workbook at ``path`` as ``actor``.

    Never raises for a bad file: the report says why it was refused, or lists every problem
    with sheet, row and column. Nothing is written unless the report is ``ok`` and not a dry
    run; the caller then commits.
    """
    started = time.perf_counter()
    report = ImportReport(filename or path.name, dry_run)
    try:
        if not actor.can_edit:
            raise ImportRefusedError("Tài khoản của bạn chỉ có quyền xem, không nhập được dữ liệu.")
        if progress:
            progress(5, "Đang đọc tệp…")
        sheets = tabulate(read_workbook(path, limits or Limits(), wanted), report)
    except ImportRefusedError as error:
        report.refused = error.message
    else:
        report.rows = sum(len(s.rows) for s in sheets.values())
        if progress:
            progress(30, f"Đã đọc {report.rows} dòng; đang kiểm tra và ghi vào sổ…")
        _apply_in_savepoint(Context(actor, today, report, bulk_min), sheets)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _apply_in_savepoint(ctx: Context, sheets: dict[str, SheetRows]) -> None:
    savepoint = db.session.begin_nested()
    try:
        _apply(ctx, sheets)
        db.session.flush()
    except (IntegrityError, StaleDataError):
        savepoint.rollback()
        ctx.report.refused = (
            "Dữ liệu trong sổ vừa bị người khác thay đổi trong lúc nhập; chưa ghi gì. Hãy thử lại."
        )
        return
    except BaseException:
        savepoint.rollback()
        raise
    if ctx.report.dry_run or not ctx.report.ok:
        savepoint.rollback()
    else:
        savepoint.commit()
        ctx.report.committed = True


def _apply(ctx: Context, sheets: dict[str, SheetRows]) -> None:
    people = citizens.resolve(ctx, sheets["citizens"]) if "citizens" in sheets else []
    if "households" in sheets or any(item.household_key for item in people):
        households.apply(ctx, sheets.get("households"), people)
    if people:
        citizens.apply(ctx, people)
    if "clan_members" in sheets:
        members.apply(ctx, sheets["clan_members"])
    if "activities" in sheets:
        activities.apply(ctx, sheets["activities"])
