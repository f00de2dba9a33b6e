"""Clan forms. Formats are checked here; business rules come back from the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ClanForm(FlaskForm):
    """Register or edit a clan (dòng họ)."""

    name = StringField(
        _l("Tên dòng họ"),
        validators=[
            DataRequired(_l("Vui lòng nhập tên dòng họ.")),
            Length(max=150, message=_l("Tên dòng họ tối đa 150 ký tự.")),
        ],
        render_kw={"placeholder": _l("ví dụ: Dòng họ Nguyễn Đình")},
    )
    unit_id = SelectField(_l("Xã hoặc thôn"), coerce=str, validate_choice=False)
    note = TextAreaField(
        _l("Ghi chú"),
        validators=[Optional(), Length(max=2000, message=_l("Ghi chú tối đa 2.000 ký tự."))],
    )
    version = HiddenField()
