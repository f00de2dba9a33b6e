"""The learning-activity form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from registry.citizens.forms import DATE_HINT, DATE_PATTERN


class ActivityForm(FlaskForm):
    """Record or edit one learning activity."""

    category_id = SelectField(_l("Loại hoạt động"), coerce=str, validate_choice=False)
    title = StringField(
        _l("Nội dung, tên khóa học"),
        validators=[DataRequired(_l("Vui lòng nhập nội dung hoạt động.")), Length(max=200)],
    )
    provider = StringField(_l("Đơn vị tổ chức"), validators=[Optional(), Length(max=200)])
    held_on = StringField(
        _l("Ngày bắt đầu"),
        validators=[
            DataRequired(_l("Vui lòng nhập ngày.")),
            Regexp(DATE_PATTERN, message=_l("Ngày theo dạng dd/mm/yyyy.")),
        ],
        render_kw={"placeholder": DATE_HINT},
    )
    ended_on = StringField(
        _l("Ngày kết thúc (nếu có)"),
        validators=[Optional(), Regexp(DATE_PATTERN, message=_l("Ngày theo dạng dd/mm/yyyy."))],
        render_kw={"placeholder": DATE_HINT},
    )
    hours = StringField(
        _l("Số giờ"),
        validators=[DataRequired(_l("Vui lòng nhập số giờ."))],
        render_kw={"inputmode": "decimal"},
    )
    evidence = TextAreaField(
        _l("Minh chứng (giấy chứng nhận, danh sách lớp...)"),
        validators=[Optional(), Length(max=2000)],
    )
    version = HiddenField()
