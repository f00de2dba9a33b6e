"""The registry of criterion kinds: for each kind a parameter validator and a scoring function.

A new kind is one scoring function decorated with ``@kind(...)`` (naming its parameter parser
and keys) plus its tests; the loader and the engine find it in ``KINDS``.

Scoring functions compute through the pure helpers of ``criteria.scoring`` only, which are
the reference semantics for the registry's SQL.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import cast

from criteria._validate import Problems, Table, at
from criteria.errors import CriteriaError
from criteria.model import (
    ROLLUP_MEMBERS,
    ActivityMeasure,
    ActivityParams,
    Attested,
    AttestedParams,
    AttestedScale,
    CombineParams,
    Criterion,
    Fact,
    Params,
    Reason,
    ReasonCode,
    RollupMeasure,
    RollupParams,
    Share,
    Threshold,
)
from criteria.scoring import Scored, clamp, gap, members_needed, share_value, stepped

# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParseContext:
    """What a parameter validator may need to know about the criterion being loaded."""

    problems: Problems
    place: str
    criterion_id: str | None
    subject: str | None
    points: float | None
    categories: Collection[str]


Parser = Callable[[Table, ParseContext], Params | None]
Scorer = Callable[[Criterion, Fact, Mapping[str, bool]], Scored]


@dataclass(frozen=True)
class Kind:
    """A registered criterion kind."""

    name: str
    keys: frozenset[str]
    required: frozenset[str]
    parse: Parser
    score: Scorer


KINDS: dict[str, Kind] = {}


def kind(
    name: str, *, parse: Parser, keys: Collection[str], required: Collection[str] = ()
) -> Callable[[Scorer], Scorer]:
    """Register a scoring function as the kind ``name``.

    :param parse: validates the kind's keys of a ``[[criteria]]`` table and builds its params.
    :param keys: every kind-specific key allowed (anything else is an unknown-key error).
    :param required: the kind-specific keys that must be present.
    """

    def register(score: Scorer) -> Scorer:
        if name in KINDS:
            raise CriteriaError(f"loại tiêu chí (kind) {name!r} đã được đăng ký")
        KINDS[name] = Kind(name, frozenset(keys), frozenset(required), parse, score)
        return score

    return register


# --- shared parameter checks -----------------------------------------------------------------


def parse_thresholds(
    table: Table, ctx: ParseContext, high: float | None = None
) -> tuple[Threshold, ...] | None:
    """``thresholds = [[value, points], …]``: non-empty, values ≥ 0 (≤ ``high``) and distinct,
    points in ``(0, criterion points]``, a higher value giving more points, and the best step
    worth the criterion's full points. Returned sorted by value, highest first.
    """
    problems, where = ctx.problems, at(ctx.place, "thresholds")
    items = problems.array(table, "thresholds", ctx.place)
    if items is None:
        return None
    if not items:
        problems.add(where, "bảng ngưỡng (thresholds) không được rỗng")
        return None
    pairs: list[Threshold] = []
    for index, item in enumerate(items):
        pair = _threshold(item, at(where, index), ctx, high)
        if pair is not None:
            pairs.append(pair)
    if len(pairs) != len(items):
        return None
    return _ordered(pairs, where, ctx)


def _threshold(item: object, where: str, ctx: ParseContext, high: float | None) -> Threshold | None:
    if not isinstance(item, list) or len(item) != 2:
        ctx.problems.wrong_type(where, "một cặp [giá trị, điểm] ([value, points])", item)
        return None
    value = ctx.problems.number_value(item[0], where + " (giá trị/value)", 0.0, high)
    points = ctx.problems.number_value(item[1], where + " (điểm/points)")
    if points is not None and points <= 0:
        ctx.problems.add(where, f"điểm của một ngưỡng phải > 0, nhận được {points:g}")
        return None
    if points is not None and ctx.points is not None and points > ctx.points:
        ctx.problems.add(
            where,
            f"điểm {points:g} vượt quá điểm tối đa của tiêu chí (points = {ctx.points:g})",
        )
        return None
    if value is None or points is None:
        return None
    return (value, points)


def _ordered(pairs: list[Threshold], where: str, ctx: ParseContext) -> tuple[Threshold, ...] | None:
    ordered = tuple(sorted(pairs, reverse=True))
    ok = True
    for (value, points), (lower_value, lower_points) in itertools.pairwise(ordered):
        if value == lower_value:
            ctx.problems.add(where, f"giá trị ngưỡng {value:g} bị lặp (duplicate value)")
            ok = False
        elif points <= lower_points:
            ctx.problems.add(
                where,
                f"ngưỡng {value:g} phải cho nhiều điểm hơn ngưỡng {lower_value:g} "
                "(points must increase with the value)",
            )
            ok = False
    if ok and ctx.points is not None and ordered[0][1] != ctx.points:
        ctx.problems.add(
            where,
            f"ngưỡng cao nhất cho {ordered[0][1]:g} điểm, phải bằng điểm tối đa "
            f"của tiêu chí (points = {ctx.points:g})",
        )
        ok = False
    return ordered if ok else None


def _wrong_fact(criterion: Criterion, expected: str, fact: Fact) -> CriteriaError:
    return CriteriaError(
        f"dữ kiện (fact) của tiêu chí {criterion.id!r} phải là {expected}, "
        f"nhận được {type(fact).__name__} {fact!r}"
    )


# --- kind "activity" ---------------------------------------------------------------------------

ACTIVITY_MEASURES = ("hours", "count", "distinct_categories")


def parse_activity(table: Table, ctx: ParseContext) -> ActivityParams | None:
    """``measure``, ``thresholds``, optional ``categories``/``providers`` filters and ``unit``
    words; only for citizen sets."""
    problems, place = ctx.problems, ctx.place
    if ctx.subject is not None and ctx.subject != "citizen":
        problems.add(
            at(place, "kind"),
            "loại 'activity' chỉ dùng cho bộ tiêu chí công dân (subject = \"citizen\"), "
            f"bộ này có subject = {ctx.subject!r}",
        )
    measure = problems.choice(table, "measure", place, ACTIVITY_MEASURES)
    categories = problems.slugs(table, "categories", place, ctx.categories)
    providers = problems.strings(table, "providers", place)
    for key, value in (("categories", categories), ("providers", providers)):
        if value is not None and not table[key]:
            problems.add(at(place, key), "không được rỗng; bỏ khóa này nếu không cần lọc")
    thresholds = parse_thresholds(table, ctx)
    unit = problems.text(table, "unit", place)
    unit_en = problems.text(table, "unit_en", place)
    if measure is None or thresholds is None:
        return None
    return ActivityParams(
        measure=cast(ActivityMeasure, measure),
        thresholds=thresholds,
        categories=categories or (),
        providers=providers or (),
        unit=unit,
        unit_en=unit_en,
    )


@kind(
    "activity",
    parse=parse_activity,
    keys=("measure", "categories", "providers", "thresholds", "unit", "unit_en"),
    required=("measure", "thresholds"),
)
def score_activity(criterion: Criterion, fact: Fact, passed: Mapping[str, bool]) -> Scored:
    """The fact is the measured number (hours, count, distinct categories); missing = 0."""
    params = criterion.params
    if not isinstance(params, ActivityParams):
        raise _wrong_params(criterion)
    if fact is None:
        value = 0.0
    elif isinstance(fact, bool) or not isinstance(fact, int | float):
        raise _wrong_fact(criterion, "một số (number)", fact)
    elif not math.isfinite(fact) or fact < 0:
        raise _wrong_fact(criterion, "một số hữu hạn ≥ 0", fact)
    else:
        value = float(fact)
    return stepped(params.thresholds, value, lambda threshold: gap(threshold - value))


# --- kind "attested" ---------------------------------------------------------------------------

ATTESTED_SCALES = ("score", "yes_no")


def parse_attested(table: Table, ctx: ParseContext) -> AttestedParams | None:
    """``scale`` and an optional ``default`` (points given when nothing was entered)."""
    problems, place = ctx.problems, ctx.place
    scale = problems.choice(table, "scale", place, ATTESTED_SCALES)
    default = problems.number(table, "default", place, 0.0, ctx.points)
    if scale == "yes_no" and default not in (None, 0.0, ctx.points):
        problems.add(
            at(place, "default"), 'với scale = "yes_no", default phải là 0 hoặc bằng points'
        )
    if scale is None:
        return None
    return AttestedParams(scale=cast(AttestedScale, scale), default=default)


@kind("attested", parse=parse_attested, keys=("scale", "default"), required=("scale",))
def score_attested(criterion: Criterion, fact: Fact, passed: Mapping[str, bool]) -> Scored:
    """``score``: the entered score clamped to ``0..points``; ``yes_no``: yes earns full points.

    Nothing entered gives the criterion's ``default``, or 0 points ("not assessed").
    """
    params = criterion.params
    if not isinstance(params, AttestedParams):
        raise _wrong_params(criterion)
    if fact is None:
        fact = Attested()
    elif not isinstance(fact, Attested):
        raise _wrong_fact(criterion, "Attested", fact)
    if params.scale == "yes_no" and fact.yes is not None:
        if fact.yes:
            return Scored(criterion.points, Reason("yes"))
        return Scored(0.0, Reason("no"))
    if params.scale == "score" and fact.score is not None:
        points = clamp(fact.score, criterion.points)
        code: ReasonCode = "assessed" if points == fact.score else "clamped"
        return Scored(points, Reason(code, value=fact.score))
    if params.default is not None:
        return Scored(params.default, Reason("default", value=params.default))
    return Scored(0.0, Reason("not_assessed"))


# --- kind "rollup" -----------------------------------------------------------------------------

ROLLUP_MEASURES = ("share", "count")


def parse_rollup(table: Table, ctx: ParseContext) -> RollupParams | None:
    """``member``, ``member_title``, ``measure``, ``thresholds``; ages for citizen members."""
    problems, place = ctx.problems, ctx.place
    allowed = ROLLUP_MEMBERS.get(ctx.subject or "", ROLLUP_MEMBERS["province"])
    member = problems.text(table, "member", place)
    if member is not None and member not in allowed:
        problems.add(
            at(place, "member"),
            f"{ctx.subject or 'chủ thể'} không thể tính theo thành viên (member) {member!r}; "
            f"chọn trong: {', '.join(allowed) or '(không có)'}",
        )
        member = None
    member_title = problems.slug(table, "member_title", place)
    measure = problems.choice(table, "measure", place, ROLLUP_MEASURES)
    thresholds = parse_thresholds(table, ctx, 1.0 if measure == "share" else None)
    min_age = problems.integer(table, "min_age", place, 0, 150)
    max_age = problems.integer(table, "max_age", place, 0, 150)
    if ("min_age" in table or "max_age" in table) and member not in (None, "citizen"):
        problems.add(place, 'min_age/max_age chỉ dùng khi member = "citizen"')
    if min_age is not None and max_age is not None and min_age > max_age:
        problems.add(at(place, "max_age"), f"max_age {max_age} nhỏ hơn min_age {min_age}")
    label = problems.text(table, "member_label", place)
    label_en = problems.text(table, "member_label_en", place)
    if member is None or member_title is None or measure is None or thresholds is None:
        return None
    return RollupParams(
        member=member,
        member_title=member_title,
        measure=cast(RollupMeasure, measure),
        thresholds=thresholds,
        min_age=min_age,
        max_age=max_age,
        member_label=label,
        member_label_en=label_en,
    )


@kind(
    "rollup",
    parse=parse_rollup,
    keys=(
        "member",
        "member_title",
        "measure",
        "thresholds",
        "min_age",
        "max_age",
        "member_label",
        "member_label_en",
    ),
    required=("member", "member_title", "measure", "thresholds"),
)
def score_rollup(criterion: Criterion, fact: Fact, passed: Mapping[str, bool]) -> Scored:
    """The fact is a ``Share``; an empty denominator (missing fact) earns nothing."""
    params = criterion.params
    if not isinstance(params, RollupParams):
        raise _wrong_params(criterion)
    if fact is None:
        fact = Share(0, 0)
    elif not isinstance(fact, Share):
        raise _wrong_fact(criterion, "Share", fact)
    numerator, denominator = fact.numerator, fact.denominator
    share = share_value(numerator, denominator)
    if share is None:
        lowest = params.thresholds[-1]
        return Scored(0.0, Reason("empty", threshold=lowest[0], next_points=lowest[1]))
    if params.measure == "count":
        return stepped(
            params.thresholds, numerator, lambda threshold: math.ceil(threshold - numerator)
        )

    def needed(threshold: float) -> float | None:
        k = members_needed(numerator, denominator, threshold)
        return None if k is None else float(k)

    return stepped(params.thresholds, share, needed)


# --- kinds "all" and "any" ---------------------------------------------------------------------


def parse_combine(table: Table, ctx: ParseContext) -> CombineParams | None:
    """``of``: other criteria of the same set (existence and cycles are checked by the loader)."""
    of = ctx.problems.slugs(table, "of", ctx.place)
    if of is None:
        return None
    if not of and not table["of"]:
        ctx.problems.add(at(ctx.place, "of"), "danh sách tiêu chí (of) không được rỗng")
        return None
    if ctx.criterion_id in of:
        ctx.problems.add(at(ctx.place, "of"), "tiêu chí không thể tham chiếu chính nó")
        return None
    return CombineParams(of=of)


def _combine_params(criterion: Criterion) -> CombineParams:
    if not isinstance(criterion.params, CombineParams):
        raise _wrong_params(criterion)
    return criterion.params


@kind("all", parse=parse_combine, keys=("of",), required=("of",))
def score_all(criterion: Criterion, fact: Fact, passed: Mapping[str, bool]) -> Scored:
    """Full points when every criterion in ``of`` is passed; ``reason.criteria`` = the failed."""
    of = _combine_params(criterion).of
    failed = tuple(cid for cid in of if not passed[cid])
    if failed:
        return Scored(0.0, Reason("not_all_met", criteria=failed))
    return Scored(criterion.points, Reason("all_met", criteria=of))


@kind("any", parse=parse_combine, keys=("of",), required=("of",))
def score_any(criterion: Criterion, fact: Fact, passed: Mapping[str, bool]) -> Scored:
    """Full points when at least one criterion in ``of`` is passed; ``reason.criteria`` = those."""
    of = _combine_params(criterion).of
    met = tuple(cid for cid in of if passed[cid])
    if met:
        return Scored(criterion.points, Reason("any_met", criteria=met))
    return Scored(0.0, Reason("none_met", criteria=of))


def _wrong_params(criterion: Criterion) -> CriteriaError:
    return CriteriaError(
        f"tiêu chí {criterion.id!r}: tham số {type(criterion.params).__name__} "
        f"không khớp loại (kind) {criterion.kind!r}"
    )
