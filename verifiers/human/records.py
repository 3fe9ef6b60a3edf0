"""Annotation records (what people write in JSONL or CSV) to store rows and back, checked against a rule file.

One record is one annotator's judgement of one example (every key but `id` and `annotator` optional):

    {"id": "q1-p7", "annotator": "ana", "time": "2026-11-20T09:30:00Z", "label": 3,
     "steps": {"category": "match", "attributes": "partial"}, "reasons": {"attributes": "navy, not blue"},
     "reason": "listing checked on the site", "source": "batch7.csv:12"}

- `label`: a label id, token or name of the rule set. The conclusion step (e.g. `verdict`), when given in `steps`,
  is the label by another name: it must agree with `label` and is stored as the label.
- `steps`: step id -> verdict of that step; a missing or empty verdict means not annotated.
- `reason` applies to every value of the record without its own entry in `reasons` (step id -> reason).
- `time`: ISO 8601; a time without a zone is UTC; none means the time of the import.
- `source`: where the annotator wrote it (exports carry it so a re-import keeps it); default `file:line`.

In CSV the same record is one row: columns id, annotator, time, label, reason, source; a step's verdict in a column
named by the step id (or `steps.<id>`); its reason in `reasons.<id>`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from rules import CompiledRuleSet
from rules.data.errors import BadRow, Issue
from rules.errors import one_of
from verifiers.human.store import LABEL, Annotation, iso_time, short_time

TOP_KEYS = ("id", "annotator", "time", "label", "reason", "steps", "reasons", "source")


class RecordChecker:
    """Checks records against one rule set and turns them into store rows."""

    def __init__(self, rules: CompiledRuleSet, annotator: str | None = None, now: str | None = None):
        self.rules = rules
        self.annotator = annotator  # used when a record has no annotator (e.g. a CSV without that column)
        self.now = now or iso_time()
        self.conclusion = rules.ruleset.output.conclusion_step
        self.label_keys: dict[Any, int] = {}
        for lab in rules.ruleset.scale.labels:
            for key in (lab.id, str(lab.id), lab.name, lab.token):
                self.label_keys[key] = lab.id

    def annotations(self, record: dict[str, Any], source: str) -> list[Annotation]:
        """The record's rows; BadRow listing every problem (field path, bad value, fix) otherwise."""
        issues: list[Issue] = []
        unknown = [k for k in record if k not in TOP_KEYS]
        for key in unknown:
            issues.append(Issue(key, "unknown key", None,
                                f"remove it or fix its spelling; {one_of(key, list(TOP_KEYS))}"))
        example_id = _text(record.get("id"), "id", issues, required="write the example id, e.g. \"q1-p7\"")
        annotator = _text(record.get("annotator", self.annotator), "annotator", issues,
                          required="write who annotated (or pass --annotator NAME for the whole file)")
        when = self._time(record.get("time"), issues)
        reason = _text(record.get("reason"), "reason", issues)
        origin = _text(record.get("source"), "source", issues) or source
        reasons = self._reasons(record.get("reasons"), issues)
        values = self._steps(record.get("steps"), issues)
        label = self._label(record.get("label"), issues)
        if self.conclusion in values:  # the conclusion step is the label written as a name
            said = self.label_keys[values.pop(self.conclusion)]
            if label is not None and label != said:
                issues.append(Issue(f"steps.{self.conclusion}", f"disagrees with label {label}",
                                    self.rules.labels[said].name,
                                    f"write {self.rules.labels[label].name!r} or drop one of the two"))
            label = said
        if self.conclusion in reasons and label is not None:  # the conclusion step's reason is the label's
            reasons[LABEL] = reasons.pop(self.conclusion)
        for step in reasons:
            if step not in values and step != LABEL:
                issues.append(Issue(f"reasons.{step}", "a reason for a step this record does not annotate", None,
                                    f"add steps.{step}, or drop the reason"))
        if label is not None:
            values[LABEL] = str(label)
        if not values and not any(i.column.startswith(("steps", "label")) for i in issues):
            issues.append(Issue("steps", "nothing annotated", None, "give a label or at least one step verdict"))
        if issues:
            raise BadRow(issues)
        return [Annotation(example_id, field, value, annotator, when, reasons.get(field, reason) or None, origin)
                for field, value in values.items()]

    def _time(self, value: Any, issues: list[Issue]) -> str:
        if value is None or value == "":
            return self.now
        if not isinstance(value, str):
            issues.append(Issue("time", "not a time", value, "write ISO 8601 text, e.g. 2026-11-20T09:30:00Z"))
            return self.now
        try:
            return iso_time(value)
        except ValueError:
            issues.append(Issue("time", "not an ISO 8601 time", value, "write e.g. 2026-11-20 or 2026-11-20T09:30:00Z"))
            return self.now

    def _label(self, value: Any, issues: list[Issue]) -> int | None:
        if value is None or value == "":
            return None
        label = None if isinstance(value, bool) else self.label_keys.get(value)  # True == 1 is not a label
        if label is None:
            names = [f"{lab.id} ({lab.name})" for lab in self.rules.ruleset.scale.labels]
            issues.append(Issue("label", f"not a label of rule set {self.rules.name}", value,
                                f"use one of: {', '.join(names)}"))
        return label

    def _steps(self, value: Any, issues: list[Issue]) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            issues.append(Issue("steps", "not a mapping", type(value).__name__, 'write {"step id": "verdict", ...}'))
            return {}
        out = {}
        for step, verdict in value.items():
            allowed = self.rules.step_verdicts.get(step)
            if allowed is None:
                issues.append(Issue(f"steps.{step}", f"not a step of rule set {self.rules.name}", None,
                                    one_of(step, list(self.rules.step_verdicts))))
            elif verdict is None or verdict == "":
                continue  # not annotated
            elif verdict not in allowed:
                issues.append(Issue(f"steps.{step}", "not a verdict of this step", verdict, one_of(verdict, allowed)))
            else:
                out[step] = verdict
        return out

    def _reasons(self, value: Any, issues: list[Issue]) -> dict[str, str | None]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            issues.append(Issue("reasons", "not a mapping", type(value).__name__, 'write {"step id": "why", ...}'))
            return {}
        # "" is kept (as no reason): it overrides the record's `reason` for that step.
        return {step: _text(text, f"reasons.{step}", issues) or "" for step, text in value.items()}


def _text(value: Any, column: str, issues: list[Issue], required: str | None = None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            issues.append(Issue(column, "missing", None, required))
        return None
    if not isinstance(value, str):
        issues.append(Issue(column, "not text", value, f"write {column} as a string, e.g. \"{value}\""))
        return None
    return value.strip()


# --- CSV rows --------------------------------------------------------------------------------------------------------

def csv_columns(header: list[str], rules: CompiledRuleSet) -> tuple[dict[str, tuple[str, ...]], list[Issue]]:
    """Each CSV column's place in a record (("label",), ("steps", "category"), ...) and the unknown columns."""
    places, issues = {}, []
    for column in header:
        head, _, rest = column.partition(".")
        if column in TOP_KEYS and column not in ("steps", "reasons"):
            places[column] = (column,)
        elif head in ("steps", "reasons") and rest in rules.step_verdicts:
            places[column] = (head, rest)
        elif column in rules.step_verdicts:
            places[column] = ("steps", column)
        else:
            allowed = [k for k in TOP_KEYS if k not in ("steps", "reasons")] + list(rules.step_verdicts)
            issues.append(Issue(column, "unknown column", None,
                                f"{one_of(column, allowed)}, steps.<step> or reasons.<step>"))
    return places, issues


def csv_record(row: dict[str, str], places: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """A CSV row as a record; empty cells are absent (a spreadsheet cannot tell empty from missing)."""
    record: dict[str, Any] = {}
    for column, cell in row.items():
        if column not in places or cell is None or not cell.strip():
            continue
        place = places[column]
        if len(place) == 1:
            record[place[0]] = cell.strip()
        else:
            record.setdefault(place[0], {})[place[1]] = cell.strip()
    return record


def csv_header(rules: CompiledRuleSet) -> list[str]:
    """Export columns; the conclusion step has none (it is stored, and exported, as the label)."""
    steps = [s for s in rules.step_verdicts if s != rules.ruleset.output.conclusion_step]
    return ["id", "annotator", "time", "label", "reason", "source"] + [f"{g}.{s}" for g in ("steps", "reasons")
                                                                       for s in steps]


# --- Back to records (export) ----------------------------------------------------------------------------------------

def to_records(rows: Iterable[Annotation]) -> list[dict[str, Any]]:
    """Store rows as records that `RecordChecker` turns back into the same rows (exact round trip).

    Rows of one example, annotator, time and source form a record; its `reason` is the label's (without a label, the
    steps' most common one). A step without a reason under a record with one goes to a record of its own (an empty
    cell cannot say "no reason" in CSV).
    """
    groups: dict[tuple, list[Annotation]] = {}
    for row in rows:
        groups.setdefault((row.example_id, row.annotator, row.time, row.source), []).append(row)
    records = []
    for (example_id, annotator, when, source), group in groups.items():
        label = next((r for r in group if r.field == LABEL), None)
        common = Counter(r.reason for r in group if r.reason is not None).most_common(1)
        main = _record(example_id, annotator, when, source,
                       label.reason if label else common[0][0] if common else None)
        bare = _record(example_id, annotator, when, source, None)
        if label is not None:
            main["label"] = int(label.value) if label.value.lstrip("-").isdigit() else label.value
        for row in group:
            if row.field == LABEL:
                continue
            target = bare if row.reason is None and main["reason"] is not None else main
            target["steps"][row.field] = row.value
            if row.reason is not None and row.reason != target["reason"]:
                target["reasons"][row.field] = row.reason
        records += [_trim(r) for r in (main, bare) if r["steps"] or "label" in r]
    return records


def _record(example_id: str, annotator: str, when: str, source: str | None, reason: str | None) -> dict[str, Any]:
    return {"id": example_id, "annotator": annotator, "time": short_time(when), "reason": reason, "steps": {},
            "reasons": {}, "source": source}


def _trim(record: dict[str, Any]) -> dict[str, Any]:
    """Keys in the documented order, empty ones dropped."""
    return {k: record[k] for k in TOP_KEYS if record.get(k) not in (None, {}, "")}
