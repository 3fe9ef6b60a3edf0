"""Load relevance examples from the files teams have: JSONL, Parquet, CSV/TSV and `datasets` folders.

    >>> from rules.data import ColumnMapping, load_examples
    >>> result = load_examples("data/train.jsonl")            # the format comes from the extension
    >>> result.examples[0].query, len(result), result.summary
    >>> load_examples("hf_folder", split="validation")          # a DatasetDict saved with save_to_disk
    >>> load_examples("judgements.csv", mapping=ColumnMapping(  # a foreign layout
    ...     id="pair_id", query="search_term", title="item_name", category="breadcrumb", category_sep="/",
    ...     label="grade", labels={"good": 4, "ok": 3, "bad": 1}, attribute_columns={"color": "colour"}))
    >>> load_examples("dirty.csv", skip_bad=True).skipped_by_reason()   # {'label: unknown label': 3}

A bad row raises `DataError`: file, line (text files) or row, column, the bad value and the fix, with up to
`MORE_LISTED` further bad rows of the same file. With `skip_bad=True` bad rows are skipped and reported in the
result (`skipped`, `skipped_by_reason()`, `summary`); nothing is dropped silently. How a row's columns become an
`Example` is `ColumnMapping` (`rules.data.column_mapping`); each format's reader and writer is in
`rules.data.formats`; the ready ESCI and WANDS loaders are in `rules.data.mappings`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rules.data.column_mapping import ColumnMapping
from rules.data.errors import BadRow, DataError, RowProblem
from rules.data.example import Example
from rules.data.formats import FORMATS, WRITERS, RawRow, detect_format, locate
from rules.data.prompt import build_prompt
from rules.errors import one_of

if TYPE_CHECKING:
    import datasets

    from rules.compiler import CompiledRuleSet

log = logging.getLogger(__name__)

MORE_LISTED = 10  # bad rows listed after the first one before a strict load stops looking


@dataclass
class LoadResult:
    """The examples of one load, the bad rows skipped (one `RowProblem` per row), and what was not used."""

    examples: list[Example]
    skipped: list[RowProblem]
    source: str
    format: str
    rows: int
    ignored_columns: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.examples)

    def __iter__(self) -> Iterator[Example]:
        return iter(self.examples)

    def skipped_by_reason(self) -> dict[str, int]:
        """`{"esci_label: unknown label": 3, ...}`, most frequent first."""
        return dict(Counter(p.reason for p in self.skipped).most_common())

    @property
    def summary(self) -> str:
        text = f"{self.source} ({self.format}): {self.rows} rows, {len(self.examples)} examples"
        if self.skipped:
            why = "; ".join(f"{n}x {reason}" for reason, n in self.skipped_by_reason().items())
            text += f", {len(self.skipped)} bad rows skipped ({why})"
        if self.ignored_columns:
            text += f"; columns not used: {', '.join(self.ignored_columns)}"
        return text


def load_examples(path: str | Path, *, format: str | None = None, mapping: ColumnMapping | None = None,
                  skip_bad: bool = False, split: str | None = None) -> LoadResult:
    """Read examples from a JSONL, Parquet, CSV/TSV file or a `datasets` folder (`split` picks a DatasetDict's).

    `mapping` says which column gives which field (default: our own layout, nested `product` or flat `title`,
    `category`, ...). A bad row raises `DataError` unless `skip_bad`; see the module docstring for examples.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise DataError([RowProblem(str(path), 0, "format", "unknown format", fmt, one_of(fmt, list(FORMATS)))])
    if split is not None and fmt != "datasets":
        raise DataError([RowProblem(str(path), 0, "split", f"split only applies to `datasets` folders, not {fmt}",
                                    split, "drop split=")])
    mapping = mapping or ColumnMapping()
    columns, rows = FORMATS[fmt](path, split)
    if columns is not None:
        check_columns(mapping, columns, str(path), line=1 if fmt in ("csv", "tsv") else 0)
    return collect(rows, mapping, file=str(path), fmt=fmt, skip_bad=skip_bad, used=mapping.columns())


def check_columns(mapping: ColumnMapping, columns: list[str], file: str, line: int = 0) -> None:
    """Fail once for the whole file (not once per row) when a column the mapping needs is not there."""
    missing = mapping.missing_columns(columns)
    if missing:
        fix = f"the file has: {', '.join(columns)}"
        raise DataError([RowProblem(file, line, column, "column not found", None,
                                    f"{fix}; point ColumnMapping.{name} at one of them") for name, column in missing])


def collect(rows: Iterable[RawRow], mapping: ColumnMapping, *, file: str, fmt: str, skip_bad: bool,
            used: set[str]) -> LoadResult:
    """Map raw rows to examples. Strict: raise on the first bad row, listing up to `MORE_LISTED` more."""
    examples, bad, seen, count = [], [], set(), 0
    for raw in rows:
        count += 1
        seen.update(raw.data)
        try:
            if raw.issue is not None:
                raise BadRow([raw.issue])
            examples.append(mapping.to_example(raw.data, default_id=f"{Path(file).stem}-{raw.row}"))
        except BadRow as err:
            bad.append([locate(issue, raw, file) for issue in err.issues])
            if not skip_bad and len(bad) > MORE_LISTED:
                break
    if bad and not skip_bad:
        more = " (there may be more)" if len(bad) > MORE_LISTED else ""
        note = (f"{len(bad)} bad row{'s' if len(bad) > 1 else ''}{more} in {file}; fix them, or pass "
                "skip_bad=True to skip bad rows (they are counted in the result)")
        raise DataError([p for problems in bad for p in problems], note)
    ignored = sorted(c for c in seen - used if not str(c).startswith("_"))  # `_row`, `_line`: join bookkeeping
    result = LoadResult(examples, [problems[0] for problems in bad], file, fmt, count, ignored)
    (log.warning if bad else log.info)("%s", result.summary)
    return result


def save_examples(examples: Iterable[Example], path: str | Path, *, format: str | None = None) -> Path:
    """Write examples so that `load_examples` reads them back unchanged (a format conversion is load + save).

        >>> save_examples(load_examples("train.csv").examples, "train.parquet")
    """
    path, examples = Path(path), list(examples)
    fmt = format or detect_format(path)
    if fmt not in WRITERS:
        raise DataError([RowProblem(str(path), 0, "format", "unknown format", fmt, one_of(fmt, list(FORMATS)))])
    WRITERS[fmt](examples, path)
    return path


def to_dataset(examples: Iterable[Example], rules: CompiledRuleSet, chat: bool = False) -> datasets.Dataset:
    """A `datasets.Dataset` for TRL: columns prompt, id, query, product, label, gold_steps, query_type, guide.

        >>> from rules import compile_rules
        >>> train = to_dataset(load_examples("train.jsonl").examples, compile_rules("rules/catalog/ecommerce.yaml"))

    `datasets` stores `product.attributes` and `gold_steps` as structs over the keys of all rows, so a reward
    function reads None for a key that only other rows have.
    """
    from datasets import Dataset  # lazy: importing `datasets` takes seconds

    return Dataset.from_list([e.to_row(build_prompt(e, rules, chat)) for e in examples])
