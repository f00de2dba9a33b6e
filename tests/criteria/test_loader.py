"""The loader: valid files become frozen sets; every problem is reported with file and place."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from criteria import (
    ActivityParams,
    CriteriaError,
    CriteriaSet,
    RollupParams,
    load_all,
    load_set,
    parse_set,
)

FILE = "bo-thu-v1.toml"

HOURS = """
[[criteria]]
id = "tu-hoc"
title = "Tự học"
title_en = "Self-study"
group = "Tự học và học tập suốt đời"
points = 10
min_points = 4
kind = "activity"
measure = "hours"
categories = ["self_study"]
providers = ["Thư viện xã"]
thresholds = [[5, 5], [30, 10], [15, 8]]
"""

SCORE = """
[[criteria]]
id = "ke-hoach"
title = "Kế hoạch học tập"
points = 10
kind = "attested"
scale = "score"
"""

HOUSEHOLDS = """
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


def problems(text: str) -> list[str]:
    """The problems the loader reports for ``text`` (fails the test if it loads)."""
    with pytest.raises(CriteriaError) as caught:
        parse_set(text, FILE)
    return caught.value.problems


def one_problem(text: str, place: str, *words: str) -> str:
    """The single problem at ``place``; it must name the file and contain ``words``."""
    found = [p for p in problems(text) if p.startswith(f"{FILE}: {place}: ")]
    assert len(found) == 1, problems(text)
    for word in words:
        assert word in found[0], found[0]
    return found[0]


# --- a valid file -------------------------------------------------------------------------------


def test_a_valid_set_loads_into_frozen_dataclasses(set_text: SetText) -> None:
    text = set_text(HOURS + SCORE, passing="min_total = 12\nmin_each = 2", extra='scope = "34"')
    criteria_set = parse_set(text, FILE)
    assert (criteria_set.key, criteria_set.scope, criteria_set.max_total) == ("bo-thu-v1", "34", 20)
    hours = criteria_set.criterion("tu-hoc")
    assert hours.thresholds == ((30, 10), (15, 8), (5, 5))  # highest value first
    assert hours.params == ActivityParams(
        measure="hours",
        thresholds=((30, 10), (15, 8), (5, 5)),
        categories=("self_study",),
        providers=("Thư viện xã",),
    )
    assert (hours.group, hours.min_points, hours.title_en) == (
        "Tự học và học tập suốt đời",
        4,
        "Self-study",
    )
    assert criteria_set.pass_rule.min_each == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        criteria_set.version = 2  # type: ignore[misc]


def test_unknown_criterion_lookup_raises(make_set: MakeSet) -> None:
    with pytest.raises(CriteriaError, match="khong-co"):
        make_set(SCORE).criterion("khong-co")


def test_the_format_example_parses() -> None:
    text = (Path(__file__).parents[2] / "criteria" / "FORMAT.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S)
    assert example is not None
    criteria_set = parse_set(example.group(1), "example.toml")
    assert criteria_set.id == "dong-ho-hoc-tap"
    assert isinstance(criteria_set.criterion("ty-le-gia-dinh-hoc-tap").params, RollupParams)


# --- syntax and structure -----------------------------------------------------------------------


def test_toml_syntax_error_names_the_file() -> None:
    with pytest.raises(CriteriaError) as caught:
        parse_set('id = "x"\nversion = \n', FILE)
    assert caught.value.problems[0].startswith(f"{FILE}: lỗi cú pháp TOML (syntax error)")
    assert "line 2" in str(caught.value)


def test_all_problems_of_a_file_are_reported_together(set_text: SetText) -> None:
    body = HOURS.replace("points = 10\n", "points = 10\npoint = 3\n").replace(
        '"hours"', '"minutes"'
    ) + SCORE.replace('"score"', '"stars"')
    found = problems(set_text(body, subject="planet"))
    assert len(found) == 4
    assert all(p.startswith(FILE + ": ") for p in found)


def test_missing_required_keys(set_text: SetText) -> None:
    text = set_text(
        SCORE.replace('scale = "score"\n', "").replace('title = "Kế hoạch học tập"\n', "")
    )
    text = text.replace('title_en = "Test set"\n', "")
    found = problems(text)
    assert found == [
        f"{FILE}: thiếu khóa bắt buộc (missing required key) 'title_en'",
        f"{FILE}: criteria[1] \"ke-hoach\": thiếu khóa bắt buộc (missing required key) 'title'",
        f"{FILE}: criteria[1] \"ke-hoach\": thiếu khóa bắt buộc (missing required key) 'scale'",
    ]


def test_unknown_key_is_caught_with_a_suggestion(set_text: SetText) -> None:
    text = set_text(HOURS.replace("thresholds =", "treshold = [[1, 1]]\nthresholds ="))
    one_problem(text, 'criteria[1] "tu-hoc"', "unknown key", "'treshold'", "'thresholds'")


def test_unknown_top_level_and_pass_keys(set_text: SetText) -> None:
    text = set_text(SCORE, passing="min_total = 5\nmin_eahc = 2", extra="titel = 'x'")
    one_problem(text, "pass", "unknown key", "'min_eahc'", "'min_each'")
    assert any("'titel'" in p and "'title'" in p for p in problems(text))


@pytest.mark.parametrize(
    ("replace", "by", "place", "word"),
    [
        ("version = 1", 'version = "1"', "version", "số nguyên (integer)"),
        ("version = 1", "version = 0", "version", "phải ≥ 1"),
        ("valid_from = 2024", "valid_from = 24", "valid_from", "phải ≥ 1945"),
        ('id = "bo-thu"', 'id = "Bộ thử"', "id", "slug"),
        ('subject = "citizen"', 'subject = "person"', "subject", "'person'"),
        ("points = 10", "points = true", 'criteria[1] "ke-hoach".points', "boolean"),
        ("points = 10", "points = 0", 'criteria[1] "ke-hoach".points', "> 0"),
        ('title = "Kế hoạch học tập"', 'title = ""', 'criteria[1] "ke-hoach".title', "empty"),
        ("min_total = 5", "min_total = -1", "pass.min_total", "phải ≥ 0"),
    ],
)
def test_wrong_types_and_values(
    set_text: SetText, replace: str, by: str, place: str, word: str
) -> None:
    text = set_text(SCORE, passing="min_total = 5").replace(replace, by, 1)
    one_problem(text, place, word)


def test_valid_to_before_valid_from(set_text: SetText) -> None:
    one_problem(set_text(SCORE, extra="valid_to = 2020"), "valid_to", "2020", "2024")


def test_unknown_kind(set_text: SetText) -> None:
    text = set_text(SCORE.replace('kind = "attested"', 'kind = "attest"'))
    one_problem(text, 'criteria[1] "ke-hoach".kind', "unknown kind", "'attest'", "attested")


def test_a_set_needs_criteria(set_text: SetText) -> None:
    one_problem(set_text("", extra="criteria = []"), "criteria", "ít nhất một tiêu chí")


def test_duplicate_criterion_ids(set_text: SetText) -> None:
    text = set_text(SCORE + SCORE)
    one_problem(text, 'criteria[2] "ke-hoach".id', "duplicate", "criteria[1]")


# --- thresholds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("thresholds", "place", "word"),
    [
        ("[]", ".thresholds", "không được rỗng"),
        ("[[30, 12], [15, 8]]", ".thresholds[1]", "điểm 12 vượt quá điểm tối đa"),
        ("[[-1, 10]]", ".thresholds[1] (giá trị/value)", "phải ≥ 0"),
        ("[[30, 10], [15, 0]]", ".thresholds[2]", "> 0"),
        ("[[30, 10], [30, 8]]", ".thresholds", "duplicate value"),
        ("[[30, 10], [15, 10]]", ".thresholds", "nhiều điểm hơn"),
        ("[[30, 8], [15, 5]]", ".thresholds", "phải bằng điểm tối đa"),
        ("[[30, 10, 1]]", ".thresholds[1]", "[value, points]"),
        ('[["30", 10]]', ".thresholds[1] (giá trị/value)", "số (number)"),
        ("30", ".thresholds", "danh sách (array)"),
    ],
)
def test_threshold_problems_name_the_pair(
    set_text: SetText, thresholds: str, place: str, word: str
) -> None:
    text = set_text(HOURS.replace("[[5, 5], [30, 10], [15, 8]]", thresholds))
    one_problem(text, 'criteria[1] "tu-hoc"' + place, word)


def test_share_thresholds_must_be_fractions(set_text: SetText) -> None:
    text = set_text(HOUSEHOLDS.replace("[[0.7, 10]]", "[[70, 10]]"), subject="village")
    one_problem(text, 'criteria[1] "ty-le".thresholds[1] (giá trị/value)', "phải ≤ 1")


# --- kinds --------------------------------------------------------------------------------------


def test_activity_only_for_citizens(set_text: SetText) -> None:
    text = set_text(HOURS, subject="household")
    one_problem(text, 'criteria[1] "tu-hoc".kind', "activity", "citizen")


def test_activity_category_typo(set_text: SetText) -> None:
    text = set_text(HOURS.replace('["self_study"]', '["self_study", "tthtdc"]'))
    one_problem(text, 'criteria[1] "tu-hoc".categories[2]', "'tthtdc'")


def test_activity_categories_can_be_configured(set_text: SetText) -> None:
    text = set_text(HOURS.replace('["self_study"]', '["podcast"]'))
    criteria_set = parse_set(text, FILE, categories=("podcast",))
    assert criteria_set.criterion("tu-hoc").params == ActivityParams(
        measure="hours",
        thresholds=((30, 10), (15, 8), (5, 5)),
        categories=("podcast",),
        providers=("Thư viện xã",),
    )


def test_activity_empty_filter_is_a_mistake(set_text: SetText) -> None:
    text = set_text(HOURS.replace('["self_study"]', "[]"))
    one_problem(text, 'criteria[1] "tu-hoc".categories', "bỏ khóa")


@pytest.mark.parametrize(
    ("subject", "member", "ok"),
    [
        ("household", "citizen", True),
        ("household", "village", False),
        ("village", "clan", True),
        ("village", "commune", False),
        ("organisation", "household", False),
        ("district", "commune", True),
        ("province", "district", True),
        ("citizen", "citizen", False),
    ],
)
def test_rollup_member_must_be_below_the_subject(
    set_text: SetText, subject: str, member: str, ok: bool
) -> None:
    text = set_text(HOUSEHOLDS.replace('"household"', f'"{member}"'), subject=subject)
    if ok:
        assert parse_set(text, FILE).criterion("ty-le").params.member == member  # type: ignore[union-attr]
    else:
        one_problem(text, 'criteria[1] "ty-le".member', f"'{member}'")


def test_rollup_ages_only_for_citizens_and_ordered(set_text: SetText) -> None:
    text = set_text(HOUSEHOLDS.replace("thresholds", "min_age = 19\nthresholds"), subject="village")
    one_problem(text, 'criteria[1] "ty-le"', "min_age/max_age")
    body = HOUSEHOLDS.replace('"household"', '"citizen"')
    text = set_text(
        body.replace("thresholds", "min_age = 60\nmax_age = 19\nthresholds"), subject="household"
    )
    one_problem(text, 'criteria[1] "ty-le".max_age', "nhỏ hơn min_age")


def test_combine_references_must_exist(set_text: SetText) -> None:
    body = SCORE + '[[criteria]]\nid = "ca-hai"\ntitle = "Cả hai"\npoints = 5\nkind = "all"\n'
    text = set_text(body + 'of = ["ke-hoach", "khong-co"]\n')
    one_problem(text, 'criteria[2] "ca-hai".of[2]', "'khong-co'", "unknown criterion id")


def test_combine_cycles_are_refused(set_text: SetText) -> None:
    body = (
        '[[criteria]]\nid = "a"\ntitle = "A"\npoints = 5\nkind = "all"\nof = ["b"]\n'
        '[[criteria]]\nid = "b"\ntitle = "B"\npoints = 5\nkind = "any"\nof = ["a"]\n'
    )
    one_problem(set_text(body), 'criteria[1] "a".of', "cycle", "a → b → a")


def test_combine_cannot_refer_to_itself_or_nothing(set_text: SetText) -> None:
    body = '[[criteria]]\nid = "a"\ntitle = "A"\npoints = 5\nkind = "all"\nof = ["a"]\n'
    one_problem(set_text(body), 'criteria[1] "a".of', "chính nó")
    one_problem(set_text(body.replace('["a"]', "[]")), 'criteria[1] "a".of', "không được rỗng")


# --- pass rule and levels -------------------------------------------------------------------


def test_pass_min_total_cannot_exceed_the_points(set_text: SetText) -> None:
    one_problem(set_text(SCORE, passing="min_total = 11"), "pass.min_total", "11", "10")


def test_pass_min_each_must_be_reachable(set_text: SetText) -> None:
    body = SCORE + SCORE.replace("ke-hoach", "nho").replace("points = 10", "points = 3")
    one_problem(set_text(body, passing="min_total = 5\nmin_each = 5"), "pass.min_each", "'nho'")


def test_pass_required_ids_must_exist(set_text: SetText) -> None:
    text = set_text(SCORE, passing='min_total = 5\nrequired = ["ke-hoach", "ke-hoch"]')
    one_problem(text, "pass.required[2]", "'ke-hoch'")


LEVELS = """
[[levels]]
name = "Mức độ 2"
min_total = {first}

[[levels]]
name = "{second_name}"
min_total = {second}
"""


def test_levels_must_be_ordered_best_first(set_text: SetText) -> None:
    levels = LEVELS.format(first=6, second=8, second_name="Mức độ 1")
    text = set_text(SCORE, passing="min_total = 5", extra=levels)
    one_problem(text, 'levels[2] "Mức độ 1".min_total', "best first")


def test_level_below_the_pass_rule_and_duplicate_names(set_text: SetText) -> None:
    levels = LEVELS.format(first=8, second=4, second_name="Mức độ 2")
    text = set_text(SCORE, passing="min_total = 5", extra=levels)
    one_problem(text, 'levels[2] "Mức độ 2".min_total', "pass.min_total")
    one_problem(text, 'levels[2] "Mức độ 2".name', "duplicate")


# --- files and directories ------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_set_checks_the_file_name(tmp_path: Path, set_text: SetText) -> None:
    assert load_set(write(tmp_path, "bo-thu-v1.toml", set_text(SCORE))).key == "bo-thu-v1"
    with pytest.raises(CriteriaError, match=r"bo-thu-v2\.toml: tên tệp phải là bo-thu-v1\.toml"):
        load_set(write(tmp_path, "bo-thu-v2.toml", set_text(SCORE)))


def test_load_set_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CriteriaError, match=r"khong-co-v1\.toml: không đọc được tệp"):
        load_set(tmp_path / "khong-co-v1.toml")


def test_load_set_of_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bo-thu-v1.toml"
    path.write_bytes("title = 'Bộ'".encode("utf-16"))
    with pytest.raises(CriteriaError, match="không đọc được tệp"):
        load_set(path)


def test_load_all_reads_sub_folders_and_several_directories(
    tmp_path: Path, set_text: SetText
) -> None:
    national, province = tmp_path / "sets", tmp_path / "tinh"
    (national / "34").mkdir(parents=True)
    province.mkdir()
    write(national, "bo-thu-v1.toml", set_text(SCORE))
    write(national / "34", "bo-thu-v2.toml", set_text(SCORE, version=2, extra='scope = "34"'))
    write(province, "bo-thu-v3.toml", set_text(SCORE, version=3, extra='scope = "01"'))
    assert [s.key for s in load_all(national)] == ["bo-thu-v1", "bo-thu-v2"]
    loaded = load_all([national, province])
    assert [(s.key, s.scope) for s in loaded] == [
        ("bo-thu-v1", None),
        ("bo-thu-v2", "34"),
        ("bo-thu-v3", "01"),
    ]


def test_load_all_refuses_the_same_id_and_version_twice(tmp_path: Path, set_text: SetText) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write(first, "bo-thu-v1.toml", set_text(SCORE))
    write(second, "bo-thu-v1.toml", set_text(SCORE, extra='scope = "34"'))
    with pytest.raises(CriteriaError) as caught:
        load_all([first, second])
    [problem] = caught.value.problems
    assert problem.startswith(str(second / "bo-thu-v1.toml") + ": trùng id và version với ")
    assert problem.endswith("(duplicate bo-thu-v1)")


def test_load_all_collects_the_problems_of_every_file(tmp_path: Path, set_text: SetText) -> None:
    write(tmp_path, "a-v1.toml", set_text(SCORE, set_id="a").replace("points = 10", "points = -1"))
    write(tmp_path, "b-v1.toml", "id = ")
    with pytest.raises(CriteriaError) as caught:
        load_all(tmp_path)
    assert [p.split(":")[0] for p in caught.value.problems] == ["a-v1.toml", "b-v1.toml"]


def test_load_all_checks_rollup_titles(tmp_path: Path, set_text: SetText) -> None:
    write(tmp_path, "thon-v1.toml", set_text(HOUSEHOLDS, set_id="thon", subject="village"))
    with pytest.raises(CriteriaError) as caught:
        load_all(tmp_path)
    assert caught.value.problems == [
        'thon-v1.toml: criteria[1] "ty-le".member_title: không có bộ tiêu chí '
        '"gia-dinh-hoc-tap" cho household (no set with this id for the member)'
    ]
    household = set_text(SCORE, set_id="gia-dinh-hoc-tap", subject="household")
    write(tmp_path, "gia-dinh-hoc-tap-v1.toml", household)
    assert {s.id for s in load_all(tmp_path)} == {"thon", "gia-dinh-hoc-tap"}


def test_load_all_of_an_empty_directory(tmp_path: Path) -> None:
    assert load_all(tmp_path) == ()


def test_sets_are_hashable_values(make_set: MakeSet) -> None:
    first, second = make_set(SCORE), make_set(SCORE)
    assert first == second
    assert isinstance(first, CriteriaSet)
    assert len({first, second}) == 1


def test_min_age_is_read_for_citizen_sets_only():
    import criteria

    citizen = criteria.load_set(criteria.SETS_DIR / "cong-dan-hoc-tap-v1.toml")
    assert citizen.min_age == 15
    text = (criteria.SETS_DIR / "gia-dinh-hoc-tap-v1.toml").read_text(encoding="utf-8")
    broken = text.replace('subject = "household"', 'subject = "household"\nmin_age = 15')
    with pytest.raises(criteria.CriteriaError) as caught:
        criteria.parse_set(broken, "gia-dinh-hoc-tap-v1.toml")
    assert "min_age" in str(caught.value)
