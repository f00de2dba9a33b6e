"""clans pages (placeholder blueprint, filled in by its feature work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("clans", __name__, url_prefix="/clans")
