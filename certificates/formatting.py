"""Vietnamese dates, numbers and percentages, QR codes and chart URIs for the layouts."""

from __future__ import annotations

import base64
import datetime as dt

import segno


def vn_date(day: dt.date) -> str:
    """Format a date the way Vietnamese administrative documents write it.

    ``vn_date(date(2025, 12, 5)) == "ngày 05 tháng 12 năm 2025"``. Following Decree
    30/2020/NĐ-CP (Appendix I), days below 10 and the months 1 and 2 get a leading zero
    so that nobody can turn "1" into "11" or "12" by hand; other months do not:
    ``vn_date(date(2025, 3, 9)) == "ngày 09 tháng 3 năm 2025"``.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_date_numeric(day: dt.date) -> str:
    """Format a date as dd/mm/yyyy (``05/12/2025``)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def qr_data_uri(text: str) -> str:
    """Return a ``data:image/png`` URI of a QR code that encodes exactly ``text``.

    Three pixels per module, and the layout draws it with ``image-rendering: pixelated``
    (no interpolation). Measured with ``pdftoppm`` + ``zbarimg``: one pixel per module
    is smoothed into an unreadable blur below 300 dpi, eight fail at 72 dpi; two and
    three decode at 72–300 dpi. PNG is cheaper to embed than SVG (stack-notes), and
    error correction "M" survives a stamp or a fold over part of the code.
    """
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return str(code.png_data_uri(scale=3, border=4))


def vn_number(value: float, decimals: int = 0) -> str:
    """Vietnamese digit grouping: ``vn_number(1234567) == "1.234.567"``, ``vn_number(12.5, 1)
    == "12,5"``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_percent(share: float | None, decimals: int = 1) -> str:
    """A share as a Vietnamese percentage: ``vn_percent(0.4567) == "45,7%"`` ("—" for None)."""
    if share is None:
        return "—"
    return f"{vn_number(100 * share, decimals)}%"


def vn_points_gap(gap: float | None, decimals: int = 1) -> str:
    """A difference of shares in percentage points with its sign: ``"+3,0"``, ``"−24,3"``."""
    if gap is None:
        return "—"
    points = round(100 * gap, decimals)
    sign = "+" if points > 0 else "\u2212" if points < 0 else ""
    return f"{sign}{vn_number(abs(points), decimals)}"


def days_before(due: dt.date, today: dt.date) -> int:
    """Days from ``today`` until ``due`` (a report due "before 1 December" has ``due`` = 1/12):
    positive while there is time, 0 or less once the deadline has passed."""
    return (due - today).days


def svg_data_uri(svg: str) -> str:
    """A ``data:image/svg+xml`` URI of an SVG document (the only way a chart enters a layout:
    the URL fetcher accepts ``data:`` and nothing remote)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
