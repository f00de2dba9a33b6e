"""The layouts shipped in ``certificates/layouts/`` and their ``layout.toml`` descriptions."""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from pathlib import Path

from .data import DATA_KINDS, DataKind
from .errors import CertificateError, UnknownLayout

PACKAGE_DIR = Path(__file__).resolve().parent
LAYOUTS_DIR = PACKAGE_DIR / "layouts"
FONTS_DIR = PACKAGE_DIR / "fonts"
LAYOUT_FILES = ("template.html", "style.css", "layout.toml")


@dataclasses.dataclass(frozen=True)
class Layout:
    """A layout folder: ``template.html`` (Jinja), ``style.css`` and ``layout.toml``.

    ``layout.toml`` holds ``title`` (shown to staff), ``page_size`` (the CSS ``@page``
    size, for documentation and tests), ``data`` (``"certificate"``, ``"decision"`` or
    ``"report"``) and ``required``, the fields that must be present and non-empty.
    """

    name: str
    directory: Path
    title: str
    page_size: str
    kind: DataKind
    required: tuple[str, ...]

    @property
    def template_path(self) -> Path:
        """The Jinja template of this layout."""
        return self.directory / "template.html"

    @property
    def stylesheet_path(self) -> Path:
        """The stylesheet WeasyPrint parses once per ``Renderer``."""
        return self.directory / "style.css"

    @classmethod
    def from_directory(cls, directory: Path | str) -> Layout:
        """Load a layout from any folder (tests and custom layouts use this).

        :raises UnknownLayout: the folder lacks one of the three files.
        :raises CertificateError: ``layout.toml`` is invalid.
        """
        directory = Path(directory).resolve()
        for filename in LAYOUT_FILES:
            if not (directory / filename).is_file():
                raise UnknownLayout(
                    f"Mẫu {directory.name} thiếu tệp {filename} / "
                    f"layout {directory} has no {filename}"
                )
        with (directory / "layout.toml").open("rb") as fh:
            try:
                meta = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise CertificateError(f"{directory / 'layout.toml'}: {exc}") from exc
        return cls._from_meta(directory, meta)

    @classmethod
    def _from_meta(cls, directory: Path, meta: dict[str, object]) -> Layout:
        source = directory / "layout.toml"
        kind = DATA_KINDS.get(str(meta.get("data")))
        if kind is None:
            raise CertificateError(f"{source}: data must be one of {sorted(DATA_KINDS)}")
        required = meta.get("required")
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise CertificateError(f"{source}: required must be a list of field names")
        fields = {f.name for f in dataclasses.fields(kind)}
        unknown = sorted(set(required) - fields)
        if unknown:
            raise CertificateError(f"{source}: unknown required fields {unknown}")
        return cls(
            name=directory.name,
            directory=directory,
            title=str(meta.get("title", directory.name)),
            page_size=str(meta.get("page_size", "A4")),
            kind=kind,
            required=tuple(required),
        )


def layouts() -> list[str]:
    """Names of the layouts shipped with the package, sorted."""
    return sorted(
        entry.name
        for entry in LAYOUTS_DIR.iterdir()
        if all((entry / filename).is_file() for filename in LAYOUT_FILES)
    )


@functools.cache
def get_layout(name: str) -> Layout:
    """Return the shipped layout called ``name``.

    :raises UnknownLayout: no such layout (the message lists the available ones).
    """
    if name not in layouts():
        raise UnknownLayout(
            f"Không có mẫu “{name}” / unknown layout {name!r}; available: {', '.join(layouts())}"
        )
    return Layout.from_directory(LAYOUTS_DIR / name)


def resolve_layout(layout: str | Layout) -> Layout:
    """Accept a layout name or an already loaded ``Layout``."""
    return layout if isinstance(layout, Layout) else get_layout(layout)
