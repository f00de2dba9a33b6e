"""Citizen self-service pages (/status, anonymous) and the staff's printable registration slip.

The looked-up citizen is kept in a cookie of its own (``citizen_status``): signed with the app
secret under its own salt, HttpOnly, SameSite=Strict, only sent to /status…, and valid for
STATUS_SESSION_SECONDS (600 s by default). The staff session never holds it, and a staff login
does not open /status/me. Lookups are rate-limited per client address with PUBLIC_RATE_LIMIT
(Flask-Limiter; in memory by default, shared in Redis with ``RATELIMIT_STORAGE_URI =
"redis://host:6379"`` in instance/config.py or ``REGISTRY_RATELIMIT_STORAGE_URI`` in the
environment, which needs the ``redis`` package). Behind a reverse proxy, the client address
is only right when the app is wrapped in werkzeug's ProxyFix.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response as BaseResponse

import certificates
from registry.citizens.services import get_citizen
from registry.extensions import db, limiter
from registry.selfservice import services
from registry.selfservice.forms import StatusLookupForm
from registry.web import today

bp = Blueprint("selfservice", __name__)

COOKIE = "citizen_status"
COOKIE_PATH = "/status"


def _public_limit() -> str:
    return str(current_app.config["PUBLIC_RATE_LIMIT"])


def _max_age() -> int:
    return int(current_app.config.get("STATUS_SESSION_SECONDS", services.DEFAULT_SESSION_SECONDS))


def _looked_up() -> int | None:
    token = request.cookies.get(COOKIE)
    return services.read_citizen(current_app.secret_key or b"", token, _max_age())


def _remember(response: BaseResponse, citizen_id: int) -> BaseResponse:
    response.set_cookie(
        COOKIE,
        services.sign_citizen(current_app.secret_key or b"", citizen_id),
        max_age=_max_age(),
        path=COOKIE_PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure,
        httponly=True,
        samesite="Strict",
    )
    return response


def _forget(response: BaseResponse) -> BaseResponse:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="Strict")
    return response


@bp.after_request
def no_store(response: Response) -> Response:
    """Nothing on these pages may stay in a browser or proxy cache (shared phones)."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError) -> ResponseReturnValue:
    """A form left open too long (or cookies blocked): ask again instead of an error page."""
    form = StatusLookupForm(formdata=None)
    message = _("Trang đã mở quá lâu. Vui lòng nhập lại thông tin.")
    return render_template("selfservice/lookup.html", form=form, message=message), 400


@bp.route("/status", methods=("GET", "POST"))
@limiter.limit(_public_limit, methods=["POST"])
def lookup() -> ResponseReturnValue:
    if request.method == "GET" and _looked_up() is not None:
        return redirect(url_for("selfservice.me"))
    form = StatusLookupForm()
    message = None
    if form.validate_on_submit():
        citizen_id = services.lookup(form.identifier.data or "", form.birth_date.data or "")
        if citizen_id is not None:
            services.record_lookup(citizen_id)
            db.session.commit()
            return _remember(redirect(url_for("selfservice.me")), citizen_id)
        message = _(services.NOT_FOUND)
        # never echo what was typed: the answer is the same whatever it was
        form.identifier.data = form.birth_date.data = ""
    return render_template("selfservice/lookup.html", form=form, message=message)


@bp.route("/status/me")
def me() -> ResponseReturnValue:
    citizen_id = _looked_up()
    page = None
    if citizen_id is not None:
        page = services.status_page(citizen_id, year=today().year, lang=str(get_locale()))
    if page is None:
        if COOKIE in request.cookies:
            flash(_("Phiên tra cứu đã hết hạn. Vui lòng tra cứu lại."), "info")
        return _forget(redirect(url_for("selfservice.lookup")))
    return render_template(
        "selfservice/me.html",
        page=page,
        minutes=max(1, _max_age() // 60),
    )


@bp.route("/status/logout", methods=("POST",))
def logout() -> ResponseReturnValue:
    flash(_("Đã đóng trang thông tin của bạn."), "info")
    return _forget(redirect(url_for("selfservice.lookup")))


@bp.route("/citizens/<int:citizen_id>/slip")
@login_required
def slip(citizen_id: int) -> ResponseReturnValue:
    citizen = get_citizen(current_user, citizen_id)
    services.record_slip(current_user, citizen)
    db.session.commit()
    status_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/status"
    return render_template(
        "selfservice/slip.html",
        citizen=citizen,
        status_url=status_url,
        qr=certificates.qr_data_uri(status_url),
    )
