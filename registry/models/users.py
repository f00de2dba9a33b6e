"""Staff accounts (Flask-Login) scoped to an administrative unit, and API tokens."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from registry.extensions import Base
from registry.models._mixins import utcnow
from registry.models.units import AdminUnit


class Role(enum.StrEnum):
    """Staff roles. Editors work at their unit's level; viewers only read."""

    admin = "admin"
    province = "province"
    district = "district"
    commune = "commune"
    viewer = "viewer"


class User(UserMixin, Base):  # type: ignore[misc]  # flask-login ships no types
    """A staff member who logs in; sees and changes only their unit and below."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[AdminUnit] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def can_edit(self) -> bool:
        """Viewers read only; every other role edits within its scope."""
        return self.role is not Role.viewer

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (never the password itself)."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and "remember me" cookie, tied to the
        password: setting a new one ends every session opened with the old one."""
        stamp = hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]
        return f"{self.id}:{stamp}"


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
