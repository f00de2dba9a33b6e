"""Citizen forms. Formats are checked here; business rules come back from the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

DATE_HINT = "dd/mm/yyyy"
DATE_PATTERN = r"^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\s*$"


class CitizenForm(FlaskForm):
    """Register or edit a citizen."""

    full_name = StringField(
        _l("Họ và tên"),
        validators=[DataRequired(_l("Vui lòng nhập họ và tên.")), Length(max=120)],
    )
    gender = SelectField(
        _l("Giới tính"), choices=[("F", _l("Nữ")), ("M", _l("Nam"))], validate_choice=False
    )
    birth_date = StringField(
        _l("Ngày sinh"),
        validators=[
            DataRequired(_l("Vui lòng nhập ngày sinh.")),
            Regexp(DATE_PATTERN, message=_l("Ngày sinh theo dạng dd/mm/yyyy.")),
        ],
        render_kw={"placeholder": DATE_HINT, "inputmode": "numeric"},
    )
    cccd = StringField(
        _l("Số CCCD (không bắt buộc)"),
        validators=[
            Optional(),
            Regexp(r"^\s*\d{12}\s*$", message=_l("Số CCCD gồm đúng 12 chữ số.")),
        ],
        render_kw={"inputmode": "numeric", "maxlength": 12},
    )
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=15)])
    village_id = SelectField(_l("Thôn/tổ dân phố"), coerce=str, validate_choice=False)
    household_code = StringField(_l("Mã hộ gia đình"), validators=[Optional(), Length(max=30)])
    relation = SelectField(_l("Quan hệ với chủ hộ"), validate_choice=False)
    clan_id = SelectField(_l("Dòng họ"), coerce=str, validate_choice=False)
    status = SelectField(
        _l("Tình trạng"),
        choices=[
            ("active", _l("Đang cư trú")),
            ("moved", _l("Đã chuyển đi")),
            ("deceased", _l("Đã mất")),
        ],
        validate_choice=False,
    )
    left_on = StringField(
        _l("Ngày chuyển đi/mất"),
        validators=[Optional(), Regexp(DATE_PATTERN, message=_l("Ngày theo dạng dd/mm/yyyy."))],
        render_kw={"placeholder": DATE_HINT},
    )
    version = HiddenField()


RELATION_CHOICES = [
    ("", _l("— Không —")),
    ("head", _l("Chủ hộ")),
    ("spouse", _l("Vợ/chồng")),
    ("child", _l("Con")),
    ("parent", _l("Bố/mẹ")),
    ("grandchild", _l("Cháu")),
    ("sibling", _l("Anh/chị/em")),
    ("other", _l("Khác")),
]


class DeleteForm(FlaskForm):
    """An empty form: its CSRF token protects a confirmed deletion."""
