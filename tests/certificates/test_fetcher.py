"""The URL fetcher: layouts may load their own files, bundled fonts and data: URIs only."""

from __future__ import annotations

import http.server
import logging
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from certificates import CertificateData, Layout, render_pdf
from certificates.catalog import FONTS_DIR, LAYOUTS_DIR
from certificates.render import local_only_fetcher, url_allowed

ROOTS = (LAYOUTS_DIR / "certificate", FONTS_DIR)


@pytest.mark.parametrize(
    "url",
    [
        (LAYOUTS_DIR / "certificate" / "style.css").as_uri(),
        (FONTS_DIR / "DejaVuSerif.ttf").as_uri(),
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_layout_files_fonts_and_data_uris_are_allowed(url: str) -> None:
    assert url_allowed(url, ROOTS)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/logo.png",
        "https://example.com/font.woff2",
        "ftp://example.com/x.css",
        "file:///etc/passwd",
        "file://otherhost" + str(LAYOUTS_DIR / "certificate" / "style.css"),
        (LAYOUTS_DIR / "certificate").as_uri() + "/../../../pyproject.toml",
        (LAYOUTS_DIR / "decision" / "style.css").as_uri(),  # another layout's folder
        "javascript:alert(1)",
        "relative/path.css",
    ],
)
def test_everything_else_is_refused(url: str) -> None:
    assert not url_allowed(url, ROOTS)


def test_symbolic_links_cannot_escape(tmp_path: Path) -> None:
    layout_dir = tmp_path / "layout"
    layout_dir.mkdir()
    (layout_dir / "passwd").symlink_to("/etc/passwd")
    assert not url_allowed((layout_dir / "passwd").as_uri(), (layout_dir,))


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.png", "file:///etc/passwd"])
def test_weasyprint_fetcher_raises_for_refused_urls(url: str) -> None:
    fetcher = local_only_fetcher(ROOTS)
    with pytest.raises(ValueError, match="may not load"):
        fetcher.fetch(url)


def test_weasyprint_fetcher_serves_bundled_fonts() -> None:
    response = local_only_fetcher(ROOTS).fetch((FONTS_DIR / "DejaVuSans.ttf").as_uri())
    try:
        assert response.read(4) == b"\x00\x01\x00\x00"  # TrueType
    finally:
        response.close()


class _Recorder(http.server.BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body::after { content: 'FETCHED FROM HTTP'; }")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it receives."""
    _Recorder.paths = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.paths
    server.shutdown()
    server.server_close()


def test_hostile_layout_renders_without_fetching(
    tmp_path: Path,
    http_server: tuple[str, list[str]],
    make_certificate: Callable[..., CertificateData],
    tool: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    base, requests = http_server
    secret = tmp_path / "secret.css"
    secret.write_text("body::before { content: 'SECRET FILE READ'; }", encoding="utf-8")
    layout_dir = tmp_path / "hostile"
    layout_dir.mkdir()
    (layout_dir / "layout.toml").write_text(
        'data = "certificate"\nrequired = ["recipient_name"]\n', encoding="utf-8"
    )
    (layout_dir / "style.css").write_text(
        f"@import url({base}/import.css);\n"
        f"@import url({secret.as_uri()});\n"
        f"body {{ background: url({base}/bg.png); }}\n"
        f"p {{ background: url(file:///etc/passwd); }}\n",
        encoding="utf-8",
    )
    (layout_dir / "template.html").write_text(
        f'<html><head><link rel="stylesheet" href="{base}/link.css">'
        f'<link rel="stylesheet" href="{secret.as_uri()}"></head><body>'
        "{% for c in items %}<p>{{ c.recipient_name }}</p>"
        f'<img src="{base}/logo.png"><img src="file:///etc/passwd">'
        '<img src="../secret.css">{% endfor %}</body></html>',
        encoding="utf-8",
    )
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = render_pdf(Layout.from_directory(layout_dir), make_certificate())
    assert pdf.startswith(b"%PDF-")
    assert requests == []
    refused = [r.getMessage() for r in caplog.records if "may not load" in r.getMessage()]
    assert any("/etc/passwd" in message for message in refused)
    assert any(base in message for message in refused)
    out = tmp_path / "out.pdf"
    out.write_bytes(pdf)
    text = tool("pdftotext", out, "-")
    assert "Đặng Thị Mỹ Hạnh" in text
    assert "SECRET" not in text
    assert "FETCHED" not in text


def test_importing_the_package_does_not_import_weasyprint() -> None:
    code = "import sys, certificates; assert 'weasyprint' not in sys.modules"
    root = Path(__file__).parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
