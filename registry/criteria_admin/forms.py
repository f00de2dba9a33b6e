"""Forms of the criteria sets pages: the upload (activation and retirement only confirm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class UploadForm(FlaskForm):
    """One ``.toml`` file of at most 200 KB (size, encoding and content: the service)."""

    file = FileField(
        _l("Tệp bộ tiêu chí (.toml)"),
        validators=[FileRequired(_l("Vui lòng chọn tệp .toml."))],
        description=_l("Văn bản UTF-8, tối đa 200 KB, theo định dạng trong criteria/FORMAT.md."),
        render_kw={"accept": ".toml"},
    )
