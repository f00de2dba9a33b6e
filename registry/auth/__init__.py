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

# the rate-limit scope of password checks: the login form and the API's /token share one
# budget per client, so a second door does not double the guesses (LOGIN_RATE_LIMIT)
LOGIN_LIMIT_SCOPE = "login"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the session's user; a deactivated account, or one whose password changed since the
    session began (``User.get_id``), loses its open sessions at once."""
    user_id = session_id.partition(":")[0]
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or user.get_id() != session_id:
        return None
    return user


@login_manager.request_loader
def load_user_from_token(request: Request) -> User | None:
    """Authenticate API calls carrying ``Authorization: Bearer <token>``."""
    from registry.auth.services import user_for_token

    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    return user_for_token(header.removeprefix("Bearer ").strip())
