"""Print a unit's certificates for a year as one PDF (or files of ≤ 1,000 pages)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import certificates
from registry.awards.services import batch_items
from registry.errors import ValidationFailed
from registry.models import AdminUnit

PAGES_PER_FILE = 1000


def print_unit(
    unit: AdminUnit, year: int, out: Path, progress: Callable[[int, int], None] | None = None
) -> list[Path]:
    """Write every valid certificate of ``unit`` for ``year``.

    Up to 1,000 certificates go into ``out`` itself; a bigger batch is split into
    ``out``-0001.pdf, ``out``-0002.pdf… (one WeasyPrint document of 1,000 pages already
    needs about 0.5 GB). Returns the files written.
    """
    items = batch_items(unit, year)
    if not items:
        raise ValidationFailed(f"{unit.display_name} không có giấy công nhận nào năm {year}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    if len(items) <= PAGES_PER_FILE:
        certificates.Renderer("certificate").write_pdf(items, out, progress)
        return [out]
    prefix = out.with_suffix("")
    return certificates.render_pdf_files(
        "certificate", items, prefix, PAGES_PER_FILE, progress=progress
    )
