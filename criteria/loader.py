"""Read criteria set files (TOML) into validated, frozen ``CriteriaSet`` objects.

Every problem of a file is collected before raising one ``CriteriaError``; each message names
the file, the place (``criteria[3] "tu-hoc".thresholds[1]``, indexes counted from 1) and the
problem in Vietnamese, with the English technical term. Nothing is ever evaluated as code.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from criteria._validate import Problems, Table, at, read_toml
from criteria.errors import CriteriaError
from criteria.model import (
    ACTIVITY_CATEGORIES,
    SUBJECT_KINDS,
    CombineParams,
    CriteriaSet,
    Criterion,
    Level,
    PassRule,
    RollupParams,
)
from criteria.rules import KINDS, ParseContext

SETS_DIR = Path(__file__).parent / "sets"

SET_KEYS = (
    "id",
    "version",
    "title",
    "title_en",
    "subject",
    "valid_from",
    "valid_to",
    "scope",
    "min_age",
    "source",
    "pass",
    "levels",
    "criteria",
)
SET_REQUIRED = (
    "id",
    "version",
    "title",
    "title_en",
    "subject",
    "valid_from",
    "source",
    "pass",
    "criteria",
)
CRITERION_KEYS = frozenset(
    {"id", "title", "title_en", "group", "note", "points", "kind", "min_points"}
)
CRITERION_REQUIRED = ("id", "title", "points", "kind")
PASS_KEYS = ("min_total", "min_each", "required")
LEVEL_KEYS = ("name", "name_en", "min_total", "required")
SCOPE = re.compile(r"^[0-9A-Za-z._-]+$")


def parse_set(
    text: str, source_name: str, *, categories: Collection[str] = ACTIVITY_CATEGORIES
) -> CriteriaSet:
    """Parse and validate the TOML text of one criteria set.

    :param source_name: the file name used in messages.
    :param categories: the activity category codes that ``categories`` filters may use.
    :raises CriteriaError: listing every problem found.
    """
    data = read_toml(text, source_name)
    problems = Problems(source_name)
    result = _build(data, problems, categories)
    problems.raise_if_any()
    if result is None:  # pragma: no cover - every None path records a problem
        raise CriteriaError(f"{source_name}: bộ tiêu chí không hợp lệ")
    return result


def load_set(path: str | Path, *, categories: Collection[str] = ACTIVITY_CATEGORIES) -> CriteriaSet:
    """Load one ``<id>-v<version>.toml`` file; the name must match its ``id`` and ``version``.

    :raises CriteriaError: on unreadable files, syntax errors and every validation problem.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"{path.name}: không đọc được tệp (cannot read file): {exc}") from None
    criteria_set = parse_set(text, path.name, categories=categories)
    if path.suffix != ".toml" or path.stem != criteria_set.key:
        raise CriteriaError(
            f"{path.name}: tên tệp phải là {criteria_set.key}.toml "
            "(file name must be <id>-v<version>.toml)"
        )
    return criteria_set


def load_all(
    directory: str | Path | Iterable[str | Path] | None = None,
    *,
    categories: Collection[str] = ACTIVITY_CATEGORIES,
    check_titles: bool = True,
) -> tuple[CriteriaSet, ...]:
    """Load every ``*.toml`` set under one or several directories, sub-folders included
    (default: the shipped ``criteria/sets/``), sorted by id and version.

    A province keeps its own sets (same ``id``, a ``scope``, a version not used elsewhere) in
    a folder of its own; ``(id, version)`` must be unique across everything loaded, because
    awards reference it. With ``check_titles``, every rollup's ``member_title`` must be the id
    of a loaded set for the ``member`` subject.

    :raises CriteriaError: listing the problems of every file, and duplicates.
    """
    if directory is None:
        folders = [SETS_DIR]
    elif isinstance(directory, str | Path):
        folders = [Path(directory)]
    else:
        folders = [Path(d) for d in directory]
    problems: list[str] = []
    loaded: list[tuple[str, CriteriaSet]] = []
    for path in (p for folder in folders for p in sorted(folder.rglob("*.toml"))):
        try:
            loaded.append((str(path), load_set(path, categories=categories)))
        except CriteriaError as exc:
            problems.extend(exc.problems)
    problems.extend(_duplicates(loaded))
    if check_titles:
        problems.extend(_unknown_titles(loaded))
    if problems:
        raise CriteriaError(problems)
    return tuple(sorted((s for _name, s in loaded), key=lambda s: (s.id, s.version)))


def _duplicates(loaded: Iterable[tuple[str, CriteriaSet]]) -> list[str]:
    seen: dict[tuple[str, int], str] = {}
    problems = []
    for name, criteria_set in loaded:
        key = (criteria_set.id, criteria_set.version)
        if key in seen:
            problems.append(
                f"{name}: trùng id và version với {seen[key]} (duplicate {criteria_set.key})"
            )
        else:
            seen[key] = name
    return problems


def _unknown_titles(loaded: Iterable[tuple[str, CriteriaSet]]) -> list[str]:
    pairs = list(loaded)
    titles = {(s.id, s.subject) for _name, s in pairs}
    problems = []
    for name, criteria_set in pairs:
        for index, criterion in enumerate(criteria_set.criteria):
            params = criterion.params
            if (
                isinstance(params, RollupParams)
                and (params.member_title, params.member) not in titles
            ):
                place = f'criteria[{index + 1}] "{criterion.id}".member_title'
                problems.append(
                    f'{Path(name).name}: {place}: không có bộ tiêu chí "{params.member_title}" cho '
                    f"{params.member} (no set with this id for the member)"
                )
    return problems


# --- one file -------------------------------------------------------------------------------


def _build(
    data: Mapping[str, Any], problems: Problems, categories: Collection[str]
) -> CriteriaSet | None:
    problems.keys(data, "", SET_KEYS, SET_REQUIRED)
    set_id = problems.slug(data, "id", "")
    version = problems.integer(data, "version", "", low=1)
    title = problems.text(data, "title", "")
    title_en = problems.text(data, "title_en", "")
    subject = problems.choice(data, "subject", "", SUBJECT_KINDS)
    source = problems.text(data, "source", "")
    valid_from, valid_to = _validity(data, problems)
    scope = problems.text(data, "scope", "")
    if scope is not None and not SCOPE.match(scope):
        problems.add("scope", f"mã đơn vị (unit code) {scope!r} không hợp lệ")
    min_age = problems.integer(data, "min_age", "", 0, 150)
    if min_age is not None and subject != "citizen":
        problems.add("min_age", 'min_age chỉ dùng cho bộ tiêu chí công dân (subject = "citizen")')
    criteria = _criteria(data, problems, subject, categories)
    # the sum of points is only known when every criterion loaded
    raw = data.get("criteria")
    max_total = sum(c.points for c in criteria) if len(criteria) == _count(raw) else None
    pass_rule = _pass_rule(data, problems, criteria, max_total)
    levels = _levels(data, problems, criteria, pass_rule, max_total)
    if (
        problems.items
        or set_id is None
        or version is None
        or title is None
        or title_en is None
        or subject is None
        or source is None
        or valid_from is None
        or pass_rule is None
    ):
        return None
    return CriteriaSet(
        id=set_id,
        version=version,
        title=title,
        title_en=title_en,
        subject=subject,
        valid_from=valid_from,
        valid_to=valid_to,
        scope=scope,
        min_age=min_age,
        source=source,
        pass_rule=pass_rule,
        levels=levels,
        criteria=criteria,
    )


def _validity(data: Table, problems: Problems) -> tuple[int | None, int | None]:
    valid_from = problems.year(data, "valid_from", "")
    valid_to = problems.year(data, "valid_to", "")
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        problems.add("valid_to", f"năm {valid_to} trước valid_from {valid_from}")
    return valid_from, valid_to


def _criteria(
    data: Table, problems: Problems, subject: str | None, categories: Collection[str]
) -> tuple[Criterion, ...]:
    if "criteria" in data and not data["criteria"]:
        problems.add("criteria", "bộ tiêu chí phải có ít nhất một tiêu chí ([[criteria]])")
    places: dict[str, str] = {}
    result: list[Criterion] = []
    for index, table in problems.tables(data, "criteria", ""):
        raw_id = table.get("id")
        place = at("criteria", index) + (f' "{raw_id}"' if isinstance(raw_id, str) else "")
        criterion = _criterion(table, place, problems, subject, categories)
        if isinstance(raw_id, str) and raw_id in places:
            problems.add(at(place, "id"), f"id bị lặp (duplicate), đã dùng ở {places[raw_id]}")
        elif isinstance(raw_id, str):
            places[raw_id] = place
        if criterion is not None:
            result.append(criterion)
    _check_references(result, places, problems)
    return tuple(result)


def _criterion(
    table: Table, place: str, problems: Problems, subject: str | None, categories: Collection[str]
) -> Criterion | None:
    kind_name = table.get("kind")
    spec = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if spec is None:
        every_key = CRITERION_KEYS.union(*(k.keys for k in KINDS.values()))
        problems.keys(table, place, every_key, CRITERION_REQUIRED)
        if "kind" in table:
            problems.add(
                at(place, "kind"),
                f"loại tiêu chí không xác định (unknown kind) {kind_name!r}; "
                f"các loại hợp lệ: {', '.join(sorted(KINDS))}",
            )
    else:
        required = CRITERION_REQUIRED + tuple(sorted(spec.required))
        problems.keys(table, place, CRITERION_KEYS | spec.keys, required)
    criterion_id = problems.slug(table, "id", place)
    title = problems.text(table, "title", place)
    points = problems.number(table, "points", place, low=0.0)
    if points == 0.0:
        problems.add(at(place, "points"), "điểm tối đa phải > 0")
        points = None
    min_points = problems.number(table, "min_points", place, low=0.0, high=points)
    context = ParseContext(problems, place, criterion_id, subject, points, categories)
    params = spec.parse(table, context) if spec is not None else None
    title_en = problems.text(table, "title_en", place)
    group = problems.text(table, "group", place)
    note = problems.text(table, "note", place)
    if spec is None or criterion_id is None or title is None or points is None or params is None:
        return None
    return Criterion(
        id=criterion_id,
        title=title,
        points=points,
        kind=spec.name,
        params=params,
        title_en=title_en,
        group=group,
        note=note,
        min_points=min_points or None,
    )


def _check_references(
    criteria: Iterable[Criterion], places: Mapping[str, str], problems: Problems
) -> None:
    graph: dict[str, tuple[str, ...]] = {}
    for criterion in criteria:
        if isinstance(criterion.params, CombineParams):
            graph[criterion.id] = criterion.params.of
            for index, ref in enumerate(criterion.params.of):
                if ref not in places:
                    problems.add(
                        at(at(places[criterion.id], "of"), index),
                        f"không có tiêu chí {ref!r} trong bộ này (unknown criterion id)",
                    )
    for cycle in _cycles(graph):
        problems.add(
            at(places[cycle[0]], "of"),
            "tham chiếu vòng (cycle): " + " → ".join((*cycle, cycle[0])),
        )


def _cycles(graph: Mapping[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each cycle of the ``of`` graph once, starting at its first node in set order."""
    found: list[tuple[str, ...]] = []
    seen_sets: set[frozenset[str]] = set()
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        if node in path:
            cycle = path[path.index(node) :]
            if frozenset(cycle) not in seen_sets:
                seen_sets.add(frozenset(cycle))
                found.append(cycle)
            return
        if node in done:
            return
        for ref in graph.get(node, ()):
            visit(ref, (*path, node))
        done.add(node)

    for start in graph:
        visit(start, ())
    return found


def _count(items: object) -> int:
    return len(items) if isinstance(items, list) else 0


def _pass_rule(
    data: Table, problems: Problems, criteria: tuple[Criterion, ...], max_total: float | None
) -> PassRule | None:
    table = problems.table(data, "pass", "")
    if table is None:
        return None
    problems.keys(table, "pass", PASS_KEYS, ("min_total",))
    min_total = problems.number(table, "min_total", "pass", low=0.0)
    if min_total is not None and max_total is not None and min_total > max_total:
        problems.add(
            "pass.min_total",
            f"{min_total:g} lớn hơn tổng điểm tối đa {max_total:g} (sum of points)",
        )
    min_each = problems.number(table, "min_each", "pass", low=0.0)
    if min_each == 0.0:
        problems.add("pass.min_each", "phải > 0 (bỏ khóa nếu không cần)")
    for criterion in criteria:
        if min_each is not None and min_each > criterion.points:
            problems.add(
                "pass.min_each",
                f"{min_each:g} lớn hơn điểm tối đa của tiêu chí {criterion.id!r} "
                f"({criterion.points:g}): không thể đạt",
            )
    required = _known_ids(table, "pass", problems, criteria)
    if min_total is None:
        return None
    return PassRule(min_total=min_total, min_each=min_each or None, required=required)


def _known_ids(
    table: Table, place: str, problems: Problems, criteria: tuple[Criterion, ...]
) -> tuple[str, ...]:
    ids = problems.slugs(table, "required", place) or ()
    known = {c.id for c in criteria}
    for index, ref in enumerate(ids):
        if ref not in known:
            problems.add(
                at(at(place, "required"), index),
                f"không có tiêu chí {ref!r} trong bộ này (unknown criterion id)",
            )
    return ids


def _levels(
    data: Table,
    problems: Problems,
    criteria: tuple[Criterion, ...],
    pass_rule: PassRule | None,
    max_total: float | None,
) -> tuple[Level, ...]:
    levels: list[Level] = []
    for index, table in problems.tables(data, "levels", ""):
        name = table.get("name")
        place = at("levels", index) + (f' "{name}"' if isinstance(name, str) else "")
        problems.keys(table, place, LEVEL_KEYS, ("name", "min_total"))
        name = problems.text(table, "name", place)
        min_total = problems.number(table, "min_total", place, low=0.0, high=max_total)
        required = _known_ids(table, place, problems, criteria)
        if name is None or min_total is None:
            continue
        if any(level.name == name for level in levels):
            problems.add(at(place, "name"), f"tên mức {name!r} bị lặp (duplicate)")
        if pass_rule is not None and min_total < pass_rule.min_total:
            problems.add(
                at(place, "min_total"),
                f"{min_total:g} thấp hơn pass.min_total {pass_rule.min_total:g}: "
                "mức chỉ được xét khi đã đạt",
            )
        if levels and min_total > levels[-1].min_total:
            problems.add(
                at(place, "min_total"),
                f"các mức phải xếp từ cao xuống thấp (levels ordered best first): "
                f"{min_total:g} > {levels[-1].min_total:g} của mức trước",
            )
        name_en = problems.text(table, "name_en", place)
        levels.append(Level(name=name, min_total=min_total, required=required, name_en=name_en))
    return tuple(levels)
