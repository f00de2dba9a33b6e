"""Shared validation of people data, used by forms, the API and imports alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from registry import vn
from registry.errors import ValidationFailed

INVALID_INPUT = "Dữ liệu nhập chưa hợp lệ. Vui lòng kiểm tra lại."
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


class FieldErrors:
    """Collects ``{field: [messages]}`` and raises one ValidationFailed at the end."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        """Record ``message`` against ``field``."""
        self.errors.setdefault(field, []).append(message)

    def check(self, field: str, parse: Callable[[Any], Any], value: Any) -> Any:
        """Return ``parse(value)``, recording its ValueError message against ``field``."""
        try:
            return parse(value)
        except (ValueError, TypeError) as error:
            self.add(field, str(error) or "Giá trị không hợp lệ.")
            return None

    def raise_if_any(self, message: str = INVALID_INPUT) -> None:
        """Raise ValidationFailed carrying every recorded error."""
        if self.errors:
            raise ValidationFailed(message, self.errors)


def whole_number(value: Any, low: int | None = None, high: int | None = None) -> int | None:
    """``value`` (an int, or a string of ASCII digits) as an int within ``[low, high]``, else None.

    ``str.isdigit`` also accepts "²" and other digits that ``int()`` refuses, and an id beyond
    :data:`MAX_ID` overflows the database's integer columns: checked with ``isdigit`` alone,
    both became server errors instead of "not found" or a field error.
    """
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 30:
        return None
    number = int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def record_id(value: Any) -> int | None:
    """An id typed into a form or a query (see :func:`whole_number`); None if it cannot be one."""
    return whole_number(value, 1, MAX_ID)


def parse_date(value: Any) -> date:
    """A date from a ``date`` object, an ISO string (API) or dd/mm/yyyy (forms, Excel)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Vui lòng nhập ngày (dd/mm/yyyy).")
    text = value.strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"Ngày không hợp lệ: {text}") from None
    return vn.parse_date_vn(text)


def optional_date(value: Any) -> date | None:
    """Like :func:`parse_date` but empty means None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value)


def required_text(max_length: int) -> Callable[[Any], str]:
    """A parser for a non-empty NFC string of at most ``max_length`` characters."""

    def parse(value: Any) -> str:
        text = vn.nfc(value) if isinstance(value, str) else ""
        if not text:
            raise ValueError("Trường này là bắt buộc.")
        if len(text) > max_length:
            raise ValueError(f"Tối đa {max_length} ký tự.")
        return text

    return parse


def optional_text(max_length: int) -> Callable[[Any], str]:
    """A parser for an optional NFC string (empty string when missing)."""

    def parse(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError("Giá trị phải là chuỗi ký tự.")
        text = vn.nfc(value)
        if len(text) > max_length:
            raise ValueError(f"Tối đa {max_length} ký tự.")
        return text

    return parse


def birth_date(value: Any, today: date) -> date:
    """A date of birth: not in the future and not before 1900."""
    born = parse_date(value)
    if born > today:
        raise ValueError("Ngày sinh không được ở tương lai.")
    if born.year < 1900:
        raise ValueError("Năm sinh phải từ 1900 trở đi.")
    return born


def optional_cccd(value: Any) -> str | None:
    """A 12-digit CCCD number, or None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return vn.validate_cccd(str(value))


def optional_phone(value: Any) -> str | None:
    """A 10-digit phone number, or None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return vn.validate_phone(str(value))


def positive_hours(value: Any) -> float:
    """Hours of learning: a number greater than 0 and at most 2,000."""
    try:
        hours = float(str(value).replace(",", ".")) if value not in (None, "") else None
    except ValueError:
        hours = None
    if hours is None or hours != hours:  # NaN check
        raise ValueError("Số giờ phải là một số.")
    hours = round(hours, 2)  # what is stored: 0.001 must not become an activity of 0 hours
    if not 0 < hours <= 2000:
        raise ValueError("Số giờ phải lớn hơn 0 và không quá 2.000.")
    return hours


def choice(options: Any) -> Callable[[Any], Any]:
    """A parser accepting one of ``options`` (an Enum class or a collection of strings)."""

    def parse(value: Any) -> Any:
        try:
            return options(value) if isinstance(options, type) else _member(options, value)
        except ValueError:
            raise ValueError("Giá trị không nằm trong danh sách cho phép.") from None

    return parse


def _member(options: Any, value: Any) -> Any:
    if value not in options:
        raise ValueError(value)
    return value
