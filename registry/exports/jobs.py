"""The background job that writes a long list export (the page hands out the file when done)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app

from registry.exports import services
from registry.jobs import runner
from registry.models import Job


@runner("export")
def run_export(job: Job, params: dict[str, Any], report: Callable[[int, str], None]) -> str:
    """Write list ``params["kind"]`` with ``params["filters"]`` as the job's user would see it."""
    if job.user is None:
        raise ValueError("the account that asked for the export no longer exists")
    kind = params["kind"]
    stmt = services.list_query(kind, job.user, services.Filters(**params["filters"]))
    report(5, "Đang ghi tệp Excel…")
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{services.EXPORTS[kind].filename}-job{job.id}.xlsx"
    services.write(kind, stmt, str(out))
    return str(out)
