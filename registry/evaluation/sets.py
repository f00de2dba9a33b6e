"""Which criteria sets exist, and which applies to a subject in a year."""

from __future__ import annotations

from collections.abc import Iterable

import criteria
from criteria import CriteriaSet
from registry.models import AdminUnit

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

_cache: dict[str, tuple[CriteriaSet, ...]] = {}


def all_sets(directory: str | None = None) -> tuple[CriteriaSet, ...]:
    """Every shipped criteria set (loaded and validated once per process and directory)."""
    key = directory or ""
    if key not in _cache:
        _cache[key] = tuple(criteria.load_all(directory) if directory else criteria.load_all())
    return _cache[key]


def clear_cache() -> None:
    """Forget loaded sets (after an upload or in tests)."""
    _cache.clear()


def find_set(sets: Iterable[CriteriaSet], set_id: str, version: int) -> CriteriaSet | None:
    """The set with this id and version, if loaded."""
    return next((s for s in sets if s.id == set_id and s.version == version), None)


def ancestor_codes(unit: AdminUnit, by_id: dict[int, AdminUnit] | None = None) -> list[str]:
    """Codes from ``unit`` up to the root, ``unit`` first (the order select_set expects)."""
    codes: list[str] = []
    node: AdminUnit | None = unit
    while node is not None:
        codes.append(node.code)
        node = by_id.get(node.parent_id) if by_id is not None and node.parent_id else node.parent
    return codes


def applicable(
    sets: Iterable[CriteriaSet],
    subject: str,
    year: int,
    unit: AdminUnit,
    by_id: dict[int, AdminUnit] | None = None,
) -> CriteriaSet | None:
    """The set for ``subject`` in ``year`` for a subject living in ``unit``, or None."""
    try:
        return criteria.select_set(list(sets), subject, year, ancestor_codes(unit, by_id))
    except criteria.CriteriaError:
        return None
