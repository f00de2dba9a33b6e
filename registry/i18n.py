"""Locale selection: Vietnamese by default, English when the user chooses it."""

from __future__ import annotations

from flask import current_app, request, session


def select_locale() -> str:
    """The user's chosen language (session), else ``?lang=``, else Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext_noop name
    """Mark ``message`` for extraction without translating it now (translated when shown)."""
    return message
