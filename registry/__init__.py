"""The learning-citizen recognition registry: application factory."""

from __future__ import annotations

import os
import secrets
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, request

from registry.config import PROJECT_ROOT

BLUEPRINTS = (
    "registry.auth.views",
    "registry.main.views",
    "registry.units.views",
    "registry.citizens.views",
    "registry.households.views",
    "registry.clans.views",
    "registry.organisations.views",
    "registry.activities.views",
    "registry.admin.views",
    "registry.evaluation.views",
    "registry.criteria_admin.views",
    "registry.awards.views",
    "registry.public.views",
    "registry.api.views",
    "registry.selfservice.views",
    "registry.reports.views",
    "registry.imports.views",
    "registry.exports.views",
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure an application instance.

    :param test_config: settings that replace instance config and environment (tests).
    """
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_object("registry.config.Defaults")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        _load_environment(app)
    else:
        app.config.update(test_config)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_commands(app)
    register_error_handlers(app)
    register_input_checks(app)
    register_security_headers(app)
    return app


def _load_environment(app: Flask) -> None:
    """Read the contract's environment variables (DATABASE_URL, SECRET_KEY, PUBLIC_BASE_URL)."""
    if url := os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if base := os.environ.get("PUBLIC_BASE_URL"):
        app.config["PUBLIC_BASE_URL"] = base.rstrip("/")
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(app)
    secure_cookies(app)
    app.config.from_prefixed_env("REGISTRY")  # may still say REGISTRY_SESSION_COOKIE_SECURE=false


def secure_cookies(app: Flask) -> None:
    """Served over HTTPS (PUBLIC_BASE_URL says so): the session, "remember me" and status
    cookies are marked Secure, so a browser never sends them over plain HTTP."""
    if app.config["PUBLIC_BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs (SQLAlchemy's default driver is psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _instance_secret(app: Flask) -> str:
    """A random key written once to ``instance/secret_key`` so sessions survive restarts."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to ``app``."""
    from registry import auth  # noqa: F401  (registers the user loader)
    from registry.extensions import babel, csrf, db, limiter, login_manager, migrate
    from registry.i18n import select_locale

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from registry.sqlite import enable_sqlite_pragmas

        enable_sqlite_pragmas()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Register every feature blueprint."""
    for module_name in BLUEPRINTS:
        app.register_blueprint(import_module(module_name).bp)


def register_template_helpers(app: Flask) -> None:
    """Jinja filters and globals for Vietnamese formatting and the navigation."""
    from registry.templating import init_templating

    init_templating(app)


def register_commands(app: Flask) -> None:
    """Add the ``flask`` CLI commands of the contract."""
    from registry.commands import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    """Error pages for the web and JSON errors for the API."""
    from registry.errors import register_error_handlers as register_handlers

    register_handlers(app)


def register_input_checks(app: Flask) -> None:
    """Refuse web requests carrying text the database cannot hold (NUL characters)."""
    from registry.web import refuse_nul_characters

    app.before_request(refuse_nul_characters)


def register_security_headers(app: Flask) -> None:
    """Send a strict CSP (no inline scripts or styles, no CDN, no plugins), no framing, no MIME
    sniffing; and keep pages with personal data out of browser and proxy caches."""

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # staff pages, exports and certificates name citizens; offices share computers
            response.cache_control.no_store = True
        return response
