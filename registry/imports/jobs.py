"""The background job that runs an uploaded import (dry run first, then the real import).

The uploaded file waits in ``instance/imports/`` (``IMPORTS_DIR``) under a random name; each
job writes its report next to it (``<name>-dry-run.json`` or ``<name>-import.json``) for the
import page to show. Progress is reported only
while the file is read: ``report()`` commits, and the import itself must stay one transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app

from registry.imports import services
from registry.imports.report import ImportReport
from registry.jobs import runner
from registry.models import Job
from registry.web import today

UPLOAD_MAX_AGE = 24 * 3600  # seconds an unconfirmed upload is kept


def imports_dir() -> Path:
    """Where uploads and reports are kept (created on first use)."""
    folder = Path(
        current_app.config.get("IMPORTS_DIR") or Path(current_app.instance_path) / "imports"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(token: str) -> Path:
    """The stored upload named ``token`` (a random hex name, never the user's file name)."""
    if not token.isalnum():
        raise ValueError("bad upload name")
    return imports_dir() / f"{token}.xlsx"


def report_path(params: dict[str, Any]) -> Path:
    """The JSON report of the job with ``params``."""
    token = str(params.get("file", ""))
    if not token.isalnum():
        raise ValueError("bad upload name")
    return imports_dir() / f"{token}-{'dry-run' if params.get('dry_run') else 'import'}.json"


def job_params(job: Job) -> dict[str, Any]:
    """The parameters an import job was submitted with."""
    params = json.loads(job.params or "{}")
    return params if isinstance(params, dict) else {}


def load_report(job: Job) -> ImportReport | None:
    """The report of a finished import job, or None."""
    try:
        path = report_path(job_params(job))
    except ValueError:
        return None
    if not path.is_file():
        return None
    return ImportReport.from_dict(json.loads(path.read_text(encoding="utf-8")))


def forget_old_uploads() -> None:
    """Delete uploads (and reports) older than a day: dry runs nobody confirmed."""
    limit = time.time() - UPLOAD_MAX_AGE
    for path in imports_dir().iterdir():
        if path.suffix in {".xlsx", ".json"} and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


@runner("import")
def run_import_job(job: Job, params: dict[str, Any], report: Callable[[int, str], None]) -> None:
    """Dry-run or import the uploaded file as the job's user; the job's commit applies it."""
    if job.user is None:
        raise ValueError("the account that uploaded the file no longer exists")
    path = upload_path(params["file"])
    result = services.run_import(
        path,
        job.user,
        today=today(),
        dry_run=bool(params["dry_run"]),
        filename=params.get("filename", ""),
        limits=services.limits_from(current_app.config),
        bulk_min=int(current_app.config.get("IMPORT_BULK_MIN_ROWS", services.BULK_MIN_ROWS)),
        progress=report,
    )
    report_path(params).write_text(
        json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8"
    )
    if not result.dry_run or not result.ok:
        path.unlink(missing_ok=True)
    job.message = result.summary()
