"""Administrative unit forms (admins only): create a child unit, edit one, record a merger."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from registry.models import UnitLevel

DATE_HINT = "dd/mm/yyyy"
DATE_PATTERN = r"^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\s*$"
DATE_MESSAGE = _l("Ngày theo dạng dd/mm/yyyy.")

# the word a unit's name is written with, as stored in AdminUnit.kind
KIND_CHOICES = [
    ("tỉnh", _l("Tỉnh")),
    ("thành phố", _l("Thành phố")),
    ("huyện", _l("Huyện")),
    ("thị xã", _l("Thị xã")),
    ("quận", _l("Quận")),
    ("xã", _l("Xã")),
    ("phường", _l("Phường")),
    ("thị trấn", _l("Thị trấn")),
    ("thôn", _l("Thôn")),
    ("tổ dân phố", _l("Tổ dân phố")),
]

# the kind preselected for a new unit of each level (the commonest word for that level)
DEFAULT_KIND = {
    UnitLevel.province: "tỉnh",
    UnitLevel.district: "huyện",
    UnitLevel.commune: "xã",
    UnitLevel.village: "thôn",
}

LEVEL_LABELS = {
    UnitLevel.province: _l("Cấp tỉnh"),
    UnitLevel.district: _l("Cấp huyện"),
    UnitLevel.commune: _l("Cấp xã"),
    UnitLevel.village: _l("Cấp thôn"),
}


def _date_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Regexp(DATE_PATTERN, message=DATE_MESSAGE)],
        render_kw={"placeholder": DATE_HINT, "inputmode": "numeric"},
    )


def _name_field() -> StringField:
    return StringField(
        _l("Tên đơn vị"),
        validators=[DataRequired(_l("Vui lòng nhập tên đơn vị.")), Length(max=150)],
    )


def _kind_field() -> SelectField:
    return SelectField(_l("Loại đơn vị"), choices=KIND_CHOICES)


class UnitCreateForm(FlaskForm):
    """Add a child unit; the level's choices are those the parent allows."""

    code = StringField(
        _l("Mã đơn vị"),
        validators=[
            DataRequired(_l("Vui lòng nhập mã đơn vị.")),
            Length(max=20),
            Regexp(r"^\s*[0-9A-Za-z.\-]+\s*$", message=_l("Mã chỉ gồm chữ số, chữ cái, dấu chấm.")),
        ],
    )
    name = _name_field()
    kind = _kind_field()
    # choices are set per parent; the service refuses a level the parent does not allow
    level = SelectField(_l("Cấp"), validate_choice=False)
    valid_from = _date_field(_l("Hiệu lực từ ngày"))
    valid_to = _date_field(_l("Hiệu lực đến ngày (để trống nếu vẫn còn)"))


class UnitEditForm(FlaskForm):
    """Rename a unit, change its kind or its validity dates."""

    name = _name_field()
    kind = _kind_field()
    valid_from = _date_field(_l("Hiệu lực từ ngày"))
    valid_to = _date_field(_l("Hiệu lực đến ngày (để trống nếu vẫn còn)"))
    version = HiddenField()


class MergeForm(FlaskForm):
    """Record that this unit merged into another on a date (shown again for confirmation)."""

    new_unit = StringField(
        _l("Mã đơn vị mới (nhận sáp nhập)"),
        validators=[DataRequired(_l("Vui lòng nhập mã đơn vị mới.")), Length(max=20)],
    )
    effective_on = StringField(
        _l("Ngày sáp nhập có hiệu lực"),
        validators=[
            DataRequired(_l("Vui lòng nhập ngày.")),
            Regexp(DATE_PATTERN, message=DATE_MESSAGE),
        ],
        render_kw={"placeholder": DATE_HINT, "inputmode": "numeric"},
    )
    note = StringField(_l("Ghi chú (số nghị quyết…)"), validators=[Optional(), Length(max=300)])
    confirmed = HiddenField()
