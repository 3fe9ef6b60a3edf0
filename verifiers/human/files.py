"""Import annotation files (JSONL, CSV/TSV) into the store, all or nothing per file; export current values or history.

    >>> import_file(store, compile_rules("rules/catalog/ecommerce.yaml"), "batch7.csv")   # ImportResult
    >>> export(store, "current.jsonl", policy="majority")        # one record per annotator's values, re-importable
    >>> export(store, "everything.csv", rules=rules, history=True)

A file with any bad line writes nothing: `DataError` lists each bad line as `file:line (row N): field: what
(got X); fix` (up to `MORE_LISTED` of them). The record layout is in `verifiers.human.records`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules import CompiledRuleSet
from rules.data.errors import BadRow, DataError, Issue, RowProblem
from rules.data.formats import FORMATS, RawRow, locate
from rules.errors import one_of
from verifiers.human.policy import Policy, resolve
from verifiers.human.records import RecordChecker, csv_columns, csv_header, csv_record, to_records
from verifiers.human.store import Annotation, AnnotationStore, iso_time

logger = logging.getLogger(__name__)

MORE_LISTED = 10  # bad lines listed after the first before reading stops
_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv"}


@dataclass(frozen=True)
class ImportResult:
    file: str
    records: int
    values: int  # rows added: one per annotated step or label
    batch: int | None  # None when skipped as already imported

    def __str__(self) -> str:
        return f"{self.file}: {self.records} records, {self.values} values (batch {self.batch})"


def file_format(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError([RowProblem(str(path), 0, "", "cannot tell the format from the extension", path.suffix or None,
                                    f"name the file {one_of(path.suffix, list(_FORMATS))}")])
    return fmt


def read_file(path: str | Path, rules: CompiledRuleSet, annotator: str | None = None,
              now: str | None = None) -> tuple[list[Annotation], int]:
    """Every row of the file and the number of records; DataError (nothing returned) if any line is bad."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    fmt, file = file_format(path), str(path)
    checker = RecordChecker(rules, annotator, now or iso_time())
    header, raws = FORMATS[fmt](path, None)
    places: dict[str, tuple[str, ...]] = {}
    if header is not None:
        places, issues = csv_columns(header, rules)
        if issues:
            raise DataError([RowProblem(file, 1, i.column, i.message, i.got, i.fix) for i in issues],
                            f"nothing of {file} was written")
    rows, bad, records = [], [], 0
    seen: dict[tuple[str, str, str, str], tuple[str, int]] = {}
    for raw in raws:
        records += 1
        try:
            if raw.issue is not None:
                raise BadRow([raw.issue])
            data = csv_record(raw.data, places) if header is not None else raw.data
            found = checker.annotations(data, f"{path.name}:{raw.line}")
            _check_repeats(found, raw, seen)
            rows += found
        except BadRow as err:
            bad += [locate(issue, raw, file) for issue in err.issues]
            if len(bad) > MORE_LISTED:
                break
    if bad:
        more = " (reading stopped; there may be more)" if len(bad) > MORE_LISTED else ""
        raise DataError(bad, f"{len(bad)} problem{'s' * (len(bad) > 1)}{more}; nothing of {file} was written")
    if not rows:
        raise DataError([RowProblem(file, 0, "", "no annotations in the file", None, "give one record per line")])
    return rows, records


def _check_repeats(found: list[Annotation], raw: RawRow, seen: dict) -> None:
    """Two values for the same example, field, annotator and time in one file: no order could say which is current."""
    issues = []
    for a in found:
        key = (a.example_id, a.field, a.annotator, a.time)
        first = seen.setdefault(key, (a.value, raw.line))
        if first[0] != a.value:
            field = "label" if a.field.startswith("@") else f"steps.{a.field}"
            issues.append(Issue(field, f"line {first[1]} gives {first[0]!r} for the same id, annotator and time",
                                a.value, "give the edit a later time, or keep one of the two"))
    if issues:
        raise BadRow(issues)


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_file(store: AnnotationStore, rules: CompiledRuleSet, path: str | Path, *, annotator: str | None = None,
                force: bool = False) -> ImportResult:
    """Check the whole file, then write it in one transaction. DataError, AlreadyImported or FileNotFoundError."""
    rows, records = read_file(path, rules, annotator)
    batch = store.add(rows, file=str(path), sha256=sha256_of(path), rules=rules.name, records=records, force=force)
    return ImportResult(str(path), records, len(rows), batch)


# --- Export ----------------------------------------------------------------------------------------------------------

def current_rows(store: AnnotationStore, policy: str | Policy = "latest") -> list[Annotation]:
    """The winning row of every (example, field) under the policy, oldest first."""
    resolved = resolve(store.votes(), policy)
    rows = [r.annotation for fields in resolved.values() for r in fields.values()]
    return sorted(rows, key=lambda a: (a.example_id, a.time, a.seq or 0))


def export(store: AnnotationStore, out: str | Path, *, rules: CompiledRuleSet | None = None, history: bool = False,
           policy: str | Policy = "latest") -> int:
    """Write current values (or, with history, every row) as records; returns the number of records.

    CSV needs `rules` for its step columns; JSONL does not. Either re-imports to the same values (and history).
    """
    out = Path(out)
    fmt = file_format(out)
    rows = store.history() if history else current_rows(store, policy)
    records = to_records(rows)
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        out.write_text(text, encoding="utf-8")
    else:
        if rules is None:
            raise ValueError("a CSV export needs the rule file (its steps are the columns): pass --rules")
        _write_csv(records, out, rules, "\t" if fmt == "tsv" else ",")
    logger.info("exported %d records (%d values) to %s", len(records), len(rows), out)
    return len(records)


def _write_csv(records: list[dict[str, Any]], out: Path, rules: CompiledRuleSet, delimiter: str) -> None:
    header, rows = csv_header(rules), []
    for record in records:  # every row first: a step the rule file lacks fails before the file is touched
        flat = {k: v for k, v in record.items() if k not in ("steps", "reasons")}
        for group in ("steps", "reasons"):
            for step, value in record.get(group, {}).items():
                if f"{group}.{step}" not in header:
                    raise ValueError(f"step {step!r} of the store is not in rule set {rules.name}; export with "
                                     "the rule file the annotations were imported with, or as JSONL")
                flat[f"{group}.{step}"] = value
        rows.append(flat)
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, delimiter=delimiter, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
