"""How a subject is named and addressed on a certificate (taken at approval, then frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from registry.extensions import db
from registry.models import AdminUnit, Citizen, Clan, Household, Organisation


@dataclass(frozen=True)
class Recipient:
    """What a certificate says about the subject."""

    label: str  # "ông", "bà", "hộ gia đình ông/bà", "dòng họ", ...
    name: str
    address: str
    sort_key: str


def address_of(unit: AdminUnit | None) -> str:
    """ "Thôn Đông, xã Tân Hòa, huyện Vũ Thư, tỉnh Thái Bình" (lower-case kinds inside)."""
    parts = []
    while unit is not None:
        parts.append(f"{unit.kind} {unit.name}")
        unit = unit.parent
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def recipients(kind: str, ids: list[int]) -> dict[int, Recipient]:
    """Certificate wording for many subjects of one kind at once (a few queries)."""
    if not ids:
        return {}
    builder = _BUILDERS.get(kind, _areas)
    return builder(ids)


def _citizens(ids: list[int]) -> dict[int, Recipient]:
    rows = db.session.scalars(select(Citizen).where(Citizen.id.in_(ids))).all()
    return {
        c.id: Recipient(
            "bà" if c.gender == "F" else "ông", c.full_name, address_of(c.village), c.sort_key
        )
        for c in rows
    }


def _households(ids: list[int]) -> dict[int, Recipient]:
    rows = db.session.scalars(select(Household).where(Household.id.in_(ids))).all()
    out = {}
    for h in rows:
        head = h.head
        name = head.full_name if head else h.code
        label = "hộ gia đình bà" if head is not None and head.gender == "F" else "hộ gia đình ông"
        out[h.id] = Recipient(label, name, address_of(h.village), head.sort_key if head else "")
    return out


def _clans(ids: list[int]) -> dict[int, Recipient]:
    rows = db.session.scalars(select(Clan).where(Clan.id.in_(ids))).all()
    return {c.id: Recipient("dòng họ", c.name, address_of(c.unit), c.search_name) for c in rows}


def _organisations(ids: list[int]) -> dict[int, Recipient]:
    rows = db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))).all()
    return {o.id: Recipient("đơn vị", o.name, address_of(o.unit), o.search_name) for o in rows}


def _areas(ids: list[int]) -> dict[int, Recipient]:
    rows = db.session.scalars(select(AdminUnit).where(AdminUnit.id.in_(ids))).all()
    return {u.id: Recipient(u.kind, u.name, address_of(u.parent), u.code) for u in rows}


_BUILDERS: dict[str, Any] = {
    "citizen": _citizens,
    "household": _households,
    "clan": _clans,
    "organisation": _organisations,
}
