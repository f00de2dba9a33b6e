"""Small helpers shared by the web views: form errors, paging, the acting user and today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import Select

from registry.errors import RegistryError
from registry.extensions import db


def today() -> date:
    """Today's date in Vietnam (the server runs on Vietnam time)."""
    return date.today()  # noqa: DTZ011 - see docstring


def show_errors(form: FlaskForm, error: RegistryError) -> None:
    """Attach a service's field errors to the form's fields (others to the form itself)."""
    leftover = []
    for name, messages in error.field_errors.items():
        field = getattr(form, name, None) or getattr(form, name.removesuffix("_id"), None)
        if field is not None:
            field.errors = [*list(field.errors), *(_(m) for m in messages)]
        else:
            leftover.extend(messages)
    form.form_errors.extend([_(error.message), *leftover])


def paginate(stmt: Select[Any]) -> Any:
    """A Flask-SQLAlchemy pagination of ``stmt`` for ``?page=``, never failing on bad input."""
    page = request.args.get("page", "1")
    return db.paginate(
        stmt,
        page=int(page) if page.isdigit() and 0 < int(page) < 1_000_000 else 1,
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )


def form_data(form: FlaskForm) -> dict[str, Any]:
    """The form's field values as a plain dict for a service (CSRF token and buttons removed)."""
    return {
        name: field.data
        for name, field in form._fields.items()
        if name not in {"csrf_token", "submit", "version"}
    }


def submit_form(form: FlaskForm, action: Callable[[], Any]) -> Any | None:
    """The usual POST of a form page: validate, call one service, commit.

    Returns what ``action`` returned (True when it returns nothing), after committing; None when
    the form is not submitted or not valid, or when the service refused: its transaction is
    rolled back and its messages are attached to the form's fields, so the page shows them and
    nothing is saved.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except RegistryError as error:
        db.session.rollback()
        show_errors(form, error)
        return None
    db.session.commit()
    return True if result is None else result
