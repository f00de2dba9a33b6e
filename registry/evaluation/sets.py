"""Which criteria sets exist, and which applies to a subject in a year."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable
from typing import Any

from flask import g, has_app_context
from sqlalchemy import func, select

import criteria
from criteria import CriteriaSet
from registry.extensions import db
from registry.models import CriteriaUpload, UploadStatus

# evaluation order: every level only rolls up levels evaluated before it
SUBJECT_ORDER = (
    "citizen",
    "household",
    "clan",
    "organisation",
    "village",
    "commune",
    "district",
    "province",
)
AREA_SUBJECTS = ("village", "commune", "district", "province")

log = logging.getLogger(__name__)

# shipped sets never change while the process runs; uploaded ones do (see all_sets)
_shipped: dict[str, tuple[CriteriaSet, ...]] = {}
_combined: dict[str, tuple[Hashable, tuple[CriteriaSet, ...]]] = {}
_GENERATION = "criteria_generation"


def shipped_sets(directory: str | None = None) -> tuple[CriteriaSet, ...]:
    """The criteria sets shipped as files (loaded and validated once per process)."""
    key = directory or ""
    if key not in _shipped:
        _shipped[key] = tuple(criteria.load_all(directory) if directory else criteria.load_all())
    return _shipped[key]


def all_sets(directory: str | None = None) -> tuple[CriteriaSet, ...]:
    """Every criteria set in use: the shipped files plus the uploads an official activated.

    Cached per process. Another worker may activate or retire an upload, so the cache is
    checked against a generation read from ``criteria_uploads`` with one tiny aggregate query,
    once per application context (a web request, a CLI command, a background job).
    Outside an application context only the shipped sets are known.
    """
    shipped = shipped_sets(directory)
    if not has_app_context():
        return shipped
    generation = _generation()
    key = directory or ""
    cached = _combined.get(key)
    if cached is None or cached[0] != generation:
        cached = (generation, _with_uploads(shipped))
        _combined[key] = cached
    return cached[1]


def _generation() -> Hashable:
    """What changes whenever an upload is activated or retired (read once per app context)."""
    if _GENERATION not in g:
        active = CriteriaUpload.status == UploadStatus.active
        row = db.session.execute(
            select(
                func.count(CriteriaUpload.id).filter(active),
                func.sum(CriteriaUpload.id).filter(active),
                func.max(CriteriaUpload.activated_at),
                func.max(CriteriaUpload.retired_at),
            )
        ).one()
        g.setdefault(_GENERATION, (str(db.engine.url), *(str(value) for value in row)))
    generation: Hashable = g.get(_GENERATION)
    return generation


def _with_uploads(shipped: tuple[CriteriaSet, ...]) -> tuple[CriteriaSet, ...]:
    taken = {(s.id, s.version) for s in shipped}
    uploads = db.session.scalars(
        select(CriteriaUpload)
        .where(CriteriaUpload.status == UploadStatus.active)
        .order_by(CriteriaUpload.id)
    )
    loaded = []
    for upload in uploads:
        try:
            cset = criteria.parse_set(upload.source, upload.filename)
        except criteria.CriteriaError as error:  # validated at upload: only a code change
            log.error("active criteria upload %s no longer loads: %s", upload.key, error)
            continue
        if (cset.id, cset.version) in taken:
            log.error("active criteria upload %s duplicates another set; skipped", upload.key)
            continue
        taken.add((cset.id, cset.version))
        loaded.append(cset)
    return tuple(sorted((*shipped, *loaded), key=lambda s: (s.id, s.version)))


def clear_cache() -> None:
    """Forget loaded sets (after an activation or retirement, and in tests)."""
    _shipped.clear()
    _combined.clear()
    if has_app_context():
        g.pop(_GENERATION, None)


def find_set(sets: Iterable[CriteriaSet], set_id: str, version: int) -> CriteriaSet | None:
    """The set with this id and version, if loaded."""
    return next((s for s in sets if s.id == set_id and s.version == version), None)


def ancestor_codes(unit: Any, by_id: dict[int, Any] | None = None) -> list[str]:
    """Codes from ``unit`` up to the root, ``unit`` first (the order select_set expects)."""
    codes: list[str] = []
    node: Any = unit
    while node is not None:
        codes.append(node.code)
        if by_id is None:
            node = node.parent
        else:
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
    return codes


def applicable(
    sets: Iterable[CriteriaSet],
    subject: str,
    year: int,
    unit: Any,
    by_id: dict[int, Any] | None = None,
) -> CriteriaSet | None:
    """The set for ``subject`` in ``year`` for a subject living in ``unit``, or None."""
    try:
        return criteria.select_set(list(sets), subject, year, ancestor_codes(unit, by_id))
    except criteria.CriteriaError:
        return None
