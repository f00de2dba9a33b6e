"""PDF rendering with WeasyPrint: one reused font configuration and stylesheet per layout.

WeasyPrint is imported inside the functions below because ``import weasyprint`` costs
about 0.8 s and the registry imports ``certificates`` on every start.
"""

from __future__ import annotations

import atexit
import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .catalog import FONTS_DIR, Layout, resolve_layout
from .context import make_context, render_contexts, validate
from .data import CertificateData, Data
from .errors import CertificateError

Progress = Callable[[int, int], None]

# Certificates are laid out ten to an HTML document (one page each). For 1,000 pages
# (bench/certificates_bench.py, loaded 2-core machine): one document per certificate took
# 145 ms CPU per page and peaked at 632 MB, ten per document 120 ms and 360 MB, the whole
# batch in one document 113 ms but 726 MB. Ten keeps memory lowest and still reports
# progress every ten certificates.
HTML_BATCH = 10
Item = Data | Mapping[str, Any]


def url_allowed(url: str, roots: Iterable[Path]) -> bool:
    """Whether a layout may load ``url``: ``data:`` URIs, or files under one of ``roots``.

    The path is resolved first, so ``..`` segments and symbolic links cannot escape.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(url2pathname(parts.path)).resolve()
    return any(path.is_relative_to(root.resolve()) for root in roots)


def local_only_fetcher(roots: tuple[Path, ...]) -> Any:
    """A WeasyPrint URL fetcher that refuses everything ``url_allowed`` refuses.

    WeasyPrint catches the ``ValueError``, logs "Failed to load …" on the ``weasyprint``
    logger and renders the document without the resource (verified on WeasyPrint 70).
    """
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no types
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url_allowed(url, roots):
                raise ValueError(f"certificate layouts may not load {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


class Renderer:
    """Renders many items of one layout with one ``FontConfiguration`` and one ``CSS``.

    Reusing both halves the CPU time per page and keeps memory flat: 1,000 certificates
    took 222 ms CPU per page and 2.8 GB with a new ``CSS`` and font configuration per
    page, 120 ms and 360 MB through a ``Renderer`` (bench/certificates_bench.py).

    A renderer is safe to share between threads: renders are serialised by a lock, as
    WeasyPrint's objects are not meant for concurrent use.
    Example: ``Renderer("certificate").pdf(certificates, progress=print)``.
    """

    def __init__(self, layout: str | Layout) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.layout = resolve_layout(layout)
        self._font_config = FontConfiguration()
        self._fetcher = local_only_fetcher((self.layout.directory, FONTS_DIR))
        self._base_url = self.layout.directory.as_uri() + "/"
        self._css = CSS(
            filename=str(self.layout.stylesheet_path),
            url_fetcher=self._fetcher,
            font_config=self._font_config,
        )
        self._lock = threading.Lock()

    def _layout_html(self, html: str) -> Any:
        from weasyprint import HTML

        return HTML(string=html, base_url=self._base_url, url_fetcher=self._fetcher).render(
            font_config=self._font_config, stylesheets=[self._css]
        )

    def pdf(self, items: Iterable[Item], progress: Progress | None = None) -> bytes:
        """Render every item into ONE PDF document and return its bytes.

        Keep a call to about 1,000 pages (≈ 0.5 GB); ``render_pdf_files`` splits bigger
        batches. ``progress(done, total)`` is called as items are laid out (every
        ``HTML_BATCH`` certificates, every decision).

        :raises MissingField: an item lacks a required field (nothing is rendered).
        """
        with self._lock:
            return bytes(self._combined(items, progress).write_pdf())

    def write_pdf(
        self, items: Iterable[Item], target: Path | str, progress: Progress | None = None
    ) -> int:
        """Like ``pdf`` but write the PDF to ``target``; returns the number of pages."""
        with self._lock:
            document = self._combined(items, progress)
            document.write_pdf(str(target))
            return len(document.pages)

    def _combined(self, items: Iterable[Item], progress: Progress | None) -> Any:
        # Called with the lock held. Validate everything first so that a bad item fails
        # the batch before any work.
        checked = [validate(self.layout, item) for item in items]
        if not checked:
            raise CertificateError("Không có gì để in / nothing to render: empty batch")
        size = HTML_BATCH if self.layout.kind is CertificateData else 1
        documents = []
        for start in range(0, len(checked), size):
            chunk = checked[start : start + size]
            html = render_contexts(self.layout, [make_context(item) for item in chunk])
            documents.append(self._layout_html(html))
            if progress is not None:
                progress(start + len(chunk), len(checked))
        pages = [page for document in documents for page in document.pages]
        if self.layout.kind is CertificateData and len(pages) != len(checked):
            # The layout clips instead of overflowing; if it ever does overflow, a batch
            # with shifted pages must not reach the printer.
            raise CertificateError(
                f"layout {self.layout.name}: {len(checked)} certificates gave {len(pages)} pages"
            )
        return documents[0].copy(pages)


@functools.cache
def shared_renderer(layout: str | Layout) -> Renderer:
    """The process-wide ``Renderer`` of a layout, created on first use."""
    return Renderer(layout)


# Drop the cached renderers while WeasyPrint's C libraries are still loaded: left to the
# interpreter's final teardown, FontConfiguration.__del__ runs after its ffi is gone and
# prints "TypeError: 'NoneType' object is not callable" at every exit.
atexit.register(shared_renderer.cache_clear)


def render_pdf(layout: str | Layout, data: Item) -> bytes:
    """Render one certificate or decision to PDF bytes.

    Uses the layout's shared ``Renderer``, so repeated calls stay fast.

    :raises MissingField: a required field is missing or empty.
    """
    return shared_renderer(resolve_layout(layout)).pdf([data])
