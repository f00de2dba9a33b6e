"""Domain errors raised by services, and the HTTP error pages/JSON they turn into."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


class RegistryError(Exception):
    """A business rule refused the operation; the message is shown to the user."""

    status = 400

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(RegistryError):
    """Input failed validation; ``field_errors`` maps field names to messages."""

    status = 422


class OutOfScope(RegistryError):
    """The actor may not see or change this unit."""

    status = 403


class NotFound(RegistryError):
    """No such object, or one the actor may not know about."""

    status = 404


class Conflict(RegistryError):
    """Somebody else saved the record first (optimistic locking), or a duplicate."""

    status = 409


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _json_error(status: int, message: str, fields: dict[str, list[str]] | None = None) -> Response:
    body: dict[str, Any] = {"error": message, "status": status}
    if fields:
        body["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to pages (web) or JSON bodies (API)."""

    @app.errorhandler(RegistryError)
    def registry_error(error: RegistryError) -> Any:
        if _wants_json():
            return _json_error(error.status, error.message, error.field_errors)
        return render_template("errors/error.html", code=error.status, message=_(error.message)), (
            error.status
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        messages = {
            400: _("Yêu cầu không hợp lệ."),
            403: _("Bạn không có quyền truy cập trang này."),
            404: _("Không tìm thấy trang hoặc dữ liệu yêu cầu."),
            405: _("Phương thức không được hỗ trợ."),
            413: _("Tệp tải lên quá lớn."),
            429: _("Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
        }
        message = messages.get(code, error.description or "")
        # keep what the exception says beyond its body, e.g. the ``Allow`` of a 405 (RFC 9110)
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if _wants_json():
            return _json_error(code, message), headers
        return render_template("errors/error.html", code=code, message=message), code, headers

    @app.errorhandler(500)
    def server_error(error: Exception) -> Any:
        message = _("Đã xảy ra lỗi hệ thống. Dữ liệu của bạn chưa bị thay đổi; vui lòng thử lại.")
        if _wants_json():
            return _json_error(500, message)
        return render_template("errors/error.html", code=500, message=message), 500
