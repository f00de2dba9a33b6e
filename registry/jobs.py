"""Run long jobs off the request: a thread with its own app context, progress in the database.

A web worker must not block for minutes: the view submits a job and redirects to its page,
which refreshes itself until the job is done. Each step of a job commits its own work with
the progress, so an interrupted job leaves complete steps behind and can simply be re-run.
Tests (``JOBS_SYNCHRONOUS``) run jobs inline.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from registry.extensions import db
from registry.models import Job, User
from registry.models._mixins import utcnow

log = logging.getLogger(__name__)

# kind → function(job, params, report) doing the work; report(percent, message) commits
Runner = Callable[[Job, dict[str, Any], Callable[[int, str], None]], str | None]
RUNNERS: dict[str, Runner] = {}


def runner(kind: str) -> Callable[[Runner], Runner]:
    """Register the function that runs jobs of ``kind``."""

    def register(fn: Runner) -> Runner:
        RUNNERS[kind] = fn
        return fn

    return register


def submit(kind: str, params: dict[str, Any], *, actor: User, unit_id: int | None) -> Job:
    """Record a job and start it (in a thread, or inline when JOBS_SYNCHRONOUS is set)."""
    if kind not in RUNNERS:
        raise ValueError(f"unknown job kind {kind}")
    job = Job(kind=kind, params=json.dumps(params), user_id=actor.id, unit_id=unit_id)
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_SYNCHRONOUS"):
        _run(job.id)
    else:
        threading.Thread(target=_run_in_app, args=(app, job.id), daemon=True).start()
    return job


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        _run(job_id)
        db.session.remove()


def _run(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None:  # pragma: no cover - the row was committed before the thread started
        return
    job.status = "running"
    db.session.commit()

    def report(percent: int, message: str) -> None:
        job.progress, job.message = max(0, min(100, percent)), message
        db.session.commit()

    try:
        job.result_path = RUNNERS[job.kind](job, json.loads(job.params), report)
    except Exception as error:  # any failure is recorded on the job page, never lost
        log.exception("job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(Job, job_id) or job
        job.status, job.message = "failed", f"Lỗi: {error}"
    else:
        job.status, job.progress = "done", 100
    job.finished_at = utcnow()
    db.session.commit()
