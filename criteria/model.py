"""Frozen dataclasses for criteria sets, facts and outcomes: plain data and lookups only.

Every number that decides a title (points, thresholds, minimums) lives in these objects, loaded
from the TOML files in ``criteria/sets/``; nothing here is a constant of the law.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, TypeAlias

from criteria.errors import CriteriaError

#: Subjects that can hold a title, from a person up to a province.
SUBJECT_KINDS: tuple[str, ...] = (
    "citizen",
    "household",
    "clan",
    "village",
    "organisation",
    "commune",
    "district",
    "province",
)

#: Which members a ``rollup`` criterion of a subject may count (subject → allowed members).
#: A subject counts what lies below it: people, the groups people form, and the area units
#: under it. Organisations only have people (their staff) as members.
ROLLUP_MEMBERS: dict[str, tuple[str, ...]] = {
    "citizen": (),
    "household": ("citizen",),
    "clan": ("citizen", "household"),
    "organisation": ("citizen",),
    "village": ("citizen", "household", "clan"),
    "commune": ("citizen", "household", "clan", "village", "organisation"),
    "district": ("citizen", "household", "clan", "village", "organisation", "commune"),
    "province": (
        "citizen",
        "household",
        "clan",
        "village",
        "organisation",
        "commune",
        "district",
    ),
}

#: Activity category codes known to the registry (``registry/data/activity_categories``).
ACTIVITY_CATEGORIES: tuple[str, ...] = (
    "tthtcd",
    "vocational",
    "formal",
    "online",
    "self_study",
    "campaign",
    "other",
)

#: ``(value, points)``: reaching ``value`` (inclusive) earns ``points``.
Threshold: TypeAlias = tuple[float, float]
ActivityMeasure = Literal["hours", "count", "distinct_categories"]
RollupMeasure = Literal["share", "count"]
AttestedScale = Literal["score", "yes_no"]


# --- kind-specific parameters ------------------------------------------------------------


@dataclass(frozen=True)
class ActivityParams:
    """Points from the citizen's learning activities of the year.

    ``thresholds`` are sorted by value, highest first. Empty ``categories``/``providers``
    mean "no filter". ``unit``/``unit_en`` name what is counted in explanations ("khóa học");
    without them the measure's own word is used ("giờ", "hoạt động").
    """

    measure: ActivityMeasure
    thresholds: tuple[Threshold, ...]
    categories: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    unit: str | None = None
    unit_en: str | None = None


@dataclass(frozen=True)
class AttestedParams:
    """A committee's assessment entered by staff; ``default`` applies when none was entered."""

    scale: AttestedScale
    default: float | None = None


@dataclass(frozen=True)
class RollupParams:
    """Share or count of members holding the title ``member_title`` (a set id) that year.

    ``min_age``/``max_age`` restrict the citizens counted (age on 31 December, inclusive).
    ``member_label`` names the qualifying members in explanations ("hộ gia đình học tập").
    """

    member: str
    member_title: str
    measure: RollupMeasure
    thresholds: tuple[Threshold, ...]
    min_age: int | None = None
    max_age: int | None = None
    member_label: str | None = None
    member_label_en: str | None = None


@dataclass(frozen=True)
class CombineParams:
    """For ``all``/``any``: the ids of the other criteria that must be passed."""

    of: tuple[str, ...]


Params: TypeAlias = ActivityParams | AttestedParams | RollupParams | CombineParams


# --- a set ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One criterion (indicator) of a set."""

    id: str
    title: str
    points: float
    kind: str
    params: Params
    title_en: str | None = None
    group: str | None = None
    note: str | None = None
    min_points: float | None = None

    @property
    def thresholds(self) -> tuple[Threshold, ...]:
        """The threshold table, highest value first; empty for kinds without one."""
        if isinstance(self.params, ActivityParams | RollupParams):
            return self.params.thresholds
        return ()


@dataclass(frozen=True)
class PassRule:
    """A subject passes when every condition holds (see ``FORMAT.md``)."""

    min_total: float
    min_each: float | None = None
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level:
    """A recognition level ("Mức độ 2", "Tốt"); levels are listed best first."""

    name: str
    min_total: float
    required: tuple[str, ...] = ()
    name_en: str | None = None


@dataclass(frozen=True)
class CriteriaSet:
    """One version of the criteria of one title, as loaded from ``<id>-v<version>.toml``."""

    id: str
    version: int
    title: str
    title_en: str
    subject: str
    valid_from: int
    source: str
    pass_rule: PassRule
    criteria: tuple[Criterion, ...]
    levels: tuple[Level, ...] = ()
    valid_to: int | None = None
    scope: str | None = None
    #: citizen sets: only citizens at least this old on 31 December are evaluated
    min_age: int | None = None

    @property
    def key(self) -> str:
        """``<id>-v<version>``, the file stem and the reference stored with every award."""
        return f"{self.id}-v{self.version}"

    @property
    def max_total(self) -> float:
        """The sum of every criterion's maximum points."""
        return math.fsum(c.points for c in self.criteria)

    @cached_property
    def by_id(self) -> dict[str, Criterion]:
        """Criteria by id (computed once per set)."""
        return {c.id: c for c in self.criteria}

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id.

        :raises CriteriaError: when the set has no such criterion.
        """
        try:
            return self.by_id[criterion_id]
        except KeyError:
            raise CriteriaError(
                f"{self.key}: không có tiêu chí (criterion) {criterion_id!r}"
            ) from None

    def valid_in(self, year: int) -> bool:
        """Whether the set applies to evaluations of ``year``."""
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


# --- facts -------------------------------------------------------------------------------


def _check_finite(value: float | None, what: str) -> None:
    if value is not None and (isinstance(value, bool) or not math.isfinite(value)):
        raise CriteriaError(f"{what} phải là số hữu hạn (finite number), nhận được {value!r}")


@dataclass(frozen=True)
class Attested:
    """A committee's assessment of one criterion for one subject and year.

    ``score`` is read by ``scale = "score"`` criteria, ``yes`` by ``scale = "yes_no"``;
    ``None`` means "not assessed".
    """

    score: float | None = None
    yes: bool | None = None
    evidence: str = ""

    def __post_init__(self) -> None:
        _check_finite(self.score, "Attested.score")


@dataclass(frozen=True)
class Share:
    """How many members qualify (``numerator``) out of how many are counted (``denominator``)."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        for name in ("numerator", "denominator"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise CriteriaError(
                    f"Share.{name} phải là số nguyên ≥ 0 (non-negative integer), "
                    f"nhận được {value!r}"
                )
        if self.numerator > self.denominator:
            raise CriteriaError(
                f"Share: tử số {self.numerator} lớn hơn mẫu số {self.denominator} "
                "(numerator > denominator)"
            )


#: A raw fact: a number for ``activity``, ``Attested`` or ``Share``; ``None`` = nothing recorded.
Fact: TypeAlias = float | Attested | Share | None


# --- outcome ------------------------------------------------------------------------------

ReasonCode = Literal[
    "reached",  # a threshold was reached (value ≥ threshold)
    "below",  # below the lowest threshold
    "empty",  # rollup with an empty denominator: never passes
    "assessed",  # attested score used as entered
    "clamped",  # attested score outside 0..points, clamped
    "yes",  # yes_no answered yes
    "no",  # yes_no answered no
    "not_assessed",  # no assessment and no default: 0 points
    "default",  # no assessment, the criterion's default applied
    "all_met",
    "not_all_met",
    "any_met",
    "none_met",
]


@dataclass(frozen=True)
class Reason:
    """Why a criterion earned its points, as data (``explain`` turns it into words).

    ``value`` is the measured number (hours, count, share as a fraction, or entered score).
    ``threshold`` is the threshold reached (``reached``) or the lowest one (``below``).
    ``next_threshold``/``next_points`` are the next step up not reached yet, and ``shortfall``
    is what is missing to reach it: hours or activities for activities, the number of members
    for counts, and for shares the smallest ``k`` with ``(numerator + k) / denominator ≥
    next_threshold``. ``criteria`` lists, for ``all``/``any``, the ids that decided it.
    """

    code: ReasonCode
    value: float | None = None
    threshold: float | None = None
    next_threshold: float | None = None
    next_points: float | None = None
    shortfall: float | None = None
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class CriterionResult:
    """The score of one criterion for one subject.

    ``min_points`` is the least a pass needs here: the larger of the criterion's own
    ``min_points`` and the set's ``pass.min_each`` (0 when neither is set; a pass also needs
    more than 0 points).
    """

    id: str
    title: str
    kind: str
    points: float
    max_points: float
    passed: bool
    fact: Fact
    reason: Reason
    min_points: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """The evaluation of one subject against one set.

    ``failed_ids`` lists every criterion not passed, in set order; ``below_min_each`` and
    ``missing_required`` are the ones that block the pass rule; ``total_short`` is how many
    points are missing to ``min_total`` (0 when reached).
    """

    set_id: str
    set_version: int
    total: float
    max_total: float
    passed: bool
    level: str | None
    results: tuple[CriterionResult, ...]
    failed_ids: tuple[str, ...] = ()
    below_min_each: tuple[str, ...] = ()
    missing_required: tuple[str, ...] = ()
    total_short: float = 0.0

    def result(self, criterion_id: str) -> CriterionResult:
        """The result of one criterion.

        :raises CriteriaError: when the outcome has no such criterion.
        """
        for result in self.results:
            if result.id == criterion_id:
                return result
        raise CriteriaError(f"không có kết quả cho tiêu chí (criterion) {criterion_id!r}")
