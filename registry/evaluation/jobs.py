"""The background job that evaluates a year for a unit (the officials' button)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.evaluation.commands import LEVEL_NAMES
from registry.evaluation.services import LevelReport, evaluate_year
from registry.extensions import db
from registry.jobs import runner
from registry.models import AdminUnit, Job
from registry.vn import format_number_vn


@runner("evaluate")
def run_evaluation(job: Job, params: dict[str, Any], report: Callable[[int, str], None]) -> None:
    """Evaluate ``params["year"]`` under the job's unit, committing level by level."""
    unit = db.session.get(AdminUnit, job.unit_id) if job.unit_id else None
    lines: list[str] = []
    done: list[str] = []
    steps = len(LEVEL_NAMES)

    def progress(level: LevelReport) -> None:
        done.append(level.kind)
        if level.evaluated:
            evaluated, passed = (
                format_number_vn(level.evaluated, 0),
                format_number_vn(level.passed, 0),
            )
            lines.append(f"{LEVEL_NAMES[level.kind]}: {evaluated} đánh giá, {passed} đạt")
        report(int(100 * len(done) / (steps + 1)), "\n".join(lines))

    evaluate_year(int(params["year"]), unit, progress=progress)
