"""The plans' targets (the dashboard's yardstick): indicator → share to reach by a given year.

Target files live in ``criteria/targets/*.toml`` and are validated like criteria sets: every
problem is collected and reported with the file and the place. See ``FORMAT.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from criteria._validate import YEAR_MAX, YEAR_MIN, Problems, Table, at, read_toml
from criteria.errors import CriteriaError
from criteria.model import CriteriaSet

TARGETS_DIR = Path(__file__).parent / "targets"

#: What a target's share is a share *of*, and the subject counted for it.
DENOMINATORS: dict[str, str | None] = {
    "adults": "citizen",  # the age bounds come from the indicator's min_age/max_age
    "citizens": "citizen",  # all registered citizens
    "working_age": "citizen",
    "aged_15_plus": "citizen",
    "staff": "citizen",  # cadres, civil servants and public employees
    "households": "household",
    "clans": "clan",
    "villages": "village",
    "organisations": "organisation",
    "communes": "commune",
    "districts": "district",
    "provinces": "province",
    "criteria": None,  # criteria of the title's own set that are met
}

PLAN_KEYS = ("id", "title", "title_en", "scope", "source", "indicators")
PLAN_REQUIRED = ("id", "title", "source", "indicators")
INDICATOR_KEYS = (
    "id",
    "title",
    "title_en",
    "denominator",
    "set",
    "note",
    "min_age",
    "max_age",
    "targets",
)
INDICATOR_REQUIRED = ("id", "title", "denominator", "targets")


@dataclass(frozen=True)
class TargetIndicator:
    """One indicator of a plan; ``targets`` are ``(year, share)`` pairs in year order.

    ``set_id`` is the criteria set whose holders are counted (``None`` for indicators the
    registry does not compute, such as vocational training rates, which are reported).
    ``min_age``/``max_age`` bound the citizens in the denominator (age on 31 December,
    inclusive).
    """

    id: str
    title: str
    denominator: str
    targets: tuple[tuple[int, float], ...]
    title_en: str | None = None
    set_id: str | None = None
    note: str | None = None
    min_age: int | None = None
    max_age: int | None = None

    def target(self, year: int) -> float | None:
        """The share set for exactly ``year``, if any."""
        return dict(self.targets).get(year)

    def next_target(self, year: int) -> tuple[int, float] | None:
        """The first ``(year, share)`` at or after ``year``: what the unit is working towards."""
        return next((pair for pair in self.targets if pair[0] >= year), None)


@dataclass(frozen=True)
class TargetPlan:
    """A plan's targets (national programme, a province's implementation plan…)."""

    id: str
    title: str
    source: str
    indicators: tuple[TargetIndicator, ...]
    title_en: str | None = None
    scope: str | None = None

    def indicator(self, indicator_id: str) -> TargetIndicator:
        """The indicator with this id.

        :raises CriteriaError: when the plan has none.
        """
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise CriteriaError(f"{self.id}: không có chỉ tiêu (indicator) {indicator_id!r}")


def parse_targets(text: str, source_name: str) -> TargetPlan:
    """Parse and validate one target file.

    :raises CriteriaError: listing every problem found.
    """
    data = read_toml(text, source_name)
    problems = Problems(source_name)
    plan = _plan(data, problems)
    problems.raise_if_any()
    if plan is None:  # pragma: no cover - every None path records a problem
        raise CriteriaError(f"{source_name}: tệp chỉ tiêu không hợp lệ")
    return plan


def load_target_file(path: str | Path) -> TargetPlan:
    """Load one target file.

    :raises CriteriaError: when unreadable or invalid.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"{path.name}: không đọc được tệp (cannot read file): {exc}") from None
    return parse_targets(text, path.name)


def load_targets(
    directory: str | Path | None = None, *, sets: Iterable[CriteriaSet] | None = None
) -> dict[str, TargetPlan]:
    """Load every target file of a directory (default: the shipped ``criteria/targets/``).

    :param sets: when given, each indicator's ``set`` must be the id of one of these sets
        whose subject is the one the indicator's denominator counts.
    :raises CriteriaError: listing the problems of every file, and duplicate plan ids.
    """
    folder = TARGETS_DIR if directory is None else Path(directory)
    problems: list[str] = []
    plans: dict[str, TargetPlan] = {}
    names: dict[str, str] = {}
    subjects = None if sets is None else {s.id: s.subject for s in sets}
    for path in sorted(folder.glob("*.toml")):
        try:
            plan = load_target_file(path)
        except CriteriaError as exc:
            problems.extend(exc.problems)
            continue
        if plan.id in plans:
            problems.append(f"{path.name}: id {plan.id!r} trùng với {names[plan.id]} (duplicate)")
            continue
        plans[plan.id], names[plan.id] = plan, path.name
        if subjects is not None:
            problems.extend(_check_sets(plan, path.name, subjects))
    if problems:
        raise CriteriaError(problems)
    return plans


def _check_sets(plan: TargetPlan, name: str, subjects: Mapping[str, str]) -> list[str]:
    problems = []
    for index, indicator in enumerate(plan.indicators):
        if indicator.set_id is None:
            continue
        place = f'{name}: indicators[{index + 1}] "{indicator.id}".set'
        expected = DENOMINATORS[indicator.denominator]
        subject = subjects.get(indicator.set_id)
        if subject is None:
            problems.append(f"{place}: không có bộ tiêu chí {indicator.set_id!r} (unknown set)")
        elif expected is not None and subject != expected:
            problems.append(
                f"{place}: bộ {indicator.set_id!r} dành cho {subject}, "
                f"nhưng mẫu số (denominator) {indicator.denominator!r} đếm {expected}"
            )
    return problems


def _plan(data: Table, problems: Problems) -> TargetPlan | None:
    problems.keys(data, "", PLAN_KEYS, PLAN_REQUIRED)
    plan_id = problems.slug(data, "id", "")
    title = problems.text(data, "title", "")
    title_en = problems.text(data, "title_en", "")
    scope = problems.text(data, "scope", "")
    source = problems.text(data, "source", "")
    if "indicators" in data and not data["indicators"]:
        problems.add("indicators", "phải có ít nhất một chỉ tiêu ([[indicators]])")
    indicators: list[TargetIndicator] = []
    seen: set[str] = set()
    for index, table in problems.tables(data, "indicators", ""):
        raw_id = table.get("id")
        place = at("indicators", index) + (f' "{raw_id}"' if isinstance(raw_id, str) else "")
        if isinstance(raw_id, str) and raw_id in seen:
            problems.add(at(place, "id"), "id bị lặp (duplicate)")
        seen.add(str(raw_id))
        indicator = _indicator(table, place, problems)
        if indicator is not None:
            indicators.append(indicator)
    if plan_id is None or title is None or source is None or problems.items:
        return None
    return TargetPlan(plan_id, title, source, tuple(indicators), title_en, scope)


def _indicator(table: Table, place: str, problems: Problems) -> TargetIndicator | None:
    problems.keys(table, place, INDICATOR_KEYS, INDICATOR_REQUIRED)
    indicator_id = problems.slug(table, "id", place)
    title = problems.text(table, "title", place)
    title_en = problems.text(table, "title_en", place)
    denominator = problems.choice(table, "denominator", place, tuple(DENOMINATORS))
    set_id = problems.slug(table, "set", place)
    note = problems.text(table, "note", place)
    min_age = problems.integer(table, "min_age", place, 0, 150)
    max_age = problems.integer(table, "max_age", place, 0, 150)
    if ("min_age" in table or "max_age" in table) and DENOMINATORS.get(denominator or "") != (
        "citizen"
    ):
        problems.add(place, "min_age/max_age chỉ dùng với mẫu số (denominator) là người")
    if min_age is not None and max_age is not None and min_age > max_age:
        problems.add(at(place, "max_age"), f"max_age {max_age} nhỏ hơn min_age {min_age}")
    targets = _targets(problems.table(table, "targets", place), at(place, "targets"), problems)
    if indicator_id is None or title is None or denominator is None or targets is None:
        return None
    return TargetIndicator(
        indicator_id, title, denominator, targets, title_en, set_id, note, min_age, max_age
    )


def _targets(
    table: Mapping[str, Any] | None, place: str, problems: Problems
) -> tuple[tuple[int, float], ...] | None:
    if table is None:
        return None
    if not table:
        problems.add(place, "phải có ít nhất một năm, ví dụ { 2025 = 0.7 }")
        return None
    pairs: list[tuple[int, float]] = []
    for key, value in table.items():
        where = at(place, key)
        # str.isdigit() accepts "²" and Arabic-Indic digits, which int() refuses or reads
        if not (key.isascii() and key.isdigit() and len(key) == 4) or not (
            YEAR_MIN <= int(key) <= YEAR_MAX
        ):
            problems.add(where, f"khóa phải là một năm (year), nhận được {key!r}")
            continue
        share = problems.number_value(value, where, 0.0, 1.0)
        if share is not None:
            pairs.append((int(key), share))
    if len(pairs) != len(table):
        return None
    return tuple(sorted(pairs))
