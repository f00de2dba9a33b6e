"""The public status lookup form. Only the shape of the input is checked here: a form error
can never depend on the data, so it reveals nothing; everything else gets the one neutral
answer from the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

# dd/mm/yyyy (also d/m/yyyy, "-" or "." as separators), or 8 digits ddmmyyyy for phone keypads
BIRTH_PATTERN = r"^\s*(\d{1,2}([/.-])\d{1,2}\2\d{4}|\d{8})\s*$"


class StatusLookupForm(FlaskForm):
    """Citizen code or CCCD, and date of birth."""

    identifier = StringField(
        _l("Mã công dân hoặc số CCCD"),
        validators=[
            DataRequired(_l("Vui lòng nhập mã công dân hoặc số CCCD.")),
            Length(max=30, message=_l("Mã công dân hoặc số CCCD quá dài.")),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "maxlength": 30,
        },
    )
    birth_date = StringField(
        _l("Ngày sinh"),
        validators=[
            DataRequired(_l("Vui lòng nhập ngày sinh.")),
            Regexp(BIRTH_PATTERN, message=_l("Ngày sinh theo dạng dd/mm/yyyy, ví dụ 05/03/1980.")),
        ],
        render_kw={"placeholder": "dd/mm/yyyy", "autocomplete": "bday", "maxlength": 12},
    )
