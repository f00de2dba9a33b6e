"""Forms of the import pages: the upload, and the confirmation after a clean dry run."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class UploadForm(FlaskForm):
    """Upload an .xlsx for a dry run."""

    file = FileField(
        _l("Tệp Excel (.xlsx) theo mẫu"),
        validators=[
            FileRequired(_l("Vui lòng chọn tệp cần nhập.")),
            FileAllowed(["xlsx"], _l("Chỉ nhận tệp Excel .xlsx.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token protects the real import after the dry run."""
