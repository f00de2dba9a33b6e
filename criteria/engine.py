"""Pure scoring of one subject against one criteria set, and the choice of the set to use.

``evaluate`` is the reference semantics: deterministic, no clock, no I/O. The registry's bulk
SQL evaluation must agree with it (it compiles the same threshold tables, see ``scoring.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from criteria.errors import CriteriaError
from criteria.model import (
    SUBJECT_KINDS,
    CombineParams,
    CriteriaSet,
    Criterion,
    CriterionResult,
    Fact,
    Level,
    Outcome,
)
from criteria.rules import KINDS


def is_passed(points: float, criterion: Criterion, min_each: float | None = None) -> bool:
    """Whether a criterion is passed: it earned more than 0 points, at least its own
    ``min_points`` and at least the set's ``pass.min_each`` (each when given).

    ``all``/``any`` criteria, ``pass.required`` and ``levels[].required`` use this definition.
    """
    return points > 0 and points >= (criterion.min_points or 0.0) and points >= (min_each or 0.0)


def evaluation_order(criteria_set: CriteriaSet) -> tuple[Criterion, ...]:
    """Criteria in scoring order: every non-combining criterion in set order, then ``all``/
    ``any`` criteria after the criteria they refer to.

    :raises CriteriaError: on unknown references or cycles (only hand-built sets can have them).
    """
    leaves = [c for c in criteria_set.criteria if not isinstance(c.params, CombineParams)]
    ordered = {c.id: c for c in leaves}
    visiting: set[str] = set()

    def visit(criterion: Criterion) -> None:
        if criterion.id in ordered:
            return
        if criterion.id in visiting:
            raise CriteriaError(f"{criteria_set.key}: tham chiếu vòng (cycle) qua {criterion.id!r}")
        visiting.add(criterion.id)
        if isinstance(criterion.params, CombineParams):
            for ref in criterion.params.of:
                visit(criteria_set.criterion(ref))
        ordered[criterion.id] = criterion

    for criterion in criteria_set.criteria:
        visit(criterion)
    return tuple(ordered.values())


def evaluate(criteria_set: CriteriaSet, facts: Mapping[str, Fact]) -> Outcome:
    """Score one subject.

    :param facts: criterion id → raw fact (a number for ``activity``, ``Attested``, ``Share``);
        missing ids count as nothing recorded; ids not in the set are ignored.
    :raises CriteriaError: when a fact has the wrong type for its criterion.
    """
    rule = criteria_set.pass_rule
    passed: dict[str, bool] = {}
    results: dict[str, CriterionResult] = {}
    for criterion in evaluation_order(criteria_set):
        spec = KINDS.get(criterion.kind)
        if spec is None:
            raise CriteriaError(f"loại tiêu chí không xác định (unknown kind) {criterion.kind!r}")
        fact = facts.get(criterion.id)
        scored = spec.score(criterion, fact, passed)
        passed[criterion.id] = is_passed(scored.points, criterion, rule.min_each)
        results[criterion.id] = CriterionResult(
            id=criterion.id,
            title=criterion.title,
            kind=criterion.kind,
            points=scored.points,
            max_points=criterion.points,
            passed=passed[criterion.id],
            fact=fact,
            reason=scored.reason,
            min_points=max(criterion.min_points or 0.0, rule.min_each or 0.0),
        )
    ordered = tuple(results[c.id] for c in criteria_set.criteria)
    total = math.fsum(r.points for r in ordered)
    below = tuple(r.id for r in ordered if rule.min_each is not None and r.points < rule.min_each)
    missing = tuple(cid for cid in rule.required if not passed[cid])
    ok = total >= rule.min_total and not below and not missing
    return Outcome(
        set_id=criteria_set.id,
        set_version=criteria_set.version,
        total=total,
        max_total=criteria_set.max_total,
        passed=ok,
        level=_level(criteria_set.levels, total, passed) if ok else None,
        results=ordered,
        failed_ids=tuple(r.id for r in ordered if not r.passed),
        below_min_each=below,
        missing_required=missing,
        total_short=max(0.0, rule.min_total - total),
    )


def _level(levels: Iterable[Level], total: float, passed: Mapping[str, bool]) -> str | None:
    """The first (best) level whose ``min_total`` and ``required`` criteria are met."""
    for level in levels:
        if total >= level.min_total and all(passed[cid] for cid in level.required):
            return level.name
    return None


def select_set(
    sets: Iterable[CriteriaSet], subject: str, year: int, unit_codes: Sequence[str]
) -> CriteriaSet:
    """The set that applies to a subject of kind ``subject`` evaluated for ``year``.

    Candidates are the sets for that subject valid in the year whose ``scope`` is absent
    (national) or one of ``unit_codes``. The most specific scope wins, ``unit_codes`` being
    ordered from the subject's own unit up to the province; a national set comes last. Among
    equally specific sets the highest version wins.

    :raises CriteriaError: when no set applies, or two different sets tie.
    """
    if subject not in SUBJECT_KINDS:
        raise CriteriaError(f"chủ thể (subject) không xác định: {subject!r}")
    codes = list(unit_codes)

    def rank(criteria_set: CriteriaSet) -> tuple[int, int]:
        scope = criteria_set.scope
        specificity = 0 if scope is None else len(codes) - codes.index(scope)
        return specificity, criteria_set.version

    candidates = [
        s
        for s in sets
        if s.subject == subject and s.valid_in(year) and (s.scope is None or s.scope in codes)
    ]
    if not candidates:
        raise CriteriaError(
            f"không có bộ tiêu chí cho {subject} năm {year} tại {', '.join(codes) or 'toàn quốc'} "
            "(no criteria set applies)"
        )
    best = max(rank(s) for s in candidates)
    winners = [s for s in candidates if rank(s) == best]
    if len(winners) > 1:
        raise CriteriaError(
            f"nhiều bộ tiêu chí ngang nhau cho {subject} năm {year}: "
            f"{', '.join(sorted(s.key for s in winners))} (ambiguous selection)"
        )
    return winners[0]
