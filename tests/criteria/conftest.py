"""Fixtures for the criteria tests: small sets written as TOML, parsed by the real loader."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from criteria import CriteriaSet, parse_set

HEAD = """
id = "{id}"
version = {version}
title = "Bộ thử"
title_en = "Test set"
subject = "{subject}"
valid_from = 2024
source = "Bộ tiêu chí dùng cho kiểm thử."
"""

SetText = Callable[..., str]
MakeSet = Callable[..., CriteriaSet]


@pytest.fixture
def set_text() -> SetText:
    """TOML text of a set: a standard header, ``[pass]`` and the given body."""

    def build(
        body: str,
        *,
        passing: str = "min_total = 0",
        subject: str = "citizen",
        set_id: str = "bo-thu",
        version: int = 1,
        extra: str = "",
    ) -> str:
        head = HEAD.format(id=set_id, version=version, subject=subject)
        return f"{head}{extra}\n[pass]\n{passing}\n\n{body}"

    return build


@pytest.fixture
def make_set(set_text: SetText) -> MakeSet:
    """A parsed set built like ``set_text``."""

    def build(body: str, **options: object) -> CriteriaSet:
        return parse_set(set_text(body, **options), "bo-thu-v1.toml")

    return build
