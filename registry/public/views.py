"""Public certificate verification: ``/verify/<serial>`` (the QR code's target) and a form.

It shows only what the certificate itself shows, is rate-limited against serial guessing, and
says it could not check — never "valid" — when the database does not answer.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from registry.awards import services
from registry.extensions import db, limiter

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)


def _public_limit() -> str:
    return str(current_app.config["PUBLIC_RATE_LIMIT"])


def clean_serial(text: str) -> str:
    """A typed serial as printed: letters, digits and dashes, upper case, at most 40."""
    return re.sub(r"[^A-Z0-9-]", "", text.strip().upper())[:40]


def _page(template: str, status: int, **context: object) -> ResponseReturnValue:
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"  # a revocation must show at once
    return response


@bp.route("/verify")
def verify_form() -> ResponseReturnValue:
    typed = request.args.get("serial")
    serial = clean_serial(typed or "")
    if serial:
        return redirect(url_for("public.verify", serial=serial))
    return _page("public/verify_form.html", 200, empty=typed is not None)


@bp.route("/verify/<serial>")
@limiter.limit(_public_limit)
def verify(serial: str) -> ResponseReturnValue:
    shown = clean_serial(serial)
    try:
        result = services.verify(shown)
    except SQLAlchemyError:
        log.exception("certificate verification failed")
        try:
            db.session.rollback()
        except SQLAlchemyError:  # the connection may be gone too; the page still answers
            log.warning("rollback after a failed verification also failed")
        return _page("public/verify.html", 503, result=None, serial=shown)
    status = 404 if result.state == "unknown" else 200
    return _page("public/verify.html", status, result=result, serial=shown)
