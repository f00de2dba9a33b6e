"""Turn certificate, decision and report data into template contexts and HTML.

Everything a layout prints is computed here (dates in Vietnamese, the QR code, the size
of a long name, punctuation of legal bases) so that templates hold no logic.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .catalog import Layout, resolve_layout
from .data import (
    CertificateData,
    Data,
    DecisionData,
    ReportCell,
    ReportData,
    ReportDeadline,
    ReportFigure,
    coerce,
)
from .errors import CertificateError, MissingField
from .formatting import (
    days_before,
    qr_data_uri,
    svg_data_uri,
    vn_date,
    vn_date_numeric,
    vn_number,
    vn_percent,
    vn_points_gap,
)

Context = dict[str, Any]

# A name up to this many characters prints at NAME_MAX_PT on one line; longer names
# shrink in proportion down to NAME_MIN_PT, then wrap onto a second line; the layout
# clips beyond two lines (about 130 characters) so the certificate stays one page.
NAME_FULL_CHARS = 30
NAME_MAX_PT = 30.0
NAME_MIN_PT = 14.0

DEFAULT_RECIPIENT_KIND = "đối tượng"
DEFAULT_ARTICLE_2 = "Quyết định này có hiệu lực kể từ ngày ký."
DEFAULT_ARTICLE_3 = (
    "Văn phòng {issuer}, các cơ quan, đơn vị có liên quan và các {kind} có tên tại Điều 1 "
    "chịu trách nhiệm thi hành Quyết định này."
)


def validate(layout: str | Layout, data: Data | Mapping[str, Any]) -> Data:
    """Check ``data`` against the layout's required fields and return it as a dataclass.

    :raises MissingField: a required field is missing, empty or only whitespace.
    """
    spec = resolve_layout(layout)
    item = coerce(spec.kind, data)
    for name in spec.required:
        value = getattr(item, name)
        if value is None or value == "" or value == ():
            raise MissingField(name, spec.name)
    return item


def name_size_pt(name: str) -> float:
    """Font size for the recipient's name: smaller for long names, never below the minimum."""
    if len(name) <= NAME_FULL_CHARS:
        return NAME_MAX_PT
    return max(NAME_MIN_PT, round(NAME_MAX_PT * NAME_FULL_CHARS / len(name), 1))


def certificate_context(data: CertificateData) -> Context:
    """The values ``layouts/certificate`` prints, all as display strings."""
    return {
        "serial": data.serial,
        "verify_url": data.verify_url,
        "qr": qr_data_uri(data.verify_url),
        "title": data.title,
        "year": str(data.year),
        "level": data.level or "",
        "recipient_label": data.recipient_label,
        "recipient_name": data.recipient_name,
        "name_size": name_size_pt(data.recipient_name),
        "address_line": data.address_line or "",
        "issuer_name": data.issuer_name,
        "issuer_short": data.issuer_short,
        "decision_number": data.decision_number,
        "decision_date": vn_date(data.decision_date),
        "decision_date_numeric": vn_date_numeric(data.decision_date),
        "place_name": data.place_name,
        "signed_on": vn_date(data.signed_on),
        "signer_title": data.signer_title,
        "signer_name": data.signer_name,
    }


def _punctuate(lines: Iterable[str]) -> list[str]:
    """End every legal basis with ";" and the last one with "." unless already punctuated."""
    items = [line.rstrip(" ;.,") for line in lines]
    return [line + ("." if i == len(items) - 1 else ";") for i, line in enumerate(items)]


def decision_context(data: DecisionData) -> Context:
    """The values ``layouts/decision`` prints, all as display strings."""
    kind = data.recipient_kind or DEFAULT_RECIPIENT_KIND
    return {
        "issuer_name": data.issuer_name,
        "issuer_short": data.issuer_short,
        "authority": data.authority or data.issuer_name.upper(),
        "number": data.number,
        "date": vn_date(data.date),
        "place_name": data.place_name,
        "title": data.title,
        "year": str(data.year),
        "legal_bases": _punctuate(data.legal_bases),
        "recipient_kind": kind,
        "count": len(data.recipients),
        "name_heading": data.name_heading,
        "recipients": [
            {"number": i, "serial": r.serial, "name": r.name, "address": r.address}
            for i, r in enumerate(data.recipients, start=1)
        ],
        "article_2": data.article_2 or DEFAULT_ARTICLE_2,
        "article_3": data.article_3 or DEFAULT_ARTICLE_3.format(issuer=data.issuer_name, kind=kind),
        "copies_to": list(data.copies_to),
        "signer_title": data.signer_title,
        "signer_name": data.signer_name,
    }


def _count(value: int | None) -> str:
    return "—" if value is None else vn_number(value)


def _whole_percent(share: float | None) -> bool:
    return share is not None and abs(100 * share - round(100 * share)) < 1e-9


def _gap(share: float | None, target: float | None) -> float | None:
    return None if share is None or target is None else share - target


def figure_context(figure: ReportFigure) -> Context:
    """One summary line: counts with Vietnamese digit grouping, shares as percentages, and the
    gap to the target in percentage points (``behind`` when below it)."""
    gap = _gap(figure.share, figure.target)
    return {
        "label": figure.label,
        "population_label": figure.population_label,
        "population": vn_number(figure.population),
        "evaluated": _count(figure.evaluated),
        "passed": vn_number(figure.passed),
        "share": vn_percent(figure.share),
        "recognised": _count(figure.recognised),
        "recognised_share": vn_percent(figure.recognised_share),
        "target": vn_percent(figure.target, 0 if _whole_percent(figure.target) else 1),
        "target_year": "" if figure.target_year is None else str(figure.target_year),
        "gap": vn_points_gap(gap),
        "behind": gap is not None and gap < 0,
    }


def deadline_context(deadline: ReportDeadline, today: dt.date) -> Context:
    """A deadline with the days left before it ("còn 12 ngày") or how late the report is."""
    days = days_before(deadline.due, today)
    status = f"còn {days} ngày" if days > 0 else f"đã quá hạn {1 - days} ngày"
    return {
        "label": deadline.label,
        "due": vn_date_numeric(deadline.due),
        "status": status,
        "late": days <= 0,
    }


def _cell(cell: ReportCell) -> Context:
    gap = _gap(cell.share, cell.target)
    return {
        "share": vn_percent(cell.share),
        "gap": vn_points_gap(gap) if gap is not None else "",
        "behind": gap is not None and gap < 0,
    }


def report_context(data: ReportData) -> Context:
    """The values ``layouts/report`` prints, all as display strings; indicators are grouped
    by the plan that sets their targets, in the order given."""
    plans: dict[str, list[Context]] = {}
    for figure in data.indicators:
        plans.setdefault(figure.group, []).append(figure_context(figure))
    return {
        "heading": data.heading,
        "unit_name": data.unit_name,
        "year": str(data.year),
        "reported_on": vn_date_numeric(data.reported_on),
        "prepared_by": data.prepared_by,
        "deadlines": [deadline_context(d, data.reported_on) for d in data.deadlines],
        "titles": [figure_context(f) for f in data.titles],
        "plans": [{"title": title, "rows": rows} for title, rows in plans.items()],
        "chart": svg_data_uri(data.chart_svg) if data.chart_svg else "",
        "child_heading": data.child_heading,
        "child_columns": list(data.child_columns),
        "children": [
            {"name": child.name, "cells": [_cell(c) for c in child.cells]}
            for child in data.children
        ],
        "lists": [
            {
                "title": item.title,
                "count": vn_number(len(item.entries) + item.omitted),
                "omitted": vn_number(item.omitted) if item.omitted else "",
                "entries": [
                    {"number": i, **entry._asdict()}
                    for i, entry in enumerate(item.entries, start=1)
                ],
            }
            for item in data.lists
        ],
    }


def make_context(item: Data) -> Context:
    """Dispatch to the context builder of the item's data class."""
    if isinstance(item, CertificateData):
        return certificate_context(item)
    if isinstance(item, ReportData):
        return report_context(item)
    return decision_context(item)


@functools.cache
def _environment(directory: Path) -> SandboxedEnvironment:
    # A sandbox of its own, separate from Flask's: layouts are data that staff may edit.
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


_UNDEFINED_ATTR = re.compile(r"has no attribute '(\w+)'|'(\w+)' is undefined")


def render_contexts(layout: Layout, contexts: list[Context]) -> str:
    """Render the layout's template for one or more prepared contexts.

    The template receives ``items``; each item is one certificate (one page) or one
    decision (its own pages).
    """
    template = _environment(layout.directory).get_template("template.html")
    try:
        return template.render(items=contexts)
    except jinja2.UndefinedError as exc:
        match = _UNDEFINED_ATTR.search(str(exc))
        if match:
            raise MissingField(match.group(1) or match.group(2), layout.name) from exc
        raise CertificateError(f"layout {layout.name}: {exc}") from exc
    except jinja2.TemplateError as exc:  # syntax errors, sandbox refusals
        raise CertificateError(f"layout {layout.name}: {exc}") from exc


def render_html(layout: str | Layout, data: Data | Mapping[str, Any]) -> str:
    """Render one certificate or decision to HTML (no styles: WeasyPrint adds them).

    :param layout: a name from ``layouts()`` or a ``Layout`` loaded from a folder.
    :param data: a ``CertificateData``/``DecisionData`` or a mapping with the same keys.
    :raises MissingField: a required field is missing or empty.
    """
    spec = resolve_layout(layout)
    return render_contexts(spec, [make_context(validate(spec, data))])
