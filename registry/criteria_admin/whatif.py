"""What-if preview: how many subjects of an official's area would pass under a draft set.

The same SQL as the evaluation (``build_source`` + ``compile_set``) scores every subject, once
with the sets in use and once as if the draft were active, wrapped in ``SELECT count(*),
sum(passed) … GROUP BY unit``: nothing is written. Facts of the subjects themselves (activities,
assessments) are read live; roll-ups count the stored results of the level below, as the
evaluation does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from criteria import CriteriaSet
from registry.evaluation.compile import compile_set
from registry.evaluation.facts import Period
from registry.evaluation.services import UnitTree, _set_groups, build_source
from registry.evaluation.sets import all_sets
from registry.extensions import db
from registry.models import AdminUnit, User


@dataclass
class Tally:
    """Subjects scored and how many of them pass."""

    subjects: int = 0
    passed: int = 0

    @property
    def share(self) -> float | None:
        return self.passed / self.subjects if self.subjects else None

    def add(self, other: Tally) -> None:
        self.subjects += other.subjects
        self.passed += other.passed


@dataclass
class Row:
    """One unit of the comparison: with the sets in use (``current``) and with the draft."""

    unit: AdminUnit
    current: Tally = field(default_factory=Tally)
    proposed: Tally = field(default_factory=Tally)
    own: bool = False  # subjects living in the area unit itself, not in a child

    @property
    def change(self) -> int:
        return self.proposed.passed - self.current.passed


@dataclass
class WhatIf:
    """The preview of one draft for one area and year."""

    cset: CriteriaSet
    year: int
    unit: AdminUnit
    current_keys: list[str]
    proposed_keys: list[str]
    total: Row
    rows: list[Row]

    @property
    def applies(self) -> bool:
        """Whether the draft would be chosen for any subject of the area."""
        return self.cset.key in self.proposed_keys


def default_year(cset: CriteriaSet, evaluated: Iterable[int], this_year: int) -> int:
    """The newest evaluated year (else this year), moved into the draft's validity."""
    year = max(evaluated, default=this_year)
    if cset.valid_in(year):
        return year
    if year < cset.valid_from:
        return cset.valid_from
    return cset.valid_to or year


def preview(actor: User, cset: CriteriaSet, year: int) -> WhatIf:
    """Subjects of ``cset.subject`` in the actor's unit and below, and how many pass, under
    the sets in use and as if ``cset`` were active; in total and per child unit."""
    tree = UnitTree.load()
    root = tree.by_id[actor.unit_id]
    scope = tree.subtree(root.id)
    in_use = all_sets()
    with_draft = (*(s for s in in_use if s.key != cset.key), cset)
    current, current_keys = _tally(cset.subject, scope, tree, year, in_use)
    proposed, proposed_keys = _tally(cset.subject, scope, tree, year, with_draft)
    rows = {child: Row(tree.by_id[child]) for child in tree.children.get(root.id, [])}
    own = Row(root, own=True)
    owner = {uid: rows[child] for child in rows for uid in tree.subtree(child)}
    total = Row(root)
    for unit_id in set(current) | set(proposed):
        row = owner.get(unit_id, own)
        for target in (row, total):
            target.current.add(current.get(unit_id, Tally()))
            target.proposed.add(proposed.get(unit_id, Tally()))
    listed = sorted(rows.values(), key=lambda r: r.unit.code)
    if own.current.subjects or own.proposed.subjects:
        listed.insert(0, own)
    return WhatIf(cset, year, root, current_keys, proposed_keys, total, listed)


def _tally(
    kind: str, scope: list[int], tree: UnitTree, year: int, sets: tuple[CriteriaSet, ...]
) -> tuple[dict[int, Tally], list[str]]:
    """Per home unit: subjects and passes, scored exactly as ``evaluate_year`` would."""
    period = Period(year)
    tallies: dict[int, Tally] = {}
    keys = []
    for cset, unit_ids in _set_groups(kind, scope, tree, year, sets).items():
        keys.append(cset.key)
        subj, source, facts = build_source(kind, cset, period, unit_ids, None)
        compiled = compile_set(cset, facts)
        scored = (
            select(
                subj.c.unit_id.label("unit_id"),
                case((compiled.passed, 1), else_=0).label("passed"),
            )
            .select_from(source)
            .subquery("scored")
        )
        counts = db.session.execute(
            select(scored.c.unit_id, func.count(), func.sum(scored.c.passed)).group_by(
                scored.c.unit_id
            )
        )
        for unit_id, subjects, passed in counts:
            tallies.setdefault(unit_id, Tally()).add(Tally(int(subjects), int(passed or 0)))
    return tallies, sorted(keys)
