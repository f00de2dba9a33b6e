"""The one exception the criteria package raises, carrying every problem found."""

from __future__ import annotations

from collections.abc import Iterable


class CriteriaError(ValueError):
    """A criteria set, target file, fact or selection is invalid.

    ``problems`` lists every problem found, each already naming the file and the place
    (for example ``cong-dan-hoc-tap-v1.toml: criteria[3] "tu-hoc".thresholds[1]: …``), so a
    loader reports a whole file at once instead of stopping at the first mistake.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
