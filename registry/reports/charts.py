"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, no style attributes.

Colours and fonts are SVG presentation attributes (``fill="…"``), which the CSP allows and
which survive inside the PDF, where the chart is embedded as an image. Every text drawn is
escaped here, so the result is safe to insert as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from certificates.formatting import vn_percent

FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
INK, MUTED, GRID, TRACK = "#1d2330", "#5b6475", "#d8dde6", "#eef1f5"
SHARE, RECOGNISED, TARGET, BEHIND = "#17375e", "#8fb0d8", "#9b1c1c", "#b42318"
PALETTE = ("#17375e", "#9b1c1c", "#1f7a3a", "#8a5a00", "#6b3fa0", "#0f7c8c", "#c2410c", "#475569")
WIDTH = 1000


@dataclass(frozen=True)
class Bar:
    """One indicator: its share, the recognised share and the target (fractions)."""

    label: str
    share: float | None
    recognised: float | None
    target: float | None
    target_year: int | None


def _text(x: float, y: float, text: str, size: int = 12, fill: str = INK, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" '
        f'fill="{fill}"{extra}>{escape(text)}</text>'
    )


def _svg(height: float, label: str, body: list[str], font: str) -> Markup:
    # the font is set once on the root; every <text> inherits it
    return Markup(  # noqa: S704 - every interpolated text is escaped by _text/escape
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{WIDTH}" height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'font-family="{escape(font)}" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def _clamp(share: float) -> float:
    return min(max(share, 0.0), 1.0)


def bar_chart(groups: Sequence[tuple[str, Sequence[Bar]]], label: str, font: str = FONT) -> Markup:
    """Horizontal bars of share against target, one group per plan.

    Each bar has its label above it, the share (dark), the recognised share (light, thin)
    below it, the target as a red mark with its milestone year, and the share as text.
    """
    left, plot = 0.0, WIDTH - 170.0
    body, y = [], 4.0
    for heading, bars in groups:
        body.append(_text(left, y + 14, heading, 13, font_weight="bold"))
        y += 24
        for bar in bars:
            body.extend(_bar(bar, left, y, plot))
            y += 50
        y += 6
    body.extend(
        _legend(y, [(SHARE, "Tỷ lệ đạt"), (RECOGNISED, "Đã công nhận"), (TARGET, "Chỉ tiêu")])
    )
    return _svg(y + 26, label, body, font)


def _bar(bar: Bar, left: float, y: float, plot: float) -> list[str]:
    parts = [_text(left, y + 12, bar.label, 12)]
    top = y + 18
    parts.append(f'<rect x="{left}" y="{top}" width="{plot}" height="16" fill="{TRACK}"/>')
    for quarter in (0.25, 0.5, 0.75):
        x = left + plot * quarter
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + 22}" stroke="{GRID}"/>'
        )
    if bar.share is not None:
        parts.append(
            f'<rect x="{left}" y="{top}" width="{plot * _clamp(bar.share):.1f}" height="16" '
            f'fill="{SHARE}"/>'
        )
    if bar.recognised is not None:
        parts.append(
            f'<rect x="{left}" y="{top + 17}" width="{plot * _clamp(bar.recognised):.1f}" '
            f'height="5" fill="{RECOGNISED}"/>'
        )
    if bar.target is not None:
        x = left + plot * _clamp(bar.target)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 3}" x2="{x:.1f}" y2="{top + 25}" '
            f'stroke="{TARGET}" stroke-width="3"/>'
        )
    behind = bar.share is not None and bar.target is not None and bar.share < bar.target
    value = vn_percent(bar.share)
    target = f" / {vn_percent(bar.target, 0)} ({bar.target_year})" if bar.target is not None else ""
    colour = BEHIND if behind else INK
    parts.append(_text(left + plot + 8, top + 13, value + target, 12, colour, font_weight="bold"))
    return parts


def _legend(y: float, items: Sequence[tuple[str, str]]) -> list[str]:
    parts, x = [], 0.0
    for colour, text in items:
        parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="14" height="12" fill="{colour}"/>')
        parts.append(_text(x + 20, y + 15, text, 12))
        x += 30 + 8 * len(text)
    return parts


def line_chart(
    years: Sequence[int],
    series: Sequence[tuple[str, Sequence[float | None]]],
    label: str,
    font: str = FONT,
) -> Markup:
    """The share of every series over the years, 0–100 %, with a legend on the right."""
    left, top, plot_w, plot_h = 44.0, 12.0, 620.0, 240.0
    body = []
    for step in range(6):
        share = step / 5
        y = top + plot_h * (1 - share)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, vn_percent(share, 0), 11, text_anchor="end"))
    xs = _positions(len(years), left, plot_w)
    for x, year in zip(xs, years, strict=True):
        body.append(_text(x, top + plot_h + 18, str(year), 11, text_anchor="middle"))
    for number, (name, shares) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        body.extend(_series(xs, shares, colour, top, plot_h))
        legend_y = top + 4 + 22 * number
        body.append(
            f'<rect x="{left + plot_w + 24}" y="{legend_y:.1f}" width="14" height="4" '
            f'fill="{colour}"/>'
        )
        body.append(_text(left + plot_w + 44, legend_y + 6, name, 12))
    height = max(top + plot_h + 30, top + 22 * len(series) + 10)
    return _svg(height, label, body, font)


def _positions(count: int, left: float, width: float) -> list[float]:
    if count == 1:
        return [left + width / 2]
    pad = 24.0
    return [left + pad + (width - 2 * pad) * i / (count - 1) for i in range(count)]


def _series(
    xs: Sequence[float], shares: Sequence[float | None], colour: str, top: float, height: float
) -> list[str]:
    points = [
        (x, top + height * (1 - _clamp(s)))
        for x, s in zip(xs, shares, strict=True)
        if s is not None
    ]
    parts = []
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
    parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>' for x, y in points)
    return parts
