"""The wording a commune clerk reads: Vietnamese by default, English on request."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import pytest

from criteria import (
    KIND_LABELS,
    KINDS,
    Attested,
    CriteriaError,
    CriteriaSet,
    Fact,
    Share,
    evaluate,
    explain,
    explain_overall,
    explain_result,
)
from criteria.explain import number, percent

CITIZEN = """
[[criteria]]
id = "tthtcd"
title = "Tham gia học tập tại TTHTCĐ"
title_en = "Learning at the community learning centre"
points = 10
kind = "activity"
measure = "hours"
thresholds = [[20, 10], [10, 8], [4, 5]]

[[criteria]]
id = "cntt"
title = "Ứng dụng công nghệ thông tin"
points = 10
kind = "activity"
measure = "count"
unit = "khóa học trực tuyến"
thresholds = [[2, 10], [1, 5]]

[[criteria]]
id = "ke-hoach"
title = "Có kế hoạch học tập"
title_en = "Has a learning plan"
points = 10
kind = "attested"
scale = "score"
"""

VILLAGE = """
[[criteria]]
id = "ho-gia-dinh"
title = "Tỷ lệ hộ gia đình học tập"
title_en = "Share of learning households"
points = 10
kind = "rollup"
member = "household"
member_title = "gia-dinh-hoc-tap"
measure = "share"
member_label = "hộ gia đình học tập"
member_label_en = "learning households"
thresholds = [[0.7, 10]]

[[criteria]]
id = "nguoi-lon"
title = "Tỷ lệ người lớn là công dân học tập"
points = 30
kind = "rollup"
member = "citizen"
member_title = "cong-dan-hoc-tap"
measure = "share"
min_age = 19
max_age = 60
thresholds = [[1.0, 30], [0.7, 20], [0.5, 10]]

[[criteria]]
id = "tthtcd"
title = "Tham gia chương trình TTHTCĐ"
points = 10
kind = "attested"
scale = "yes_no"

[[criteria]]
id = "ca-hai"
title = "Đủ hai điều kiện"
points = 10
kind = "all"
of = ["ho-gia-dinh", "tthtcd"]
"""

MakeSet = Callable[..., CriteriaSet]


def lines_of(
    criteria_set: CriteriaSet, facts: Mapping[str, Fact], criterion_id: str, lang: str = "vi"
) -> list[str]:
    outcome = evaluate(criteria_set, facts)
    return explain_result(outcome.result(criterion_id), criteria_set, lang)


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [(12, "12", "12"), (12.5, "12,5", "12.5"), (1234.5, "1.234,5", "1,234.5"), (0.0, "0", "0")],
)
def test_numbers_use_the_vietnamese_decimal_comma(value: float, vi: str, en: str) -> None:
    assert (number(value, "vi"), number(value, "en")) == (vi, en)


def test_percent_never_rounds_a_miss_up_to_the_threshold() -> None:
    assert percent(14 / 18) == "77,8%"
    assert percent(0.7) == "70%"
    assert percent(0.6999, against=0.7) == "69,99%"
    assert percent(0.6999) == "70%"


# --- activity ---------------------------------------------------------------------------------


def test_activity_line_and_what_is_missing(make_set: MakeSet) -> None:
    assert lines_of(make_set(CITIZEN), {"tthtcd": 12}, "tthtcd") == [
        "Tham gia học tập tại TTHTCĐ: 12 giờ ≥ 10 giờ → 8/10 điểm",
        "Còn thiếu 8 giờ để đạt 10 điểm",
    ]


def test_activity_at_the_top_needs_nothing_more(make_set: MakeSet) -> None:
    assert lines_of(make_set(CITIZEN), {"tthtcd": 20}, "tthtcd") == [
        "Tham gia học tập tại TTHTCĐ: 20 giờ ≥ 20 giờ → 10/10 điểm"
    ]


def test_activity_below_every_threshold(make_set: MakeSet) -> None:
    assert lines_of(make_set(CITIZEN), {"tthtcd": 1.5}, "tthtcd") == [
        "Tham gia học tập tại TTHTCĐ: 1,5 giờ < 4 giờ → 0/10 điểm",
        "Còn thiếu 2,5 giờ để đạt 5 điểm",
    ]


def test_activity_with_its_own_unit(make_set: MakeSet) -> None:
    assert lines_of(make_set(CITIZEN), {"cntt": 1}, "cntt") == [
        "Ứng dụng công nghệ thông tin: 1 khóa học trực tuyến ≥ 1 khóa học trực tuyến → 5/10 điểm",
        "Còn thiếu 1 khóa học trực tuyến để đạt 10 điểm",
    ]


def test_activity_in_english(make_set: MakeSet) -> None:
    assert lines_of(make_set(CITIZEN), {"tthtcd": 19}, "tthtcd", "en") == [
        "Learning at the community learning centre: 19 hours ≥ 10 hours → 8/10 points",
        "1 more hour needed for 10 points",
    ]


# --- attested ---------------------------------------------------------------------------------


def test_attested_with_evidence(make_set: MakeSet) -> None:
    facts = {"ke-hoach": Attested(score=7, evidence="Phiếu tự đánh giá đã duyệt")}
    assert lines_of(make_set(CITIZEN), facts, "ke-hoach") == [
        "Có kế hoạch học tập: được đánh giá 7 điểm → 7/10 điểm "
        "(minh chứng: Phiếu tự đánh giá đã duyệt)"
    ]


def test_attested_missing_says_not_assessed(make_set: MakeSet) -> None:
    assert lines_of(make_set(CITIZEN), {}, "ke-hoach") == [
        "Có kế hoạch học tập: chưa có đánh giá → 0/10 điểm",
        "Cần có đánh giá cho tiêu chí này",
    ]


def test_attested_clamped_and_below_min_each(make_set: MakeSet) -> None:
    criteria_set = make_set(CITIZEN, passing="min_total = 0\nmin_each = 5")
    assert lines_of(criteria_set, {"ke-hoach": Attested(score=12)}, "ke-hoach") == [
        "Có kế hoạch học tập: được đánh giá 12 điểm, ngoài thang 0–10 nên tính 10 → 10/10 điểm"
    ]
    assert lines_of(criteria_set, {"ke-hoach": Attested(score=4)}, "ke-hoach") == [
        "Có kế hoạch học tập: được đánh giá 4 điểm → 4/10 điểm",
        "Cần tối thiểu 5 điểm ở tiêu chí này (hiện 4)",
    ]


def test_attested_default(make_set: MakeSet) -> None:
    criteria_set = make_set(CITIZEN.replace('scale = "score"', 'scale = "score"\ndefault = 5'))
    assert lines_of(criteria_set, {}, "ke-hoach") == [
        "Có kế hoạch học tập: chưa có đánh giá, tính mặc định 5 điểm → 5/10 điểm"
    ]


def test_yes_no_reads_passed(make_set: MakeSet) -> None:
    criteria_set = make_set(VILLAGE, subject="village")
    assert lines_of(criteria_set, {"tthtcd": Attested(yes=False)}, "tthtcd") == [
        "Tham gia chương trình TTHTCĐ: không → chưa đạt"
    ]
    assert lines_of(criteria_set, {"tthtcd": Attested(yes=True)}, "tthtcd", "en") == [
        "Tham gia chương trình TTHTCĐ: yes → passed"
    ]


# --- rollup -----------------------------------------------------------------------------------


def test_share_reached(make_set: MakeSet) -> None:
    criteria_set = make_set(VILLAGE, subject="village")
    assert lines_of(criteria_set, {"ho-gia-dinh": Share(14, 18)}, "ho-gia-dinh") == [
        "Tỷ lệ hộ gia đình học tập: 14/18 = 77,8% ≥ 70% → đạt"
    ]


def test_share_exactly_at_the_threshold(make_set: MakeSet) -> None:
    criteria_set = make_set(VILLAGE, subject="village")
    assert lines_of(criteria_set, {"ho-gia-dinh": Share(14, 20)}, "ho-gia-dinh") == [
        "Tỷ lệ hộ gia đình học tập: 14/20 = 70% ≥ 70% → đạt"
    ]


def test_share_missing_members(make_set: MakeSet) -> None:
    criteria_set = make_set(VILLAGE, subject="village")
    assert lines_of(criteria_set, {"ho-gia-dinh": Share(12, 18)}, "ho-gia-dinh") == [
        "Tỷ lệ hộ gia đình học tập: 12/18 = 66,7% < 70% → chưa đạt",
        "Cần thêm 1 hộ gia đình học tập nữa để đạt 70%",
    ]
    assert lines_of(criteria_set, {"ho-gia-dinh": Share(2, 18)}, "ho-gia-dinh")[1] == (
        "Cần thêm 11 hộ gia đình học tập nữa để đạt 70%"
    )


def test_share_with_steps_names_the_points_of_the_next_step(make_set: MakeSet) -> None:
    criteria_set = make_set(VILLAGE, subject="village")
    assert lines_of(criteria_set, {"nguoi-lon": Share(3, 4)}, "nguoi-lon") == [
        "Tỷ lệ người lớn là công dân học tập: 3/4 = 75% ≥ 70% → 20/30 điểm",
        "Cần thêm 1 người đạt danh hiệu nữa để đạt 100% (30 điểm)",
    ]


def test_share_empty_denominator_says_why(make_set: MakeSet) -> None:
    criteria_set = make_set(VILLAGE, subject="village")
    assert lines_of(criteria_set, {"nguoi-lon": Share(0, 0)}, "nguoi-lon") == [
        "Tỷ lệ người lớn là công dân học tập: không có người nào từ 19 đến 60 tuổi "
        "để tính (0/0) → 0/30 điểm"
    ]
    assert lines_of(criteria_set, {}, "ho-gia-dinh", "en") == [
        "Share of learning households: no households to count (0/0) → not passed"
    ]


def test_share_in_english(make_set: MakeSet) -> None:
    criteria_set = make_set(VILLAGE, subject="village")
    assert lines_of(criteria_set, {"ho-gia-dinh": Share(12, 18)}, "ho-gia-dinh", "en") == [
        "Share of learning households: 12/18 = 66.7% < 70% → not passed",
        "learning households: 1 more needed to reach 70%",
    ]


def test_count_rollup(make_set: MakeSet) -> None:
    body = VILLAGE.replace('measure = "share"', 'measure = "count"', 1).replace(
        "[[0.7, 10]]", "[[5, 10]]"
    )
    criteria_set = make_set(body, subject="village")
    assert lines_of(criteria_set, {"ho-gia-dinh": Share(3, 40)}, "ho-gia-dinh") == [
        "Tỷ lệ hộ gia đình học tập: 3 hộ gia đình học tập < 5 → chưa đạt",
        "Cần thêm 2 hộ gia đình học tập nữa để đạt 5",
    ]


def test_all_names_the_criteria_not_passed(make_set: MakeSet) -> None:
    criteria_set = make_set(VILLAGE, subject="village")
    facts: dict[str, Fact] = {"ho-gia-dinh": Share(1, 2), "tthtcd": Attested(yes=True)}
    assert lines_of(criteria_set, facts, "ca-hai") == [
        "Đủ hai điều kiện: chưa đạt tiêu chí “Tỷ lệ hộ gia đình học tập” → chưa đạt"
    ]


# --- overall ----------------------------------------------------------------------------------

TEN = "".join(
    f"""
[[criteria]]
id = "c{n}"
title = "Chỉ số {n}"
title_en = "Indicator {n}"
points = 10
kind = "attested"
scale = "score"
"""
    for n in range(1, 11)
)


def test_overall_pass(make_set: MakeSet) -> None:
    criteria_set = make_set(TEN, passing="min_total = 80\nmin_each = 5")
    facts = {f"c{n}": Attested(score=s) for n, s in enumerate([9, 9, 9, 9, 9, 8, 8, 8, 8, 8], 1)}
    outcome = evaluate(criteria_set, facts)
    assert explain_overall(outcome, criteria_set) == "Đạt danh hiệu “Bộ thử” (85/100 điểm)"
    assert (
        explain_overall(outcome, criteria_set, "en") == "Recognised as “Test set” (85/100 points)"
    )


def test_overall_fail_lists_every_reason(make_set: MakeSet) -> None:
    criteria_set = make_set(TEN, passing='min_total = 80\nmin_each = 5\nrequired = ["c1"]')
    values = [0, 10, 10, 10, 10, 10, 10, 4, 4, 4]
    outcome = evaluate(criteria_set, {f"c{n}": Attested(score=s) for n, s in enumerate(values, 1)})
    assert explain_overall(outcome, criteria_set) == (
        "Chưa đạt: cần ≥ 80 điểm, hiện 72; tiêu chí “Chỉ số 1”, “Chỉ số 8”, “Chỉ số 9”, "
        "“Chỉ số 10” dưới 5 điểm; tiêu chí bắt buộc “Chỉ số 1” chưa đạt"
    )
    assert explain_overall(outcome, criteria_set, "en") == (
        "Not recognised: needs ≥ 80 points, has 72; criteria “Indicator 1”, “Indicator 8”, "
        "“Indicator 9”, “Indicator 10” below 5 points; required criteria “Indicator 1” not passed"
    )


def test_overall_names_the_level(make_set: MakeSet) -> None:
    levels = '[[levels]]\nname = "Mức độ 1"\nname_en = "Level 1"\nmin_total = 50\n'
    criteria_set = make_set(TEN, passing="min_total = 50", extra=levels)
    outcome = evaluate(criteria_set, {f"c{n}": Attested(score=6) for n in range(1, 11)})
    assert explain_overall(outcome, criteria_set) == (
        "Đạt danh hiệu “Bộ thử” – Mức độ 1 (60/100 điểm)"
    )
    assert explain_overall(outcome, criteria_set, "en").startswith(
        "Recognised as “Test set” – Level 1"
    )


def test_explain_puts_the_overall_line_first(make_set: MakeSet) -> None:
    criteria_set = make_set(CITIZEN, passing="min_total = 20")
    outcome = evaluate(criteria_set, {"tthtcd": 25, "cntt": 2, "ke-hoach": Attested(score=6)})
    assert explain(outcome, criteria_set) == [
        "Đạt danh hiệu “Bộ thử” (26/30 điểm)",
        "Tham gia học tập tại TTHTCĐ: 25 giờ ≥ 20 giờ → 10/10 điểm",
        "Ứng dụng công nghệ thông tin: 2 khóa học trực tuyến ≥ 2 khóa học trực tuyến → 10/10 điểm",
        "Có kế hoạch học tập: được đánh giá 6 điểm → 6/10 điểm",
    ]


def test_explain_refuses_an_outcome_of_another_set(make_set: MakeSet) -> None:
    criteria_set = make_set(CITIZEN)
    outcome = evaluate(criteria_set, {})
    with pytest.raises(CriteriaError, match="bo-thu-v2"):
        explain(outcome, dataclasses.replace(criteria_set, version=2))


def test_explain_refuses_an_unknown_language(make_set: MakeSet) -> None:
    criteria_set = make_set(CITIZEN)
    with pytest.raises(CriteriaError, match="'fr'"):
        explain(evaluate(criteria_set, {}), criteria_set, lang="fr")


def test_every_kind_has_a_label_saying_how_its_points_are_obtained() -> None:
    for lang in ("vi", "en"):
        assert set(KIND_LABELS[lang]) == set(KINDS)
    assert KIND_LABELS["vi"]["activity"] == "tính từ hoạt động học tập"
    assert KIND_LABELS["vi"]["attested"] == "do hội đồng đánh giá"
