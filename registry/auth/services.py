"""Who may do what: password checks, API tokens, and unit-scope rules (no Flask request here)."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select, true
from werkzeug.security import generate_password_hash

from registry import audit
from registry.errors import Conflict, NotFound, OutOfScope, ValidationFailed
from registry.extensions import db
from registry.models import AdminUnit, ApiToken, Role, UnitLevel, User
from registry.models._mixins import utcnow
from registry.units.services import subtree_ids

# an editor role works on a unit of this level (and everything below it)
ROLE_LEVEL = {
    Role.province: UnitLevel.province,
    Role.district: UnitLevel.district,
    Role.commune: UnitLevel.commune,
}
MIN_PASSWORD_LENGTH = 8


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure)."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        # spend the same time as a real check so the answer does not reveal the username
        User(password_hash=_dummy_hash()).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(8))


def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: Role,
    unit: AdminUnit,
    full_name: str = "",
) -> User:
    """Create a staff account; the role must fit the unit's level and the password be long."""
    username = username.strip().lower()
    errors: dict[str, list[str]] = {}
    if not username or not username.replace(".", "").replace("_", "").isalnum():
        errors["username"] = ["Tên đăng nhập chỉ gồm chữ, số, dấu chấm và gạch dưới."]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."]
    if role in ROLE_LEVEL and unit.level != ROLE_LEVEL[role]:
        errors["unit"] = ["Vai trò không phù hợp với cấp của đơn vị."]
    if errors:
        raise ValidationFailed("Thông tin tài khoản không hợp lệ.", errors)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("Tên đăng nhập đã tồn tại.", {"username": ["Tên đăng nhập đã tồn tại."]})
    user = User(username=username, role=role, unit=unit, full_name=full_name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", user, unit_id=unit.id, changes=audit.snapshot(user))
    return user


def issue_token(user: User, hours: int) -> str:
    """Create a bearer token for ``user``; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user=user, token_hash=_digest(token), expires_at=utcnow() + timedelta(hours=hours))
    )
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user owning an unexpired token, or None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or _aware(row.expires_at) < utcnow() or not row.user.active:
        return None
    return row.user


def _aware(moment: Any) -> Any:
    # SQLite returns naive datetimes even for timezone-aware columns; they were stored as UTC
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def in_scope(user: User, unit: AdminUnit) -> bool:
    """Whether ``unit`` is the user's unit or below it (admins see everything)."""
    if user.role is Role.admin:
        return True
    return any(node.id == user.unit_id for node in unit.ancestors())


def require_scope(user: User, unit: AdminUnit, *, hide: bool = True) -> None:
    """Raise if ``unit`` is outside the user's scope: NotFound for objects (``hide``), else 403."""
    if not in_scope(user, unit):
        if hide:
            raise NotFound("Không tìm thấy dữ liệu yêu cầu.")
        raise OutOfScope("Đơn vị này nằm ngoài phạm vi quản lý của bạn.")


def require_edit(user: User, unit: AdminUnit) -> None:
    """Raise unless the user may change data of ``unit`` (in scope and not a viewer)."""
    require_scope(user, unit)
    if not user.can_edit:
        raise OutOfScope("Tài khoản của bạn chỉ có quyền xem.")


def scope_filter(user: User, unit_column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose ``unit_column`` lies in the user's scope."""
    if user.role is Role.admin:
        return true()
    return unit_column.in_(subtree_ids(user.unit_id))


def change_password(user: User, *, actor: User, new_password: str) -> None:
    """Set a new password (the owner or an admin) and revoke the account's API tokens; its
    other sessions end too (``User.get_id``)."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            "Mật khẩu quá ngắn.", {"password": [f"Cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."]}
        )
    user.set_password(new_password)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    audit.record(actor, "password", user, unit_id=user.unit_id, summary=user.username)


def update_user(
    user: User, *, actor: User, full_name: str, role: Role, unit: AdminUnit, active: bool
) -> User:
    """Change an account's name, role, unit or active flag (an admin's action).

    The role must fit the unit's level, and an admin cannot lock themselves out by
    deactivating their own account or giving up their own admin role.
    """
    errors: dict[str, list[str]] = {}
    if role in ROLE_LEVEL and unit.level != ROLE_LEVEL[role]:
        errors["unit"] = ["Vai trò không phù hợp với cấp của đơn vị."]
    if user.id == actor.id and not active:
        errors["active"] = ["Bạn không thể tự khóa tài khoản của chính mình."]
    if user.id == actor.id and user.role is Role.admin and role is not Role.admin:
        errors["role"] = ["Bạn không thể tự bỏ quyền quản trị của chính mình."]
    if errors:
        raise ValidationFailed("Thông tin tài khoản không hợp lệ.", errors)
    before = audit.snapshot(user)
    user.full_name, user.role, user.unit, user.active = full_name.strip(), role, unit, active
    db.session.flush()
    audit.record(
        actor, "update", user, unit_id=unit.id, changes=audit.diff(before, user),
        summary=user.username,
    )  # fmt: skip
    return user


def reset_password(user: User, *, actor: User, new_password: str) -> None:
    """Set a new password for another account (an admin's action) and revoke its API tokens;
    its open sessions end too (``User.get_id``).

    :raises OutOfScope: the actor is not an admin.
    """
    if actor.role is not Role.admin:
        raise OutOfScope("Chỉ quản trị viên được đặt lại mật khẩu.")
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            "Mật khẩu quá ngắn.", {"password": [f"Cần ít nhất {MIN_PASSWORD_LENGTH} ký tự."]}
        )
    user.set_password(new_password)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    audit.record(actor, "reset_password", user, unit_id=user.unit_id, summary=user.username)
