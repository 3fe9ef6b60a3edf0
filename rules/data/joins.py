"""Data sets spread over several files (ESCI, WANDS): each file read whole, joined on its keys, and rows that say
which file each column came from, so that a bad value is reported at its row of that file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rules.data.column_mapping import is_missing
from rules.data.errors import DataError, Issue, RowProblem
from rules.data.formats import FORMATS, RawRow, detect_format, locate

if TYPE_CHECKING:
    import pandas as pd


def read_frame(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A whole file as a DataFrame plus `_row` (1-based data row) and `_line` (0 where the format has no lines).

    `columns` narrows what Parquet reads (the ESCI products file is large); text formats read every column.
    """
    import pandas as pd  # lazy: only the ESCI and WANDS loaders need pandas

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    fmt = detect_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        present = set(pq.read_schema(path).names)
        frame = pd.read_parquet(path, columns=[c for c in columns if c in present] if columns else None)
        return frame.assign(_row=range(1, len(frame) + 1), _line=0)
    header, rows = FORMATS[fmt](path, None)
    records = []
    for raw in rows:
        if raw.issue is not None:  # a row we cannot read could hold any key: the join would be wrong
            raise DataError([locate(raw.issue, raw, str(path))])
        records.append({**raw.data, "_row": raw.row, "_line": raw.line})
    return pd.DataFrame.from_records(records, columns=[*header, "_row", "_line"] if header else None)


def require_columns(frame: pd.DataFrame, file: str | Path, columns: list[str]) -> None:
    """Fail once, naming every missing column, before a join would fail on each row."""
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        have = ", ".join(c for c in frame.columns if not c.startswith("_"))
        line = 1 if detect_format(Path(file)) in ("csv", "tsv") else 0
        raise DataError([RowProblem(str(file), line, c, "column not found", None, f"the file has: {have}")
                         for c in missing])


@dataclass(frozen=True)
class JoinedFile:
    """A file joined onto the main one: its problems are reported there, and a key it lacks is a bad row."""

    name: str
    file: str
    key: str
    columns: frozenset[str]
    fix: str


def left_join(left: pd.DataFrame, right: pd.DataFrame, on: list[str], name: str, file: str | Path) -> pd.DataFrame:
    """Left join; `right`'s `_row`/`_line` become `_row_<name>`/`_line_<name>` (NaN where nothing matched)."""
    twice = right[right.duplicated(on, keep=False)]
    if len(twice):
        first = twice.iloc[0]
        raise DataError([RowProblem(str(file), int(first["_line"]), on[0], f"duplicate {' + '.join(on)}",
                                    first[on[0]], "keep one row per key", row=int(first["_row"]))])
    return left.merge(right.rename(columns={"_row": f"_row_{name}", "_line": f"_line_{name}"}), on=on, how="left")


def joined_rows(merged: pd.DataFrame, sides: list[JoinedFile]) -> Iterator[RawRow]:
    """The joined rows: a key missing from a joined file is the row's issue; `origins` place each joined column."""
    for start in range(0, len(merged), 10_000):  # dicts in slices: a whole ESCI split as dicts is gigabytes
        for r in merged.iloc[start:start + 10_000].to_dict("records"):
            issue, origins = None, {}
            for side in sides:
                if is_missing(r[f"_row_{side.name}"]):
                    message = f"not found in {Path(side.file).name}"
                    issue = issue or Issue(side.key, message, r[side.key], side.fix)
                    continue
                where = (side.file, int(r[f"_row_{side.name}"]), int(r[f"_line_{side.name}"]))
                origins.update(dict.fromkeys(side.columns, where))
            yield RawRow(int(r["_row"]), int(r["_line"]), r, issue, origins)
