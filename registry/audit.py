"""The audit trail service: record who changed what, and refuse stale saves."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect

from registry.errors import Conflict
from registry.extensions import Base, db
from registry.models import AuditEntry, User

# never copied into the audit log
_SECRET_FIELDS = {"password_hash", "token_hash", "sort_key", "search_name"}


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def snapshot(obj: Base) -> dict[str, Any]:
    """The object's column values as JSON-safe data (secrets and derived keys left out)."""
    mapper = inspect(obj).mapper
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in _SECRET_FIELDS and attr.key not in {"created_at", "updated_at"}
    }


def diff(before: dict[str, Any], obj: Base) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every column that changed since ``before``."""
    after = snapshot(obj)
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if before.get(key) != value and key != "version"
    }


def check_version(obj: Base, version: int | None) -> None:
    """Refuse a save based on a stale copy of ``obj`` (somebody else saved it first)."""
    current = getattr(obj, "version", None)
    if version is not None and current is not None and int(version) != current:
        raise Conflict(
            "Bản ghi này vừa được người khác sửa. Vui lòng tải lại trang để xem thay đổi "
            "mới nhất rồi nhập lại."
        )


def record(
    actor: User | None,
    action: str,
    obj: Base,
    *,
    unit_id: int | None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    """Append an audit entry for ``action`` on ``obj`` (flushed with the caller's transaction)."""
    entry = AuditEntry(
        user_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        unit_id=unit_id,
        summary=summary[:300],
        changes=json.dumps(changes or {}, ensure_ascii=False, default=str),
    )
    db.session.add(entry)
    return entry
