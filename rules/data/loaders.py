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
`Example` (`ColumnMapping`) and the ready ESCI and WANDS loaders are in `rules.data.mappings`.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rules.data.example import Example
from rules.errors import Problem, one_of

if TYPE_CHECKING:
    import datasets
    import pandas as pd

    from rules.compiler import CompiledRuleSet
    from rules.data.mappings import ColumnMapping

log = logging.getLogger(__name__)

MORE_LISTED = 10  # bad rows listed after the first one before a strict load stops looking


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


@dataclass(frozen=True)
class RawRow:
    """One data row as read, before mapping: where it is, its columns, and a problem found while reading."""

    row: int
    line: int
    data: dict[str, Any]
    issue: Issue | None = None  # bad JSON, a wrong number of CSV fields, a join that found nothing
    origins: dict[str, tuple[str, int, int]] | None = None  # column -> (file, row, line) of a joined file


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
    mapping = mapping or _own_layout()
    columns, rows = FORMATS[fmt](path, split)
    if columns is not None:
        check_columns(mapping, columns, str(path), line=1 if fmt in ("csv", "tsv") else 0)
    return collect(rows, mapping, file=str(path), fmt=fmt, skip_bad=skip_bad, used=mapping.columns())


def _own_layout() -> ColumnMapping:
    # Imported here, not at the top: rules.data.mappings builds on this module (its loaders use `collect`).
    from rules.data.mappings import ColumnMapping

    return ColumnMapping()


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


def locate(issue: Issue, raw: RawRow, file: str) -> RowProblem:
    """The issue at its place: the row's own file, or the joined file its column came from."""
    where = (raw.origins or {}).get(issue.column, (file, raw.row, raw.line))
    return RowProblem(where[0], where[2], issue.column, issue.message, issue.got, issue.fix, row=where[1])


def detect_format(path: Path) -> str:
    """The format from the extension; a folder (or a name without one, when saving) is a `datasets` folder."""
    if path.is_dir() or (not path.suffix and not path.exists()):
        return "datasets"
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise DataError([RowProblem(str(path), 0, "", "cannot tell the format from the extension", path.suffix,
                                    f"pass format= one of: {', '.join(FORMATS)}")])
    return fmt


def _read_jsonl(path: Path, split: str | None) -> tuple[None, Iterator[RawRow]]:
    def rows() -> Iterator[RawRow]:
        with open(path, encoding="utf-8") as f:
            row = 0
            for line, text in enumerate(f, 1):
                if not text.strip():
                    continue  # blank lines (e.g. a trailing one) are not rows
                row += 1
                try:
                    data = json.loads(text.strip())
                except json.JSONDecodeError as e:
                    yield RawRow(row, line, {}, Issue("", "not valid JSON", None,
                                                      f"{e.msg} at column {e.colno}; write one JSON object per line"))
                    continue
                if isinstance(data, dict):
                    yield RawRow(row, line, data)
                else:
                    yield RawRow(row, line, {}, Issue("", "not a JSON object", type(data).__name__,
                                                      'write one object per line: {"id": ..., "query": ...}'))
    return None, rows()  # JSONL has no header: a missing key is a problem of its row


def _read_csv(path: Path, split: str | None, delimiter: str | None = None) -> tuple[list[str], Iterator[RawRow]]:
    # utf-8-sig: spreadsheet exports start with a byte-order mark that would otherwise stick to the first column.
    with open(path, encoding="utf-8-sig", newline="") as f:
        first = f.readline()
    # WANDS names its tab-separated files *.csv: a header with more tabs than commas is read as TSV.
    delimiter = delimiter or ("\t" if first.count("\t") > first.count(",") else ",")
    header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]

    def rows() -> Iterator[RawRow]:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, delimiter=delimiter)
            next(reader, None)
            start, row = reader.line_num + 1, 0
            for cells in reader:
                if any(c.strip() for c in cells):
                    row += 1
                    issue = None if len(cells) == len(header) else Issue(
                        "", "wrong number of fields", None, f"the header has {len(header)}, this row {len(cells)}; "
                        f"check the quotes and the {'tabs' if delimiter == chr(9) else 'commas'} of this row")
                    yield RawRow(row, start, dict(zip(header, cells)), issue)
                start = reader.line_num + 1  # a quoted field can span lines: the next row starts after it
    return header, rows()


def _read_tsv(path: Path, split: str | None) -> tuple[list[str], Iterator[RawRow]]:
    return _read_csv(path, split, delimiter="\t")


def _read_parquet(path: Path, split: str | None) -> tuple[list[str], Iterator[RawRow]]:
    import pyarrow.parquet as pq  # lazy: pyarrow is heavy and `python -m rules` never needs it

    try:
        file = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises ArrowInvalid, OSError... for a file that is not Parquet
        raise DataError([RowProblem(str(path), 0, "", "not a Parquet file", str(e), "pass format=")]) from None

    def rows() -> Iterator[RawRow]:
        row = 0
        for batch in file.iter_batches(batch_size=4096):  # streamed: ESCI-sized files need not fit twice
            for data in batch.to_pylist():
                row += 1
                yield RawRow(row, 0, data)
    return file.schema_arrow.names, rows()


def _read_datasets(path: Path, split: str | None) -> tuple[list[str], Iterator[RawRow]]:
    import datasets  # lazy: importing `datasets` takes seconds

    try:
        data = datasets.load_from_disk(str(path))
    except FileNotFoundError:
        raise DataError([RowProblem(str(path), 0, "", "not a `datasets` folder", None, "save it with "
                                    "Dataset.save_to_disk(...), or pass a .jsonl, .parquet or .csv file")]) from None
    if isinstance(data, datasets.DatasetDict):
        if split is None:
            raise DataError([RowProblem(str(path), 0, "split", "a DatasetDict needs a split", None,
                                        f"pass split= one of: {', '.join(data)}")])
        if split not in data:
            raise DataError([RowProblem(str(path), 0, "split", "unknown split", split, one_of(split, list(data)))])
        data = data[split]
    elif split is not None:
        raise DataError([RowProblem(str(path), 0, "split", "the folder holds one Dataset, not a DatasetDict",
                                    split, "drop split=")])
    return data.column_names, (RawRow(i, 0, row) for i, row in enumerate(data, 1))


# One registry: format name -> reader(path, split) -> (columns or None, rows).
FORMATS: dict[str, Callable[[Path, str | None], tuple[list[str] | None, Iterator[RawRow]]]] = {
    "jsonl": _read_jsonl, "parquet": _read_parquet, "csv": _read_csv, "tsv": _read_tsv, "datasets": _read_datasets,
}
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".csv": "csv", ".tsv": "tsv"}


def read_frame(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A whole file as a DataFrame plus `_row` (1-based data row) and `_line` (0 where the format has no lines).

    `columns` narrows what Parquet reads (the ESCI products file is large); text formats read every column.
    """
    import pandas as pd  # lazy: only the joins need pandas

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


def save_examples(examples: Iterable[Example], path: str | Path, *, format: str | None = None) -> Path:
    """Write examples so that `load_examples` reads them back unchanged (a format conversion is load + save).

        >>> save_examples(load_examples("train.csv").examples, "train.parquet")
    """
    path, examples = Path(path), list(examples)
    fmt = format or detect_format(path)
    rows = [e.model_dump(mode="json") for e in examples]
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows, schema=_parquet_schema(pa)), path)
    elif fmt in ("csv", "tsv"):
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, _FLAT_COLUMNS, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
            writer.writeheader()
            writer.writerows(_flat_row(e) for e in examples)
    elif fmt == "datasets":
        from datasets import Dataset

        Dataset.from_list(rows).save_to_disk(str(path))
    else:
        raise DataError([RowProblem(str(path), 0, "format", "unknown format", fmt, one_of(fmt, list(FORMATS)))])
    return path


_FLAT_COLUMNS = ["id", "query", "label", "title", "category", "brand", "price", "description", "attributes",
                 "gold_steps", "query_type", "guide"]


def _flat_row(example: Example) -> dict[str, str]:
    """The one-text-cell-per-column layout that the default `ColumnMapping` reads (CSV, TSV)."""
    p, dump = example.product, (lambda m: json.dumps(m, ensure_ascii=False) if m else "")
    return {"id": example.id, "query": example.query, "label": str(example.label), "title": p.title,
            "category": " > ".join(p.category), "brand": p.brand or "", "description": p.description or "",
            "price": "" if p.price is None else repr(p.price), "attributes": dump(p.attributes),
            "gold_steps": dump(example.gold_steps), "query_type": "|".join(example.query_type),
            "guide": example.guide or ""}


def _parquet_schema(pa: Any) -> Any:
    # Maps, not structs: a struct of all rows' attribute keys gives every row every key (None where absent),
    # and Parquet cannot store the empty struct that a file without any attributes would need.
    text, texts = pa.string(), pa.map_(pa.string(), pa.string())
    product = pa.struct([("title", text), ("category", pa.list_(text)), ("brand", text), ("attributes", texts),
                         ("price", pa.float64()), ("description", text)])
    return pa.schema([("id", text), ("query", text), ("product", product), ("label", pa.int64()),
                      ("gold_steps", texts), ("query_type", pa.list_(text)), ("guide", text)])


def to_dataset(examples: Iterable[Example], rules: CompiledRuleSet, chat: bool = False) -> datasets.Dataset:
    """A `datasets.Dataset` for TRL: columns prompt, id, query, product, label, gold_steps, query_type, guide.

        >>> from rules import compile_rules
        >>> train = to_dataset(load_examples("train.jsonl").examples, compile_rules("rules/catalog/ecommerce.yaml"))

    `datasets` stores `product.attributes` and `gold_steps` as structs over the keys of all rows, so a reward
    function reads None for a key that only other rows have.
    """
    from datasets import Dataset

    from rules.data.prompt import build_prompt

    return Dataset.from_list([e.to_row(build_prompt(e, rules, chat)) for e in examples])
