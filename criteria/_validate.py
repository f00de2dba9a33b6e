"""Helpers that check parsed TOML values and collect every problem with its file and place.

The getters never raise: they record a problem and return ``None``, so a loader can report
all the mistakes of a file in one go.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Collection, Mapping
from typing import Any

from criteria.errors import CriteriaError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
YEAR_MIN, YEAR_MAX = 1945, 2200

Table = Mapping[str, Any]

_TYPE_NAMES = {
    "str": "chuỗi (string)",
    "int": "số nguyên (integer)",
    "float": "số thực (float)",
    "bool": "đúng/sai (boolean)",
    "list": "danh sách (array)",
    "dict": "bảng (table)",
}


def read_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; every way ``tomllib`` can refuse it becomes one ``CriteriaError``.

    :raises CriteriaError: naming ``source``.
    """
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer of more than 4300 digits
        problem = str(exc)
    except RecursionError:  # tomllib reads nested arrays and inline tables recursively
        problem = "lồng quá sâu (nested too deeply)"
    raise CriteriaError(f"{source}: lỗi cú pháp TOML (syntax error): {problem}")


def type_name(value: object) -> str:
    """A Vietnamese name with the TOML term for the type of a parsed value."""
    name = type(value).__name__
    return _TYPE_NAMES.get(name, f"giá trị kiểu {name}")


def show(value: object) -> str:
    """A short rendering of a value for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def at(place: str, key: str | int) -> str:
    """Extend a place: ``at("pass", "min_total")`` → ``pass.min_total``; ints print 1-based."""
    if isinstance(key, int):
        return f"{place}[{key + 1}]"
    return f"{place}.{key}" if place else key


class Problems:
    """Collects the problems of one source file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, place: str, message: str) -> None:
        """Record a problem at ``place`` (empty place = the whole file)."""
        where = f"{self.source}: {place}: " if place else f"{self.source}: "
        self.items.append(where + message)

    def raise_if_any(self) -> None:
        """Raise one ``CriteriaError`` listing every problem recorded so far."""
        if self.items:
            raise CriteriaError(self.items)

    # --- structure ---------------------------------------------------------------------

    def keys(
        self, table: Table, place: str, allowed: Collection[str], required: Collection[str]
    ) -> None:
        """Report missing required keys and unknown keys (with a close match as a hint)."""
        for key in required:
            if key not in table:
                self.add(place, f"thiếu khóa bắt buộc (missing required key) {key!r}")
        for key in table:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                suggestion = f" — có phải là {hint[0]!r}?" if hint else ""
                self.add(place, f"khóa không hợp lệ (unknown key) {key!r}{suggestion}")

    def wrong_type(self, place: str, expected: str, value: object) -> None:
        """Record a type mismatch."""
        self.add(place, f"phải là {expected}, nhận được {type_name(value)} {show(value)}")

    # --- typed getters ------------------------------------------------------------------

    def text(self, table: Table, key: str, place: str) -> str | None:
        """A non-empty string, or ``None`` when absent or invalid."""
        if key not in table:
            return None
        value = table[key]
        where = at(place, key)
        if not isinstance(value, str):
            self.wrong_type(where, _TYPE_NAMES["str"], value)
            return None
        if not value.strip():
            self.add(where, "không được để trống (empty string)")
            return None
        return value

    def slug(self, table: Table, key: str, place: str) -> str | None:
        """A lowercase slug such as ``cong-dan-hoc-tap``."""
        value = self.text(table, key, place)
        if value is not None and not SLUG.match(value):
            self.add(
                at(place, key),
                f"{value!r} không phải mã hợp lệ (slug): chỉ chữ thường không dấu, số và '-'",
            )
            return None
        return value

    def choice(self, table: Table, key: str, place: str, options: Collection[str]) -> str | None:
        """One of ``options``."""
        value = self.text(table, key, place)
        if value is not None and value not in options:
            self.add(
                at(place, key),
                f"giá trị {value!r} không hợp lệ; chọn một trong: {', '.join(options)}",
            )
            return None
        return value

    def integer(
        self, table: Table, key: str, place: str, low: int | None = None, high: int | None = None
    ) -> int | None:
        """An integer within ``[low, high]``."""
        if key not in table:
            return None
        value = table[key]
        where = at(place, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong_type(where, _TYPE_NAMES["int"], value)
            return None
        return value if self._in_range(where, value, low, high) else None

    def year(self, table: Table, key: str, place: str) -> int | None:
        """A calendar year."""
        return self.integer(table, key, place, YEAR_MIN, YEAR_MAX)

    def number(
        self,
        table: Table,
        key: str,
        place: str,
        low: float | None = None,
        high: float | None = None,
    ) -> float | None:
        """A finite number (TOML integer or float) within ``[low, high]``, as a float."""
        if key not in table:
            return None
        return self.number_value(table[key], at(place, key), low, high)

    def number_value(
        self, value: object, where: str, low: float | None = None, high: float | None = None
    ) -> float | None:
        """Check an already extracted value as a finite number."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.wrong_type(where, "số (number)", value)
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer beyond the float range
            number = math.inf
        if not math.isfinite(number):
            self.add(where, f"phải là số hữu hạn (finite number), nhận được {show(value)}")
            return None
        return number if self._in_range(where, number, low, high) else None

    def _in_range(self, where: str, value: float, low: float | None, high: float | None) -> bool:
        if low is not None and value < low:
            self.add(where, f"phải ≥ {fmt(low)}, nhận được {fmt(value)}")
            return False
        if high is not None and value > high:
            self.add(where, f"phải ≤ {fmt(high)}, nhận được {fmt(value)}")
            return False
        return True

    def table(self, table: Table, key: str, place: str) -> Table | None:
        """A sub-table."""
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, dict):
            self.wrong_type(at(place, key), _TYPE_NAMES["dict"], value)
            return None
        return value

    def array(self, table: Table, key: str, place: str) -> list[Any] | None:
        """An array (possibly empty)."""
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, list):
            self.wrong_type(at(place, key), _TYPE_NAMES["list"], value)
            return None
        return value

    def tables(self, table: Table, key: str, place: str) -> list[tuple[int, Table]]:
        """An array of tables (``[[key]]``) with each entry's index; bad entries are reported."""
        items = self.array(table, key, place) or []
        good: list[tuple[int, Table]] = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                good.append((index, item))
            else:
                self.wrong_type(at(at(place, key), index), _TYPE_NAMES["dict"], item)
        return good

    def slugs(
        self, table: Table, key: str, place: str, options: Collection[str] | None = None
    ) -> tuple[str, ...] | None:
        """An array of distinct slugs (or of ``options`` when given)."""
        items = self.array(table, key, place)
        if items is None:
            return None
        result: list[str] = []
        for index, item in enumerate(items):
            where = at(at(place, key), index)
            if not isinstance(item, str):
                self.wrong_type(where, _TYPE_NAMES["str"], item)
            elif options is not None and item not in options:
                self.add(where, f"{item!r} không hợp lệ; chọn trong: {', '.join(options)}")
            elif options is None and not SLUG.match(item):
                self.add(where, f"{item!r} không phải mã hợp lệ (slug)")
            elif item in result:
                self.add(where, f"{item!r} bị lặp (duplicate)")
            else:
                result.append(item)
        return tuple(result)

    def strings(self, table: Table, key: str, place: str) -> tuple[str, ...] | None:
        """An array of non-empty strings."""
        items = self.array(table, key, place)
        if items is None:
            return None
        result: list[str] = []
        for index, item in enumerate(items):
            if isinstance(item, str) and item.strip():
                result.append(item)
            else:
                self.wrong_type(at(at(place, key), index), "chuỗi không rỗng (string)", item)
        return tuple(result)


def fmt(value: float) -> str:
    """A number for a validation message: ``10`` rather than ``10.0``; huge integers cut short."""
    if isinstance(value, int):
        return show(value)
    return str(int(value)) if value.is_integer() else str(value)
