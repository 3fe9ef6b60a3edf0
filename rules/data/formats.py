"""Each file format's reader and writer, in two registries keyed by format name: jsonl, parquet, csv, tsv and
`datasets` (a folder written by `save_to_disk`). A reader yields `RawRow`s: columns as read, plus where the row is
and what was wrong with it while reading (bad JSON, a wrong number of CSV fields); it does not judge the values.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules.data.errors import DataError, Issue, RowProblem
from rules.data.example import Example
from rules.errors import one_of


@dataclass(frozen=True)
class RawRow:
    """One data row as read, before mapping: where it is, its columns, and a problem found while reading."""

    row: int
    line: int
    data: dict[str, Any]
    issue: Issue | None = None  # bad JSON, a wrong number of CSV fields, a join that found nothing
    origins: dict[str, tuple[str, int, int]] | None = None  # column -> (file, row, line) of a joined file



# Text files are opened with errors="surrogateescape": a byte that is not UTF-8 becomes U+DC80..U+DCFF, which a
# correctly decoded file never holds, so the bad row is found and reported instead of the whole read failing.
TEXT = {"encoding": "utf-8", "errors": "surrogateescape"}
_UTF8_FIX = "save the file as UTF-8 (from Excel: CSV UTF-8; or `iconv -f cp1252 -t utf-8`)"
# Far deeper than any row needs, far below Python's recursion limit (json, repr and pydantic would hit it).
MAX_JSON_DEPTH = 100


def utf8_issue(text: str, column: str = "") -> Issue | None:
    """An Issue for the first byte that was not UTF-8 (see TEXT), or None."""
    at = next((i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff"), None)
    if at is None:
        return None
    byte = bytes([ord(text[at]) - 0xDC00])
    return Issue(column, "not valid UTF-8", byte, f"the byte is at column {at + 1}{' of the cell' if column else ''}; "
                 f"{_UTF8_FIX}")


def parse_json(text: str) -> tuple[Any, Issue | None]:
    """`json.loads(text)`, or an Issue for text that is not JSON or nests deeper than MAX_JSON_DEPTH."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return None, Issue("", "not valid JSON", None, f"{e.msg} at column {e.colno}; write one JSON object per line")
    except RecursionError:  # json's C scanner recurses per bracket
        data = _TOO_DEEP
    if data is _TOO_DEEP or _too_deep(data):
        return None, Issue("", f"JSON nested more than {MAX_JSON_DEPTH} levels deep", None,
                           "flatten the row: a relevance example needs a few levels (product, attributes)")
    return data, None


_TOO_DEEP = object()


def _too_deep(data: Any) -> bool:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def locate(issue: Issue, raw: RawRow, file: str) -> RowProblem:
    """The issue at its place: the row's own file, or the joined file its column came from."""
    where = (raw.origins or {}).get(issue.column, (file, raw.row, raw.line))
    return RowProblem(where[0], where[2], issue.column, issue.message, issue.got, issue.fix, row=where[1])


# --- Readers ---------------------------------------------------------------------------------------------------------

def detect_format(path: Path) -> str:
    """The format from the extension; a folder (or a name without one, when saving) is a `datasets` folder."""
    if path.is_dir() or (not path.suffix and not path.exists()):
        return "datasets"
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise DataError([RowProblem(str(path), 0, "", "cannot tell the format from the extension", path.suffix,
                                    f"rename it to one of {' / '.join(sorted(_EXTENSIONS))} or give a datasets "
                                    f"folder (from Python: pass format= one of: {', '.join(FORMATS)})")])
    return fmt


def _read_jsonl(path: Path, split: str | None) -> tuple[None, Iterator[RawRow]]:
    def rows() -> Iterator[RawRow]:
        with open(path, **TEXT) as f:
            row = 0
            for line, text in enumerate(f, 1):
                if not text.strip():
                    continue  # blank lines (e.g. a trailing one) are not rows
                row += 1
                data, issue = None, utf8_issue(text)
                if issue is None:
                    data, issue = parse_json(text.strip())
                if issue is not None:
                    yield RawRow(row, line, {}, issue)
                    continue
                if isinstance(data, dict):
                    yield RawRow(row, line, data)
                else:
                    yield RawRow(row, line, {}, Issue("", "not a JSON object", type(data).__name__,
                                                      'write one object per line: {"id": ..., "query": ...}'))
    return None, rows()  # JSONL has no header: a missing key is a problem of its row


def _read_csv(path: Path, split: str | None, delimiter: str | None = None) -> tuple[list[str], Iterator[RawRow]]:
    # utf-8-sig: spreadsheet exports start with a byte-order mark that would otherwise stick to the first column.
    text = {**TEXT, "encoding": "utf-8-sig"}
    with open(path, newline="", **text) as f:
        first = f.readline()
    bad = utf8_issue(first)
    if bad is not None:  # column names we cannot read: no row of the file can be mapped
        raise DataError([RowProblem(str(path), 1, "", f"the header is {bad.message}", bad.got, bad.fix)])
    # WANDS names its tab-separated files *.csv: a header with more tabs than commas is read as TSV.
    delimiter = delimiter or ("\t" if first.count("\t") > first.count(",") else ",")
    header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]

    def rows() -> Iterator[RawRow]:
        with open(path, newline="", **text) as f:
            reader = csv.reader(f, delimiter=delimiter)
            next(reader, None)
            start, row = reader.line_num + 1, 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:  # e.g. a cell over csv.field_size_limit(); the reader resumes after it
                    row += 1
                    yield RawRow(row, start, {}, Issue("", f"not readable as CSV: {e}", None,
                                                       "check the quotes of this row, and shorten any huge cell"))
                    start = reader.line_num + 1
                    continue
                if any(c.strip() for c in cells):
                    row += 1
                    issue = None if len(cells) == len(header) else Issue(
                        "", "wrong number of fields", None, f"the header has {len(header)}, this row {len(cells)}; "
                        f"check the quotes and the {'tabs' if delimiter == chr(9) else 'commas'} of this row")
                    names = header + [f"field {i + 1}" for i in range(len(header), len(cells))]
                    issue = next(filter(None, (utf8_issue(c, n) for n, c in zip(names, cells))), issue)
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


# --- Writers ---------------------------------------------------------------------------------------------------------

def _rows(examples: list[Example]) -> list[dict[str, Any]]:
    return [e.model_dump(mode="json") for e in examples]


def _write_jsonl(examples: list[Example], path: Path) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows(examples)), encoding="utf-8")


def _write_parquet(examples: list[Example], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(_rows(examples), schema=_parquet_schema(pa)), path)


def _write_csv(examples: list[Example], path: Path, delimiter: str = ",") -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, _FLAT_COLUMNS, delimiter=delimiter, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_flat_row(e) for e in examples)


def _write_tsv(examples: list[Example], path: Path) -> None:
    _write_csv(examples, path, delimiter="\t")


def _write_datasets(examples: list[Example], path: Path) -> None:
    from datasets import Dataset  # lazy: importing `datasets` takes seconds

    Dataset.from_list(_rows(examples)).save_to_disk(str(path))


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


# The writers' registry, in the readers' order: format name -> writer(examples, path).
WRITERS: dict[str, Callable[[list[Example], Path], None]] = {
    "jsonl": _write_jsonl, "parquet": _write_parquet, "csv": _write_csv, "tsv": _write_tsv,
    "datasets": _write_datasets,
}
