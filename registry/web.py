"""Small helpers shared by the web views: form errors, paging, the acting user and today."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import Select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadRequest

from registry.errors import Conflict, RegistryError
from registry.extensions import db
from registry.people_input import whole_number


def today() -> date:
    """Today's date in Vietnam (the server runs on Vietnam time)."""
    return date.today()  # noqa: DTZ011 - see docstring


def local_target(target: str | None, default: str) -> str:
    r"""``target`` when it is a path of this site, else ``default`` (no open redirect).

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    ``"/\t/evil.example"`` or ``"/\evil.example"`` would lead to another site: any control
    character or backslash refuses the target, as does a scheme or host.
    """
    target = target or ""
    if (
        not target.startswith("/")
        or target.startswith("//")
        or any(char == "\\" or ord(char) < 0x20 or ord(char) == 0x7F for char in target)
        or urlsplit(target).netloc
    ):
        return default
    return target


def refuse_nul_characters() -> None:
    """Refuse (400) a web request with a NUL character in a field, a query or a path part.

    PostgreSQL cannot store or even compare text holding NUL, so any text field of any form
    turned it into a server error. No browser sends one from a form: the request was crafted.
    The JSON API has its own check (``registry.api.http``).
    """
    if request.blueprint == "api":
        return
    texts = [
        *(text for pair in request.args.items(multi=True) for text in pair),
        *(text for pair in request.form.items(multi=True) for text in pair),
        *(
            text
            for name, upload in request.files.items(multi=True)
            for text in (name, upload.filename or "")
        ),
        *(value for value in (request.view_args or {}).values() if isinstance(value, str)),
    ]
    # a crafted multipart part can even lack its name: werkzeug then gives None
    if any(text and "\x00" in text for text in texts):
        raise BadRequest()


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
        page=whole_number(page, 1, 999_999) or 1,
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )


def year_of(raw: str | None) -> int | None:
    """A year typed into a form or a query (2000–2100), else None."""
    return whole_number((raw or "").strip(), 2000, 2100)


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
        db.session.commit()
    except RegistryError as error:
        db.session.rollback()
        show_errors(form, error)
        return None
    except StaleDataError:
        # somebody saved the record after the service checked its version but before our
        # UPDATE (which matched no row): the same refusal as a stale version, not an error page
        db.session.rollback()
        show_errors(
            form,
            Conflict(
                "Bản ghi này vừa được người khác sửa. Vui lòng tải lại trang để xem thay đổi "
                "mới nhất rồi nhập lại."
            ),
        )
        return None
    return True if result is None else result
