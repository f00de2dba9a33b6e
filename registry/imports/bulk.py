"""Creating many households, citizens and activities at once, with the services' own checks.

The services create one record per call: about 10 ms a citizen here (a uniqueness query for
the code and the CCCD, a flush and an audit row each), so 100,000 citizens would take 15–25
minutes. These functions apply the same rules to a whole sheet with a few set-wise queries,
then insert in batches (``INSERT … RETURNING`` through SQLAlchemy's insertmanyvalues) and write
the same audit entries the services write. Field parsing is the services' own
(``citizens.services._parse``, ``activities.services._parse``), run by the callers; the link
checks below mirror ``citizens.services._check_links`` and ``households.services._village``
message for message, and ``tests/registry/test_imports.py`` runs the same files through both
paths and compares the outcome.
"""

from __future__ import annotations

import enum
import functools
import json
import secrets
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, bindparam, false, func, insert, inspect, select, text, update

from registry.citizens import services as citizen_services
from registry.errors import ValidationFailed
from registry.evaluation.services import refresh_if_evaluated
from registry.extensions import db
from registry.imports.context import CHUNK, Context
from registry.imports.layout import SheetLayout
from registry.imports.sheets import Row
from registry.models import Activity, AdminUnit, AuditEntry, Citizen, Clan, Household
from registry.models._mixins import utcnow
from registry.models.people import CitizenStatus, Relation
from registry.people_input import FieldErrors, optional_text

OUT_OF_SCOPE = "Thôn/tổ dân phố nằm ngoài phạm vi quản lý của bạn."
_TIMESTAMPS = {"id", "version", "created_at", "updated_at"}


# the columns audit.snapshot leaves out
_NOT_AUDITED = {
    "password_hash",
    "token_hash",
    "sort_key",
    "search_name",
    "created_at",
    "updated_at",
}


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _reserve_ids(table: Table, count: int) -> list[int]:
    """``count`` primary keys nobody else can take, so rows can be linked before insertion.

    PostgreSQL hands them out from the table's sequence. SQLite has one writer at a time: a
    write statement (matching no row) takes the write lock for this transaction first, so
    nothing can be inserted between reading the largest id and inserting after it.
    """
    if _postgresql():
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
    if not _postgresql():
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
    table = _table(model)
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


def _audit(ctx: Context, model: type, rows: Iterable[tuple[dict[str, Any], Any, Any]]) -> None:
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
    _write(_table(AuditEntry), entries)


def _store(model: type, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, each getting its new id and version 1 (for the audit entries)."""
    _insert(model, rows)


def _existing(column: Any, values: Iterable[Any]) -> set[Any]:
    """Which of ``values`` the (unique) ``column`` already holds."""
    wanted = sorted(set(values))
    found: set[Any] = set()
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        found.update(db.session.scalars(select(column).where(column.in_(part))))
    return found


def _fresh_codes(column: Any, make: Callable[[], str], count: int) -> list[str]:
    """``count`` random codes that no row holds yet (the services draw theirs the same way)."""
    codes: list[str] = []
    while len(codes) < count:
        batch = {make() for _unused in range(count - len(codes))} - set(codes)
        codes.extend(sorted(batch - _existing(column, batch)))
    return codes


def _citizen_code() -> str:
    """A code like ``citizens.services.new_code`` draws ("CD" and 10 uniformly random digits),
    drawn with one call instead of ten: 100,000 codes cost 0.3 s instead of 2 s."""
    return f"CD{secrets.randbelow(10**10):010d}"


def _report(ctx: Context, sheet: SheetLayout, row: Row, errors: FieldErrors, aliases: Any) -> None:
    ctx.service_error(sheet, row, ValidationFailed("", errors.errors), aliases)


# --- households ----------------------------------------------------------------------------------


def create_households(
    ctx: Context, plans: list[tuple[SheetLayout, Row, AdminUnit | None, str | None]]
) -> list[int | None]:
    """``households.services.create_household`` for many households: the ids (None: refused)."""
    accepted: list[tuple[int, dict[str, Any]]] = []
    for index, (sheet, row, village, address) in enumerate(plans):
        errors = FieldErrors()
        if village is None:
            errors.add("village_id", "Vui lòng chọn thôn/tổ dân phố.")
        elif not ctx.may_edit(village.id):
            errors.add("village_id", OUT_OF_SCOPE)
        text = errors.check("address", optional_text(200), address)
        if errors.errors or village is None:
            _report(ctx, sheet, row, errors, None)
            continue
        # the code households.services draws
        code = f"HGD{village.code}-{secrets.randbelow(10**6):06d}"
        record = {"code": code, "village_id": village.id, "head_id": None, "address": text}
        accepted.append((index, record))
    records = [record for _index, record in accepted]
    _unique_household_codes(records)
    _store(Household, records)
    _audit(ctx, Household, ((r, r["village_id"], r["code"]) for r in records))
    result: list[int | None] = [None] * len(plans)
    for index, record in accepted:
        result[index] = record["id"]
    return result


def _unique_household_codes(records: list[dict[str, Any]]) -> None:
    """Redraw the codes that clash with a registered household or with each other."""
    while True:
        taken = _existing(Household.code, (r["code"] for r in records))
        seen: set[str] = set()
        clashes = []
        for record in records:
            if record["code"] in taken or record["code"] in seen:
                clashes.append(record)
            seen.add(record["code"])
        if not clashes:
            return
        for record in clashes:
            prefix = record["code"].rsplit("-", 1)[0]
            record["code"] = f"{prefix}-{secrets.randbelow(10**6):06d}"


# --- citizens --------------------------------------------------------------------------------


class _Links:
    """What the citizen link checks need, fetched once for a whole sheet."""

    def __init__(self, ctx: Context, values: list[dict[str, Any]]) -> None:
        self.ctx = ctx
        self.taken_cccd = _existing(Citizen.cccd, (v["cccd"] for v in values if v["cccd"]))
        ids = sorted({v["household_id"] for v in values if v["household_id"]})
        self.households: dict[int, tuple[int, int | None]] = {}
        for start in range(0, len(ids), CHUNK):
            stmt = select(Household.id, Household.village_id, Household.head_id).where(
                Household.id.in_(ids[start : start + CHUNK])
            )
            self.households.update(
                {h_id: (v_id, head) for h_id, v_id, head in db.session.execute(stmt)}
            )
        self.areas: dict[int, set[int]] = {}
        self.villages = {unit.id: unit for unit in ctx.units.values()}
        self.clans = {clan.id: clan for clan in ctx.clans.values()}

    def area(self, village: AdminUnit) -> set[int]:
        if village.id not in self.areas:
            self.areas[village.id] = {unit.id for unit in village.ancestors()}
        return self.areas[village.id]

    def check(self, values: dict[str, Any]) -> FieldErrors:
        """``citizens.services._check_links`` for a new citizen, against the prefetched facts."""
        errors = FieldErrors()
        village = self.villages.get(values["village_id"]) or db.session.get(
            AdminUnit, values["village_id"]
        )
        if village is None or village.level.value != "village":
            errors.add("village_id", "Thôn/tổ dân phố không tồn tại.")
            village = None
        elif not (self.ctx.may_edit(village.id) and self.ctx.actor.can_edit):
            errors.add("village_id", OUT_OF_SCOPE)
        self._household(values, errors, village)
        if values["clan_id"]:
            clan = self.clans.get(values["clan_id"]) or db.session.get(Clan, values["clan_id"])
            if clan is None or village is None or clan.unit_id not in self.area(village):
                errors.add("clan_id", "Dòng họ không thuộc địa bàn của công dân.")
        if values["cccd"] and values["cccd"] in self.taken_cccd:
            errors.add("cccd", "Số CCCD này đã được đăng ký cho người khác.")
        if values["status"] != CitizenStatus.active and values["left_on"] is None:
            errors.add("left_on", "Vui lòng nhập ngày chuyển đi hoặc mất.")
        return errors

    def _household(
        self, values: dict[str, Any], errors: FieldErrors, village: AdminUnit | None
    ) -> None:
        if not values["household_id"]:
            if values["relation"] is not None:
                errors.add("relation", "Chỉ ghi quan hệ với chủ hộ khi công dân thuộc một hộ.")
            return
        facts = self.households.get(values["household_id"])
        if facts is None or (village is not None and facts[0] != village.id):
            errors.add("household_id", "Hộ gia đình phải thuộc cùng thôn với công dân.")
        elif values["relation"] is Relation.head and facts[1] is not None:
            errors.add("relation", "Hộ này đã có chủ hộ. Hãy đổi chủ hộ trên trang hộ gia đình.")

    def accept(self, values: dict[str, Any]) -> None:
        """Count a created citizen in the facts checked for the next rows."""
        if values["cccd"]:
            self.taken_cccd.add(values["cccd"])
        household_id = values["household_id"]
        if values["relation"] is Relation.head and household_id in self.households:
            self.households[household_id] = (self.households[household_id][0], -1)


def create_citizens(
    ctx: Context,
    sheet: SheetLayout,
    items: list[tuple[Row, dict[str, Any]]],
    aliases: Callable[[Row], dict[str, str]],
) -> list[int | None]:
    """``citizens.services.create_citizen`` for many parsed rows: the ids (None: refused)."""
    links = _Links(ctx, [values for _row, values in items])
    accepted: list[tuple[int, dict[str, Any]]] = []
    for index, (row, values) in enumerate(items):
        errors = links.check(values)
        if errors.errors:
            _report(ctx, sheet, row, errors, aliases(row))
            continue
        links.accept(values)
        accepted.append((index, values))
    codes = _fresh_codes(Citizen.code, _citizen_code, len(accepted))
    columns = [c.key for c in _table(Citizen).columns if c.key not in _TIMESTAMPS]
    records = []
    for (_index, values), code in zip(accepted, codes, strict=True):
        citizen = SimpleNamespace(code=code)
        citizen_services._apply(citizen, values)  # type: ignore[arg-type]  # the service's own
        records.append({key: getattr(citizen, key, None) for key in columns})
    _store(Citizen, records)
    _name_heads(records)
    _audit(ctx, Citizen, ((r, r["village_id"], r["full_name"]) for r in records))
    result: list[int | None] = [None] * len(items)
    for (index, _values), record in zip(accepted, records, strict=True):
        result[index] = record["id"]
    return result


def _name_heads(records: list[dict[str, Any]]) -> None:
    """Like ``create_citizen``: a new member related as head becomes the household's head."""
    heads = [
        {"household": r["household_id"], "head": r["id"]}
        for r in records
        if r["relation"] is Relation.head and r["household_id"]
    ]
    if heads and _postgresql():  # one statement, not one per household
        db.session.execute(
            text(
                "UPDATE households AS h SET head_id = v.head, version = h.version + 1 "
                "FROM unnest(CAST(:households AS integer[]), CAST(:heads AS integer[])) "
                "AS v(id, head) WHERE h.id = v.id"
            ),
            {"households": [h["household"] for h in heads], "heads": [h["head"] for h in heads]},
        )
    elif heads:
        table = _table(Household)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("household"))
            .values(head_id=bindparam("head"), version=table.c.version + 1)
        )
        db.session.execute(stmt, heads)
    db.session.expire_all()  # households changed behind the ORM's back


# --- activities --------------------------------------------------------------------------------


def create_activities(ctx: Context, items: list[tuple[int, int, str, dict[str, Any]]]) -> None:
    """``activities.services.record_activity`` for many parsed activities.

    ``items`` are (citizen id, village id, citizen name, parsed values); the citizens were
    checked to lie in the actor's scope.
    """
    records = [
        {"citizen_id": citizen_id, "created_by_id": ctx.actor.id, **values}
        for citizen_id, _village, _name, values in items
    ]
    _store(Activity, records)
    years = {r["held_on"].year for r in records}
    refresh_if_evaluated(years, {"citizen": {r["citizen_id"] for r in records}})
    _audit(
        ctx,
        Activity,
        (
            (record, village_id, f"{name}: {record['title']}")
            for record, (_c, village_id, name, _v) in zip(records, items, strict=True)
        ),
    )
