"""Organisation forms. Formats are checked here; business rules come back from the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

KIND_CHOICES = [
    ("agency", _l("Cơ quan")),
    ("school", _l("Trường học")),
    ("enterprise", _l("Doanh nghiệp")),
    ("other", _l("Khác")),
]
ROLE_CHOICES = [
    ("staff", _l("Cán bộ, nhân viên")),
    ("learner", _l("Người học")),
]


class OrganisationForm(FlaskForm):
    """Register or edit an organisation (cơ quan, trường học, doanh nghiệp)."""

    name = StringField(
        _l("Tên cơ quan, đơn vị"),
        validators=[
            DataRequired(_l("Vui lòng nhập tên cơ quan, đơn vị.")),
            Length(max=200, message=_l("Tên tối đa 200 ký tự.")),
        ],
    )
    kind = SelectField(_l("Loại"), choices=KIND_CHOICES, validate_choice=False)
    unit_id = SelectField(_l("Địa bàn"), coerce=str, validate_choice=False)
    version = HiddenField()


class MemberForm(FlaskForm):
    """Add a citizen to an organisation by the code printed on their slip."""

    citizen_code = StringField(
        _l("Mã công dân"),
        validators=[
            DataRequired(_l("Vui lòng nhập mã công dân.")),
            Length(max=20, message=_l("Mã công dân tối đa 20 ký tự.")),
        ],
        render_kw={"placeholder": "CD0123456789", "autocomplete": "off"},
    )
    role = SelectField(_l("Vai trò"), choices=ROLE_CHOICES, validate_choice=False)
