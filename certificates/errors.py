"""Errors raised while preparing or rendering certificates and decisions."""

from __future__ import annotations

# Vietnamese and English names of every field a layout may require, for error messages
# that a commune clerk (Vietnamese) and a developer (English) can both act on.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "serial": ("số hiệu giấy công nhận", "certificate serial"),
    "verify_url": ("đường dẫn xác minh", "verification URL"),
    "title": ("tên danh hiệu", "title name"),
    "year": ("năm công nhận", "year"),
    "recipient_label": ("danh xưng người được công nhận", "recipient label"),
    "recipient_name": ("tên người/đơn vị được công nhận", "recipient name"),
    "address_line": ("địa chỉ", "address"),
    "issuer_name": ("tên cơ quan công nhận", "issuer name"),
    "issuer_short": ("tên cơ quan ở tiêu đề", "issuer heading"),
    "decision_number": ("số quyết định", "decision number"),
    "decision_date": ("ngày quyết định", "decision date"),
    "place_name": ("địa danh", "place name"),
    "signed_on": ("ngày ký", "signing date"),
    "signer_title": ("chức vụ người ký", "signer title"),
    "signer_name": ("họ tên người ký", "signer name"),
    "level": ("mức độ", "level"),
    "number": ("số quyết định", "decision number"),
    "date": ("ngày quyết định", "decision date"),
    "legal_bases": ("căn cứ pháp lý", "legal bases"),
    "recipients": ("danh sách được công nhận", "recipients"),
    "recipient_kind": ("loại đối tượng được công nhận", "recipient kind"),
    "article_2": ("nội dung Điều 2", "article 2 text"),
    "article_3": ("nội dung Điều 3", "article 3 text"),
    "copies_to": ("nơi nhận", "distribution list"),
}


class CertificateError(Exception):
    """Base class of every error raised by the ``certificates`` package."""


# MissingField is the name the registry codes against; UnknownLayout matches it (N818).
class UnknownLayout(CertificateError):  # noqa: N818
    """The requested layout does not exist or its folder is incomplete."""


class MissingField(CertificateError):  # noqa: N818
    """A field the layout requires is missing or empty.

    ``field`` holds the field's name (``"recipient_name"``); the message names it in
    Vietnamese and English.
    """

    def __init__(self, field: str, layout: str | None = None) -> None:
        self.field = field
        self.layout = layout
        vi, en = FIELD_LABELS.get(field, (field, field.replace("_", " ")))
        where = f" (layout “{layout}”)" if layout else ""
        super().__init__(
            f"Thiếu thông tin bắt buộc: {vi} ({field}). "
            f"Missing required field: {en} ({field}){where}."
        )
