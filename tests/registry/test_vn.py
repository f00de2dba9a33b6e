"""Tests for registry.vn: Vietnamese text, name, date, number and identity-number helpers."""

from __future__ import annotations

import ast
import doctest
import itertools
import re
import sqlite3
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry import vn

QUICK = settings(database=None, deadline=None, max_examples=300)
THOROUGH = settings(database=None, deadline=None, max_examples=500)

DIGITS_ONLY = re.compile(r"^[0-9]+$")
VN_BASE = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
VN_VOWELS = frozenset("aăâeêioôơuưy")
REF_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
TONE_MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # conventional order
TONE_SET = frozenset(TONE_MARKS[1:])
VN_LETTERS = sorted(
    {
        unicodedata.normalize("NFC", base + tone)
        for base in VN_BASE
        for tone in (TONE_MARKS if base in VN_VOWELS else ("",))
    }
)
VN_LETTERS_BOTH_CASES = sorted(set(VN_LETTERS) | {letter.upper() for letter in VN_LETTERS})


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def shuffled(items: list[str]) -> list[str]:
    """A fixed scrambling of ``items``: odd positions reversed, then even positions."""
    return [*items[1::2][::-1], *items[::2]]


def is_sorted(keys: list[str]) -> bool:
    return all(a < b for a, b in itertools.pairwise(keys))


# --- strategies ---------------------------------------------------------------------------


@st.composite
def vn_words(draw: st.DrawFn, alphabet: str = VN_BASE) -> str:
    """One word: letters from ``alphabet``, its tone on the first vowel, maybe capitalised."""
    letters = draw(st.lists(st.sampled_from(alphabet), min_size=1, max_size=7))
    tone = draw(st.sampled_from(TONE_MARKS))
    vowel = next((i for i, letter in enumerate(letters) if letter in VN_VOWELS), None)
    if vowel is not None:
        letters[vowel] += tone
    word = unicodedata.normalize("NFC", "".join(letters))
    return word[0].upper() + word[1:] if draw(st.booleans()) else word


vn_names = st.lists(vn_words(), min_size=1, max_size=5).map(" ".join)
vn_text = st.text(alphabet=[*VN_LETTERS_BOTH_CASES, " ", "\t", "\u00a0"], max_size=40)
in_range_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


# --- a reference ordering, written independently of the key encoding ----------------------


def ref_word(word: str) -> tuple[list[int], int, list[int]]:
    """(alphabet positions of the toneless letters, tone rank, case bits) of one word."""
    decomposed = nfd(word)
    tone = next((TONE_MARKS.index(ch) for ch in decomposed if ch in TONE_SET), 0)
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_SET))
    letters = [REF_ALPHABET.index(ch) for ch in toneless.lower()]
    return letters, tone, [int(ch.isupper()) for ch in toneless]


def ref_key(full_name: str) -> tuple[list[list[list[int]]], list[int], list[int]]:
    family, middle, given_name = vn.split_name(full_name)
    words = [[ref_word(word) for word in part.split()] for part in (given_name, middle, family)]
    primary = [[letters for letters, _, _ in part] for part in words]
    tones = [tone for part in words for _, tone, _ in part]
    cases = [bit for part in words for _, _, bits in part for bit in bits]
    return primary, tones, cases


def sign(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


# --- module hygiene -----------------------------------------------------------------------


def test_module_imports_only_the_standard_library() -> None:
    source = Path(vn.__file__).read_text(encoding="utf-8")
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}


def test_doctests_pass() -> None:
    result = doctest.testmod(vn, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0


def test_every_public_function_has_a_docstring() -> None:
    for name in vn.__all__:
        member = getattr(vn, name)
        if callable(member):
            assert member.__doc__, name


# --- nfc ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        (nfd("Nguyễn Thị Bích Hằng"), "Nguyễn Thị Bích Hằng"),
        ("  Trần\t\tVăn \n Ba  ", "Trần Văn Ba"),
        ("Lê\u00a0Thị\u2003Hoa", "Lê Thị Hoa"),
        ("", ""),
        (" \t\n ", ""),
        ("Đặng", "Đặng"),
    ],
)
def test_nfc(text: str, expected: str) -> None:
    assert vn.nfc(text) == expected
    assert unicodedata.is_normalized("NFC", vn.nfc(text))


@QUICK
@given(st.text())
def test_nfc_is_idempotent_and_has_no_stray_whitespace(text: str) -> None:
    once = vn.nfc(text)
    assert vn.nfc(once) == once
    assert once == once.strip()
    assert "  " not in once


# --- fold ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn Hằng", "nguyen van hang"),
        ("ĐỨC", "duc"),
        ("đường Đồng Khởi", "duong dong khoi"),
        (nfd("Nguyễn Thị Bích Hằng"), "nguyen thi bich hang"),
        ("Quỳnh   Như\t", "quynh nhu"),
        ("Ưng Ơn Ấm Ẩn Ỹ", "ung on am an y"),
        ("Ða Ðức", "da duc"),  # eth look-alikes typed for Đ
        ("Phạm Ngọc Thạch 12", "pham ngoc thach 12"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert vn.fold(text) == expected


def test_fold_covers_every_vietnamese_letter() -> None:
    for letter in VN_LETTERS_BOTH_CASES:
        folded = vn.fold(letter)
        assert len(folded) == 1, letter
        assert folded in "abcdeghiklmnopqrstuvxy", letter


@THOROUGH
@given(vn_text)
def test_fold_of_vietnamese_text_is_ascii_and_idempotent(text: str) -> None:
    folded = vn.fold(text)
    assert folded.isascii()
    assert folded == folded.lower()
    assert vn.fold(folded) == folded
    assert vn.fold(nfd(text)) == folded
    assert vn.fold(text.upper()) == folded


@QUICK
@given(st.text())
def test_fold_is_idempotent_on_any_text(text: str) -> None:
    folded = vn.fold(text)
    assert vn.fold(folded) == folded
    assert not any(unicodedata.category(ch) == "Mn" for ch in folded)
    assert "đ" not in folded


# --- search_tokens ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Hằng", ["hang"]),
        ("  Nguyễn   Thị\tHẰNG ", ["nguyen", "thi", "hang"]),
        ("ĐỨC", ["duc"]),
        ("100%", ["100"]),
        ("a%b_c\\d", ["abcd"]),
        ("% _ \\", []),
        ("%%hang%%", ["hang"]),
        ("", []),
        ("   ", []),
        ("079123", ["079123"]),
    ],
)
def test_search_tokens(query: str, expected: list[str]) -> None:
    assert vn.search_tokens(query) == expected


@QUICK
@given(st.text())
def test_search_tokens_are_safe_for_like(query: str) -> None:
    for token in vn.search_tokens(query):
        assert token
        assert not set(token) & {"%", "_", "\\"}
        assert token == token.strip()
        assert not any(ch.isspace() for ch in token)
        assert vn.fold(token) == token


def test_search_tokens_find_names_in_sqlite() -> None:
    names = ["Nguyễn Thị Bích Hằng", "Trần Văn Đức", "Lê Hằng Nga", "Phạm Văn Hùng"]
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE person (name TEXT, folded TEXT)")
        db.executemany("INSERT INTO person VALUES (?, ?)", [(n, vn.fold(n)) for n in names])
        tokens = vn.search_tokens("hang %")
        where = " AND ".join("folded LIKE ?" for _ in tokens)
        rows = db.execute(
            f"SELECT name FROM person WHERE {where} ORDER BY name",  # noqa: S608 - fixed clauses
            [f"%{token}%" for token in tokens],
        ).fetchall()
    assert [row[0] for row in rows] == ["Lê Hằng Nga", "Nguyễn Thị Bích Hằng"]


# --- split_name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Nguyễn Thị Bích Hằng", ("Nguyễn", "Thị Bích", "Hằng")),
        ("Trần Văn An", ("Trần", "Văn", "An")),
        ("Lê Lợi", ("Lê", "", "Lợi")),
        ("Lan", ("", "", "Lan")),
        ("", ("", "", "")),
        ("   ", ("", "", "")),
        ("ĐẶNG THỊ MỸ HẠNH", ("Đặng", "Thị Mỹ", "Hạnh")),
        (nfd("ĐẶNG THỊ MỸ HẠNH"), ("Đặng", "Thị Mỹ", "Hạnh")),
        ("đặng thị mỹ hạnh", ("Đặng", "Thị Mỹ", "Hạnh")),
        (nfd("nguyễn ngọc ánh"), ("Nguyễn", "Ngọc", "Ánh")),
        ("ưng hoàng phúc", ("Ưng", "Hoàng", "Phúc")),
        ("  tôn   nữ  thị   ơn ", ("Tôn", "Nữ Thị", "Ơn")),
        ("H'HEN NIÊ", ("H'Hen", "", "Niê")),
        ("y-moan ênuôl", ("Y-Moan", "", "Ênuôl")),
        ("LAN", ("", "", "Lan")),
        ("Nguyễn văn AN", ("Nguyễn", "văn", "AN")),  # mixed case is kept as typed
        ("McNeil Văn Tèo", ("McNeil", "Văn", "Tèo")),
    ],
)
def test_split_name(full_name: str, expected: tuple[str, str, str]) -> None:
    result = vn.split_name(full_name)
    assert result == expected
    assert all(unicodedata.is_normalized("NFC", part) for part in result)


@QUICK
@given(vn_names)
def test_split_name_keeps_every_word(full_name: str) -> None:
    family, middle, given_name = vn.split_name(full_name)
    rejoined = " ".join(part for part in (family, middle, given_name) if part)
    assert rejoined.lower() == vn.nfc(full_name).lower()
    assert vn.split_name(rejoined) == (family, middle, given_name)
    assert vn.split_name(full_name.upper()) == vn.split_name(full_name.lower())


# --- sort_key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ordered",
    [
        pytest.param(["Trần Văn An", "Lê Thị Ánh"], id="an-before-anh"),
        pytest.param(
            ["Nguyễn Văn Bình", "Phạm Thị Chi", "Lê Văn Dũng", "Trần Thị Đào", "Hoàng Văn Em"],
            id="b-c-d-đ-e",
        ),
        pytest.param(["Lê Thị Anh", "Lê Thị Ánh"], id="tone-breaks-tie"),
        pytest.param(["Nguyễn Thị Hạnh", "Nguyễn Thị Hằng"], id="a-before-ă"),
        pytest.param(["Trần Thị Lan", "Nguyễn Văn Lan"], id="then-middle"),
        pytest.param(["Nguyễn Văn Lan", "Trần Văn Lan"], id="then-family"),
        pytest.param(["An", "Trần An", "Lê Văn An", "Trần Văn An", "Lê Anh"], id="prefixes"),
        pytest.param(
            ["Nguyễn Thị Lan", "Nguyễn Thị Bích Lan", "Nguyễn Thịnh Lan"], id="multi-word-middle"
        ),
        pytest.param(["Lê Ma", "Lê Mà", "Lê Mả", "Lê Mã", "Lê Má", "Lê Mạ"], id="tone-order"),
        pytest.param(["Lê Mạ", "Lê Mác"], id="letters-beat-tones"),
        pytest.param(["Lê Tam", "Lê Tám", "Lê Tăm", "Lê Tâm", "Lê Tầm"], id="letters-then-tone"),
        pytest.param(
            ["Lê Ba", "Lê Bă", "Lê Bâ", "Lê Bb", "Lê Bc", "Lê Bd", "Lê Bđ", "Lê Be", "Lê Bê"],
            id="vowel-modifiers",
        ),
        pytest.param(["Lê Bo", "Lê Bô", "Lê Bơ", "Lê Bp"], id="o-ô-ơ"),
        pytest.param(["Lê Tu", "Lê Tư", "Lê Tv"], id="u-ư"),
        pytest.param(["Lê Dũng", "Lê Dương", "Lê Đan"], id="d-block-before-đ"),
        pytest.param(["Lê Êm", "Lê Fan", "Lê Giang"], id="f-between-ê-and-g"),
        pytest.param(["Lê Ích", "Lê Jun", "Lê Kha"], id="j-between-i-and-k"),
        pytest.param(["Lê Vy", "Lê Wan", "Lê Xuân", "Lê Yến", "Lê Zin"], id="w-and-z"),
        pytest.param(  # digits compare one by one, like letters; all before letters
            ["Lê Văn 1", "Lê Văn 10", "Lê Văn 2", "Lê Văn A"], id="digits-before-letters"
        ),
        pytest.param(["Nguyễn Văn an", "Nguyễn Văn An"], id="lower-case-first"),
        pytest.param(["Trần Thị Thu", "Trần Thị Thư", "Trần Thị Thứ", "Trần Thị Thừa"], id="thu"),
    ],
)
def test_sort_key_orders(ordered: list[str]) -> None:
    keys = [vn.sort_key(name) for name in ordered]
    assert all(DIGITS_ONLY.match(key) for key in keys)
    assert is_sorted(keys)
    assert sorted(shuffled(ordered), key=vn.sort_key) == ordered


def test_sort_key_full_staff_list() -> None:
    names = [
        "Hoàng Văn Em",
        "Trần Thị Đào",
        "Nguyễn Thị Hằng",
        "Lê Văn Dũng",
        "Lê Thị Ánh",
        "Phạm Thị Chi",
        "Nguyễn Văn Lan",
        "Trần Văn An",
        "Nguyễn Thị Hạnh",
        "Lê Thị Anh",
        "Nguyễn Văn Bình",
        "Trần Thị Lan",
    ]
    assert sorted(names, key=vn.sort_key) == [
        "Trần Văn An",
        "Lê Thị Anh",
        "Lê Thị Ánh",
        "Nguyễn Văn Bình",
        "Phạm Thị Chi",
        "Lê Văn Dũng",
        "Trần Thị Đào",
        "Hoàng Văn Em",
        "Nguyễn Thị Hạnh",
        "Nguyễn Thị Hằng",
        "Trần Thị Lan",
        "Nguyễn Văn Lan",
    ]


def test_sort_key_follows_the_vietnamese_alphabet() -> None:
    names = [f"Lê {letter}" for letter in REF_ALPHABET]
    assert sorted(shuffled(names), key=vn.sort_key) == names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nguyễn Văn Hòa", "Nguyễn Văn Hoà"),  # new and old tone placement
        ("Nguyễn Văn Hòa", nfd("Nguyễn Văn Hòa")),
        ("  Nguyễn   Văn\tHòa ", "Nguyễn Văn Hòa"),
        ("NGUYỄN VĂN HÒA", "nguyễn văn hòa"),
        ("nguyễn văn hòa", "Nguyễn Văn Hòa"),
        ("H'Hen Niê", "HHen Niê"),  # punctuation is ignored
        ("Ðào", "Đào"),  # eth look-alike counts as đ
    ],
)
def test_sort_key_equivalent_spellings(a: str, b: str) -> None:
    assert vn.sort_key(a) == vn.sort_key(b)


@pytest.mark.parametrize(
    "name", ["", "Lan", "Nguyễn Thị Bích Hằng", "Ông Ích Khiêm", "François Nguyễn", "李 小龍", "-"]
)
def test_sort_key_is_digits_only(name: str) -> None:
    key = vn.sort_key(name)
    assert DIGITS_ONLY.match(key)
    assert len(key) <= vn.MAX_KEY_LENGTH


def test_sort_key_encoding_is_documented_layout() -> None:
    # given "An" = a(12) n(29); part ends 00; no middle; family "Lê" = l(27) ê(20);
    # tones: An none, Lê none -> "00"; case bits A n L ê = 101|0(00) -> "5" "0".
    assert vn.sort_key("Lê An") == "1229" + "00" + "00" + "2720" + "00" + "00" + "50"
    # tone digits follow the words' order, given name first: Hằng huyền, Lê none
    assert vn.sort_key("Lê Hằng").endswith("00" + "10" + "42")


def untruncated_length(words: list[str]) -> int:
    letters = sum(len(word) for word in words)
    parts = min(len(words), 3)
    return 2 * (letters + (len(words) - parts) + 3) + len(words) + -(-letters // 3)


@pytest.mark.parametrize(
    "words",
    [
        [  # 60 letters, 16 words
            *["Nguyễn", "Tôn", "Nữ", "Thị", "Huyền", "Trân", "Công", "Huyền", "Tôn", "Nữ"],
            *["Đoan", "Trang", "Ngọc", "Bảo", "Anh", "Minh"],
        ],
        ["Lý"] * 30,  # 60 letters, 30 words
        ["Nguyễn" + "n" * 24, "Hoàng" + "g" * 25],  # 60 letters, 2 words
    ],
)
def test_sort_key_fits_varchar_255_for_sixty_letters(words: list[str]) -> None:
    assert sum(len(word) for word in words) == 60
    key = vn.sort_key(" ".join(words))
    assert len(key) == untruncated_length(words)
    assert len(key) <= vn.MAX_KEY_LENGTH


def test_sort_key_fits_varchar_255_for_many_short_words() -> None:
    name = " ".join(["Lý"] * 30)  # 60 letters, 30 words
    key = vn.sort_key(name)
    assert len(key) <= vn.MAX_KEY_LENGTH
    assert vn.sort_key(name.replace("Lý", "Ly", 1)) < key


def test_sort_key_truncates_very_long_names_safely() -> None:
    long_name = "Nguyễn " + " ".join(["Nghiêng"] * 40) + " An"
    longer_name = "Nguyễn " + " ".join(["Nghiêng"] * 40) + " Anh"
    key = vn.sort_key(long_name)
    assert DIGITS_ONLY.match(key)
    assert len(key) == vn.MAX_KEY_LENGTH - 1
    assert len(vn.sort_key(longer_name)) == vn.MAX_KEY_LENGTH - 1
    ordered = ["Trần An", long_name, "Lê Anh", "Lê Ba"]
    assert sorted(shuffled(ordered), key=vn.sort_key) == ordered


def test_sort_key_orders_the_same_in_sqlite() -> None:
    names = [
        "Hoàng Văn Em",
        "Trần Thị Đào",
        "Lê Văn Dũng",
        "Lê Thị Ánh",
        "Trần Văn An",
        "Lê Thị Anh",
        "Nguyễn Thị Hạnh",
        "Nguyễn Thị Hằng",
        "Nguyễn Văn Lan",
        "Trần Thị Lan",
        "Lê Văn 10",
    ]
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE person (name TEXT, sort_key VARCHAR(255))")
        db.executemany("INSERT INTO person VALUES (?, ?)", [(n, vn.sort_key(n)) for n in names])
        rows = db.execute("SELECT name FROM person ORDER BY sort_key").fetchall()
    assert [row[0] for row in rows] == sorted(names, key=vn.sort_key)


@QUICK
@given(vn_names, vn_names)
def test_sort_key_agrees_with_reference_order(a: str, b: str) -> None:
    key_a, key_b = vn.sort_key(a), vn.sort_key(b)
    assert DIGITS_ONLY.match(key_a)
    assert len(key_a) <= vn.MAX_KEY_LENGTH
    assert sign(key_a, key_b) == sign(ref_key(a), ref_key(b))
    assert (key_a == key_b) == (vn.split_name(a) == vn.split_name(b))


@settings(database=None, deadline=None, max_examples=100)
@given(st.lists(vn_names, max_size=12))
def test_sort_key_sorts_lists_like_the_reference(names: list[str]) -> None:
    assert [ref_key(n) for n in sorted(names, key=vn.sort_key)] == sorted(map(ref_key, names))


@THOROUGH
@given(vn_words(), vn_words())
def test_sort_key_given_names_only_differ(given_a: str, given_b: str) -> None:
    key_a = vn.sort_key(f"Nguyễn Thị {given_a}")
    key_b = vn.sort_key(f"Nguyễn Thị {given_b}")
    letters_a, tone_a, _ = ref_word(given_a)
    letters_b, tone_b, _ = ref_word(given_b)
    if letters_a != letters_b:
        assert sign(key_a, key_b) == sign(letters_a, letters_b)
    elif tone_a != tone_b:
        assert sign(key_a, key_b) == sign(tone_a, tone_b)


@THOROUGH
@given(vn_words("abcdeghiklmnopqrstuvxyfjwz"), vn_words("abcdeghiklmnopqrstuvxyfjwz"))
def test_sort_key_consistent_with_folded_given_names(given_a: str, given_b: str) -> None:
    # Without ă â đ ê ô ơ ư the Vietnamese primary order is the order of the folded text.
    key_a = vn.sort_key(f"Trần Văn {given_a}")
    key_b = vn.sort_key(f"Trần Văn {given_b}")
    if vn.fold(given_a) < vn.fold(given_b):
        assert key_a < key_b
    elif vn.fold(given_a) > vn.fold(given_b):
        assert key_a > key_b


@QUICK
@given(st.text(max_size=80))
def test_sort_key_is_total_on_any_text(name: str) -> None:
    key = vn.sort_key(name)
    assert DIGITS_ONLY.match(key)
    assert len(key) <= vn.MAX_KEY_LENGTH
    assert vn.sort_key(vn.nfc(name)) == key


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2025", date(2025, 3, 5)),
        ("5/3/2025", date(2025, 3, 5)),
        ("05-03-2025", date(2025, 3, 5)),
        ("05.03.2025", date(2025, 3, 5)),
        (" 31/12/2100 ", date(2100, 12, 31)),
        ("01/01/1900", date(1900, 1, 1)),
        ("29/02/2024", date(2024, 2, 29)),
        ("29/02/2000", date(2000, 2, 29)),
        ("1/12/1999", date(1999, 12, 1)),
    ],
)
def test_parse_date_vn(text: str, expected: date) -> None:
    assert vn.parse_date_vn(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2024",
        "29/02/2023",
        "29/02/1900",
        "31/04/2025",
        "00/01/2000",
        "01/00/2000",
        "01/13/2000",
        "32/01/2000",
        "31/12/1899",
        "01/01/2101",
        "01/01/0001",
        "2025-03-05",
        "05/03/25",
        "05/03-2025",
        "05.03/2025",
        "005/03/2025",
        "05/03/02025",
        "5 / 3 / 2025",
        "05/03/2025 10:00",
        "٠٥/٠٣/٢٠٢٥",
        "０５/０３/２０２５",
        "ngày 5 tháng 3",
        "",
        "   ",
    ],
)
def test_parse_date_vn_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"^Ngày không hợp lệ: .* \(định dạng dd/mm/yyyy\)$"):
        vn.parse_date_vn(text)


def test_parse_date_vn_message() -> None:
    with pytest.raises(ValueError, match="Ngày không hợp lệ") as excinfo:
        vn.parse_date_vn(" 31/02/2024 ")
    assert str(excinfo.value) == "Ngày không hợp lệ: 31/02/2024 (định dạng dd/mm/yyyy)"


def test_parse_date_vn_message_is_short_for_long_input() -> None:
    with pytest.raises(ValueError, match="Ngày không hợp lệ") as excinfo:
        vn.parse_date_vn("x" * 500)
    assert len(str(excinfo.value)) < 100


def test_date_round_trip_for_every_day_1900_to_2100() -> None:
    day = date(1900, 1, 1)
    count = 0
    while day <= date(2100, 12, 31):
        text = vn.format_date_vn(day)
        assert vn.parse_date_vn(text) == day
        assert vn.parse_date_vn(f"{day.day}.{day.month}.{day.year}") == day
        day += timedelta(days=1)
        count += 1
    assert count == (date(2101, 1, 1) - date(1900, 1, 1)).days


@QUICK
@given(in_range_dates, st.sampled_from("/-."), st.booleans())
def test_date_round_trip_any_separator(day: date, separator: str, padded: bool) -> None:
    width = 2 if padded else 1
    text = f"{day.day:0{width}d}{separator}{day.month:0{width}d}{separator}{day.year}"
    assert vn.parse_date_vn(text) == day
    assert vn.format_date_vn(vn.parse_date_vn(text)) == vn.format_date_vn(day)


@QUICK
@given(st.text(max_size=20))
def test_parse_date_vn_only_returns_dates_in_range(text: str) -> None:
    parsed: date | None = None
    message = ""
    try:
        parsed = vn.parse_date_vn(text)
    except ValueError as error:
        message = str(error)
    if parsed is None:
        assert message.startswith("Ngày không hợp lệ")
    else:
        assert date(1900, 1, 1) <= parsed <= date(2100, 12, 31)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 3, 5), "05/03/2025"),
        (date(1900, 1, 1), "01/01/1900"),
        (date(2100, 12, 31), "31/12/2100"),
        (None, ""),
    ],
)
def test_format_date_vn(value: date | None, expected: str) -> None:
    assert vn.format_date_vn(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 3, 5), "ngày 05 tháng 3 năm 2025"),
        (date(2025, 1, 1), "ngày 01 tháng 01 năm 2025"),
        (date(2025, 2, 14), "ngày 14 tháng 02 năm 2025"),
        (date(2025, 10, 9), "ngày 09 tháng 10 năm 2025"),
        (date(2024, 12, 31), "ngày 31 tháng 12 năm 2024"),
        (None, ""),
    ],
)
def test_format_date_long_vn(value: date | None, expected: str) -> None:
    assert vn.format_date_long_vn(value) == expected


# --- age ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "expected"),
    [
        (date(1990, 6, 15), date(2025, 6, 14), 34),
        (date(1990, 6, 15), date(2025, 6, 15), 35),
        (date(1990, 6, 15), date(2025, 12, 31), 35),
        (date(1990, 6, 15), date(1990, 6, 15), 0),
        (date(2000, 2, 29), date(2023, 2, 28), 22),
        (date(2000, 2, 29), date(2023, 3, 1), 23),
        (date(2000, 2, 29), date(2024, 2, 29), 24),
        (date(1999, 12, 31), date(2000, 1, 1), 0),
        (date(1900, 1, 1), date(2100, 12, 31), 200),
    ],
)
def test_age_on(born: date, on: date, expected: int) -> None:
    assert vn.age_on(born, on) == expected


def test_age_on_rejects_a_day_before_birth() -> None:
    with pytest.raises(ValueError, match="trước ngày sinh"):
        vn.age_on(date(2000, 1, 2), date(2000, 1, 1))


@QUICK
@given(in_range_dates, in_range_dates)
def test_age_on_counts_completed_years(a: date, b: date) -> None:
    born, on = min(a, b), max(a, b)
    age = vn.age_on(born, on)
    assert age >= 0
    assert (
        sum(1 for year in range(born.year + 1, on.year + 1) if _anniversary(born, year) <= on)
        == age
    )


def _anniversary(born: date, year: int) -> date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)


# --- identity numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("001090012345", "001090012345"),
        ("096 123 456 789", "096123456789"),
        ("\t079 2030 12345 ", "079203012345"),
        ("038195001234", "038195001234"),
    ],
)
def test_validate_cccd(text: str, expected: str) -> None:
    assert vn.validate_cccd(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "00109001234",
        "0010900123456",
        "00109001234a",
        "001-090-012345",
        "001.090.012345",
        "000090012345",
        "097090012345",
        "099090012345",
        "９９９０９００１２３４５",
        "٠٠١٠٩٠٠١٢٣٤٥",
        "+84001090012345",
    ],
)
def test_validate_cccd_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"^Số CCCD phải gồm đúng 12 chữ số"):
        vn.validate_cccd(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("091-234-5678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        (" 0383.123.456 ", "0383123456"),
    ],
)
def test_validate_phone(text: str, expected: str) -> None:
    assert vn.validate_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "912345678",
        "09123456789",
        "1912345678",
        "84912345678",
        "+849123456",
        "+840912345678",
        "+1 912 345 678",
        "091234567a",
        "(091) 234 5678",
        "０９１２３４５６７８",
    ],
)
def test_validate_phone_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"^Số điện thoại phải gồm đúng 10 chữ số"):
        vn.validate_phone(text)


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (0, 1, "0,0"),
        (0.0, 2, "0,00"),
        (12, 2, "12,00"),
        (999.5, 1, "999,5"),
        (999.95, 1, "1.000,0"),
        (1234567, 0, "1.234.567"),
        (1234567.891, 2, "1.234.567,89"),
        (-1234.5, 1, "-1.234,5"),
        (2.25, 1, "2,3"),  # half up, on the number as written
        (2.675, 2, "2,68"),
        (0.5, 0, "1"),
        (-0.04, 1, "0,0"),  # never "-0,0"
        (10**20, 0, "100.000.000.000.000.000.000"),
        (1e30, 1, "1.000.000.000.000.000.000.000.000.000.000,0"),
    ],
)
def test_format_number_vn(x: float, decimals: int, expected: str) -> None:
    assert vn.format_number_vn(x, decimals) == expected


def test_format_number_vn_default_is_one_decimal() -> None:
    assert vn.format_number_vn(1234.5) == "1.234,5"


@pytest.mark.parametrize(
    ("x", "decimals"), [(float("nan"), 1), (float("inf"), 1), (float("-inf"), 0), (1.0, -1)]
)
def test_format_number_vn_rejects(x: float, decimals: int) -> None:
    with pytest.raises(ValueError, match=r"^(Không phải một số hữu hạn|Số chữ số thập phân)"):
        vn.format_number_vn(x, decimals)


@pytest.mark.parametrize(
    ("fraction", "decimals", "expected"),
    [
        (0.778, 1, "77,8%"),
        (0.7777, 1, "77,8%"),
        (7 / 9, 1, "77,8%"),
        (1 / 3, 1, "33,3%"),
        (1, 1, "100,0%"),
        (0, 1, "0,0%"),
        (0.5, 0, "50%"),
        (0.12345, 2, "12,35%"),
        (12.5, 1, "1.250,0%"),
        (-0.25, 1, "-25,0%"),
    ],
)
def test_format_percent_vn(fraction: float, decimals: int, expected: str) -> None:
    assert vn.format_percent_vn(fraction, decimals) == expected


def test_format_percent_vn_default_is_one_decimal() -> None:
    assert vn.format_percent_vn(0.778) == "77,8%"


@QUICK
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 4))
def test_format_number_vn_parses_back(x: float, decimals: int) -> None:
    text = vn.format_number_vn(x, decimals)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?", text)
    back = float(text.replace(".", "").replace(",", "."))
    assert abs(back - x) <= 0.5 * 10**-decimals + abs(x) * 1e-12


def test_local_date_is_vietnam_time():
    import datetime as dt

    late_utc = dt.datetime(2025, 12, 31, 18, 30, tzinfo=dt.UTC)  # 01:30 on 1 January in Hà Nội
    assert vn.local_date(late_utc) == dt.date(2026, 1, 1)
    naive = dt.datetime(2025, 6, 1, 10, 0)  # noqa: DTZ001 - SQLite hands back naive UTC
    assert vn.local_date(naive) == dt.date(2025, 6, 1)
