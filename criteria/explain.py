"""Words for an outcome: one overall line, then each criterion and what it still misses.

Vietnamese is the default (decimal comma, "12,5 giờ", "77,8%"); ``lang="en"`` gives English.
The numbers come from the structured ``Reason`` of each result, never recomputed here.
"""

from __future__ import annotations

from criteria.errors import CriteriaError
from criteria.model import (
    ActivityParams,
    AttestedParams,
    CombineParams,
    CriteriaSet,
    Criterion,
    CriterionResult,
    Outcome,
    Reason,
    RollupParams,
)
from criteria.words import KIND_LABELS, NOUNS, WORDS

__all__ = ["KIND_LABELS", "explain", "explain_overall", "explain_result", "number", "percent"]


# --- numbers -----------------------------------------------------------------------------------


def number(value: float, lang: str = "vi", decimals: int = 2) -> str:
    """``12``, ``12,5`` and ``1.234,5`` in Vietnamese; ``12.5`` and ``1,234.5`` in English."""
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(value: float, lang: str = "vi", against: float | None = None) -> str:
    """A fraction as a percentage with one decimal (``77,8%``), with more decimals when needed
    so that a value just below ``against`` never prints as equal to it."""
    decimals = 1
    while (
        against is not None
        and value != against
        and decimals < 6
        and round(value * 100, decimals) == round(against * 100, decimals)
    ):
        decimals += 1
    return number(value * 100, lang, decimals) + "%"


# --- lines ----------------------------------------------------------------------------------


def explain(outcome: Outcome, criteria_set: CriteriaSet, lang: str = "vi") -> list[str]:
    """The overall line, then for each criterion its line and what it still misses.

    :raises CriteriaError: when the outcome is not of this set, or ``lang`` is unknown.
    """
    if (outcome.set_id, outcome.set_version) != (criteria_set.id, criteria_set.version):
        raise CriteriaError(
            f"kết quả của {outcome.set_id}-v{outcome.set_version}, không phải {criteria_set.key}"
        )
    lines = [explain_overall(outcome, criteria_set, lang)]
    for result in outcome.results:
        lines.extend(explain_result(result, criteria_set, lang))
    return lines


def explain_overall(outcome: Outcome, criteria_set: CriteriaSet, lang: str = "vi") -> str:
    """ "Đạt danh hiệu “…” (85/100 điểm)" or "Chưa đạt: cần ≥ 80 điểm, hiện 72; …"."""
    words = _words(lang)
    if outcome.passed:
        level = next((lv for lv in criteria_set.levels if lv.name == outcome.level), None)
        level_name = (level.name_en or level.name) if level and lang == "en" else outcome.level
        return words["pass"].format(
            title=_title(criteria_set.title, criteria_set.title_en, lang),
            level=f" – {level_name}" if level_name else "",
            total=number(outcome.total, lang),
            max=number(outcome.max_total, lang),
        )
    rule = criteria_set.pass_rule
    parts = []
    if outcome.total_short > 0:
        parts.append(
            words["fail_total"].format(
                min=number(rule.min_total, lang), total=number(outcome.total, lang)
            )
        )
    if outcome.below_min_each and rule.min_each is not None:
        names = _names(outcome.below_min_each, criteria_set, lang)
        parts.append(words["fail_each"].format(names=names, min=number(rule.min_each, lang)))
    if outcome.missing_required:
        names = _names(outcome.missing_required, criteria_set, lang)
        parts.append(words["fail_required"].format(names=names))
    return words["fail"].format(parts="; ".join(parts))


def explain_result(
    result: CriterionResult, criteria_set: CriteriaSet, lang: str = "vi"
) -> list[str]:
    """ "Tiêu chí: 12 giờ ≥ 10 giờ → 8/10 điểm", then "Còn thiếu 8 giờ để đạt 10 điểm" if any."""
    words = _words(lang)
    criterion = criteria_set.criterion(result.id)
    reason = result.reason
    verdict = (
        (words["ok"] if result.passed else words["not_ok"])
        if _binary(criterion)
        else words["points"].format(
            points=number(result.points, lang), max=number(result.max_points, lang)
        )
    )
    line = f"{_title(criterion.title, criterion.title_en, lang)}: "
    line += f"{_measurement(result, criteria_set, lang)} → {verdict}"
    lines = [line + _evidence(result, lang)]
    missing = _missing(result, criterion, reason, lang)
    if missing:
        lines.append(missing)
    return lines


def _words(lang: str) -> dict[str, str]:
    if lang not in WORDS:
        raise CriteriaError(f"ngôn ngữ không hỗ trợ (unsupported language) {lang!r}")
    return WORDS[lang]


def _title(title: str, title_en: str | None, lang: str) -> str:
    return (title_en or title) if lang == "en" else title


def _names(ids: tuple[str, ...], criteria_set: CriteriaSet, lang: str) -> str:
    return ", ".join(
        "“" + _title(c.title, c.title_en, lang) + "”" for c in map(criteria_set.criterion, ids)
    )


def _binary(criterion: Criterion) -> bool:
    """Pass/fail criteria read "đạt"/"chưa đạt" rather than points."""
    params = criterion.params
    if isinstance(params, AttestedParams):
        return params.scale == "yes_no"
    if isinstance(params, CombineParams):
        return True
    return len(criterion.thresholds) == 1


def _evidence(result: CriterionResult, lang: str) -> str:
    fact = result.fact
    evidence = getattr(fact, "evidence", "") if result.kind == "attested" else ""
    return WORDS[lang]["evidence"].format(evidence=evidence) if evidence else ""


def _measurement(result: CriterionResult, criteria_set: CriteriaSet, lang: str) -> str:
    criterion = criteria_set.criterion(result.id)
    words, reason, params = WORDS[lang], result.reason, criterion.params
    code = reason.code
    if isinstance(params, ActivityParams):
        sign = "≥" if code == "reached" else "<"
        value, threshold = reason.value or 0.0, reason.threshold or 0.0
        return (
            f"{number(value, lang)} {_unit(params, value, lang)} {sign} "
            f"{number(threshold, lang)} {_unit(params, threshold, lang)}"
        )
    if isinstance(params, RollupParams):
        return _rollup_measurement(result, params, lang)
    if isinstance(params, CombineParams):
        return words[code].format(names=_names(reason.criteria, criteria_set, lang))
    return words[code].format(
        score=number(reason.value or 0.0, lang),
        max=number(criterion.points, lang),
        points=number(result.points, lang),
    )


def _unit(params: ActivityParams, amount: float, lang: str) -> str:
    """The word for what an activity criterion counts (English is singular for exactly 1)."""
    own = params.unit_en if lang == "en" else params.unit
    if own:
        return own
    if lang == "en" and amount == 1:
        return WORDS[lang][params.measure + "_one"]
    return WORDS[lang][params.measure]


def _rollup_measurement(result: CriterionResult, params: RollupParams, lang: str) -> str:
    words, reason = WORDS[lang], result.reason
    if reason.code == "empty":
        return words["empty"].format(noun=NOUNS[lang][params.member], age=_ages(params, lang))
    sign = "≥" if reason.code == "reached" else "<"
    threshold = reason.threshold or 0.0
    numerator, denominator = _share(result)
    if params.measure == "count":
        return f"{numerator} {_label(params, lang)} {sign} {number(threshold, lang)}"
    value = reason.value or 0.0
    return (
        f"{numerator}/{denominator} = {percent(value, lang, threshold)} "
        f"{sign} {percent(threshold, lang)}"
    )


def _share(result: CriterionResult) -> tuple[int, int]:
    fact = result.fact
    numerator = getattr(fact, "numerator", 0)
    denominator = getattr(fact, "denominator", 0)
    return int(numerator), int(denominator)


def _ages(params: RollupParams, lang: str) -> str:
    words = WORDS[lang]
    low, high = params.min_age, params.max_age
    if low is not None and high is not None:
        return words["age"].format(low=low, high=high)
    if low is not None:
        return words["age_low"].format(low=low)
    if high is not None:
        return words["age_high"].format(high=high)
    return ""


def _label(params: RollupParams, lang: str) -> str:
    label = params.member_label_en if lang == "en" else params.member_label
    return label or WORDS[lang]["label"].format(noun=NOUNS[lang][params.member])


def _missing(result: CriterionResult, criterion: Criterion, reason: Reason, lang: str) -> str:
    words, params = WORDS[lang], criterion.params
    step, shortfall, points = reason.next_threshold, reason.shortfall, reason.next_points
    if step is not None and shortfall is not None and points is not None:
        if isinstance(params, ActivityParams):
            return words["missing_activity"].format(
                gap=number(shortfall, lang),
                unit=_unit(params, shortfall, lang),
                points=number(points, lang),
            )
        if isinstance(params, RollupParams):
            share = params.measure == "share"
            text = words["missing_members"].format(
                k=number(shortfall, lang),
                label=_label(params, lang),
                target=percent(step, lang) if share else number(step, lang),
            )
            extra = "" if _binary(criterion) else words["missing_points"]
            return text + extra.format(points=number(points, lang))
    if reason.code == "not_assessed":
        return words["missing_assessment"]
    if 0 < result.points < result.min_points and reason.code in ("assessed", "default"):
        return words["missing_min"].format(
            min=number(result.min_points, lang), points=number(result.points, lang)
        )
    return ""
