"""What the dashboard and the yearly report show: plain figures of one unit and year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from criteria.targets import TargetIndicator, TargetPlan
from registry.models import AdminUnit, EvaluationResult
from registry.reports.counts import Measure, Tally

POPULATION_LABELS = {
    "adults": "người lớn",
    "citizens": "công dân",
    "working_age": "người trong độ tuổi lao động",
    "aged_15_plus": "người từ 15 tuổi",
    "staff": "cán bộ, công chức, viên chức",
    "households": "hộ gia đình",
    "clans": "dòng họ",
    "villages": "thôn, tổ dân phố",
    "organisations": "cơ quan, đơn vị",
    "communes": "xã, phường, thị trấn",
    "districts": "huyện",
    "provinces": "tỉnh",
    "criteria": "tiêu chí",
}


def population_label(measure: Measure) -> str:
    """What the denominator counts, in words: "người từ 15 tuổi trở lên", "hộ gia đình"."""
    base = POPULATION_LABELS.get(measure.denominator, measure.denominator)
    if measure.subject != "citizen" or measure.denominator == "staff":
        return base
    low, high = measure.min_age, measure.max_age
    if low is not None and high is not None:
        return f"người từ {low} đến {high} tuổi"
    if low is not None:
        return f"người từ {low} tuổi trở lên"
    return base


@dataclass(frozen=True)
class TitleFigure:
    """A title's figures in the unit: every subject of its kind against those holding it."""

    set_id: str
    title: str
    measure: Measure
    tally: Tally

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True)
class IndicatorFigure:
    """One indicator of a plan for the unit and year, with its milestone and gap.

    ``tally`` is None for indicators the registry does not compute (no criteria set: they are
    reported separately) and ``milestone`` None after the plan's last milestone.
    """

    plan: TargetPlan
    indicator: TargetIndicator
    measure: Measure | None
    tally: Tally | None
    milestone: tuple[int, float] | None

    @property
    def key(self) -> str:
        return f"{self.plan.id}:{self.indicator.id}"

    @property
    def label(self) -> str:
        return self.indicator.title

    @property
    def target(self) -> float | None:
        return self.milestone[1] if self.milestone else None

    @property
    def target_year(self) -> int | None:
        return self.milestone[0] if self.milestone else None

    @property
    def share(self) -> float | None:
        return self.tally.share if self.tally else None

    def gap_of(self, share: float | None) -> float | None:
        """``share`` minus the target (negative: behind the plan)."""
        return None if share is None or self.target is None else share - self.target

    @property
    def gap(self) -> float | None:
        return self.gap_of(self.share)

    @property
    def recognised_gap(self) -> float | None:
        return self.gap_of(self.tally.recognised_share if self.tally else None)


@dataclass(frozen=True)
class ChildRow:
    """A child unit with its tally of every measure."""

    unit: AdminUnit
    tallies: dict[Measure, Tally]

    def share(self, measure: Measure | None) -> float | None:
        tally = self.tallies.get(measure) if measure else None
        return tally.share if tally else None

    def gap(self, figure: IndicatorFigure) -> float | None:
        return figure.gap_of(self.share(figure.measure))


@dataclass(frozen=True)
class Deadline:
    """A reporting deadline of the year; ``days_left`` ≤ 0 once it has passed."""

    label: str
    due: date
    days_left: int
    applies: bool


@dataclass(frozen=True)
class Trend:
    """Shares of each title's measure over the years with results (oldest first)."""

    years: list[int]
    series: list[tuple[str, list[float | None]]]


@dataclass(frozen=True)
class Progress:
    """Everything the dashboard and the yearly report show for one unit and year."""

    unit: AdminUnit
    year: int
    titles: list[TitleFigure]
    indicators: list[IndicatorFigure]
    children: list[ChildRow]
    sort_by: IndicatorFigure | None
    trend: Trend
    deadlines: list[Deadline]
    own: EvaluationResult | None
    reported: list[IndicatorFigure] = field(default_factory=list)

    @property
    def compared(self) -> list[IndicatorFigure]:
        """Computed indicators with a denominator in the unit (what the charts show)."""
        return [f for f in self.indicators if f.tally and f.tally.population]

    def by_plan(self) -> list[tuple[TargetPlan, list[IndicatorFigure]]]:
        """The compared indicators grouped by plan, in plan order."""
        groups: dict[str, tuple[TargetPlan, list[IndicatorFigure]]] = {}
        for figure in self.compared:
            groups.setdefault(figure.plan.id, (figure.plan, []))[1].append(figure)
        return list(groups.values())
