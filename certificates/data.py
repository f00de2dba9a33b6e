"""Plain, immutable data that the layouts render: no ORM objects ever reach a template."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .errors import CertificateError, MissingField


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with surrounding whitespace removed.

    Vietnamese typed on some keyboards arrives decomposed (NFD); stored and printed text
    is always NFC so search, de-duplication and ``pdftotext`` comparisons agree.
    """
    return unicodedata.normalize("NFC", text).strip()


class Recipient(NamedTuple):
    """One line of a decision's list: serial of the certificate, name, unit or address."""

    serial: str
    name: str
    address: str = ""


def _normalise_field(name: str, value: Any) -> Any:
    """NFC strings, turn lists into tuples, check dates; raise on anything else odd."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, Recipient):
        return Recipient(*(nfc(str(part)) for part in value))
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # the report's row types
        return type(value)(*(_normalise_field(name, part) for part in value))
    if isinstance(value, (list, tuple)):
        return tuple(_normalise_field(name, item) for item in value)
    if value is None or isinstance(value, (int, float, dt.date)):
        return value
    raise CertificateError(
        f"Trường {name} có kiểu không hợp lệ / field {name} has unsupported type "
        f"{type(value).__name__}"
    )


_DATE_FIELDS = frozenset({"decision_date", "signed_on", "date", "reported_on"})


def _parse_date(name: str, value: Any) -> Any:
    """Accept ISO strings for date fields; refuse anything else that is not a date."""
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CertificateError(
                f"Ngày không hợp lệ / invalid date for {name}: {value!r}"
            ) from None
    if value is None or value == "" or isinstance(value, dt.date):
        return value
    raise CertificateError(f"Ngày không hợp lệ / invalid date for {name}: {value!r}")


def _normalise(instance: Any) -> None:
    """Shared ``__post_init__`` body of the frozen dataclasses below."""
    for field in dataclasses.fields(instance):
        value = _normalise_field(field.name, getattr(instance, field.name))
        if field.name in _DATE_FIELDS:
            value = _parse_date(field.name, value)
        object.__setattr__(instance, field.name, value)
    year = instance.year
    if isinstance(year, str) and year.isdigit():
        object.__setattr__(instance, "year", int(year))
    elif year not in (None, "") and (not isinstance(year, int) or isinstance(year, bool)):
        raise CertificateError(f"Năm không hợp lệ / invalid year: {year!r}")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CertificateData:
    """Everything printed on one certificate (giấy công nhận).

    Strings are normalised to NFC on construction. ``issuer_short`` and ``signer_title``
    may hold several lines separated by ``\\n``; the layout keeps the line breaks.
    """

    serial: str
    verify_url: str
    title: str
    year: int
    recipient_label: str
    recipient_name: str
    issuer_name: str
    issuer_short: str
    decision_number: str
    decision_date: dt.date
    place_name: str
    signed_on: dt.date
    signer_title: str
    signer_name: str
    address_line: str | None = None
    level: str | None = None

    def __post_init__(self) -> None:
        _normalise(self)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DecisionData:
    """Everything printed on a recognition decision (quyết định công nhận).

    Sequences are stored as tuples; ``recipients`` also accepts plain ``(serial, name,
    address)`` tuples at run time and stores them as ``Recipient``. Optional wording falls back to
    the usual phrasing of a commune's decision (see ``certificates.context``).
    """

    issuer_name: str
    issuer_short: str
    number: str
    date: dt.date
    place_name: str
    title: str
    year: int
    legal_bases: Sequence[str]
    recipients: Sequence[Recipient]
    signer_title: str
    signer_name: str
    authority: str | None = None
    recipient_kind: str | None = None
    name_heading: str = "Họ và tên / Đơn vị"
    article_2: str | None = None
    article_3: str | None = None
    copies_to: Sequence[str] = ("Như Điều 3;", "Lưu: VT.")

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "recipients", tuple(Recipient(*r) for r in _iterable(self.recipients))
        )
        object.__setattr__(self, "legal_bases", tuple(_iterable(self.legal_bases)))
        object.__setattr__(self, "copies_to", tuple(_iterable(self.copies_to)))
        _normalise(self)


def _iterable(value: Iterable[Any]) -> Iterable[Any]:
    if isinstance(value, (str, bytes)):
        raise CertificateError(
            f"Cần một danh sách, không phải chuỗi / expected a list, got {value!r}"
        )
    return value


class ReportFigure(NamedTuple):
    """One line of a yearly report's summary: a title, or a plan's indicator with its target.

    ``share`` is ``passed / population`` (None when nothing is counted); ``target`` is the
    share the plan sets for ``target_year`` (the first milestone at or after the report's
    year); ``group`` names the plan an indicator belongs to ("" for the titles table).
    """

    label: str
    population_label: str
    population: int
    evaluated: int | None
    passed: int
    share: float | None
    recognised: int | None = None
    recognised_share: float | None = None
    target: float | None = None
    target_year: int | None = None
    group: str = ""


class ReportCell(NamedTuple):
    """One child unit's share of one indicator, and the indicator's target."""

    share: float | None
    target: float | None = None


class ReportChild(NamedTuple):
    """A row of the child units' table: one cell per column of ``ReportData.child_columns``."""

    name: str
    cells: tuple[ReportCell, ...]


class ReportEntry(NamedTuple):
    """A recognised subject: certificate serial, name, address and the decision."""

    serial: str
    name: str
    address: str = ""
    decision: str = ""


class ReportList(NamedTuple):
    """The subjects recognised with one title; ``omitted`` more were left out of the PDF."""

    title: str
    entries: tuple[ReportEntry, ...]
    omitted: int = 0


class ReportDeadline(NamedTuple):
    """A reporting deadline: who reports to whom, and the date the report must come before."""

    label: str
    due: dt.date


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ReportData:
    """A unit's yearly report on the learning society (báo cáo kết quả năm).

    Rows may be given as the NamedTuples above or as plain tuples/lists in the same order;
    they are stored as NamedTuples with NFC strings. Shares are fractions (0.7 = 70 %).
    """

    unit_name: str
    year: int
    reported_on: dt.date
    deadlines: Sequence[ReportDeadline] = ()
    titles: Sequence[ReportFigure] = ()
    indicators: Sequence[ReportFigure] = ()
    child_heading: str = "Đơn vị trực thuộc"
    child_columns: Sequence[str] = ()
    children: Sequence[ReportChild] = ()
    lists: Sequence[ReportList] = ()
    chart_svg: str | None = None
    heading: str = "BÁO CÁO KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP"
    prepared_by: str = ""

    def __post_init__(self) -> None:
        rows = {
            "deadlines": tuple(
                ReportDeadline(label, _parse_date("due", due))
                for label, due in _iterable(self.deadlines)
            ),
            "titles": tuple(ReportFigure(*f) for f in _iterable(self.titles)),
            "indicators": tuple(ReportFigure(*f) for f in _iterable(self.indicators)),
            "child_columns": tuple(_iterable(self.child_columns)),
            "children": tuple(
                ReportChild(name, tuple(ReportCell(*c) for c in _iterable(cells)))
                for name, cells in _iterable(self.children)
            ),
            "lists": tuple(
                ReportList(title, tuple(ReportEntry(*e) for e in _iterable(entries)), *rest)
                for title, entries, *rest in _iterable(self.lists)
            ),
        }
        for name, value in rows.items():
            object.__setattr__(self, name, value)
        for child in rows["children"]:
            if len(child.cells) != len(rows["child_columns"]):
                raise CertificateError(
                    f"Đơn vị {child.name}: {len(child.cells)} ô cho "
                    f"{len(rows['child_columns'])} cột / cells do not match columns"
                )
        _normalise(self)


Data = CertificateData | DecisionData | ReportData
DataKind = type[CertificateData] | type[DecisionData] | type[ReportData]

DATA_KINDS: dict[str, DataKind] = {
    "certificate": CertificateData,
    "decision": DecisionData,
    "report": ReportData,
}


def coerce(kind: DataKind, data: Data | Mapping[str, Any]) -> Data:
    """Return ``data`` as an instance of ``kind``, building it from a mapping if needed.

    Date fields also accept ISO strings (``"2025-12-15"``), here and on construction.

    :raises MissingField: a mapping lacks a field without a default.
    :raises CertificateError: wrong data class, unknown keys or unreadable dates.
    """
    if isinstance(data, kind):
        return data
    if not isinstance(data, Mapping):
        raise CertificateError(
            f"Dữ liệu phải là {kind.__name__} hoặc dict / data must be a {kind.__name__} "
            f"or a mapping, not {type(data).__name__}"
        )
    fields = {f.name: f for f in dataclasses.fields(kind)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise CertificateError(f"Trường không xác định / unknown fields: {', '.join(unknown)}")
    for name, field in fields.items():
        if name not in data and field.default is dataclasses.MISSING:
            raise MissingField(name)
    return kind(**data)
