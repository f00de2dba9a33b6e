"""Reading the audit trail: filters, scope and a readable form of each entry's changes."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from registry.auth.services import require_scope, scope_filter
from registry.extensions import db
from registry.models import AdminUnit, AuditEntry, User
from registry.units.services import subtree_cte

# the day boundaries of the date filters are Vietnam's midnights, whatever the server's zone
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class AuditFilters:
    """What the audit viewer is narrowed to; empty values mean "any"."""

    username: str = ""
    object_type: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


class _Missing:
    """The side of a change that does not exist (no "before" for a creation)."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """One field of an entry: ``old`` → ``new``; a side that does not exist is ``MISSING``."""

    field: str
    old: Any
    new: Any

    @property
    def has_old(self) -> bool:
        """Whether there is a "before" value (updates and deletions)."""
        return self.old is not MISSING

    @property
    def has_new(self) -> bool:
        """Whether there is an "after" value (creations and updates)."""
        return self.new is not MISSING


@dataclass(frozen=True)
class AuditRow:
    """An entry ready for display: its unit and its changes parsed from JSON."""

    entry: AuditEntry
    unit: AdminUnit | None
    changes: list[Change]


def audit_query(
    actor: User, filters: AuditFilters, *, unit: AdminUnit | None = None
) -> Select[Any]:
    """Entries the actor may read (their scope; admins everything), newest first.

    :param unit: keep only entries about this unit and the units below it.
    :raises OutOfScope: ``unit`` lies outside the actor's scope.
    """
    stmt = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.user))
        .where(scope_filter(actor, AuditEntry.unit_id))
    )
    if unit is not None:
        require_scope(actor, unit, hide=False)
        # named apart from scope_filter's own "subtree" CTE in the same statement
        stmt = stmt.where(AuditEntry.unit_id.in_(select(subtree_cte(unit.id, "unit_tree").c.id)))
    if filters.username:
        user_ids = select(User.id).where(User.username == filters.username.strip().lower())
        stmt = stmt.where(AuditEntry.user_id.in_(user_ids))
    if filters.object_type:
        stmt = stmt.where(AuditEntry.object_type == filters.object_type)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.date_from is not None:
        stmt = stmt.where(AuditEntry.at >= _vn_midnight(filters.date_from))
    if filters.date_to is not None:
        stmt = stmt.where(AuditEntry.at < _vn_midnight(filters.date_to + timedelta(days=1)))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def _vn_midnight(day: date) -> datetime:
    # bound as UTC: SQLite keeps the stored UTC wall time and drops the zone of parameters
    return datetime.combine(day, time.min, tzinfo=VN_TZ).astimezone(UTC)


def object_types() -> list[str]:
    """The object types present in the log (for the filter's choices)."""
    return list(
        db.session.scalars(
            select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
        )
    )


def audit_rows(entries: Sequence[AuditEntry]) -> list[AuditRow]:
    """Pair each entry with its unit (one query for the page) and its parsed changes."""
    unit_ids = {e.unit_id for e in entries if e.unit_id is not None}
    units = (
        {u.id: u for u in db.session.scalars(select(AdminUnit).where(AdminUnit.id.in_(unit_ids)))}
        if unit_ids
        else {}
    )
    return [
        AuditRow(
            entry=e,
            unit=units.get(e.unit_id) if e.unit_id is not None else None,
            changes=parse_changes(e.action, e.changes),
        )
        for e in entries
    ]


def parse_changes(action: str, raw: str) -> list[Change]:
    """Turn the stored JSON into rows: ``{field: [old, new]}`` pairs, or a snapshot.

    A snapshot (create) gives new values only; the snapshot of a deleted object old ones.
    ISO dates become ``date`` objects so the page can write them dd/mm/yyyy.
    """
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return [Change("?", MISSING, raw)]
    if not isinstance(data, dict):
        return [Change("?", MISSING, data)]
    rows = []
    for name, value in data.items():
        if isinstance(value, list) and len(value) == len(("old", "new")):
            rows.append(Change(str(name), _value(value[0]), _value(value[1])))
        elif action == "delete":
            rows.append(Change(str(name), _value(value), MISSING))
        else:
            rows.append(Change(str(name), MISSING, _value(value)))
    return rows


def _value(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
