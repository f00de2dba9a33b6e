"""Shared fixtures: an app per test on SQLite or PostgreSQL (DATABASE_URL), and factories."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from registry import create_app, normalise_database_url
from registry.extensions import db
from registry.models import AdminUnit, Role, UnitLevel, User

_schema_ready: set[str] = set()


@functools.cache
def _test_hash(password: str) -> str:
    # a cheap hash keeps fixtures fast; production uses werkzeug's default (scrypt)
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return normalise_database_url(url)
    return f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """One database for the whole run: a temporary SQLite file, or DATABASE_URL's PostgreSQL."""
    with tempfile.TemporaryDirectory(prefix="registry-tests-") as tmp:
        yield _database_url(Path(tmp))


def _empty_all_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        db.session.execute(text("PRAGMA foreign_keys=OFF"))
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - our own table names
        db.session.execute(text("PRAGMA foreign_keys=ON"))
    db.session.commit()


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    """Settings for the test app; a test may change them before using ``app``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "https://khuyenhoc.example.vn",
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """A fresh application with an empty schema."""
    application = create_app(app_config)
    with application.app_context():
        if app_config["SQLALCHEMY_DATABASE_URI"] not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(app_config["SQLALCHEMY_DATABASE_URI"])
        from registry.activities.services import load_categories

        load_categories()
        db.session.commit()
        yield application
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@dataclass
class World:
    """A small tree: province 34 → district 344 → communes A and B → villages, and staff."""

    units: dict[str, AdminUnit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    password: str = "mat-khau-123"


def _unit(code: str, name: str, kind: str, level: UnitLevel, parent: AdminUnit | None) -> AdminUnit:
    unit = AdminUnit(code=code, name=name, kind=kind, level=level, parent=parent)
    db.session.add(unit)
    return unit


@pytest.fixture
def world(app: Flask) -> World:
    """Units and one account per role; commune staff belong to commune A (12865)."""
    w = World()
    p = _unit("34", "Thái Bình", "tỉnh", UnitLevel.province, None)
    d = _unit("344", "Vũ Thư", "huyện", UnitLevel.district, p)
    a = _unit("12865", "Tân Hòa", "xã", UnitLevel.commune, d)
    b = _unit("12868", "Song An", "xã", UnitLevel.commune, d)
    w.units = {
        "province": p,
        "district": d,
        "commune_a": a,
        "commune_b": b,
        "village_a1": _unit("1286501", "Đông", "thôn", UnitLevel.village, a),
        "village_a2": _unit("1286502", "Đoài", "thôn", UnitLevel.village, a),
        "village_b1": _unit("1286801", "Nam", "thôn", UnitLevel.village, b),
    }
    for name, role, unit in (
        ("admin", Role.admin, p),
        ("tinh", Role.province, p),
        ("huyen", Role.district, d),
        ("xa_a", Role.commune, a),
        ("xa_b", Role.commune, b),
        ("xem_a", Role.viewer, a),
    ):
        user = User(username=name, role=role, unit=unit, full_name=f"Cán bộ {name}")
        user.password_hash = _test_hash(w.password)
        db.session.add(user)
        w.users[name] = user
    db.session.commit()
    return w


@pytest.fixture
def login(client: FlaskClient, world: World) -> Callable[[str], FlaskClient]:
    """Log ``client`` in as one of the world's users: ``login("xa_a")``."""

    def do_login(username: str) -> FlaskClient:
        client.post("/logout")
        response = client.post("/login", data={"username": username, "password": world.password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return do_login


@pytest.fixture
def make_citizen(world: World) -> Callable[..., Any]:
    """Create a citizen directly through the service (as the admin)."""
    from registry.citizens.services import create_citizen

    def make(name: str = "Nguyễn Văn Hằng", village: str = "village_a1", **extra: Any) -> Any:
        data = {
            "full_name": name,
            "gender": extra.pop("gender", "M"),
            "birth_date": extra.pop("birth_date", date(1980, 5, 17)),
            "village_id": world.units[village].id,
            **extra,
        }
        citizen = create_citizen(world.users["admin"], data, today=date(2026, 11, 27))
        db.session.commit()
        return citizen

    return make


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the .po catalogues to .mo (git ignores them) so ``pytest`` runs on a fresh clone."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "registry" / "translations"
    for po_path in root.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        # a private temporary file, then an atomic rename: parallel test runs may compile too
        with tempfile.NamedTemporaryFile(
            "wb", dir=po_path.parent, prefix=".messages-", suffix=".mo", delete=False
        ) as mo_file:
            write_mo(mo_file, catalog)
        Path(mo_file.name).replace(po_path.with_suffix(".mo"))
