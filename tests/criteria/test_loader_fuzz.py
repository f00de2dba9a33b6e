"""Bad input to the criteria loaders (hypothesis): whatever the text, the loader returns a
validated set (or target plan) or raises ``CriteriaError`` listing problems, never another
exception. A set the loader accepts must also score and explain an empty subject.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria import (
    SETS_DIR,
    TARGETS_DIR,
    CriteriaError,
    CriteriaSet,
    evaluate,
    explain,
    explain_overall,
    load_all,
    load_set,
    parse_set,
    parse_targets,
)
from criteria.loader import CRITERION_KEYS, LEVEL_KEYS, PASS_KEYS, SET_KEYS
from criteria.rules import KINDS
from criteria.targets import INDICATOR_KEYS, PLAN_KEYS

SHIPPED_SETS = {path.name: path.read_text(encoding="utf-8") for path in SETS_DIR.glob("*.toml")}
SHIPPED_TARGETS = {p.name: p.read_text(encoding="utf-8") for p in TARGETS_DIR.glob("*.toml")}
FILE = "bo-thu-v1.toml"

# every example of this file is cheap; no per-example deadline on the shared CI machines
fuzz = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- a tiny TOML writer (tomllib only reads) ---------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """A value as inline TOML (tables inline, so any nesting fits on one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(type(value))


def toml_document(data: dict[str, Any]) -> str:
    """A whole document: one ``key = value`` line per top-level key."""
    return "".join(f"{toml_string(key)} = {toml_value(value)}\n" for key, value in data.items())


# --- strategies -------------------------------------------------------------------------------

KNOWN_KEYS = sorted(
    {*SET_KEYS, *CRITERION_KEYS, *PASS_KEYS, *LEVEL_KEYS, *PLAN_KEYS, *INDICATOR_KEYS}
    | {key for spec in KINDS.values() for key in spec.keys}
    | {"2025", "2030", "²", "0" * 5000}
)
KNOWN_WORDS = sorted(
    {*KINDS, "citizen", "household", "clan", "village", "commune", "share", "count", "hours"}
    | {"score", "yes_no", "self_study", "adults", "households", "cong-dan-hoc-tap"}
    | {"gia-dinh-hoc-tap", "", " ", "Công dân học tập", "\x00", "a" * 5000}
)

keys = st.sampled_from(KNOWN_KEYS) | st.text(max_size=12)
scalars = st.one_of(
    st.sampled_from(KNOWN_WORDS),
    st.text(max_size=30),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([0, 1, -1, 10, 100, 2025, 1944, 2201, 10**20]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.times(),
)
toml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


def load_shipped(name: str) -> dict[str, Any]:
    return tomllib.loads(SHIPPED_SETS[name])


def containers(data: Any) -> list[Any]:
    """Every dict and list inside ``data`` (the places a mutation may touch)."""
    found = [data]
    children = data.values() if isinstance(data, dict) else data
    for child in children:
        if isinstance(child, dict | list):
            found.extend(containers(child))
    return found


@st.composite
def mutated_documents(draw: st.DrawFn, shipped: dict[str, str]) -> str:
    """A shipped file, parsed, with a few keys deleted, replaced or added, written back."""
    data = tomllib.loads(shipped[draw(st.sampled_from(sorted(shipped)))])
    for _step in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(containers(data)))
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if isinstance(target, dict):
            if target and action != "add":
                key = draw(st.sampled_from(sorted(target)))
                if action == "delete":
                    del target[key]
                else:
                    target[key] = draw(toml_values)
            else:
                target[draw(keys)] = draw(toml_values)
        elif target and action != "add":
            index = draw(st.integers(0, len(target) - 1))
            if action == "delete":
                del target[index]
            else:
                target[index] = draw(toml_values)
        else:
            target.append(draw(toml_values))
    return toml_document(data)


@st.composite
def mutated_text(draw: st.DrawFn, shipped: dict[str, str]) -> str:
    """A shipped file with lines dropped, repeated or cut short, or characters spliced in."""
    lines = shipped[draw(st.sampled_from(sorted(shipped)))].splitlines()
    for _step in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "cut", "splice"]))
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        elif action == "cut":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        else:
            at = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:at] + draw(st.text(max_size=8)) + lines[index][at:]
    return "\n".join(lines)


# --- properties -------------------------------------------------------------------------------


def outcome_of(call: Callable[..., Any], *args: Any) -> tuple[Any, CriteriaError | None]:
    """``(result, None)`` or ``(None, the CriteriaError)``; any other exception propagates."""
    try:
        return call(*args), None
    except CriteriaError as exc:
        return None, exc


def assert_clean_refusal(error: CriteriaError, source: str) -> None:
    assert error.problems
    assert all(isinstance(p, str) and p.startswith(source) for p in error.problems), error


def parse_or_refuse(text: str) -> None:
    """A usable set or a clean refusal; anything else fails the test."""
    criteria_set, error = outcome_of(parse_set, text, FILE)
    if error is not None:
        assert_clean_refusal(error, FILE)
        return
    assert isinstance(criteria_set, CriteriaSet)
    outcome = evaluate(criteria_set, {})
    assert explain(outcome, criteria_set)
    assert explain_overall(outcome, criteria_set, "en")


def targets_or_refuse(text: str) -> None:
    plan, error = outcome_of(parse_targets, text, "plan.toml")
    if error is not None:
        assert_clean_refusal(error, "plan.toml")
    else:
        assert plan.indicators


@fuzz
@given(st.text(max_size=300))
def test_any_text_loads_or_is_refused(text: str) -> None:
    parse_or_refuse(text)
    targets_or_refuse(text)


@fuzz
@given(st.dictionaries(keys, toml_values, max_size=8))
def test_any_toml_document_loads_or_is_refused(data: dict[str, Any]) -> None:
    text = toml_document(data)
    assert tomllib.loads(text).keys() == data.keys()  # the writer is sound
    parse_or_refuse(text)
    targets_or_refuse(text)


@fuzz
@given(mutated_documents(SHIPPED_SETS))
def test_a_mutated_shipped_set_loads_or_is_refused(text: str) -> None:
    parse_or_refuse(text)


@fuzz
@given(mutated_text(SHIPPED_SETS))
def test_a_damaged_shipped_file_loads_or_is_refused(text: str) -> None:
    parse_or_refuse(text)


@fuzz
@given(mutated_documents(SHIPPED_TARGETS) | mutated_text(SHIPPED_TARGETS))
def test_a_mutated_target_file_loads_or_is_refused(text: str) -> None:
    targets_or_refuse(text)


@settings(max_examples=30, deadline=None)
@given(st.lists(mutated_documents(SHIPPED_SETS) | st.binary(max_size=200), max_size=3))
def test_load_all_over_damaged_files_loads_or_is_refused(files: list[str | bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for index, content in enumerate(files):
            path = Path(tmp) / f"bo-{index}-v1.toml"
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        loaded, error = outcome_of(load_all, [SETS_DIR, tmp])
    if error is not None:
        assert error.problems
    else:
        assert len(loaded) >= len(SHIPPED_SETS)


# --- regressions found by the properties above -----------------------------------------------


def test_the_writer_round_trips_a_shipped_set() -> None:
    data = load_shipped("cong-dan-hoc-tap-v1.toml")
    assert tomllib.loads(toml_document(data)) == data


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a = " + "[" * 3000 + "]" * 3000, id="deeply-nested-array"),
        pytest.param("a = " + "{b = " * 3000 + "1" + "}" * 3000, id="deeply-nested-table"),
    ],
)
def test_deep_nesting_is_a_syntax_error_not_a_crash(text: str) -> None:
    for parse in (parse_set, parse_targets):
        with pytest.raises(CriteriaError, match="TOML"):
            parse(text, FILE)


@pytest.mark.parametrize("key", ["version", "valid_from", "min_age"])
def test_a_huge_integer_is_out_of_range_not_a_crash(key: str) -> None:
    data = load_shipped("cong-dan-hoc-tap-v1.toml")
    data[key] = -(10**400) if key == "version" else 10**400
    with pytest.raises(CriteriaError, match=key):
        parse_set(toml_document(data), FILE)


def test_a_huge_integer_as_points_or_threshold_is_refused() -> None:
    data = load_shipped("cong-dan-hoc-tap-v1.toml")
    data["criteria"][0]["points"] = 10**400
    data["criteria"][1]["thresholds"] = [[10**400, 1]]
    data["pass"]["min_total"] = 10**400
    with pytest.raises(CriteriaError) as caught:
        parse_set(toml_document(data), FILE)
    assert any("points" in p for p in caught.value.problems)
    assert any("thresholds" in p for p in caught.value.problems)


@pytest.mark.parametrize("year", ["²", "٢٠٢٥", "1" * 5000])
def test_a_target_year_in_other_digits_is_refused(year: str) -> None:
    data = tomllib.loads(SHIPPED_TARGETS[sorted(SHIPPED_TARGETS)[0]])
    data["indicators"][0]["targets"] = {year: 0.5}
    with pytest.raises(CriteriaError, match="year"):
        parse_targets(toml_document(data), "plan.toml")


def test_a_huge_target_age_is_refused() -> None:
    data = tomllib.loads(SHIPPED_TARGETS[sorted(SHIPPED_TARGETS)[0]])
    data["indicators"][0]["min_age"] = 10**400
    data["indicators"][0]["targets"] = {"2025": 10**400}
    with pytest.raises(CriteriaError, match="min_age"):
        parse_targets(toml_document(data), "plan.toml")


def test_a_file_of_random_bytes_is_refused() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bo-thu-v1.toml"
        path.write_bytes(random.Random(8).randbytes(300))  # noqa: S311 - test data
        with pytest.raises(CriteriaError, match=r"bo-thu-v1\.toml"):
            load_set(path)
