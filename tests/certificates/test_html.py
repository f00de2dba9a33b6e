"""HTML rendering: content, escaping, required fields, Unicode normalisation, layouts."""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from certificates import (
    CertificateData,
    CertificateError,
    DecisionData,
    Layout,
    MissingField,
    UnknownLayout,
    get_layout,
    layouts,
    qr_data_uri,
    render_html,
    vn_date,
    vn_date_numeric,
)
from certificates.context import name_size_pt

MakeCertificate = Callable[..., CertificateData]


def visible_text(markup: str) -> str:
    """Text of the HTML with tags dropped, entities decoded and whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", markup)
    return " ".join(html.unescape(text).split())


def test_layouts_lists_the_shipped_layouts() -> None:
    assert layouts() == ["certificate", "decision", "report"]
    assert get_layout("certificate").page_size == "A4 landscape"
    assert get_layout("decision").page_size == "A4"
    assert "recipient_name" in get_layout("certificate").required
    assert "recipients" in get_layout("decision").required


def test_unknown_layout_lists_the_available_ones() -> None:
    with pytest.raises(UnknownLayout, match="certificate, decision"):
        render_html("diploma", {})


def test_certificate_html_shows_every_field(make_certificate: MakeCertificate) -> None:
    data = make_certificate()
    text = visible_text(render_html("certificate", data))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY CÔNG NHẬN" in text
    assert "ỦY BAN NHÂN DÂN XÃ NGỌC THỤY" in text
    assert (
        "Công nhận hộ gia đình ông/bà Đặng Thị Mỹ Hạnh "
        "Địa chỉ: Thôn Hữu Bằng, xã Ngọc Thụy, thành phố Hà Nội "
        "đạt danh hiệu “Gia đình học tập” năm 2025 Mức độ 2"
    ) in text
    assert (
        "Theo Quyết định số 12/QĐ-UBND ngày 05 tháng 12 năm 2025 của Ủy ban nhân dân xã Ngọc Thụy"
    ) in text
    assert "Ngọc Thụy, ngày 15 tháng 12 năm 2025" in text
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Nguyễn Văn Bình" in text
    assert "Số: GĐHT-2025-000123" in text
    assert "Quét mã để xác minh" in text
    assert data.verify_url in text


def test_certificate_qr_encodes_the_verify_url(make_certificate: MakeCertificate) -> None:
    data = make_certificate()
    page = render_html("certificate", data)
    assert f'src="{qr_data_uri(data.verify_url)}"' in page
    assert qr_data_uri(data.verify_url).startswith("data:image/png;base64,")


def test_multiline_fields_keep_their_line_breaks(make_certificate: MakeCertificate) -> None:
    page = render_html("certificate", make_certificate())
    assert "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" in page
    assert "ỦY BAN NHÂN DÂN\nXÃ NGỌC THỤY" in page


def test_optional_lines_are_left_out(make_certificate: MakeCertificate) -> None:
    text = visible_text(render_html("certificate", make_certificate(address_line=None, level="")))
    assert "Địa chỉ" not in text
    assert "Mức độ" not in text


def test_name_is_html_escaped(make_certificate: MakeCertificate) -> None:
    page = render_html(
        "certificate", make_certificate(recipient_name='<script>alert("x")</script> & Co')
    )
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in page


@pytest.mark.parametrize("field", get_layout("certificate").required)
def test_empty_required_field_raises_missing_field(
    make_certificate: MakeCertificate, field: str
) -> None:
    with pytest.raises(MissingField) as excinfo:
        render_html("certificate", make_certificate(**{field: None if "date" in field else " "}))
    assert excinfo.value.field == field
    assert field in str(excinfo.value)
    assert "Thiếu thông tin bắt buộc" in str(excinfo.value)
    assert "Missing required field" in str(excinfo.value)


def test_mapping_without_a_field_raises_missing_field(make_certificate: MakeCertificate) -> None:
    fields = dataclasses.asdict(make_certificate())
    del fields["signer_name"]
    with pytest.raises(MissingField, match=r"họ tên người ký \(signer_name\)"):
        render_html("certificate", fields)


def test_mapping_with_iso_dates_renders(make_certificate: MakeCertificate) -> None:
    fields = dataclasses.asdict(make_certificate())
    fields["decision_date"] = "2025-02-03"
    assert "ngày 03 tháng 02 năm 2025" in render_html("certificate", fields)


def test_mapping_with_unknown_key_is_refused(make_certificate: MakeCertificate) -> None:
    fields: dict[str, Any] = {**dataclasses.asdict(make_certificate()), "colour": "red"}
    with pytest.raises(CertificateError, match="colour"):
        render_html("certificate", fields)


def test_nfd_input_comes_out_nfc(make_certificate: MakeCertificate) -> None:
    nfd_name = unicodedata.normalize("NFD", "Đặng Thị Mỹ Hạnh")
    assert nfd_name != "Đặng Thị Mỹ Hạnh"
    data = make_certificate(
        recipient_name=nfd_name, title=unicodedata.normalize("NFD", "Gia đình học tập")
    )
    assert data.recipient_name == "Đặng Thị Mỹ Hạnh"
    page = render_html("certificate", data)
    assert unicodedata.is_normalized("NFC", page)
    assert "Đặng Thị Mỹ Hạnh" in page


def test_vietnamese_dates() -> None:
    assert vn_date(date(2025, 12, 5)) == "ngày 05 tháng 12 năm 2025"
    assert vn_date(date(2025, 2, 28)) == "ngày 28 tháng 02 năm 2025"
    # Decree 30/2020/NĐ-CP pads only days below 10 and the months 1 and 2.
    assert vn_date(date(2025, 3, 9)) == "ngày 09 tháng 3 năm 2025"
    assert vn_date_numeric(date(2025, 3, 9)) == "09/03/2025"


def test_long_names_shrink_but_not_below_the_minimum() -> None:
    assert name_size_pt("Đặng Thị Mỹ Hạnh") == 30.0
    assert 14.0 < name_size_pt("x" * 45) < 30.0
    assert name_size_pt("x" * 500) == 14.0


def test_decision_html_lists_every_recipient(
    make_decision: Callable[[int], DecisionData],
) -> None:
    text = visible_text(render_html("decision", make_decision(25)))
    assert "Số: 12/QĐ-UBND" in text
    assert "Ngọc Thụy, ngày 05 tháng 12 năm 2025" in text
    assert "QUYẾT ĐỊNH Về việc công nhận danh hiệu “Gia đình học tập” năm 2025" in text
    assert "ỦY BAN NHÂN DÂN XÃ NGỌC THỤY Căn cứ Luật" in text
    assert "ngày 16 tháng 6 năm 2025; Căn cứ Quyết định" in text
    assert "Theo đề nghị của Hội Khuyến học xã Ngọc Thụy. QUYẾT ĐỊNH:" in text
    assert "Điều 1. Công nhận danh hiệu “Gia đình học tập” năm 2025 cho 25 hộ gia đình" in text
    assert "STT" in text
    for number in range(1, 26):
        assert f" {number} " in text
        assert f"GĐHT-2025-{number:06d}" in text
    assert "Điều 2. Quyết định này có hiệu lực kể từ ngày ký." in text
    assert "Điều 3. Văn phòng Ủy ban nhân dân xã Ngọc Thụy" in text
    assert "Nơi nhận: - Như Điều 3; - Lưu: VT." in text


def test_decision_without_recipients_raises_missing_field(
    make_decision: Callable[[int], DecisionData],
) -> None:
    with pytest.raises(MissingField) as excinfo:
        render_html("decision", make_decision(0))
    assert excinfo.value.field == "recipients"


def test_decision_accepts_plain_tuples(make_decision: Callable[[int], DecisionData]) -> None:
    data = dataclasses.replace(make_decision(1), recipients=[("S-1", "Lê Văn Tám", "Thôn 1")])
    assert data.recipients[0].name == "Lê Văn Tám"
    assert "Lê Văn Tám" in render_html("decision", data)


def write_layout(directory: Path, template: str, css: str = "") -> Layout:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "template.html").write_text(template, encoding="utf-8")
    (directory / "style.css").write_text(css, encoding="utf-8")
    (directory / "layout.toml").write_text(
        'title = "test"\ndata = "certificate"\nrequired = ["serial"]\n', encoding="utf-8"
    )
    return Layout.from_directory(directory)


def test_template_typo_names_the_missing_field(
    tmp_path: Path, make_certificate: MakeCertificate
) -> None:
    layout = write_layout(tmp_path / "typo", "{% for c in items %}{{ c.serail }}{% endfor %}")
    with pytest.raises(MissingField, match="serail"):
        render_html(layout, make_certificate())


def test_templates_run_in_a_sandbox(tmp_path: Path, make_certificate: MakeCertificate) -> None:
    layout = write_layout(
        tmp_path / "evil", "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ items }}"
    )
    with pytest.raises(CertificateError, match="unsafe"):
        render_html(layout, make_certificate())


def test_layout_toml_must_name_real_fields(tmp_path: Path) -> None:
    layout = write_layout(tmp_path / "bad", "")
    (layout.directory / "layout.toml").write_text(
        'data = "certificate"\nrequired = ["nickname"]\n', encoding="utf-8"
    )
    with pytest.raises(CertificateError, match="nickname"):
        Layout.from_directory(layout.directory)
