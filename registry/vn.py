"""Vietnamese text, name, date, identity-number and number conventions (stdlib only).

Everything here is pure: no Flask, no database, no locale settings. The functions follow
the conventions of ``/work/shared/domain.md`` §7:

* names are written family–middle–given and lists sort by **given name**, then middle name,
  then family name, in the Vietnamese alphabet;
* search ignores diacritics ("hang" finds "Hằng") and folds "đ" to "d" explicitly, because
  "đ" has no Unicode decomposition;
* dates are written dd/mm/yyyy, CCCD numbers have 12 digits, phone numbers 10 digits;
* numbers use a decimal comma and dot thousands separators ("1.234,5").

Sort key encoding (:func:`sort_key`)
------------------------------------
The key is a string of ASCII digits only, so that a plain ``ORDER BY`` gives the Vietnamese
order in SQLite and PostgreSQL whatever the column collation: glibc and ICU collations ignore
spaces and punctuation at their first level, but a digits-only string compares the same in
every collation and in binary.

The key is ``PRIMARY + SECONDARY``.

``PRIMARY`` is made of 2-digit codes::

    GIVEN 00 MIDDLE 00 FAMILY 00

where each name part is its words joined by ``01`` and each word is its letters, one code per
letter, tone marks and case ignored:

====  =========================================================================
code  meaning
====  =========================================================================
00    end of a name part (so a prefix sorts first: "An" before "Anh")
01    space between two words of the same part ("Thị Bích")
02-11 the ASCII digits 0-9 (before every letter)
12-44 ``a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z``: the
      Vietnamese alphabet, with the letters it lacks (f j w z) at their Latin place
99    any other letter (ç, ß, ø, a CJK character, ...): all such letters tie
====  =========================================================================

Punctuation inside a word (the apostrophe of "H'Hen", a hyphen) is ignored. Other marks on
a letter (the diaeresis of "ü") are ignored too; "ð"/"Ð", sometimes typed for "đ"/"Đ" in
legacy data, count as "đ".

``SECONDARY`` only matters when two primaries are equal, and then it has the same length in
both keys (same words, same letters), so it compares digit by digit:

* one digit per word, in the same order as the primary (given name first), for the tone:
  ``0`` none, ``1`` huyền (U+0300), ``2`` hỏi (U+0309), ``3`` ngã (U+0303),
  ``4`` sắc (U+0301), ``5`` nặng (U+0323). The tone belongs to the word, not the letter,
  so old-style "Hoà" and new-style "Hòa" get the same key;
* then the case of the letters, 0 for lower case and 1 for upper case, packed three letters
  to a digit (``0``-``7``, the first letter as the most significant bit), lower case first.

Length: the key never exceeds :data:`MAX_KEY_LENGTH` (255) characters, so it fits in a
``VARCHAR(255)``. A name of 60 letters in up to 30 words needs at most 230 characters. For
longer names the secondary part is cut first; if the primary alone is longer than 254
characters it is cut at 254 (a whole number of codes) and the secondary dropped. A truncated
key can then only tie with another name sharing its first 127 codes; it never sorts out of
place against a name whose key was not truncated.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = [
    "MAX_KEY_LENGTH",
    "age_on",
    "fold",
    "format_date_long_vn",
    "format_date_vn",
    "format_number_vn",
    "format_percent_vn",
    "nfc",
    "parse_date_vn",
    "search_tokens",
    "sort_key",
    "split_name",
    "validate_cccd",
    "validate_phone",
]

#: The longest key :func:`sort_key` returns (fits a ``VARCHAR(255)`` column).
MAX_KEY_LENGTH = 255

# --- text ---------------------------------------------------------------------------------

_D_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_LIKE_WILDCARDS = str.maketrans("", "", "%_\\")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with runs of whitespace collapsed to one space and
    leading and trailing whitespace removed.

    >>> nfc("  Nguye\u0302\u0303n   Văn\tAn ")
    'Nguyễn Văn An'
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """Return the search form of ``text``: lower case, without any diacritics, "đ" as "d",
    whitespace collapsed.

    Steps: NFC, lower case, NFD and drop every non-spacing mark (category Mn), map "đ"/"Đ"
    (and the look-alike "ð"/"Ð") to "d" — "đ" has no decomposition so NFD alone keeps it —
    and collapse whitespace.

    >>> fold("Nguyễn Văn Hằng")
    'nguyen van hang'
    >>> fold("ĐỨC")
    'duc'
    """
    lowered = unicodedata.normalize("NFC", text).lower()
    bare = "".join(
        ch for ch in unicodedata.normalize("NFD", lowered) if unicodedata.category(ch) != "Mn"
    )
    return " ".join(bare.translate(_D_FOLD).split())


def search_tokens(query: str) -> list[str]:
    """Split a search query into folded tokens, safe to put inside ``LIKE '%token%'``.

    The query is folded (see :func:`fold`), the LIKE wildcards ``%`` and ``_`` and the escape
    character ``\\`` are removed, and it is split on whitespace; empty tokens are dropped.

    >>> search_tokens("  Hằng  ĐỨC 50% ")
    ['hang', 'duc', '50']
    """
    return fold(query).translate(_LIKE_WILDCARDS).split()


# --- names --------------------------------------------------------------------------------

_WORD_JOINERS = frozenset("-'’ʼ")


def _title_word(word: str) -> str:
    """Capitalise one word: first letter and the letter after a hyphen or apostrophe.

    Works character by character on NFC text, so a decomposed combining mark can never make
    the next letter upper case (which ``str.title`` does on NFD input).
    """
    out: list[str] = []
    at_start = True
    for ch in word.lower():
        out.append(ch.title() if at_start else ch)
        at_start = ch in _WORD_JOINERS
    return "".join(out)


def split_name(full_name: str) -> tuple[str, str, str]:
    """Split a Vietnamese full name into ``(family, middle, given)``.

    Vietnamese names are written family–middle–given: the first word is the family name,
    the last the given name and anything between the middle name. One word is a given name
    only, two words are family and given name. The result is NFC with whitespace collapsed.
    If the input is entirely lower case or entirely upper case every word is capitalised
    (Vietnamese letters included); mixed-case input keeps its case.

    >>> split_name("Nguyễn Thị Bích Hằng")
    ('Nguyễn', 'Thị Bích', 'Hằng')
    >>> split_name("ĐẶNG THỊ MỸ HẠNH")
    ('Đặng', 'Thị Mỹ', 'Hạnh')
    >>> split_name("Lan")
    ('', '', 'Lan')
    """
    text = nfc(full_name)
    if text.islower() or text.isupper():
        text = " ".join(_title_word(word) for word in text.split(" "))
    words = text.split()
    if not words:
        return ("", "", "")
    if len(words) == 1:
        return ("", "", words[0])
    return (words[0], " ".join(words[1:-1]), words[-1])


# --- sort key -----------------------------------------------------------------------------

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_PART_END = "00"
_WORD_SEP = "01"
_OTHER_LETTER = "99"
_CODES: dict[str, str] = {
    **{str(digit): f"{digit + 2:02d}" for digit in range(10)},
    **{letter: f"{index + 12:02d}" for index, letter in enumerate(_ALPHABET)},
}
_TONES: dict[str, str] = {
    "\u0300": "1",  # huyền
    "\u0309": "2",  # hỏi
    "\u0303": "3",  # ngã
    "\u0301": "4",  # sắc
    "\u0323": "5",  # nặng
}
_MODIFIED: dict[tuple[str, str], str] = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_LETTER_ALIASES = {"ð": "đ"}
_SORTED_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lo", "Nd"})


class _Word:
    """The sort-relevant content of one word: letter codes, tone digit and case bits."""

    __slots__ = ("cases", "codes", "tone")

    def __init__(self, word: str) -> None:
        letters: list[str] = []
        self.cases: list[int] = []
        self.tone = "0"
        for ch in unicodedata.normalize("NFD", word):
            category = unicodedata.category(ch)
            if category == "Mn":
                self._mark(letters, ch)
            elif category in _SORTED_CATEGORIES:
                lower = ch.lower()
                letters.append(_LETTER_ALIASES.get(lower, lower))
                self.cases.append(1 if ch.isupper() else 0)
        self.codes = "".join(_CODES.get(letter, _OTHER_LETTER) for letter in letters)

    def _mark(self, letters: list[str], mark: str) -> None:
        """Apply a combining mark: a tone (first one wins) or a vowel modifier."""
        if mark in _TONES:
            if self.tone == "0":
                self.tone = _TONES[mark]
        elif letters:
            letters[-1] = _MODIFIED.get((letters[-1], mark), letters[-1])


def _pack_cases(bits: list[int]) -> str:
    """Pack case bits three to a digit, most significant first (fixed width per count)."""
    digits: list[str] = []
    for start in range(0, len(bits), 3):
        group = [*bits[start : start + 3], 0, 0][:3]
        digits.append(str(group[0] * 4 + group[1] * 2 + group[2]))
    return "".join(digits)


def _words(parts: Iterable[str]) -> list[list[_Word]]:
    """Encode each part's words, dropping words with nothing sortable (pure punctuation)."""
    encoded: list[list[_Word]] = []
    for part in parts:
        encoded.append([word for word in map(_Word, part.split()) if word.codes])
    return encoded


def sort_key(full_name: str) -> str:
    """Return a digits-only key that sorts full names the Vietnamese way.

    Order: given name, then middle name, then family name; within a part by the Vietnamese
    alphabet ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y`` (f j w z at their
    Latin places, digits before letters), a shorter prefix first ("An" before "Anh"). Only
    when all letters are equal do the tones decide (none, huyền, hỏi, ngã, sắc, nặng) and
    then the case (lower first). The name is first normalised with :func:`split_name`.

    The key uses only the characters 0-9, so binary comparison and ``ORDER BY`` in SQLite
    and PostgreSQL agree whatever the collation; it is at most :data:`MAX_KEY_LENGTH`
    characters long. The encoding is documented in the module docstring.

    >>> names = ["Trần Thị Đào", "Lê Văn Dũng", "Nguyễn Văn Bình"]
    >>> sorted(names, key=sort_key)
    ['Nguyễn Văn Bình', 'Lê Văn Dũng', 'Trần Thị Đào']
    """
    family, middle, given = split_name(full_name)
    parts = _words((given, middle, family))
    primary = "".join(_WORD_SEP.join(word.codes for word in part) + _PART_END for part in parts)
    if len(primary) >= MAX_KEY_LENGTH:
        return primary[: MAX_KEY_LENGTH - 1]
    words = [word for part in parts for word in part]
    tones = "".join(word.tone for word in words)
    cases = _pack_cases([bit for word in words for bit in word.cases])
    return (primary + tones + cases)[:MAX_KEY_LENGTH]


# --- dates --------------------------------------------------------------------------------

_DATE_RE = re.compile(r"([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]{4})")
_MIN_YEAR = 1900
_MAX_YEAR = 2100


def _shown(text: str, limit: int = 40) -> str:
    """``text`` tidied for an error message: NFC, at most ``limit`` characters, never empty."""
    tidy = nfc(text)
    if not tidy:
        return '""'
    return tidy if len(tidy) <= limit else tidy[: limit - 1] + "…"


def parse_date_vn(text: str) -> date:
    """Parse a Vietnamese date "dd/mm/yyyy" (also "d/m/yyyy", "dd-mm-yyyy", "dd.mm.yyyy").

    Surrounding whitespace is ignored; the two separators must be the same. Raises
    ``ValueError`` with a Vietnamese message for anything else, for impossible dates such as
    31/02/2024 and for years before 1900 or after 2100.

    >>> parse_date_vn("5/3/2025")
    datetime.date(2025, 3, 5)
    """
    match = _DATE_RE.fullmatch(text.strip())
    error = f"Ngày không hợp lệ: {_shown(text)} (định dạng dd/mm/yyyy)"
    if match is None:
        raise ValueError(error)
    day, _, month, year = match.groups()
    if not _MIN_YEAR <= int(year) <= _MAX_YEAR:
        raise ValueError(error)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(error) from None


def format_date_vn(d: date | None) -> str:
    """Format a date as "dd/mm/yyyy" ("05/03/2025"); ``None`` gives ""."""
    if d is None:
        return ""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_date_long_vn(d: date | None) -> str:
    """Format a date the way administrative documents write it: "ngày 05 tháng 3 năm 2025".

    Following Decree 30/2020/NĐ-CP (Appendix I), days below 10 and the months 1 and 2 take a
    leading zero ("ngày 05 tháng 02 năm 2025") so that they cannot be altered into 11 or 12;
    other months do not ("tháng 3"). ``None`` gives "".
    """
    if d is None:
        return ""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def age_on(birth_date: date, on: date) -> int:
    """Return the age in completed years on the day ``on``.

    Someone born on 29 February completes a year on 1 March in common years. Raises
    ``ValueError`` if ``on`` is before ``birth_date``.

    >>> age_on(date(1990, 6, 15), date(2025, 6, 14))
    34
    """
    if on < birth_date:
        raise ValueError(
            f"Ngày tính tuổi {format_date_vn(on)} trước ngày sinh {format_date_vn(birth_date)}"
        )
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


# --- identity numbers ---------------------------------------------------------------------

_CCCD_RE = re.compile(r"[0-9]{12}")
_CCCD_MESSAGE = "Số CCCD phải gồm đúng 12 chữ số"
_PROVINCE_MAX = 96
_PHONE_RE = re.compile(r"0[0-9]{9}")
_PHONE_STRIP = str.maketrans("", "", ".-")
_PHONE_MESSAGE = "Số điện thoại phải gồm đúng 10 chữ số, bắt đầu bằng 0 (hoặc +84)"


def validate_cccd(text: str) -> str:
    """Return the 12 digits of a citizen identity card (CCCD) number.

    Whitespace anywhere is removed. The number must be exactly 12 ASCII digits whose first
    three digits are a birth-province code from 001 to 096. Otherwise raises ``ValueError``
    whose message starts "Số CCCD phải gồm đúng 12 chữ số".

    >>> validate_cccd("001 090 012345")
    '001090012345'
    """
    digits = "".join(text.split())
    if not _CCCD_RE.fullmatch(digits):
        raise ValueError(_CCCD_MESSAGE)
    if not 1 <= int(digits[:3]) <= _PROVINCE_MAX:
        raise ValueError(f"{_CCCD_MESSAGE}, bắt đầu bằng mã tỉnh nơi đăng ký khai sinh (001–096)")
    return digits


def validate_phone(text: str) -> str:
    """Return a phone number as 10 digits starting with 0.

    Whitespace, dots and dashes are removed; the international form "+84xxxxxxxxx" becomes
    "0xxxxxxxxx". Anything that is not then exactly 10 digits starting with 0 raises
    ``ValueError`` with a Vietnamese message.

    >>> validate_phone("+84 912.345.678")
    '0912345678'
    """
    number = "".join(text.split()).translate(_PHONE_STRIP)
    if number.startswith("+84"):
        number = "0" + number[3:]
    if not _PHONE_RE.fullmatch(number):
        raise ValueError(_PHONE_MESSAGE)
    return number


# --- numbers ------------------------------------------------------------------------------

_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})


def _format_decimal(value: Decimal, decimals: int) -> str:
    """Round half up to ``decimals`` places and write with Vietnamese separators."""
    if decimals < 0:
        raise ValueError("Số chữ số thập phân không được âm")
    with localcontext() as context:
        context.prec = max(28, value.adjusted() + decimals + 2)
        rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    return f"{rounded:,.{decimals}f}".translate(_SWAP_SEPARATORS)


def _to_decimal(x: float) -> Decimal:
    """The decimal a human reads in ``x`` (its shortest repr), finite only."""
    if isinstance(x, int):
        return Decimal(x)
    if not math.isfinite(x):
        raise ValueError(f"Không phải một số hữu hạn: {x}")
    return Decimal(repr(x))


def format_number_vn(x: float, decimals: int = 1) -> str:
    """Format a number with a decimal comma and dot thousands separators.

    Rounds half up on the number as written (2.25 → "2,3"), never shows "-0". Raises
    ``ValueError`` for NaN, infinities and negative ``decimals``.

    >>> format_number_vn(1234.5)
    '1.234,5'
    >>> format_number_vn(1234567, 0)
    '1.234.567'
    """
    return _format_decimal(_to_decimal(x), decimals)


def format_percent_vn(fraction: float, decimals: int = 1) -> str:
    """Format a fraction as a Vietnamese percentage: 0.7777 → "77,8%".

    >>> format_percent_vn(0.778)
    '77,8%'
    """
    return _format_decimal(_to_decimal(fraction) * 100, decimals) + "%"


VIETNAM_TZ = _dt.timezone(_dt.timedelta(hours=7), "ICT")


def local_date(moment: _dt.datetime) -> _dt.date:
    """The calendar date in Vietnam (UTC+7, no daylight saving) of a stored timestamp.

    Naive timestamps (SQLite drops the zone) are taken as UTC, as they were stored.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    return moment.astimezone(VIETNAM_TZ).date()
