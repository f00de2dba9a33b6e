"""Administration forms: staff accounts and the audit log's filters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from registry import vn
from registry.admin.services import AuditFilters
from registry.auth.services import MIN_PASSWORD_LENGTH
from registry.models import Role

ROLE_LABELS = {
    Role.admin: _l("Quản trị hệ thống"),
    Role.province: _l("Cán bộ cấp tỉnh"),
    Role.district: _l("Cán bộ cấp huyện"),
    Role.commune: _l("Cán bộ cấp xã"),
    Role.viewer: _l("Chỉ xem"),
}

ACTION_LABELS = {
    "create": _l("Thêm mới"),
    "update": _l("Sửa"),
    "delete": _l("Xóa"),
    "merge": _l("Sáp nhập"),
    "login": _l("Đăng nhập"),
    "password": _l("Đổi mật khẩu"),
    "reset_password": _l("Đặt lại mật khẩu"),
    "add_member": _l("Thêm thành viên"),
    "remove_member": _l("Bớt thành viên"),
    "activate": _l("Áp dụng"),
    "retire": _l("Ngừng áp dụng"),
    "approve": _l("Công nhận"),
    "revoke": _l("Thu hồi công nhận"),
    "print": _l("In giấy công nhận"),
    "reprint": _l("In lại giấy công nhận"),
    "print_batch": _l("In giấy công nhận hàng loạt"),
    "print_slip": _l("In phiếu đăng ký"),
    "self_lookup": _l("Người dân tra cứu"),
    "token": _l("Cấp mã truy cập API"),
    "backup": _l("Sao lưu dữ liệu"),
    "restore": _l("Khôi phục dữ liệu"),
}

OBJECT_LABELS = {
    "AdminUnit": _l("Đơn vị hành chính"),
    "User": _l("Tài khoản"),
    "Citizen": _l("Công dân"),
    "Household": _l("Hộ gia đình"),
    "Clan": _l("Dòng họ"),
    "Organisation": _l("Cơ quan, đơn vị"),
    "Activity": _l("Hoạt động học tập"),
    "CriteriaUpload": _l("Bộ tiêu chí tải lên"),
    "Assessment": _l("Đánh giá của hội đồng"),
    "Decision": _l("Quyết định công nhận"),
    "Recognition": _l("Giấy công nhận"),
    "Database": _l("Cơ sở dữ liệu"),
}

# what the audit table needs to name actions and object types
AUDIT_LABELS = {"action_labels": ACTION_LABELS, "object_labels": OBJECT_LABELS}

ALL = ("", _l("— Tất cả —"))
DATE_HINT = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}


def role_choices() -> list[tuple[str, Any]]:
    """The role select's choices with their Vietnamese labels."""
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


def object_type_choices(present: Iterable[str]) -> list[tuple[str, Any]]:
    """Known object types and any other type found in the log, labelled."""
    types = sorted(set(OBJECT_LABELS) | set(present))
    return [ALL, *((t, OBJECT_LABELS.get(t, t)) for t in types)]


def _password() -> PasswordField:
    return PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")), Length(max=200)],
        description=_l("Ít nhất %(n)s ký tự.", n=MIN_PASSWORD_LENGTH),
    )


def _confirm() -> PasswordField:
    return PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[DataRequired(), EqualTo("password", message=_l("Hai mật khẩu không khớp."))],
    )


def _unit_code() -> StringField:
    return StringField(
        _l("Mã đơn vị hành chính"),
        validators=[DataRequired(_l("Vui lòng nhập mã đơn vị.")), Length(max=20)],
    )


class UserCreateForm(FlaskForm):
    """A new staff account; the role must fit the unit's level (checked by the service)."""

    username = StringField(
        _l("Tên đăng nhập"),
        validators=[DataRequired(_l("Vui lòng nhập tên đăng nhập.")), Length(max=60)],
    )
    full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Vai trò"), choices=role_choices())
    unit = _unit_code()
    password = _password()
    confirm = _confirm()


class UserEditForm(FlaskForm):
    """Change an account's name, role, unit or whether it may log in."""

    full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Vai trò"), choices=role_choices())
    unit = _unit_code()
    active = BooleanField(_l("Đang hoạt động (được phép đăng nhập)"))


class PasswordResetForm(FlaskForm):
    """An admin sets a new password for an account."""

    password = _password()
    confirm = _confirm()


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (a GET form, no CSRF token)."""

    username = StringField(_l("Người thực hiện (tên đăng nhập)"), validators=[Length(max=60)])
    object_type = SelectField(_l("Loại đối tượng"), validate_choice=False)
    action = SelectField(
        _l("Thao tác"), choices=[ALL, *ACTION_LABELS.items()], validate_choice=False
    )
    date_from = StringField(_l("Từ ngày"), render_kw=DATE_HINT)
    date_to = StringField(_l("Đến ngày"), render_kw=DATE_HINT)

    def filters(self) -> AuditFilters:
        """The filters to apply; a date that does not parse is reported and left out."""
        return AuditFilters(
            username=(self.username.data or "").strip()[:60],
            object_type=self.object_type.data or "",
            action=self.action.data or "",
            date_from=self._date(self.date_from),
            date_to=self._date(self.date_to),
        )

    @staticmethod
    def _date(field: StringField) -> date | None:
        text = (field.data or "").strip()
        if not text:
            return None
        try:
            return vn.parse_date_vn(text)
        except ValueError as error:
            field.errors = [*field.errors, str(error)]
            return None
