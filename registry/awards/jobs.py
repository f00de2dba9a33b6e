"""The background job that prints a unit's certificates (the officials' button)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app

from registry import audit
from registry.awards.printing import print_unit
from registry.extensions import db
from registry.jobs import runner
from registry.models import AdminUnit, Job


@runner("certificates")
def run_printing(job: Job, params: dict[str, Any], report: Callable[[int, str], None]) -> str:
    """Render the certificates of the job's unit and year into instance/exports/."""
    unit = db.session.get(AdminUnit, int(params["unit_id"]))
    if unit is None:
        raise ValueError("unit not found")
    year = int(params["year"])
    exports = Path(current_app.instance_path) / "exports"
    out = exports / f"giay-cong-nhan-{unit.code}-{year}-job{job.id}.pdf"

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            report(int(95 * done / max(total, 1)), f"Đã dựng {done}/{total} giấy công nhận")

    files = print_unit(unit, year, out, progress)
    if len(files) > 1:  # several PDF files of ≤ 1,000 pages: hand them over as one zip
        archive = out.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w") as bundle:
            for path in files:
                bundle.write(path, path.name)
        out = archive
    audit.record(job.user, "print_batch", unit, unit_id=unit.id, summary=f"năm {year}, {out.name}")
    return str(out)
