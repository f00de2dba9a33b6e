"""Writing new records in bulk: reserved ids, COPY or executemany, and their audit entries.

Used by :mod:`registry.imports.bulk`. Rows are plain dicts, never ORM objects: building and
flushing 100,000 ORM objects costs more than everything else an import does.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, false, func, insert, inspect, select, text, update

from registry.extensions import db
from registry.imports.context import CHUNK, Context
from registry.models import AuditEntry
from registry.models._mixins import utcnow

# the columns audit.snapshot leaves out
_NOT_AUDITED = {
    "password_hash",
    "token_hash",
    "sort_key",
    "search_name",
    "created_at",
    "updated_at",
}


def table_of(model: type) -> Table:
    """The Core table of a mapped class."""
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def postgresql() -> bool:
    """Whether the session talks to PostgreSQL (else SQLite)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _reserve_ids(table: Table, count: int) -> list[int]:
    """``count`` primary keys nobody else can take, so rows can be linked before insertion.

    PostgreSQL hands them out from the table's sequence. SQLite has one writer at a time: a
    write statement (matching no row) takes the write lock for this transaction first, so
    nothing can be inserted between reading the largest id and inserting after it.
    """
    if postgresql():
        stmt = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
        return list(db.session.scalars(stmt, {"t": table.name, "n": count}))
    db.session.execute(update(table).where(false()).values(id=table.c.id))
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _write(table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (every row with the same keys): COPY on PostgreSQL, else executemany.

    Measured for 20,000 citizens on PostgreSQL: 0.9 s with COPY, 3.9 s with executemany.
    """
    if not rows:
        return
    if not postgresql():
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(table), rows[start : start + 10_000])
        return
    columns = list(rows[0])
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    driver: Any = db.session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([_stored(row[column]) for column in columns])


def _stored(value: Any) -> Any:
    """A value as its column stores it (enumerations are stored by name)."""
    return value.name if isinstance(value, enum.Enum) else value


def _insert(model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert new records with reserved ids (and version stamps); their ids in order.

    Reserving the ids and inserting in bulk is 2.5× (SQLite) to 5× (PostgreSQL) cheaper than
    ``INSERT … RETURNING`` for every row (measured: 74 → 30 µs and 260 → 49 µs a citizen).
    """
    if not rows:
        return []
    table = table_of(model)
    ids = _reserve_ids(table, len(rows))
    now = utcnow()
    for row, new_id in zip(rows, ids, strict=True):
        row.update(id=new_id, version=1, created_at=now, updated_at=now)
    _write(table, rows)
    return ids


def _plain(value: Any) -> Any:
    """A value as ``audit.snapshot`` writes it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


@functools.cache
def _audited(model: type) -> tuple[str, ...]:
    attributes: Iterable[Any] = inspect(model).column_attrs
    return tuple(a.key for a in attributes if a.key not in _NOT_AUDITED)


def audit_created(
    ctx: Context, model: type, rows: Iterable[tuple[dict[str, Any], Any, Any]]
) -> None:
    """One "create" entry per new row (which has its id), exactly as ``audit.record`` writes."""
    now, keys = utcnow(), _audited(model)
    entries = [
        {
            "at": now,
            "user_id": ctx.actor.id,
            "action": "create",
            "object_type": model.__name__,
            "object_id": row["id"],
            "unit_id": unit_id,
            "summary": summary[:300],
            "changes": json.dumps(
                {key: _plain(row.get(key)) for key in keys}, ensure_ascii=False, default=str
            ),
        }
        for row, unit_id, summary in rows
    ]
    _write(table_of(AuditEntry), entries)


def store(model: type, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, each getting its new id and version 1 (for the audit entries)."""
    _insert(model, rows)


def existing(column: Any, values: Iterable[Any]) -> set[Any]:
    """Which of ``values`` the (unique) ``column`` already holds."""
    wanted = sorted(set(values))
    found: set[Any] = set()
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        found.update(db.session.scalars(select(column).where(column.in_(part))))
    return found


def fresh_codes(column: Any, make: Callable[[], str], count: int) -> list[str]:
    """``count`` random codes that no row holds yet (the services draw theirs the same way)."""
    codes: list[str] = []
    while len(codes) < count:
        batch = {make() for _unused in range(count - len(codes))} - set(codes)
        codes.extend(sorted(batch - existing(column, batch)))
    return codes
