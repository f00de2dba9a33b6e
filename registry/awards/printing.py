"""Print a unit's certificates for a year as one PDF (or files of ≤ 1,000 pages)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import certificates
from registry.awards.services import batch_items
from registry.errors import ValidationFailed
from registry.models import AdminUnit

PAGES_PER_FILE = 1000

Progress = Callable[[int, int], None]


def partial_path(path: Path) -> Path:
    """Where ``path`` is written until it is complete: a hidden file in the same folder."""
    return path.with_name(f".{path.name}.partial")


def print_unit(
    unit: AdminUnit, year: int, out: Path, progress: Progress | None = None
) -> list[Path]:
    """Write every valid certificate of ``unit`` for ``year``.

    Up to 1,000 certificates go into ``out`` itself; a bigger batch is split into
    ``out``-0001.pdf, ``out``-0002.pdf… (one WeasyPrint document of 1,000 pages already
    needs about 0.5 GB). Returns the files written.

    Every file is written under a hidden ``.partial`` name and renamed once complete, so a
    batch killed half-way never leaves a truncated PDF (or a half-overwritten older one)
    under the name people print from; a re-run overwrites the leftover.
    """
    items = batch_items(unit, year)
    if not items:
        raise ValidationFailed(f"{unit.display_name} không có giấy công nhận nào năm {year}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    if len(items) <= PAGES_PER_FILE:
        partial = partial_path(out)
        try:
            certificates.Renderer("certificate").write_pdf(items, partial, progress)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(out)
        return [out]
    return _print_files(items, out.with_suffix(""), progress)


def _print_files(
    items: list[certificates.CertificateData], prefix: Path, progress: Progress | None
) -> list[Path]:
    """``prefix``-0001.pdf…, each renamed into place once the whole batch is written."""
    hidden = partial_path(prefix)
    try:
        partials = certificates.render_pdf_files(
            "certificate", items, hidden, PAGES_PER_FILE, progress=progress
        )
    except BaseException:
        for leftover in hidden.parent.glob(f"{hidden.name}-*.pdf"):
            leftover.unlink(missing_ok=True)
        raise
    finals = [prefix.with_name(p.name.replace(hidden.name, prefix.name, 1)) for p in partials]
    for partial, final in zip(partials, finals, strict=True):
        partial.replace(final)
    return finals
