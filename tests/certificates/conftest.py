"""Fixtures for the certificates package: sample data, rendered PDFs and poppler/zbar tools."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from certificates import CertificateData, DecisionData, Recipient, Renderer, render_pdf

VERIFY_URL = "http://127.0.0.1:5000/verify/GDHT-2025-000123"

CERTIFICATE_FIELDS: dict[str, Any] = {
    "serial": "GĐHT-2025-000123",
    "verify_url": VERIFY_URL,
    "title": "Gia đình học tập",
    "year": 2025,
    "recipient_label": "hộ gia đình ông/bà",
    "recipient_name": "Đặng Thị Mỹ Hạnh",
    "address_line": "Thôn Hữu Bằng, xã Ngọc Thụy, thành phố Hà Nội",
    "issuer_name": "Ủy ban nhân dân xã Ngọc Thụy",
    "issuer_short": "ỦY BAN NHÂN DÂN\nXÃ NGỌC THỤY",
    "decision_number": "12/QĐ-UBND",
    "decision_date": date(2025, 12, 5),
    "place_name": "Ngọc Thụy",
    "signed_on": date(2025, 12, 15),
    "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
    "signer_name": "Nguyễn Văn Bình",
    "level": "Mức độ 2",
}

NAMES = ("Nguyễn Văn An", "Trần Thị Bích Hằng", "Lê Minh Đức", "Phạm Thị Thu Hương", "Hoàng Văn Ơn")


@pytest.fixture
def make_certificate() -> Callable[..., CertificateData]:
    """``make_certificate(recipient_name=…)``: the sample certificate with overrides."""

    def make(**overrides: Any) -> CertificateData:
        return CertificateData(**{**CERTIFICATE_FIELDS, **overrides})

    return make


def _decision(count: int) -> DecisionData:
    recipients = [
        Recipient(f"GĐHT-2025-{i:06d}", f"{NAMES[i % len(NAMES)]}", f"Thôn số {i % 7 + 1}")
        for i in range(1, count + 1)
    ]
    return DecisionData(
        issuer_name="Ủy ban nhân dân xã Ngọc Thụy",
        issuer_short="ỦY BAN NHÂN DÂN\nXÃ NGỌC THỤY",
        number="12/QĐ-UBND",
        date=date(2025, 12, 5),
        place_name="Ngọc Thụy",
        title="Gia đình học tập",
        year=2025,
        legal_bases=[
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
            "Căn cứ Quyết định số 387/QĐ-BGDĐT ngày 06 tháng 02 năm 2024 của Bộ trưởng "
            "Bộ Giáo dục và Đào tạo",
            "Theo đề nghị của Hội Khuyến học xã Ngọc Thụy",
        ],
        recipients=recipients,
        recipient_kind="hộ gia đình",
        signer_title="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        signer_name="Nguyễn Văn Bình",
    )


@pytest.fixture
def make_decision() -> Callable[[int], DecisionData]:
    """``make_decision(count)``: a decision listing ``count`` households."""
    return _decision


def run_tool(*args: str | Path) -> str:
    """Run a poppler/zbar command and return its standard output."""
    if shutil.which(str(args[0])) is None:
        pytest.fail(f"{args[0]} is missing: apt-get install -y poppler-utils zbar-tools")
    result = subprocess.run(  # fixed tool names, arguments from the tests
        [str(a) for a in args], capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout


@pytest.fixture(scope="session")
def tool() -> Callable[..., str]:
    """``tool("pdftotext", path, "-")``: run a command-line tool, fail if it is missing."""
    return run_tool


@pytest.fixture(scope="session")
def certificate_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample certificate rendered once per session."""
    path = tmp_path_factory.mktemp("certificate") / "certificate.pdf"
    path.write_bytes(render_pdf("certificate", CertificateData(**CERTIFICATE_FIELDS)))
    return path


@pytest.fixture(scope="session")
def decision_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A decision listing 60 households, rendered once per session."""
    path = tmp_path_factory.mktemp("decision") / "decision.pdf"
    Renderer("decision").write_pdf([_decision(60)], path)
    return path
