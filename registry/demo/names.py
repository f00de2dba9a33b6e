"""Plausible Vietnamese names: weighted draws, per-commune family names, cached sort keys."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

from registry import vn
from registry.demo import data

T = TypeVar("T")

#: people born before this year get the older generation's names ("Văn", "Thị", "Hùng", "Thơm")
YOUNG_FROM = 1985


class Pick(Generic[T]):
    """A weighted random choice costing one ``random()`` and a bisect.

    ``random.choices`` re-adds the weights on every call; the demo draws millions of names.
    """

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, weighted: Sequence[tuple[T, float]]) -> None:
        self._items = [item for item, _weight in weighted]
        self._cumulative = list(accumulate(weight for _item, weight in weighted))
        self._total = self._cumulative[-1]

    @classmethod
    def ranked(cls, items: Sequence[T]) -> Pick[T]:
        """Earlier items more common (weight 1/(rank+3)), as with real name frequencies."""
        return cls([(item, 1 / (rank + 3)) for rank, item in enumerate(items)])

    def __call__(self, rng: random.Random) -> T:
        return self._items[bisect(self._cumulative, rng.random() * self._total)]


def _by_generation(table: Mapping[str, Sequence[tuple[str, float]]]) -> dict[bool, Pick[str]]:
    return {False: Pick(table["old"]), True: Pick(table["young"])}


def _ranked_by_generation(table: Mapping[str, Sequence[str]]) -> dict[bool, Pick[str]]:
    return {False: Pick.ranked(table["old"]), True: Pick.ranked(table["young"])}


class NameMaker:
    """Draws names; family names follow the commune's own mix (a few lineages dominate)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._middle = {
            "M": _by_generation(data.MALE_MIDDLE),
            "F": _by_generation(data.FEMALE_MIDDLE),
        }
        self._given = {
            "M": _ranked_by_generation(data.MALE_GIVEN),
            "F": _ranked_by_generation(data.FEMALE_GIVEN),
        }
        self._everywhere = Pick(data.FAMILY_NAMES)
        self._local = self._everywhere

    def settle_in(self) -> None:
        """Start a new commune: three family names are much more common there than elsewhere."""
        boosted = set(self.rng.sample([name for name, _w in data.FAMILY_NAMES[:12]], 3))
        self._local = Pick(
            [(name, weight * (4 if name in boosted else 1)) for name, weight in data.FAMILY_NAMES]
        )

    def local_family(self) -> str:
        """A family name of a lineage living in the current commune."""
        return self._local(self.rng)

    def any_family(self) -> str:
        """A family name from anywhere (a wife married in from another commune)."""
        return self._everywhere(self.rng)

    def middle(self, gender: str, born: int) -> str:
        """A middle name fitting the sex and the generation."""
        return self._middle[gender][born >= YOUNG_FROM](self.rng)

    def given(self, gender: str, born: int) -> str:
        """A given name fitting the sex and the generation."""
        return self._given[gender][born >= YOUNG_FROM](self.rng)


class NameKeys:
    """``(full_name, sort_key, search_name)`` of a name, cached: names repeat a lot."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], tuple[str, str, str]] = {}

    def __call__(self, family: str, middle: str, given: str) -> tuple[str, str, str]:
        parts = (family, middle, given)
        keys = self._cache.get(parts)
        if keys is None:
            full_name = f"{family} {middle} {given}"
            keys = self._cache[parts] = (full_name, vn.sort_key(full_name), vn.fold(full_name))
        return keys
