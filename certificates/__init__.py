"""Certificates (giấy công nhận), recognition decisions and yearly reports from plain data.

``render_html`` gives the HTML of one item (fast, what most tests check);
``render_pdf`` and ``Renderer`` produce PDFs with WeasyPrint, imported lazily so that
``import certificates`` stays cheap. Layouts live in ``certificates/layouts/<name>/``.
"""

from .batch import render_pdf_files
from .catalog import Layout, get_layout, layouts
from .context import render_html, validate
from .data import CertificateData, DecisionData, Recipient, ReportData, nfc
from .errors import CertificateError, MissingField, UnknownLayout
from .formatting import qr_data_uri, vn_date, vn_date_numeric
from .render import Renderer, render_pdf

__all__ = [
    "CertificateData",
    "CertificateError",
    "DecisionData",
    "Layout",
    "MissingField",
    "Recipient",
    "Renderer",
    "ReportData",
    "UnknownLayout",
    "get_layout",
    "layouts",
    "nfc",
    "qr_data_uri",
    "render_html",
    "render_pdf",
    "render_pdf_files",
    "validate",
    "vn_date",
    "vn_date_numeric",
]
