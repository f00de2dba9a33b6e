"""Pure scoring helpers: the reference semantics the registry's SQL must reproduce.

``evaluate`` scores through these functions only, so a threshold table compiled to a SQL
``CASE`` expression, a share computed by ``GROUP BY`` and the Python explanation agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from criteria.model import Reason, Threshold


def points_for(thresholds: tuple[Threshold, ...], value: float) -> float:
    """Points of the highest threshold reached (``value >= threshold``, inclusive), else 0.

    ``thresholds`` must be sorted by value, highest first, as loaded sets are. In SQL this is
    ``CASE WHEN v >= t1 THEN p1 WHEN v >= t2 THEN p2 … ELSE 0 END`` in the same order.
    """
    for threshold, points in thresholds:
        if value >= threshold:
            return points
    return 0.0


def share_value(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` as a float, or ``None`` for an empty denominator.

    Compare the quotient with the threshold (SQL: ``CAST(n AS REAL) / d >= t``), never
    ``n >= t * d``: in binary floating point ``0.7 * 10`` is ``7.000000000000001``, so 7 of 10
    would wrongly fail a 70% threshold, while ``7 / 10 >= 0.7`` holds.
    """
    if denominator == 0:
        return None
    return numerator / denominator


def members_needed(numerator: int, denominator: int, threshold: float) -> int | None:
    """Smallest ``k ≥ 0`` with ``(numerator + k) / denominator >= threshold``.

    ``None`` when the denominator is empty or the threshold cannot be reached (``k`` would
    exceed the members not yet qualifying).
    """
    if denominator == 0:
        return None
    k = max(0, math.ceil(threshold * denominator) - numerator)
    # the float product above may be one off; settle with the same comparison as scoring
    while k > 0 and (numerator + k - 1) / denominator >= threshold:
        k -= 1
    while (numerator + k) / denominator < threshold:
        k += 1
        if numerator + k > denominator:
            return None
    return k


def clamp(score: float, max_points: float) -> float:
    """An entered score limited to ``0..max_points`` (SQL: ``MIN(MAX(s, 0), p)``)."""
    return min(max(score, 0.0), max_points)


@dataclass(frozen=True)
class Scored:
    """Points earned by one criterion and why."""

    points: float
    reason: Reason


def stepped(
    thresholds: tuple[Threshold, ...], value: float, missing: Callable[[float], float | None]
) -> Scored:
    """Score ``value`` on a threshold table and say what the next step up needs.

    :param missing: what is missing from ``value`` to a given threshold (hours, members…).
    """
    points = points_for(thresholds, value)
    reached = next((t for t, _unused in thresholds if value >= t), None)
    above = [pair for pair in thresholds if value < pair[0]]
    step = above[-1] if above else None
    return Scored(
        points,
        Reason(
            code="reached" if reached is not None else "below",
            value=value,
            threshold=reached if reached is not None else thresholds[-1][0],
            next_threshold=step[0] if step else None,
            next_points=step[1] if step else None,
            shortfall=missing(step[0]) if step else None,
        ),
    )


def gap(amount: float) -> float:
    """A difference rounded to 9 decimals for display (hours missing, etc.)."""
    # 10 - 7.3 is 2.7000000000000002 in floats; keep explanations clean
    return round(amount, 9)
