"""The lists of a yearly report: subjects recognised under a unit in a year, by title."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from registry.awards.services import title_of
from registry.evaluation.sets import SUBJECT_ORDER
from registry.extensions import db
from registry.models import Decision, Recognition
from registry.units.services import subtree_ids


@dataclass(frozen=True)
class Entry:
    """One recognised subject as its certificate names it (from the approval snapshot)."""

    serial: str
    name: str
    address: str
    decision_number: str
    decided_on: date
    issuer: str
    sort_key: str


@dataclass(frozen=True)
class RecognisedList:
    """Every subject recognised with one title, in the order of the decision lists."""

    set_id: str
    title: str
    kind: str
    entries: list[Entry]


def recognised_lists(unit_id: int, year: int) -> list[RecognisedList]:
    """Valid (not revoked) recognitions of ``year`` under the unit, one list per title, titles
    from citizens up to provinces, entries by place then Vietnamese name order."""
    rows = db.session.execute(
        select(Recognition, Decision)
        .join(Decision, Decision.id == Recognition.decision_id)
        .where(
            Recognition.year == year,
            Recognition.revoked_at.is_(None),
            Recognition.unit_id.in_(subtree_ids(unit_id)),
        )
    ).all()
    grouped: dict[str, tuple[str, list[tuple[int, Entry]]]] = {}
    for recognition, decision in rows:
        snap = json.loads(recognition.snapshot)
        entry = Entry(
            serial=recognition.serial,
            name=snap.get("recipient_name", ""),
            address=snap.get("address_line") or "",
            decision_number=decision.number,
            decided_on=decision.decided_on,
            issuer=decision.issuer_name,
            sort_key=snap.get("sort_key", ""),
        )
        _kind, entries = grouped.setdefault(recognition.set_id, (recognition.subject_type, []))
        entries.append((recognition.unit_id, entry))
    lists = [
        RecognisedList(
            set_id,
            title_of(set_id),
            kind,
            [e for _unit, e in sorted(entries, key=lambda x: (x[0], x[1].sort_key, x[1].serial))],
        )
        for set_id, (kind, entries) in grouped.items()
    ]
    return sorted(lists, key=lambda r: (_order(r.kind), r.set_id))


def _order(kind: str) -> int:
    return SUBJECT_ORDER.index(kind) if kind in SUBJECT_ORDER else len(SUBJECT_ORDER)
