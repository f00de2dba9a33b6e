"""Every shipped criteria set and target file loads, and says what is official and what is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from criteria import (
    SETS_DIR,
    SUBJECT_KINDS,
    TARGETS_DIR,
    ActivityParams,
    Attested,
    AttestedParams,
    CriteriaError,
    CriteriaSet,
    Fact,
    RollupParams,
    Share,
    evaluate,
    explain,
    load_all,
    load_set,
    load_targets,
    parse_targets,
    select_set,
)

SET_FILES = sorted(SETS_DIR.glob("*.toml"))
TARGET_FILES = sorted(TARGETS_DIR.glob("*.toml"))


@pytest.fixture(scope="module")
def shipped() -> tuple[CriteriaSet, ...]:
    return load_all()


def by_key(sets: tuple[CriteriaSet, ...], key: str) -> CriteriaSet:
    return next(s for s in sets if s.key == key)


@pytest.mark.parametrize("path", SET_FILES, ids=lambda p: p.name)
def test_every_shipped_set_loads(path: Path) -> None:
    criteria_set = load_set(path)
    assert path.name == f"{criteria_set.key}.toml"
    assert criteria_set.scope is None  # shipped sets are the national defaults


@pytest.mark.parametrize("path", SET_FILES + TARGET_FILES, ids=lambda p: p.name)
def test_every_shipped_file_says_what_is_official(path: Path) -> None:
    header = path.read_text(encoding="utf-8").split("\nid = ")[0]
    assert "Official (verified)" in header
    assert "default" in header.lower()
    assert "criteria/FORMAT.md" in header


def test_the_shipped_sets(shipped: tuple[CriteriaSet, ...]) -> None:
    assert [s.key for s in shipped] == [
        "cong-dan-hoc-tap-v1",
        "cong-dong-hoc-tap-thon-v1",
        "cong-dong-hoc-tap-xa-v1",
        "don-vi-hoc-tap-v1",
        "dong-ho-hoc-tap-v1",
        "gia-dinh-hoc-tap-v1",
        "huyen-hoc-tap-v1",
        "tinh-hoc-tap-v1",
        "tinh-hoc-tap-v2",
    ]


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("citizen", "cong-dan-hoc-tap-v1"),
        ("household", "gia-dinh-hoc-tap-v1"),
        ("clan", "dong-ho-hoc-tap-v1"),
        ("village", "cong-dong-hoc-tap-thon-v1"),
        ("organisation", "don-vi-hoc-tap-v1"),
        ("commune", "cong-dong-hoc-tap-xa-v1"),
        ("district", "huyen-hoc-tap-v1"),
        ("province", "tinh-hoc-tap-v1"),
    ],
)
def test_every_subject_has_a_set_in_2025(
    shipped: tuple[CriteriaSet, ...], subject: str, key: str
) -> None:
    assert select_set(shipped, subject, 2025, ["34001", "344", "34"]).key == key


def test_the_province_counts_communes_from_2026(shipped: tuple[CriteriaSet, ...]) -> None:
    province = select_set(shipped, "province", 2026, ["34"])
    assert province.key == "tinh-hoc-tap-v2"
    assert province.criterion("ty-le-xa-hoc-tap").params.member == "commune"  # type: ignore[union-attr]
    assert {s.subject for s in shipped} == set(SUBJECT_KINDS)


def test_learning_citizen_set(shipped: tuple[CriteriaSet, ...]) -> None:
    citizen = by_key(shipped, "cong-dan-hoc-tap-v1")
    assert len(citizen.criteria) == 10
    assert {c.points for c in citizen.criteria} == {10}
    assert (citizen.pass_rule.min_total, citizen.pass_rule.min_each) == (80, 5)
    assert len({c.group for c in citizen.criteria}) == 3
    computed = [c.id for c in citizen.criteria if isinstance(c.params, ActivityParams)]
    assert computed == ["doc-cap-nhat-thong-tin", "tham-gia-hoc-tap-cong-dong", "ung-dung-cntt"]
    assessed = [c for c in citizen.criteria if isinstance(c.params, AttestedParams)]
    assert all(c.params.default is None for c in assessed)  # type: ignore[union-attr]
    assert citizen.criterion("tham-gia-hoc-tap-cong-dong").thresholds == (
        (20, 10),
        (10, 8),
        (4, 5),
    )


def test_learning_household_set(shipped: tuple[CriteriaSet, ...]) -> None:
    household = by_key(shipped, "gia-dinh-hoc-tap-v1")
    assert [c.points for c in household.criteria] == [30, 30, 20, 20]
    adults = household.criterion("hoc-tap-nguoi-lon").params
    assert isinstance(adults, RollupParams)
    assert (adults.member, adults.member_title, adults.min_age, adults.max_age) == (
        "citizen",
        "cong-dan-hoc-tap",
        19,
        60,
    )
    assert household.pass_rule.min_total == 80


def test_organisation_levels_follow_circular_24(shipped: tuple[CriteriaSet, ...]) -> None:
    organisation = by_key(shipped, "don-vi-hoc-tap-v1")

    def level(members: int, learning: int) -> str | None:
        facts = {"ty-le-cong-dan-hoc-tap": Share(learning, members)}
        return evaluate(organisation, facts).level

    assert (level(100, 89), level(100, 90), level(100, 94), level(20, 19)) == (
        None,
        "Mức độ 1",
        "Mức độ 1",
        "Mức độ 2",
    )


def test_clan_needs_all_three(shipped: tuple[CriteriaSet, ...]) -> None:
    clan = by_key(shipped, "dong-ho-hoc-tap-v1")
    good: dict[str, Fact] = {
        "ty-le-gia-dinh-hoc-tap": Share(7, 10),
        "ban-quy-khuyen-hoc": Attested(yes=True),
        "khong-bo-hoc": Attested(yes=True),
    }
    assert evaluate(clan, good).passed
    assert not evaluate(clan, {**good, "ty-le-gia-dinh-hoc-tap": Share(6, 10)}).passed
    assert not evaluate(clan, {**good, "khong-bo-hoc": Attested(yes=False)}).passed


def test_commune_levels(shipped: tuple[CriteriaSet, ...]) -> None:
    commune = by_key(shipped, "cong-dong-hoc-tap-xa-v1")
    yes = {c.id: Attested(yes=True) for c in commune.criteria if c.kind == "attested"}

    def level(villages: Share) -> str | None:
        return evaluate(commune, {**yes, "ty-le-thon-hoc-tap": villages}).level

    assert [level(Share(n, 10)) for n in (6, 7, 8, 9)] == [
        None,
        "Mức độ 1",
        "Mức độ 2",
        "Mức độ 3",
    ]
    assert not evaluate(commune, {**yes, "ke-hoach": Attested(yes=False)}).passed


def test_a_believable_learning_citizen(shipped: tuple[CriteriaSet, ...]) -> None:
    citizen = by_key(shipped, "cong-dan-hoc-tap-v1")
    facts: dict[str, Fact] = {
        "doc-cap-nhat-thong-tin": 16,  # 8 points
        "tham-gia-hoc-tap-cong-dong": 22,  # 10 points
        "ung-dung-cntt": 2,  # 8 points
        **{
            cid: Attested(score=8, evidence="Phiếu tự đánh giá đã được Ban khuyến học duyệt")
            for cid in (
                "ke-hoach-hoc-tap",
                "dong-vien-hoc-tap",
                "ngoai-ngu",
                "tinh-toan",
                "tu-duy-phan-bien",
                "quan-he-than-thien",
                "hop-tac-chia-se",
            )
        },
    }
    outcome = evaluate(citizen, facts)
    assert (outcome.total, outcome.passed) == (82, True)
    lines = explain(outcome, citizen)
    assert lines[0] == "Đạt danh hiệu “Công dân học tập” (82/100 điểm)"
    assert "Còn thiếu 14 giờ để đạt 10 điểm" in lines


def test_shipped_targets_load_and_match_the_sets(shipped: tuple[CriteriaSet, ...]) -> None:
    plans = load_targets(sets=shipped)
    assert sorted(plans) == ["national", "thai-binh-2021-2030"]
    thai_binh = plans["thai-binh-2021-2030"]
    assert thai_binh.scope == "34"
    citizens = thai_binh.indicator("cong-dan-hoc-tap")
    assert (citizens.targets, citizens.denominator, citizens.min_age) == (
        ((2025, 0.7), (2030, 0.8)),
        "adults",
        15,
    )
    assert thai_binh.indicator("huyen-hoc-tap").target(2025) == 0.5
    assert thai_binh.indicator("dao-tao-nghe").set_id is None
    national = plans["national"]
    assert national.indicator("cong-dan-hoc-tap").next_target(2026) == (2030, 0.7)
    assert national.indicator("gia-dinh-hoc-tap").next_target(2026) is None
    assert national.indicator("dong-ho-hoc-tap").denominator == "clans"


# --- target file validation -------------------------------------------------------------------

PLAN = """
id = "ke-hoach"
title = "Kế hoạch thử"
source = "Kiểm thử"

[[indicators]]
id = "ho"
title = "Tỷ lệ hộ gia đình học tập"
denominator = "households"
set = "gia-dinh-hoc-tap"
targets = { 2025 = 0.7, 2030 = 0.8 }
"""


def test_target_file_parses() -> None:
    plan = parse_targets(PLAN, "t.toml")
    assert plan.indicator("ho").targets == ((2025, 0.7), (2030, 0.8))


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("2030 = 0.8", "2030 = 80", 'indicators[1] "ho".targets.2030: phải ≤ 1'),
        ("2030 = 0.8", '"năm" = 0.8', 'indicators[1] "ho".targets.năm: khóa phải là một năm'),
        ('"households"', '"homes"', "indicators[1] \"ho\".denominator: giá trị 'homes'"),
        ("set = ", "sett = ", "unknown key) 'sett' — có phải là 'set'?"),
        ('id = "ho"', 'id = "ho"\nmin_age = 15', "min_age/max_age chỉ dùng"),
        ("targets = { 2025 = 0.7, 2030 = 0.8 }", "targets = {}", "ít nhất một năm"),
    ],
)
def test_target_problems_name_file_and_place(replace: str, by: str, message: str) -> None:
    with pytest.raises(CriteriaError) as caught:
        parse_targets(PLAN.replace(replace, by), "t.toml")
    assert any(p.startswith("t.toml: ") and message in p for p in caught.value.problems), (
        caught.value.problems
    )


def test_target_syntax_error() -> None:
    with pytest.raises(CriteriaError, match=r"t\.toml: lỗi cú pháp TOML"):
        parse_targets("id = [", "t.toml")


def test_targets_checked_against_the_sets(tmp_path: Path, shipped: tuple[CriteriaSet, ...]) -> None:
    (tmp_path / "a.toml").write_text(PLAN.replace('"gia-dinh-hoc-tap"', '"dong-ho-hoc-tap"'))
    (tmp_path / "b.toml").write_text(PLAN.replace('"gia-dinh-hoc-tap"', '"khong-co"'))
    with pytest.raises(CriteriaError) as caught:
        load_targets(tmp_path, sets=shipped)
    assert caught.value.problems == [
        "a.toml: indicators[1] \"ho\".set: bộ 'dong-ho-hoc-tap' dành cho clan, "
        "nhưng mẫu số (denominator) 'households' đếm household",
        "b.toml: id 'ke-hoach' trùng với a.toml (duplicate)",
    ]


def test_targets_unknown_set(tmp_path: Path, shipped: tuple[CriteriaSet, ...]) -> None:
    (tmp_path / "b.toml").write_text(PLAN.replace('"gia-dinh-hoc-tap"', '"khong-co"'))
    with pytest.raises(CriteriaError, match=r"b\.toml: indicators\[1\] \"ho\"\.set: .*unknown set"):
        load_targets(tmp_path, sets=shipped)
    assert load_targets(tmp_path)["ke-hoach"].indicator("ho").set_id == "khong-co"
