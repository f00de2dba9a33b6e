"""The engine: the pass rule, levels, evaluation order and the choice of set."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from criteria import (
    Attested,
    CombineParams,
    CriteriaError,
    CriteriaSet,
    Share,
    evaluate,
    evaluation_order,
    is_passed,
    select_set,
)

FIVE = "".join(
    f"""
[[criteria]]
id = "c{n}"
title = "Chỉ số {n}"
points = 10
kind = "attested"
scale = "score"
"""
    for n in range(1, 6)
)

LEVELS = """
[[levels]]
name = "Mức độ 2"
min_total = 45
required = ["c1"]

[[levels]]
name = "Mức độ 1"
min_total = 40
"""

MakeSet = Callable[..., CriteriaSet]


def scores(*values: float | None) -> dict[str, Attested]:
    return {f"c{n}": Attested(score=v) for n, v in enumerate(values, start=1)}


# --- pass rule --------------------------------------------------------------------------------


def test_min_total_is_inclusive(make_set: MakeSet) -> None:
    criteria_set = make_set(FIVE, passing="min_total = 40")
    exactly = evaluate(criteria_set, scores(8, 8, 8, 8, 8))
    short = evaluate(criteria_set, scores(8, 8, 8, 8, 7))
    assert (exactly.total, exactly.passed, exactly.total_short) == (40, True, 0)
    assert (short.total, short.passed, short.total_short) == (39, False, 1)


def test_min_each_blocks_a_high_total(make_set: MakeSet) -> None:
    criteria_set = make_set(FIVE, passing="min_total = 40\nmin_each = 5")
    outcome = evaluate(criteria_set, scores(10, 10, 10, 10, 4))
    assert (outcome.total, outcome.passed) == (44, False)
    assert outcome.below_min_each == ("c5",)
    assert outcome.failed_ids == ("c5",)
    assert outcome.result("c5").min_points == 5


def test_min_each_exactly_reached_passes(make_set: MakeSet) -> None:
    criteria_set = make_set(FIVE, passing="min_total = 40\nmin_each = 5")
    outcome = evaluate(criteria_set, scores(10, 10, 10, 5, 5))
    assert outcome.passed
    assert outcome.failed_ids == ()


def test_required_criteria_must_be_passed(make_set: MakeSet) -> None:
    criteria_set = make_set(FIVE, passing='min_total = 30\nrequired = ["c2", "c4"]')
    outcome = evaluate(criteria_set, scores(10, 10, 10, None, 10))
    assert (outcome.total, outcome.passed, outcome.missing_required) == (40, False, ("c4",))


def test_own_min_points_decides_passed(make_set: MakeSet) -> None:
    body = FIVE.replace('id = "c1"', 'id = "c1"\nmin_points = 7')
    outcome = evaluate(make_set(body, passing='min_total = 0\nrequired = ["c1"]'), scores(6))
    assert outcome.result("c1").passed is False
    assert outcome.result("c1").min_points == 7
    assert outcome.missing_required == ("c1",)
    assert not outcome.passed


def test_failed_ids_list_every_criterion_not_passed_in_set_order(make_set: MakeSet) -> None:
    outcome = evaluate(make_set(FIVE), scores(0, 3, None, 10))
    assert outcome.failed_ids == ("c1", "c3", "c5")
    assert outcome.passed  # min_total = 0 and nothing required


def test_is_passed_definition(make_set: MakeSet) -> None:
    criterion = make_set(FIVE).criteria[0]  # 10 points, no minimum of its own
    assert not is_passed(0, criterion)
    assert is_passed(0.5, criterion)
    assert not is_passed(4, criterion, min_each=5)
    assert is_passed(5, criterion, min_each=5)
    assert not is_passed(5, dataclasses.replace(criterion, min_points=6), min_each=5)


# --- levels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "level"),
    [
        ((10, 10, 10, 10, 5), "Mức độ 2"),
        ((0, 10, 10, 10, 10), "Mức độ 1"),  # 40 points but c1 (required by level 2) not passed
        ((9, 9, 9, 9, 9), "Mức độ 2"),
        ((8, 8, 8, 8, 8), "Mức độ 1"),
        ((8, 8, 8, 8, 7), None),  # not passed: no level
    ],
)
def test_levels_best_first(make_set: MakeSet, values: tuple[float, ...], level: str | None) -> None:
    criteria_set = make_set(FIVE, passing="min_total = 40", extra=LEVELS)
    assert evaluate(criteria_set, scores(*values)).level == level


# --- order, facts, determinism ----------------------------------------------------------------

COMBINED_FIRST = """
[[criteria]]
id = "ca-hai"
title = "Đạt cả hai"
points = 10
kind = "all"
of = ["mot", "hai"]

[[criteria]]
id = "mot"
title = "Một"
points = 10
kind = "attested"
scale = "yes_no"

[[criteria]]
id = "hai"
title = "Hai"
points = 10
kind = "attested"
scale = "yes_no"
"""


def test_combining_criteria_are_scored_after_those_they_use(make_set: MakeSet) -> None:
    criteria_set = make_set(COMBINED_FIRST)
    assert [c.id for c in evaluation_order(criteria_set)] == ["mot", "hai", "ca-hai"]
    outcome = evaluate(criteria_set, {"mot": Attested(yes=True), "hai": Attested(yes=True)})
    assert [r.id for r in outcome.results] == ["ca-hai", "mot", "hai"]  # set order
    assert (outcome.result("ca-hai").points, outcome.total) == (10, 30)


def test_evaluation_order_refuses_a_hand_built_cycle(make_set: MakeSet) -> None:
    criteria_set = make_set(COMBINED_FIRST)
    loop = dataclasses.replace(
        criteria_set.criteria[1], kind="all", params=CombineParams(of=("ca-hai",))
    )
    broken = dataclasses.replace(
        criteria_set, criteria=(criteria_set.criteria[0], loop, criteria_set.criteria[2])
    )
    with pytest.raises(CriteriaError, match="cycle"):
        evaluate(broken, {})


def test_unknown_fact_ids_are_ignored_and_missing_facts_are_nothing(make_set: MakeSet) -> None:
    criteria_set = make_set(FIVE)
    with_noise = evaluate(criteria_set, {**scores(7), "khong-co": Share(1, 2)})
    assert with_noise == evaluate(criteria_set, scores(7))
    assert with_noise.total == 7


def test_outcome_identifies_the_set(make_set: MakeSet) -> None:
    outcome = evaluate(make_set(FIVE), scores(1))
    assert (outcome.set_id, outcome.set_version, outcome.max_total) == ("bo-thu", 1, 50)


def test_result_of_unknown_criterion_raises(make_set: MakeSet) -> None:
    with pytest.raises(CriteriaError, match="khong-co"):
        evaluate(make_set(FIVE), {}).result("khong-co")


def test_evaluate_is_deterministic(make_set: MakeSet) -> None:
    criteria_set = make_set(FIVE)
    facts = scores(1, 2.5, None, 12, -1)
    assert evaluate(criteria_set, facts) == evaluate(criteria_set, dict(reversed(facts.items())))


def test_unknown_kind_in_a_hand_built_set_raises(make_set: MakeSet) -> None:
    criteria_set = make_set(FIVE)
    odd = dataclasses.replace(criteria_set.criteria[0], kind="magic")
    with pytest.raises(CriteriaError, match="magic"):
        evaluate(dataclasses.replace(criteria_set, criteria=(odd,)), {})


# --- select_set -------------------------------------------------------------------------------


@pytest.fixture
def sets(make_set: MakeSet) -> list[CriteriaSet]:
    def variant(version: int, **changes: Any) -> CriteriaSet:
        return dataclasses.replace(make_set(FIVE, version=version), **changes)

    return [
        variant(1),  # national, 2024–
        variant(2, valid_from=2026),  # national, 2026–
        variant(3, scope="34", valid_to=2025),  # province 34 until 2025
        variant(4, scope="344"),  # district 344
        variant(5, scope="01"),  # another province
        variant(6, subject="household"),
    ]


@pytest.mark.parametrize(
    ("year", "codes", "version"),
    [
        (2025, ["34001", "344", "34"], 4),  # the district's own set beats the province's
        (2025, ["34101", "341", "34"], 3),  # province set beats a newer national one
        (2026, ["34101", "341", "34"], 2),  # the province set expired: national, newest valid
        (2024, ["01001", "011", "01"], 5),
        (2025, ["79001", "791", "79"], 1),  # no scope matches: national
        (2026, [], 2),
        (2024, [], 1),  # national v2 is not valid yet
    ],
)
def test_select_set_precedence(
    sets: list[CriteriaSet], year: int, codes: list[str], version: int
) -> None:
    assert select_set(sets, "citizen", year, codes).version == version


def test_select_set_uses_the_subject(sets: list[CriteriaSet]) -> None:
    assert select_set(sets, "household", 2025, ["34"]).version == 6


def test_select_set_without_candidates_raises(sets: list[CriteriaSet]) -> None:
    with pytest.raises(CriteriaError, match="không có bộ tiêu chí cho clan năm 2025"):
        select_set(sets, "clan", 2025, ["34"])
    with pytest.raises(CriteriaError, match="2023"):
        select_set(sets, "citizen", 2023, ["34"])


def test_select_set_refuses_an_unknown_subject(sets: list[CriteriaSet]) -> None:
    with pytest.raises(CriteriaError, match="person"):
        select_set(sets, "person", 2025, [])


def test_select_set_refuses_a_tie_between_two_sets(sets: list[CriteriaSet]) -> None:
    twin = dataclasses.replace(sets[0], id="bo-khac")
    with pytest.raises(CriteriaError, match="ambiguous"):
        select_set([sets[0], twin], "citizen", 2025, [])
