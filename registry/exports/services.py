"""Building the .xlsx of a list page from the same query the page shows.

Citizens and households are written in the import template's columns (then a few reading
aids the import ignores), so an exported list imports back without changing anything.
Clans, organisations and recognitions have no import sheet; their columns follow the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import IO, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from registry.auth.services import require_scope
from registry.awards.services import recognitions_query
from registry.citizens.services import citizens_query
from registry.clans.services import clans_query
from registry.clans.services import member_counts as clan_counts
from registry.errors import NotFound
from registry.evaluation.subjects import KIND_LABELS
from registry.extensions import db
from registry.households.services import households_query
from registry.households.services import member_counts as household_counts
from registry.imports.layout import (
    CITIZENS,
    GENDER_LABELS,
    HOUSEHOLDS,
    RELATION_LABELS,
    STATUS_LABELS,
    Column,
)
from registry.imports.template import add_sheet, export_columns, new_workbook
from registry.models import AdminUnit, Citizen, Clan, Household, Organisation, Recognition, User
from registry.organisations.services import member_counts as organisation_counts
from registry.organisations.services import organisations_query
from registry.people_input import whole_number
from registry.units.services import get_by_code

BATCH = 2000
ORGANISATION_KINDS = {
    "agency": "Cơ quan",
    "school": "Trường học",
    "enterprise": "Doanh nghiệp",
    "other": "Khác",
}


@dataclass(frozen=True)
class Filters:
    """A list page's filters, as its query string gives them."""

    unit: str = ""
    q: str = ""
    year: int | None = None
    kind: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read the filters like the list pages do (bad values are ignored, not errors)."""
        year = (args.get("year") or "").strip()
        return cls(
            unit=(args.get("unit") or "").strip(),
            q=(args.get("q") or "")[:100],
            year=whole_number(year, 2000, 2100),
            kind=(args.get("kind") or "").strip(),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (job parameters)."""
        return asdict(self)


@dataclass(frozen=True)
class ListExport:
    """How one list page is exported."""

    sheet: str
    filename: str
    columns: tuple[Column, ...]
    query: Callable[[User, Filters], Select[Any]]
    rows: Callable[[Select[Any]], Iterator[dict[str, Any]]]


def _unit(actor: User, filters: Filters) -> AdminUnit | None:
    return get_by_code(filters.unit) if filters.unit else None


def _recognitions(actor: User, filters: Filters) -> Select[Any]:
    if filters.kind and filters.kind not in KIND_LABELS:
        raise NotFound("Không có loại đối tượng này.")
    unit = _unit(actor, filters)
    if unit is not None:
        require_scope(actor, unit, hide=False)
    return recognitions_query(actor, filters.year, unit, filters.kind or None, filters.q)


def _batches(stmt: Select[Any]) -> Iterator[list[Any]]:
    result = db.session.scalars(stmt.execution_options(yield_per=BATCH))
    for part in result.partitions():
        yield list(part)


def _citizen_rows(stmt: Select[Any]) -> Iterator[dict[str, Any]]:
    stmt = stmt.options(
        joinedload(Citizen.village), joinedload(Citizen.household), joinedload(Citizen.clan)
    )
    for batch in _batches(stmt):
        for c in batch:
            yield {
                "citizen_code": c.code,
                "full_name": c.full_name,
                "gender": GENDER_LABELS.get(c.gender, c.gender),
                "birth_date": c.birth_date,
                "cccd": c.cccd,
                "phone": c.phone,
                "village": c.village.code,
                "household_code": c.household.code if c.household else None,
                "relation": RELATION_LABELS[c.relation] if c.relation else None,
                "clan": c.clan.code if c.clan else None,
                "status": STATUS_LABELS[c.status],
                "left_on": c.left_on,
                "village_name": c.village.display_name,
            }


def _household_rows(stmt: Select[Any]) -> Iterator[dict[str, Any]]:
    stmt = stmt.options(joinedload(Household.village), joinedload(Household.head))
    for batch in _batches(stmt):
        counts = household_counts(h.id for h in batch)
        for h in batch:
            yield {
                "code": h.code,
                "village": h.village.code,
                "address": h.address or None,
                "village_name": h.village.display_name,
                "head_name": h.head.full_name if h.head else None,
                "members": counts.get(h.id, 0),
            }


def _clan_rows(stmt: Select[Any]) -> Iterator[dict[str, Any]]:
    for batch in _batches(stmt.options(joinedload(Clan.unit))):
        counts = clan_counts(c.id for c in batch)
        for c in batch:
            yield {
                "code": c.code,
                "name": c.name,
                "unit": c.unit.code,
                "unit_name": c.unit.display_name,
                "members": counts.get(c.id, 0),
                "note": c.note or None,
            }


def _organisation_rows(stmt: Select[Any]) -> Iterator[dict[str, Any]]:
    for batch in _batches(stmt.options(joinedload(Organisation.unit))):
        counts = organisation_counts(o.id for o in batch)
        for o in batch:
            yield {
                "code": o.code,
                "name": o.name,
                "kind": ORGANISATION_KINDS.get(o.kind, o.kind),
                "unit": o.unit.code,
                "unit_name": o.unit.display_name,
                "members": counts.get(o.id, 0),
            }


def _recognition_rows(stmt: Select[Any]) -> Iterator[dict[str, Any]]:
    for batch in _batches(stmt.options(joinedload(Recognition.decision))):
        for r in batch:
            snapshot = json.loads(r.snapshot)
            yield {
                "serial": r.serial,
                "name": snapshot.get("recipient_name"),
                "address": snapshot.get("address_line"),
                "title": snapshot.get("title"),
                "kind": KIND_LABELS.get(r.subject_type, r.subject_type),
                "year": r.year,
                "decision": snapshot.get("decision_number"),
                "decided_on": r.decision.decided_on,
                "state": "Đã thu hồi" if r.revoked_at else "Còn hiệu lực",
            }


def _columns(*spec: tuple[str, str, int]) -> tuple[Column, ...]:
    return tuple(Column(key, header, width=width) for key, header, width in spec)


EXPORTS: dict[str, ListExport] = {
    "citizens": ListExport(
        CITIZENS.title,
        "cong-dan",
        export_columns(CITIZENS),
        lambda actor, f: citizens_query(actor, unit=_unit(actor, f), q=f.q),
        _citizen_rows,
    ),
    "households": ListExport(
        HOUSEHOLDS.title,
        "ho-gia-dinh",
        export_columns(HOUSEHOLDS),
        lambda actor, f: households_query(actor, unit=_unit(actor, f), q=f.q),
        _household_rows,
    ),
    "clans": ListExport(
        "Dòng họ",
        "dong-ho",
        _columns(
            ("code", "Mã dòng họ", 14),
            ("name", "Tên dòng họ", 28),
            ("unit", "Mã địa bàn", 12),
            ("unit_name", "Địa bàn", 24),
            ("members", "Số thành viên", 14),
            ("note", "Ghi chú", 40),
        ),
        lambda actor, f: clans_query(actor, unit=_unit(actor, f), q=f.q),
        _clan_rows,
    ),
    "organisations": ListExport(
        "Cơ quan, đơn vị",
        "co-quan-don-vi",
        _columns(
            ("code", "Mã", 14),
            ("name", "Tên", 36),
            ("kind", "Loại", 14),
            ("unit", "Mã địa bàn", 12),
            ("unit_name", "Địa bàn", 24),
            ("members", "Số thành viên", 14),
        ),
        lambda actor, f: organisations_query(actor, unit=_unit(actor, f), q=f.q),
        _organisation_rows,
    ),
    "awards": ListExport(
        "Sổ công nhận",
        "so-cong-nhan",
        _columns(
            ("serial", "Số hiệu", 22),
            ("name", "Tên", 28),
            ("address", "Địa chỉ", 36),
            ("title", "Danh hiệu", 24),
            ("kind", "Loại đối tượng", 16),
            ("year", "Năm", 8),
            ("decision", "Số quyết định", 16),
            ("decided_on", "Ngày quyết định", 14),
            ("state", "Tình trạng", 14),
        ),
        _recognitions,
        _recognition_rows,
    ),
}


def list_query(kind: str, actor: User, filters: Filters) -> Select[Any]:
    """The query of list page ``kind`` for ``actor`` with ``filters`` (unpaginated).

    :raises NotFound: unknown unit code or subject kind. :raises OutOfScope: unit not in scope.
    """
    return EXPORTS[kind].query(actor, filters)


def count(stmt: Select[Any]) -> int:
    """How many rows ``stmt`` returns."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def write(kind: str, stmt: Select[Any], out: IO[bytes] | str) -> None:
    """Write every row of ``stmt`` as list ``kind``'s workbook to ``out``."""
    export = EXPORTS[kind]
    workbook = new_workbook()
    keys = [column.key for column in export.columns]
    rows = ([row.get(key) for key in keys] for row in export.rows(stmt))
    add_sheet(workbook, export.sheet, export.columns, rows)
    workbook.save(out)


def filename(kind: str, today: Any) -> str:
    """The download name, e.g. ``cong-dan-2026-11-27.xlsx``."""
    return f"{EXPORTS[kind].filename}-{today.isoformat()}.xlsx"
