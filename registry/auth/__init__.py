"""Authentication: staff sessions (Flask-Login) and API bearer tokens."""

from __future__ import annotations

from flask import Request
from flask_babel import gettext

from registry.extensions import db, login_manager
from registry.i18n import N_
from registry.models import User

login_manager.login_view = "auth.login"
login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
login_manager.localize_callback = gettext
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the session's user; a deactivated account loses its open sessions at once."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_token(request: Request) -> User | None:
    """Authenticate API calls carrying ``Authorization: Bearer <token>``."""
    from registry.auth.services import user_for_token

    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    return user_for_token(header.removeprefix("Bearer ").strip())
