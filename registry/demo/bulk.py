"""Writing many rows fast: buffered batches, COPY on PostgreSQL and executemany INSERTs on SQLite.

Rows are plain dicts with explicit ids, so parents and children can be linked before anything is
written, and never ORM objects (loading a million of those costs over a gigabyte). Buffers are
flushed parents first, so a foreign key always points at a row already written.

On SQLite the rows go to the driver's ``executemany`` as tuples, dates written as ISO strings
and the timestamps converted once, exactly as the ORM stores them: SQLAlchemy's per-row parameter
handling in ``execute(insert(table), dicts)`` (about 30 µs a row) cost more than generating the
data at province size.
"""

from __future__ import annotations

from collections import Counter
from operator import itemgetter
from typing import Any

from sqlalchemy import Date, Table, func, select, text

from registry.extensions import db
from registry.models import (
    Activity,
    AdminUnit,
    Citizen,
    Clan,
    Household,
    Organisation,
    OrganisationMember,
)
from registry.models._mixins import utcnow

Row = dict[str, Any]

#: parents before children: the order in which buffers are written
MODELS = (AdminUnit, Clan, Organisation, Household, Citizen, OrganisationMember, Activity)
_VERSIONED = {"admin_units", "clans", "organisations", "households", "citizens", "activities"}
# a big page cache keeps the random inserts into the citizen-code and CCCD indexes in memory
_SQLITE_CACHE_KIB = 512 * 1024


class BulkWriter:
    """Buffers rows per table and writes them in batches of about ``batch_rows`` rows."""

    def __init__(self, batch_rows: int = 10_000) -> None:
        self.batch_rows = batch_rows
        self.dialect = db.session.get_bind().dialect.name
        self.method = "COPY" if self.dialect == "postgresql" else "INSERT"
        if self.method == "INSERT" and db.session.get_bind().dialect.paramstyle != "qmark":
            raise NotImplementedError("bulk loading is written for SQLite and PostgreSQL only")
        self.tables: list[Table] = [model.__table__ for model in MODELS]  # type: ignore[misc]
        self.counts: Counter[str] = Counter()
        self._buffers: dict[str, list[Row]] = {table.name: [] for table in self.tables}
        self._dates = {
            table.name: {column.name for column in table.columns if isinstance(column.type, Date)}
            for table in self.tables
        }
        self._pending = 0
        now = self._now()
        self._stamps = {"version": 1, "created_at": now, "updated_at": now}
        self._next_id = {
            table.name: (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
            for table in self.tables
        }
        self._sqlite_cache = self._enlarge_sqlite_cache()

    def new_id(self, table: str) -> int:
        """Reserve the next primary key of ``table``."""
        value = self._next_id[table]
        self._next_id[table] = value + 1
        return value

    def add(self, table: str, row: Row) -> None:
        """Queue one row: every column except ``version``, ``created_at`` and ``updated_at``."""
        self._buffers[table].append(row)
        self.counts[table] += 1
        self._pending += 1
        if self._pending >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        """Write every buffered row, parents first."""
        for table in self.tables:
            rows = self._buffers[table.name]
            if rows:
                self._write(table, rows)
                rows.clear()
        self._pending = 0

    def finish(self) -> None:
        """Write what is left and make the database ready for normal use (sequences, stats)."""
        self.flush()
        if self.dialect == "postgresql":
            for table in self.tables:
                db.session.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, false)"),
                    {"t": table.name, "v": self._next_id[table.name]},
                )
                db.session.execute(text(f"ANALYZE {table.name}"))
        elif self._sqlite_cache is not None:
            db.session.execute(text(f"PRAGMA cache_size={int(self._sqlite_cache)}"))

    def _write(self, table: Table, rows: list[Row]) -> None:
        if self.method == "COPY":
            self._copy(table, rows)
        else:
            self._executemany(table, rows)

    def _executemany(self, table: Table, rows: list[Row]) -> None:
        columns, stamps = self._columns(table, rows[0])
        by_column = list(zip(*map(itemgetter(*rows[0]), rows), strict=True))
        for index, name in enumerate(columns[: len(by_column)]):
            if name in self._dates[table.name]:  # stored as the ORM stores them: "2025-10-03"
                by_column[index] = tuple(
                    d if d is None else d.isoformat() for d in by_column[index]
                )
        by_column += [(stamp,) * len(rows) for stamp in stamps]
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608 - our own names
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        db.session.connection().exec_driver_sql(sql, list(zip(*by_column, strict=True)))

    def _copy(self, table: Table, rows: list[Row]) -> None:
        columns, stamps = self._columns(table, rows[0])
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        driver = db.session.connection().connection.driver_connection
        values = itemgetter(*rows[0])
        with driver.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(values(row) + stamps)

    def _columns(self, table: Table, row: Row) -> tuple[list[str], tuple[Any, ...]]:
        """The columns to write (the row's, then the stamps') and the stamps' values."""
        if table.name not in _VERSIONED:
            return list(row), ()
        return [*row, *self._stamps], tuple(self._stamps.values())

    def _now(self) -> Any:
        """The creation time of every row, converted once for SQLite as the ORM would."""
        now = utcnow()
        if self.method == "COPY":
            return now
        dialect = db.session.get_bind().dialect
        column_type = Citizen.__table__.c.created_at.type
        convert = column_type.dialect_impl(dialect).bind_processor(dialect)
        return convert(now) if convert else now

    def _enlarge_sqlite_cache(self) -> int | None:
        if self.dialect != "sqlite":
            return None
        previous = db.session.execute(text("PRAGMA cache_size")).scalar()
        db.session.execute(text(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}"))
        return int(previous) if previous is not None else None
