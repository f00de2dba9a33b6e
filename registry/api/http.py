"""The API's plumbing: its blueprint, bearer-token authentication, JSON bodies and paging.

Only a bearer token authenticates an API call. The session cookie of the web pages is ignored
here on purpose: the blueprint is exempt from CSRF protection, so a cookie that could write
through the API would let any other site write through a logged-in browser.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from registry.api.schemas import MAX_ID, REQUEST_SCHEMAS, type_errors
from registry.auth.services import user_for_token
from registry.errors import Conflict, NotFound, OutOfScope, RegistryError, ValidationFailed
from registry.extensions import csrf, db
from registry.models import AdminUnit, User
from registry.units.services import get_by_code

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# endpoints anyone may call without a token
PUBLIC_ENDPOINTS = frozenset({"api.token", "api.openapi"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_PAGE = 1_000_000
MAX_QUERY_LENGTH = 100


class Unauthenticated(RegistryError):  # noqa: N818 - named like registry.errors.NotFound
    """No valid bearer token (or bad credentials when asking for one)."""

    status = 401


@bp.before_request
def authenticate_bearer() -> None:
    """Require a valid bearer token (but no cookie) and refuse viewers' writes."""
    _check_request_text()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise Unauthenticated(_("Cần mã truy cập hợp lệ (Authorization: Bearer <token>)."))
    g.api_user = user
    if request.method in WRITE_METHODS and not user.can_edit:
        raise OutOfScope(_("Tài khoản của bạn chỉ có quyền xem."))


def _check_request_text() -> None:
    # PostgreSQL refuses NUL characters in text, and ids beyond 32 bits overflow: both would
    # otherwise surface as server errors instead of a plain refusal
    for value in (request.view_args or {}).values():
        if (isinstance(value, int) and value > MAX_ID) or (
            isinstance(value, str) and "\x00" in value
        ):
            raise NotFound(_("Không tìm thấy dữ liệu yêu cầu."))
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        raise RegistryError(_("Tham số truy vấn chứa ký tự không hợp lệ."))


@bp.after_request
def api_headers(response: Response) -> Response:
    """Tell clients how to authenticate, and keep personal data out of caches."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="registry"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.teardown_request
def discard_uncommitted(_error: BaseException | None) -> None:
    """A refused request leaves nothing behind: views commit only when everything succeeded."""
    db.session.rollback()


@bp.errorhandler(StaleDataError)
@bp.errorhandler(IntegrityError)
def concurrent_change(_error: Exception) -> Any:
    """A save that raced with another one (version or unique key) is a conflict, not a crash."""
    db.session.rollback()
    return current_app.handle_user_exception(
        Conflict(_("Bản ghi vừa được người khác thay đổi. Vui lòng tải lại rồi thử lại."))
    )


def actor() -> User:
    """The user whose bearer token authenticated this request."""
    user: User = g.api_user
    return user


def json_body(schema: str) -> dict[str, Any]:
    """The request's JSON object, its fields' types checked against ``REQUEST_SCHEMAS[schema]``.

    Malformed JSON or a body that is not an object answers 400; a field of the wrong type
    answers 422. Everything else (required fields, ranges, links) is the services' to check.
    """
    try:
        data = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise RegistryError(_("Nội dung yêu cầu phải là một đối tượng JSON hợp lệ."))
    if errors := type_errors(data, REQUEST_SCHEMAS[schema]):
        raise ValidationFailed(_("Dữ liệu nhập chưa hợp lệ. Vui lòng kiểm tra lại."), errors)
    return data


def version_of(body: Mapping[str, Any]) -> int:
    """The ``version`` a PUT body must carry (the one the client read)."""
    version = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed(
            _("Cần gửi kèm phiên bản (version) của bản ghi đã đọc."),
            {"version": [_("Trường này là bắt buộc và phải là số nguyên.")]},
        )
    return version


def int_arg(name: str, default: int | None, minimum: int, maximum: int) -> int | None:
    """An integer query parameter within bounds (422 otherwise); ``default`` when absent."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and minimum <= int(raw) <= maximum):
        message = _("Phải là số nguyên từ %(low)d đến %(high)d.", low=minimum, high=maximum)
        raise ValidationFailed(_("Tham số truy vấn không hợp lệ."), {name: [message]})
    return int(raw)


def date_arg(name: str) -> date | None:
    """An ISO date query parameter (422 when malformed), or None."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        message = _("Ngày phải theo dạng yyyy-mm-dd.")
        raise ValidationFailed(_("Tham số truy vấn không hợp lệ."), {name: [message]}) from None


def search_arg() -> str:
    """The ``q`` search text (cut to a sensible length, as on the web pages)."""
    return request.args.get("q", "")[:MAX_QUERY_LENGTH]


def unit_arg(name: str = "unit") -> AdminUnit | None:
    """The unit named by the query parameter's code, or None; unknown codes answer 404."""
    code = request.args.get(name, "").strip()
    return get_by_code(code) if code else None


def page_of(stmt: Select[Any], dump: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of ``stmt`` for ``?page=&per_page=``, as ``{items, page, per_page, total}``."""
    largest = int(current_app.config["API_PAGE_SIZE_MAX"])
    default = min(int(current_app.config["PAGE_SIZE"]), largest)
    page = int_arg("page", 1, 1, MAX_PAGE) or 1
    per_page = int_arg("per_page", default, 1, largest) or default
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False, max_per_page=None)
    return {
        "items": [dump(item) for item in result.items],
        "page": page,
        "per_page": per_page,
        "total": result.total or 0,
    }


def created(payload: dict[str, Any], location: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A 201 answer pointing at the new object."""
    return payload, 201, {"Location": location}


def no_content() -> Response:
    """A 204 answer (after a delete)."""
    return Response(status=204)
