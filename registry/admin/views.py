"""admin pages (placeholder blueprint, filled in by its feature work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
