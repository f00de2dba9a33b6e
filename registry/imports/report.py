"""What an import found and did: per-sheet counts, the changes, and every problem."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from registry.errors import RegistryError

#: how many changes and problems a report keeps for display (the counts are always complete)
MAX_LISTED = 1000


class ImportRefusedError(RegistryError):
    """The file as a whole cannot be imported (not an .xlsx, too big, unknown sheet...)."""


@dataclass(frozen=True)
class Problem:
    """One error: where (sheet, Excel row number, column header) and why, in Vietnamese."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.sheet]
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class Change:
    """One record that is (or would be) created or changed."""

    sheet: str
    row: int
    action: str  # "create" | "update"
    summary: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        verb = "Thêm" if self.action == "create" else "Sửa"
        detail = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.sheet}, dòng {self.row}: {verb} {self.summary}{detail}"


@dataclass
class SheetCount:
    """How many rows of one sheet create, update or leave a record unchanged."""

    title: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """The outcome of a dry run or an import; ``ok`` means nothing was refused."""

    filename: str
    dry_run: bool
    refused: str = ""
    counts: dict[str, SheetCount] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    change_total: int = 0
    problem_total: int = 0
    rows: int = 0
    seconds: float = 0.0
    committed: bool = False

    @property
    def ok(self) -> bool:
        """Whether the import can be (or was) applied: no refusal and no row error."""
        return not self.refused and self.problem_total == 0

    def count(self, sheet_key: str, title: str) -> SheetCount:
        """The counter of one sheet (created on first use)."""
        return self.counts.setdefault(sheet_key, SheetCount(title))

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        """Record one problem (only the first :data:`MAX_LISTED` are kept for display)."""
        self.problem_total += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(sheet, row, column, message))

    def change(self, change: Change) -> None:
        """Record one change (only the first :data:`MAX_LISTED` are kept for display)."""
        self.change_total += 1
        if len(self.changes) < MAX_LISTED:
            self.changes.append(change)

    def summary(self) -> str:
        """One Vietnamese sentence per sheet: what was (or would be) done."""
        if self.refused:
            return f"Không nhập được tệp: {self.refused}"
        verb = "sẽ" if self.dry_run or not self.ok else "đã"
        lines = [
            f"{c.title}: {verb} thêm {c.created}, {verb} sửa {c.updated}, {c.unchanged} không đổi."
            for c in self.counts.values()
        ]
        if not lines:
            lines.append("Tệp không có dòng dữ liệu nào.")
        if self.problem_total:
            lines.append(f"Có {self.problem_total} lỗi; chưa ghi gì vào sổ.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe data (for the background job's result file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        """Rebuild a report stored with :meth:`to_dict`."""
        report = cls(
            **{k: v for k, v in data.items() if k not in {"counts", "changes", "problems"}}
        )
        report.counts = {k: SheetCount(**v) for k, v in data.get("counts", {}).items()}
        report.changes = [
            Change(**{**c, "fields": tuple(c["fields"])}) for c in data.get("changes", [])
        ]
        report.problems = [Problem(**p) for p in data.get("problems", [])]
        return report
