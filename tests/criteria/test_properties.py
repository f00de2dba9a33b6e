"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria import (
    ActivityParams,
    Attested,
    CriteriaSet,
    Criterion,
    Fact,
    RollupParams,
    Share,
    evaluate,
    explain,
    load_all,
    members_needed,
    points_for,
    share_value,
)
from criteria.rules import KINDS

SHIPPED = load_all()

# our shared CI machines are slow and noisy: a per-example deadline would only add flakiness
relaxed = settings(deadline=None)


@st.composite
def shares(draw: st.DrawFn, min_denominator: int = 0) -> Share:
    denominator = draw(st.integers(min_value=min_denominator, max_value=5_000))
    return Share(draw(st.integers(min_value=0, max_value=denominator)), denominator)


@st.composite
def threshold_tables(draw: st.DrawFn, high: float | None = 1.0) -> tuple[tuple[float, float], ...]:
    """Valid tables: distinct values, more points for higher values, highest first."""
    values = draw(
        st.lists(
            st.floats(min_value=0, max_value=high if high is not None else 1_000),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    points = sorted(
        draw(st.lists(st.integers(1, 100), min_size=len(values), max_size=len(values), unique=True))
    )
    return tuple(zip(sorted(values, reverse=True), reversed(points), strict=True))


def rollup(thresholds: tuple[tuple[float, float], ...]) -> Criterion:
    params = RollupParams(
        member="household", member_title="gia-dinh-hoc-tap", measure="share", thresholds=thresholds
    )
    return Criterion(
        id="ty-le", title="Tỷ lệ", points=thresholds[0][1], kind="rollup", params=params
    )


def rollup_points(criterion: Criterion, share: Share) -> float:
    return KINDS["rollup"].score(criterion, share, {}).points


@relaxed
@given(shares(min_denominator=1))
def test_a_share_is_between_zero_and_one(share: Share) -> None:
    value = share_value(share.numerator, share.denominator)
    assert value is not None
    assert 0 <= value <= 1


@relaxed
@given(threshold_tables(), shares())
def test_adding_a_qualifying_member_never_lowers_points(
    thresholds: tuple[tuple[float, float], ...], share: Share
) -> None:
    criterion = rollup(thresholds)
    grown = Share(share.numerator + 1, share.denominator + 1)
    assert rollup_points(criterion, grown) >= rollup_points(criterion, share)


@relaxed
@given(threshold_tables(), shares(min_denominator=1))
def test_adding_a_member_who_does_not_qualify_never_raises_points(
    thresholds: tuple[tuple[float, float], ...], share: Share
) -> None:
    # from an empty unit (denominator 0, never passing) a first member can only help, so the
    # property is about units that already have members
    criterion = rollup(thresholds)
    grown = Share(share.numerator, share.denominator + 1)
    assert rollup_points(criterion, grown) <= rollup_points(criterion, share)


@relaxed
@given(threshold_tables(high=None), st.floats(0, 2_000), st.floats(0, 2_000))
def test_points_for_never_decreases_with_the_value(
    thresholds: tuple[tuple[float, float], ...], low: float, high: float
) -> None:
    low, high = min(low, high), max(low, high)
    assert points_for(thresholds, low) <= points_for(thresholds, high)
    assert points_for(thresholds, high) in {0, *(p for _value, p in thresholds)}


@relaxed
@given(shares(min_denominator=1), st.floats(min_value=0.01, max_value=1))
def test_members_needed_is_enough_and_minimal(share: Share, threshold: float) -> None:
    k = members_needed(share.numerator, share.denominator, threshold)
    assert k is not None
    assert (share.numerator + k) / share.denominator >= threshold
    assert k == 0 or (share.numerator + k - 1) / share.denominator < threshold


def fact_for(criterion: Criterion) -> st.SearchStrategy[Fact]:
    if isinstance(criterion.params, ActivityParams):
        return st.none() | st.floats(min_value=0, max_value=500) | st.integers(0, 500)
    if isinstance(criterion.params, RollupParams):
        return st.none() | shares()
    if criterion.kind == "attested":
        return st.none() | st.builds(
            Attested,
            score=st.none() | st.floats(min_value=-20, max_value=40),
            yes=st.none() | st.booleans(),
            evidence=st.text(max_size=20),
        )
    return st.none()


@st.composite
def set_and_facts(draw: st.DrawFn) -> tuple[CriteriaSet, dict[str, Fact]]:
    criteria_set = draw(st.sampled_from(SHIPPED))
    facts = {c.id: draw(fact_for(c)) for c in criteria_set.criteria}
    return criteria_set, facts


@relaxed
@given(set_and_facts())
def test_total_is_between_zero_and_max_total(case: tuple[CriteriaSet, dict[str, Fact]]) -> None:
    criteria_set, facts = case
    outcome = evaluate(criteria_set, facts)
    assert 0 <= outcome.total <= outcome.max_total
    for result in outcome.results:
        assert 0 <= result.points <= result.max_points
    assert outcome.passed == (
        outcome.total >= criteria_set.pass_rule.min_total
        and not outcome.below_min_each
        and not outcome.missing_required
    )


@relaxed
@given(set_and_facts())
def test_evaluate_and_explain_are_deterministic(case: tuple[CriteriaSet, dict[str, Fact]]) -> None:
    criteria_set, facts = case
    first = evaluate(criteria_set, facts)
    again = evaluate(criteria_set, dict(reversed(list(facts.items()))))
    assert first == again
    lines = explain(first, criteria_set)
    assert lines == explain(again, criteria_set)
    assert len(lines) >= 1 + len(criteria_set.criteria)
    assert all(line.strip() for line in lines)


@pytest.mark.parametrize("criteria_set", SHIPPED, ids=lambda s: s.key)
def test_nothing_recorded_never_passes_a_shipped_set(criteria_set: CriteriaSet) -> None:
    outcome = evaluate(criteria_set, {})
    assert not outcome.passed
    assert outcome.level is None
