"""Big batches: split into PDF files of at most ``pages_per_file`` pages, optionally in parallel.

WeasyPrint holds the layout of a whole document until it is written (360 MB peak for
1,000 certificates), so 5,000 certificates are written as five files, one after the
other (or two at a time with ``workers=2``), instead of one document of about 2 GB.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .catalog import Layout, resolve_layout
from .context import validate
from .data import Data
from .errors import CertificateError
from .render import Item, Progress, shared_renderer

MAX_PAGES_PER_FILE = 1000


def _targets(layout: Layout, out: Path | str, count: int) -> list[Path]:
    """File names: ``<dir>/<layout>-0001.pdf`` for a directory, ``<prefix>-0001.pdf``."""
    out_path = Path(out)
    if out_path.is_dir() or str(out).endswith(("/", "\\")):
        out_path.mkdir(parents=True, exist_ok=True)
        return [out_path / f"{layout.name}-{i:04d}.pdf" for i in range(1, count + 1)]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    return [out_path.with_name(f"{out_path.name}-{i:04d}.pdf") for i in range(1, count + 1)]


def _render_chunk(layout: Layout, chunk: list[Data], target: Path) -> int:
    """Worker entry point (also used in-process): write one file, return its page count."""
    return shared_renderer(layout).write_pdf(chunk, target)


def render_pdf_files(
    layout: str | Layout,
    items: Iterable[Item],
    out_dir_or_prefix: Path | str,
    pages_per_file: int = MAX_PAGES_PER_FILE,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[Path]:
    """Render a batch into numbered PDF files and return their paths in order.

    Every item is validated before anything is rendered, so a missing field fails the
    whole batch up front. A certificate is one page, so each file holds at most
    ``pages_per_file`` certificates; for decisions the limit counts decisions.

    :param out_dir_or_prefix: an existing directory (or a path ending in "/") receives
        ``<layout>-0001.pdf``…; anything else is a prefix: ``<prefix>-0001.pdf``….
    :param workers: processes rendering files in parallel. With 1 (the default) the
        batch renders in this process. On a 2-core machine 2 workers rendered 1,000
        pages as two files 1.5× faster (247 s against 377 s, machine shared and loaded);
        each worker peaks at about 210 MB per 500 pages (bench/certificates_bench.py).
    :param progress: ``progress(done, total)`` after each item (each file with workers).
    :raises MissingField: an item lacks a required field.
    """
    spec = resolve_layout(layout)
    if pages_per_file < 1:
        raise CertificateError(f"pages_per_file must be at least 1, got {pages_per_file}")
    checked = [validate(spec, item) for item in items]
    if not checked:
        raise CertificateError("Không có gì để in / nothing to render: empty batch")
    chunks = [checked[i : i + pages_per_file] for i in range(0, len(checked), pages_per_file)]
    targets = _targets(spec, out_dir_or_prefix, len(chunks))
    if workers <= 1 or len(chunks) == 1:
        _render_sequentially(spec, chunks, targets, progress)
    else:
        _render_in_pool(spec, chunks, targets, workers, progress)
    return targets


def _render_sequentially(
    layout: Layout, chunks: list[list[Data]], targets: list[Path], progress: Progress | None
) -> None:
    total = sum(len(chunk) for chunk in chunks)
    done = 0
    for chunk, target in zip(chunks, targets, strict=True):
        offset = done

        def report(n: int, _size: int, offset: int = offset) -> None:
            if progress is not None:
                progress(offset + n, total)

        shared_renderer(layout).write_pdf(chunk, target, report)
        done += len(chunk)


def _render_in_pool(
    layout: Layout,
    chunks: list[list[Data]],
    targets: list[Path],
    workers: int,
    progress: Progress | None,
) -> None:
    total = sum(len(chunk) for chunk in chunks)
    # "spawn": forking a process that already holds Pango/fontconfig state is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            (pool.submit(_render_chunk, layout, chunk, target), len(chunk))
            for chunk, target in zip(chunks, targets, strict=True)
        ]
        done = 0
        for future, size in futures:
            future.result()
            done += size
            if progress is not None:
                progress(done, total)
