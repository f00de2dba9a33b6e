"""Jinja filters and globals for the web pages (Vietnamese dates and numbers, navigation)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_babel import get_locale

from registry import vn

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def format_date(value: date | None) -> str:
    """dd/mm/yyyy (empty for None)."""
    return vn.format_date_vn(value)


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    local = value.astimezone(LOCAL_TZ)
    return f"{vn.format_date_vn(local.date())} {local:%H:%M}"


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """Vietnamese digit grouping: 1.234.567 and 12,5."""
    if value is None:
        return ""
    return vn.format_number_vn(float(value), decimals)


def page_url(page: int) -> str:
    """The current URL with ``page`` replaced (keeps search and filters)."""
    args = dict(request.args)
    args.update(request.view_args or {})
    args["page"] = str(page)
    return url_for(str(request.endpoint), **args)


def init_templating(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters.update(
        date_vn=format_date, datetime_vn=format_datetime, number_vn=format_number
    )
    app.jinja_env.globals.update(page_url=page_url, current_locale=lambda: str(get_locale()))

    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        return {"today": date.today()}  # noqa: DTZ011 - the server runs on Vietnam time
