"""Household forms. Formats are checked here; business rules come back from the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

ADDRESS_LENGTH = Length(max=200, message=_l("Địa chỉ tối đa 200 ký tự."))


class HouseholdForm(FlaskForm):
    """Register a household in a village."""

    village_id = SelectField(_l("Thôn/tổ dân phố"), coerce=str, validate_choice=False)
    address = StringField(_l("Địa chỉ"), validators=[Optional(), ADDRESS_LENGTH])


class HouseholdEditForm(FlaskForm):
    """Change a household's address or name its head among its members."""

    address = StringField(_l("Địa chỉ"), validators=[Optional(), ADDRESS_LENGTH])
    head_id = SelectField(_l("Chủ hộ"), coerce=str, validate_choice=False)
    version = HiddenField()
