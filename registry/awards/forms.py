"""Recognition forms: the decision's particulars and the revocation reason.

The service (``parse_decision``, ``revoke``) validates the values and returns field errors in
Vietnamese; the forms only carry them, so there is one set of rules and messages.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from registry.models import AdminUnit

DATE_HINT = "dd/mm/yyyy"


class DecisionForm(FlaskForm):
    """The decision that approves a selection of proposals, with what it covers (hidden)."""

    year = HiddenField()
    kind = HiddenField()
    unit = HiddenField()
    selection = HiddenField()  # "all", or result ids separated by commas
    number = StringField(
        _l("Số quyết định"), render_kw={"placeholder": _l("ví dụ: 12/QĐ-UBND"), "maxlength": 60}
    )
    decided_on = StringField(
        _l("Ngày quyết định"), render_kw={"placeholder": DATE_HINT, "inputmode": "numeric"}
    )
    issuer_name = StringField(_l("Cơ quan ban hành"), render_kw={"maxlength": 200})
    issuer_short = TextAreaField(
        _l("Tên cơ quan ở tiêu đề (mỗi dòng một dòng in)"), render_kw={"rows": 2}
    )
    place_name = StringField(_l("Địa danh (nơi ký)"), render_kw={"maxlength": 100})
    signer_title = TextAreaField(
        _l("Chức vụ người ký (mỗi dòng một dòng in)"), render_kw={"rows": 2}
    )
    signer_name = StringField(_l("Họ tên người ký"), render_kw={"maxlength": 120})

    def fill_defaults(self, unit: AdminUnit, decided_on: str) -> None:
        """Pre-fill the issuer, place and signer from the recognising unit (People's Committee)."""
        where = f"{unit.kind} {unit.name}"
        self.decided_on.data = decided_on
        self.issuer_name.data = f"Ủy ban nhân dân {where}"
        self.issuer_short.data = f"ỦY BAN NHÂN DÂN\n{where.upper()}"
        self.place_name.data = unit.name
        self.signer_title.data = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"


class RevokeForm(FlaskForm):
    """Revoke a recognition: the reason is required and kept."""

    reason = TextAreaField(
        _l("Lý do thu hồi"), render_kw={"rows": 3, "maxlength": 500, "required": True}
    )
