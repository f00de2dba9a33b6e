"""Run long jobs off the request: a thread with its own app context, progress in the database.

A web worker must not block for minutes: the view submits a job and redirects to its page,
which refreshes itself until the job is done. Each step of a job commits its own work with
the progress, so an interrupted job leaves complete steps behind and can simply be re-run.
Tests (``JOBS_SYNCHRONOUS``) run jobs inline.

A process that dies (killed, out of memory, restarted by a deployment) takes its job threads
with it and leaves their rows "queued" or "running" for ever. So the process running a job
holds an exclusive ``flock`` on ``instance/jobs/<id>.lock`` (``JOBS_DIR``) from submission to
the end, and the kernel drops that lock when the process dies, however it dies: a job
whose lock nobody holds is orphaned, and :func:`reap` marks it failed so its page stops
waiting and says to run it again. Like uploads and exports, this expects the web processes
of one deployment to share the instance folder.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from registry.extensions import db
from registry.models import Job, User
from registry.models._mixins import utcnow

log = logging.getLogger(__name__)

# kind → function(job, params, report) doing the work; report(percent, message) commits
Runner = Callable[[Job, dict[str, Any], Callable[[int, str], None]], str | None]
RUNNERS: dict[str, Runner] = {}

ACTIVE = ("queued", "running")
INTERRUPTED = (
    "Công việc bị gián đoạn vì tiến trình chạy nó đã dừng (máy chủ khởi động lại hoặc bị tắt). "
    "Phần đã xong được giữ nguyên; hãy chạy lại."
)


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
    reap_all()
    job = Job(kind=kind, params=json.dumps(params), user_id=actor.id, unit_id=unit_id)
    db.session.add(job)
    db.session.flush()
    lock = _hold_lock(job.id)  # before the commit: nobody sees the job without its lock
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_SYNCHRONOUS"):
        _run_holding(lock, job.id)
    else:
        threading.Thread(target=_run_in_app, args=(app, lock, job.id), daemon=True).start()
    return job


def reap(job: Job) -> Job:
    """Mark ``job`` failed if it is queued or running but the process running it is gone."""
    if job.status in ACTIVE and _orphaned(job.id):
        _fail_orphans([job.id])
        db.session.refresh(job)
    return job


def reap_all() -> int:
    """Mark every orphaned job failed (see :func:`reap`); returns how many there were."""
    active = db.session.scalars(select(Job.id).where(Job.status.in_(ACTIVE))).all()
    orphans = [job_id for job_id in active if _orphaned(job_id)]
    if orphans:
        _fail_orphans(orphans)
    return len(orphans)


def _fail_orphans(job_ids: list[int]) -> None:
    # only rows still active: a job that finished since we looked keeps its result
    db.session.execute(
        update(Job)
        .where(Job.id.in_(job_ids), Job.status.in_(ACTIVE))
        .values(status="failed", message=INTERRUPTED, finished_at=utcnow())
    )
    db.session.commit()
    for job_id in job_ids:
        _lock_path(job_id).unlink(missing_ok=True)
    log.warning("jobs %s were orphaned by a dead process and are marked failed", job_ids)


def _lock_path(job_id: int) -> Path:
    folder = Path(current_app.config.get("JOBS_DIR") or Path(current_app.instance_path) / "jobs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.lock"


def _hold_lock(job_id: int) -> tuple[int, Path]:
    """Open and lock the job's lock file; the lock lives as long as this process keeps it."""
    path = _lock_path(job_id)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd, path


def _orphaned(job_id: int) -> bool:
    """True when nobody holds the job's lock (its process died, or it has just finished)."""
    try:
        fd = os.open(_lock_path(job_id), os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # also releases the lock if we just took it
    return True


def _run_in_app(app: Flask, lock: tuple[int, Path], job_id: int) -> None:
    with app.app_context():
        _run_holding(lock, job_id)
        db.session.remove()


def _run_holding(lock: tuple[int, Path], job_id: int) -> None:
    fd, path = lock
    try:
        _run(job_id)
    finally:
        # the final status is committed before the lock goes: a job seen without its lock
        # is either finished or dead, and reap() only touches rows still marked active
        path.unlink(missing_ok=True)
        os.close(fd)


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
