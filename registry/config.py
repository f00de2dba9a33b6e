"""Default configuration; deployments override it with instance/config.py and environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Safe development defaults. Production overrides SECRET_KEY and DATABASE_URL."""

    SQLALCHEMY_DATABASE_URI = f"sqlite:///{PROJECT_ROOT / 'instance' / 'registry.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    PAGE_SIZE = 25
    API_PAGE_SIZE_MAX = 200
    API_TOKEN_HOURS = 12
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # cookies: never readable by scripts, not sent with cross-site requests; and Secure when
    # PUBLIC_BASE_URL is https (set by the factory, see registry.secure_cookies)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "remember me" keeps a shared office computer logged in: two weeks, not Flask-Login's year
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    # explicit: Flask-Limiter's shared extension object would otherwise keep the last app's value
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    PUBLIC_RATE_LIMIT = "30 per minute"
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    CRITERIA_DIR = str(PROJECT_ROOT / "criteria" / "sets")
