"""households pages (placeholder blueprint, filled in by its feature work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("households", __name__, url_prefix="/households")
