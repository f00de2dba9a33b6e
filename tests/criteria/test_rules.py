"""Each criterion kind and each pure scoring helper, with hand-computed cases."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from criteria import (
    KINDS,
    Attested,
    CriteriaError,
    CriteriaSet,
    Criterion,
    Reason,
    Share,
    clamp,
    evaluate,
    kind,
    members_needed,
    parse_set,
    points_for,
    share_value,
)
from criteria.model import AttestedParams
from criteria.rules import ParseContext, parse_attested
from criteria.scoring import Scored

TABLE = ((20.0, 10.0), (10.0, 8.0), (4.0, 5.0))

ACTIVITY = """
[[criteria]]
id = "tthtcd"
title = "Học tại TTHTCĐ"
points = 10
kind = "activity"
measure = "hours"
categories = ["tthtcd", "campaign"]
thresholds = [[4, 5], [20, 10], [10, 8]]
"""

SCORE = """
[[criteria]]
id = "ke-hoach"
title = "Kế hoạch học tập"
points = 10
kind = "attested"
scale = "score"
"""

YES_NO = """
[[criteria]]
id = "ban-khuyen-hoc"
title = "Có ban khuyến học"
points = 10
kind = "attested"
scale = "yes_no"
"""

SHARE = """
[[criteria]]
id = "ty-le"
title = "Tỷ lệ hộ gia đình học tập"
points = 10
kind = "rollup"
member = "household"
member_title = "gia-dinh-hoc-tap"
measure = "share"
thresholds = [[0.7, 10]]
"""

MakeSet = Callable[..., CriteriaSet]
SetText = Callable[..., str]


# --- pure helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (3.99, 0), (4, 5), (9.5, 5), (10, 8), (19.999, 8), (20, 10), (500, 10)],
)
def test_points_for_takes_the_highest_threshold_reached_inclusive(
    value: float, expected: float
) -> None:
    assert points_for(TABLE, value) == expected


def test_points_for_an_empty_table_is_zero() -> None:
    assert points_for((), 99) == 0


def test_share_value_is_none_for_an_empty_denominator() -> None:
    assert share_value(0, 0) is None
    assert share_value(7, 10) == 0.7


@pytest.mark.parametrize(
    ("numerator", "denominator", "threshold", "expected"),
    [
        (14, 18, 0.7, 0),  # 77.8% already
        (12, 18, 0.7, 1),  # 13/18 = 72.2%
        (6, 10, 0.7, 1),  # 7/10 exactly 70%
        (0, 10, 0.7, 7),
        (13, 20, 0.65, 0),  # 13/20 exactly 65%
        (12, 20, 0.65, 1),
        (3, 5, 1.0, 2),
        (0, 3, 1 / 3, 1),
        (0, 0, 0.7, None),
    ],
)
def test_members_needed_is_the_smallest_k(
    numerator: int, denominator: int, threshold: float, expected: int | None
) -> None:
    assert members_needed(numerator, denominator, threshold) == expected


def test_members_needed_matches_brute_force_for_small_units() -> None:
    thresholds = (0.5, 0.65, 0.7, 0.9, 0.95, 0.97, 1.0, 0.333, 0.1)
    for denominator in range(1, 41):
        for numerator in range(denominator + 1):
            for threshold in thresholds:
                brute = next(
                    k
                    for k in range(denominator - numerator + 1)
                    if (numerator + k) / denominator >= threshold
                )
                assert members_needed(numerator, denominator, threshold) == brute


@pytest.mark.parametrize(("score", "expected"), [(-3, 0), (0, 0), (7.5, 7.5), (10, 10), (12, 10)])
def test_clamp_limits_a_score_to_the_scale(score: float, expected: float) -> None:
    assert clamp(score, 10) == expected


# --- activity -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "points", "code"),
    [
        (None, 0, "below"),
        (3.5, 0, "below"),
        (4, 5, "reached"),
        (10, 8, "reached"),
        (20, 10, "reached"),
    ],
)
def test_activity_scores_hours_on_the_table(
    make_set: MakeSet, hours: float | None, points: float, code: str
) -> None:
    criteria_set = make_set(ACTIVITY)
    result = evaluate(criteria_set, {"tthtcd": hours}).result("tthtcd")
    assert (result.points, result.reason.code) == (points, code)


def test_activity_reason_says_what_the_next_step_needs(make_set: MakeSet) -> None:
    result = evaluate(make_set(ACTIVITY), {"tthtcd": 12}).result("tthtcd")
    assert result.reason == Reason(
        "reached", value=12, threshold=10, next_threshold=20, next_points=10, shortfall=8
    )


def test_activity_shortfall_has_no_float_noise(make_set: MakeSet) -> None:
    result = evaluate(make_set(ACTIVITY), {"tthtcd": 7.3}).result("tthtcd")
    assert result.reason.shortfall == 2.7


def test_activity_at_the_top_has_no_next_step(make_set: MakeSet) -> None:
    reason = evaluate(make_set(ACTIVITY), {"tthtcd": 25}).result("tthtcd").reason
    assert (reason.next_threshold, reason.shortfall) == (None, None)


@pytest.mark.parametrize("fact", ["12", -1, math.nan, math.inf, True, Share(1, 2)])
def test_activity_refuses_facts_that_are_not_a_non_negative_number(
    make_set: MakeSet, fact: object
) -> None:
    with pytest.raises(CriteriaError, match="tthtcd"):
        evaluate(make_set(ACTIVITY), {"tthtcd": fact})  # type: ignore[dict-item]


# --- attested -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "points", "code"),
    [
        (Attested(score=7), 7, "assessed"),
        (Attested(score=7.5, evidence="Biên bản họp"), 7.5, "assessed"),
        (Attested(score=12), 10, "clamped"),
        (Attested(score=-2), 0, "clamped"),
        (Attested(), 0, "not_assessed"),
        (Attested(yes=True), 0, "not_assessed"),  # a score scale reads the score only
        (None, 0, "not_assessed"),
    ],
)
def test_attested_score_is_clamped_and_missing_is_zero(
    make_set: MakeSet, fact: Attested | None, points: float, code: str
) -> None:
    result = evaluate(make_set(SCORE), {"ke-hoach": fact}).result("ke-hoach")
    assert (result.points, result.reason.code, result.passed) == (points, code, points > 0)


def test_attested_default_applies_only_when_nothing_was_entered(make_set: MakeSet) -> None:
    criteria_set = make_set(SCORE + "default = 5\n")
    missing = evaluate(criteria_set, {}).result("ke-hoach")
    entered = evaluate(criteria_set, {"ke-hoach": Attested(score=2)}).result("ke-hoach")
    assert (missing.points, missing.reason.code) == (5, "default")
    assert (entered.points, entered.reason.code) == (2, "assessed")


@pytest.mark.parametrize(
    ("fact", "points", "code"),
    [
        (Attested(yes=True), 10, "yes"),
        (Attested(yes=False), 0, "no"),
        (Attested(), 0, "not_assessed"),
        (Attested(score=10), 0, "not_assessed"),  # a yes/no scale reads the answer only
    ],
)
def test_attested_yes_no(make_set: MakeSet, fact: Attested, points: float, code: str) -> None:
    result = evaluate(make_set(YES_NO), {"ban-khuyen-hoc": fact}).result("ban-khuyen-hoc")
    assert (result.points, result.reason.code) == (points, code)


def test_attested_refuses_other_facts(make_set: MakeSet) -> None:
    with pytest.raises(CriteriaError, match="Attested"):
        evaluate(make_set(SCORE), {"ke-hoach": 7})


def test_attested_refuses_a_score_that_is_not_finite() -> None:
    with pytest.raises(CriteriaError, match="score"):
        Attested(score=math.nan)


def test_attested_yes_no_default_must_be_zero_or_full(set_text: SetText) -> None:
    with pytest.raises(CriteriaError, match=r"default.*0 hoặc bằng points"):
        parse_set(set_text(YES_NO + "default = 5\n"), "t.toml")


# --- rollup -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "points"),
    [(7, 10, 10), (14, 20, 10), (70, 100, 10), (699, 1000, 0), (6, 10, 0), (18, 18, 10)],
)
def test_rollup_share_exactly_seventy_percent_passes(
    make_set: MakeSet, numerator: int, denominator: int, points: float
) -> None:
    result = evaluate(
        make_set(SHARE, subject="village"), {"ty-le": Share(numerator, denominator)}
    ).result("ty-le")
    assert result.points == points


def test_rollup_sixty_five_percent_of_twenty_clans_passes(make_set: MakeSet) -> None:
    body = SHARE.replace("0.7, 10", "0.65, 10")
    result = evaluate(make_set(body, subject="village"), {"ty-le": Share(13, 20)}).result("ty-le")
    assert result.passed


def test_rollup_empty_denominator_never_passes_even_at_zero_threshold(make_set: MakeSet) -> None:
    criteria_set = make_set(SHARE.replace("[[0.7, 10]]", "[[0, 10]]"), subject="village")
    for fact in (Share(0, 0), None):
        result = evaluate(criteria_set, {"ty-le": fact}).result("ty-le")
        assert (result.points, result.passed, result.reason.code) == (0, False, "empty")


def test_rollup_share_reason_counts_members_needed(make_set: MakeSet) -> None:
    reason = (
        evaluate(make_set(SHARE, subject="village"), {"ty-le": Share(12, 18)})
        .result("ty-le")
        .reason
    )
    assert (reason.code, reason.next_threshold, reason.shortfall) == ("below", 0.7, 1)


def test_rollup_count_measure(make_set: MakeSet) -> None:
    body = SHARE.replace('"share"', '"count"').replace("[[0.7, 10]]", "[[5, 10], [3, 6]]")
    criteria_set = make_set(body, subject="village")
    four = evaluate(criteria_set, {"ty-le": Share(4, 40)}).result("ty-le")
    assert (four.points, four.reason.shortfall) == (6, 1)
    assert evaluate(criteria_set, {"ty-le": Share(5, 40)}).result("ty-le").points == 10
    assert evaluate(criteria_set, {"ty-le": Share(2, 40)}).result("ty-le").points == 0


def test_rollup_refuses_other_facts(make_set: MakeSet) -> None:
    with pytest.raises(CriteriaError, match="Share"):
        evaluate(make_set(SHARE, subject="village"), {"ty-le": 0.8})


@pytest.mark.parametrize(("numerator", "denominator"), [(5, 4), (-1, 3), (1, -1), (True, 2)])
def test_share_refuses_impossible_counts(numerator: int, denominator: int) -> None:
    with pytest.raises(CriteriaError, match="Share"):
        Share(numerator, denominator)


# --- all / any ----------------------------------------------------------------------------------

COMBINED = (
    SCORE
    + YES_NO
    + """
[[criteria]]
id = "ca-hai"
title = "Đạt cả hai"
points = 5
kind = "all"
of = ["ke-hoach", "ban-khuyen-hoc"]

[[criteria]]
id = "mot-trong-hai"
title = "Đạt một trong hai"
points = 5
kind = "any"
of = ["ke-hoach", "ban-khuyen-hoc"]
"""
)


@pytest.mark.parametrize(
    ("score", "yes", "all_points", "any_points"),
    [(6, True, 5, 5), (6, False, 0, 5), (0, True, 0, 5), (None, None, 0, 0)],
)
def test_all_and_any(
    make_set: MakeSet, score: float | None, yes: bool | None, all_points: float, any_points: float
) -> None:
    facts = {"ke-hoach": Attested(score=score), "ban-khuyen-hoc": Attested(yes=yes)}
    outcome = evaluate(make_set(COMBINED), facts)
    assert outcome.result("ca-hai").points == all_points
    assert outcome.result("mot-trong-hai").points == any_points


def test_all_reason_names_the_criteria_not_passed(make_set: MakeSet) -> None:
    facts = {"ke-hoach": Attested(score=6), "ban-khuyen-hoc": Attested(yes=False)}
    reason = evaluate(make_set(COMBINED), facts).result("ca-hai").reason
    assert reason == Reason("not_all_met", criteria=("ban-khuyen-hoc",))


def test_all_uses_the_passed_definition_with_min_points(make_set: MakeSet) -> None:
    body = COMBINED.replace('scale = "score"', 'scale = "score"\nmin_points = 7', 1)
    facts = {"ke-hoach": Attested(score=6), "ban-khuyen-hoc": Attested(yes=True)}
    outcome = evaluate(make_set(body), facts)
    assert outcome.result("ke-hoach").passed is False
    assert outcome.result("ca-hai").points == 0


# --- the registry -------------------------------------------------------------------------------


def test_the_built_in_kinds_are_registered() -> None:
    assert set(KINDS) == {"activity", "attested", "rollup", "all", "any"}


def test_registering_a_kind_twice_is_refused() -> None:
    with pytest.raises(CriteriaError, match="activity"):
        kind("activity", parse=parse_attested, keys=())(KINDS["activity"].score)


def test_a_new_kind_is_one_registered_function(set_text: SetText) -> None:
    def fixed(criterion: Criterion, fact: object, passed: object) -> Scored:
        return Scored(criterion.points / 2, Reason("assessed", value=criterion.points / 2))

    def parse(table: object, ctx: ParseContext) -> AttestedParams:
        return AttestedParams(scale="score")

    kind("half", parse=parse, keys=(), required=())(fixed)
    try:
        body = '[[criteria]]\nid = "nua"\ntitle = "Một nửa"\npoints = 8\nkind = "half"\n'
        criteria_set = parse_set(set_text(body), "t.toml")
        assert evaluate(criteria_set, {}).total == 4
    finally:
        del KINDS["half"]
