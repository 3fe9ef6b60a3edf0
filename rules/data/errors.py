"""What is wrong with a data row, and where: `RowProblem` (shown as `file:line (row N): column: what; fix`) and
`DataError` for users; `Issue` and `BadRow` for a value that is wrong before its row is located in a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules.errors import Problem


@dataclass(frozen=True)
class RowProblem(Problem):
    """A Problem in a data file. `row` is the 1-based data row (header not counted); `line` the text line, or 0
    for Parquet and `datasets` folders, which have none. Shown as `file:line (row N): column: what; fix`."""

    row: int = 0

    @property
    def reason(self) -> str:
        """What is wrong, without where: the key that `LoadResult.skipped_by_reason` counts by."""
        return f"{self.path}: {self.message}" if self.path else self.message

    def __str__(self) -> str:
        plain = f"{self.file}:{self.line}" if self.line else self.file
        where = plain
        if self.row and self.row != self.line:  # JSONL lines are rows; CSV rows start after the header
            where += f" (row {self.row})" if self.line else f" row {self.row}"
        return where + super().__str__()[len(plain):]


class DataError(ValueError):
    """Bad data files or rows; `str()` lists one problem per line, the first bad row first."""

    def __init__(self, problems: list[Problem], note: str = ""):
        self.problems = list(problems)
        super().__init__("\n".join([str(p) for p in self.problems] + ([note] if note else [])))


@dataclass(frozen=True)
class Issue:
    """What is wrong with one value of a row, before the row is located in a file."""

    column: str
    message: str
    got: Any
    fix: str


class BadRow(ValueError):
    """Raised by a mapping for a row it cannot turn into an Example; `issues` say why."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        super().__init__("; ".join(f"{i.column}: {i.message}" for i in self.issues))
