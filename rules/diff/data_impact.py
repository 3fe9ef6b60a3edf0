"""Data impact: each example's gold label decided from its gold steps by both files, and the relabelled data.

    >>> impact = data_impact(old, new, load_examples("data/synthetic/train.jsonl").examples)
    >>> impact.transitions        # {("2 Mismatch", "3 Related"): [example ids]}
    >>> write_relabelled(impact, "relabelled.jsonl")   # labels decided by the new file; `relabelled` says which changed

An example whose gold steps leave the decision open (partial gold steps) is decided when every way of filling in
the rest gives one label (`decide_partially`), else counted as undecided. Gold steps that use a step or verdict the
new file no longer has make the example stale: it needs re-annotation, and the new file decides it without them.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rules.compiler import CompiledRuleSet, Decision
from rules.data.errors import DataError, RowProblem
from rules.data.example import Example

SHOWN_IDS = 5  # example ids listed per transition


@dataclass
class DataImpact:
    files: list[str]
    examples: int
    with_gold: int
    undecided: int  # gold steps that decide no label under one of the files
    transitions: dict[tuple[str, str], list[str]]  # (old label, new label) -> example ids, label changes only
    by_query_type: dict[str, Counter]  # query type -> Counter of "old -> new"
    stale: dict[str, list[str]]  # `step = verdict` no longer in the new file (or `step` gone) -> example ids
    relabelled: list[tuple[Example, int | None, int | None]] = field(default_factory=list, repr=False)
    # (example, old decided label, new decided label) for every example, in file order

    @property
    def changed(self) -> int:
        return sum(len(ids) for ids in self.transitions.values())

    def as_json(self) -> dict:
        return {"files": self.files, "examples": self.examples, "with_gold_steps": self.with_gold,
                "undecided": self.undecided, "changed": self.changed,
                "transitions": [{"old": a, "new": b, "count": len(ids), "ids": ids}
                                for (a, b), ids in self.transitions.items()],
                "by_query_type": {t: dict(c) for t, c in self.by_query_type.items()},
                "stale": [{"gold": k, "count": len(ids), "ids": ids} for k, ids in self.stale.items()]}


def decide_gold(rules: CompiledRuleSet, gold: dict[str, str]) -> Decision | None:
    """The label the rules give for gold steps: exact when complete, else only when the known steps settle it."""
    known = {s: v for s, v in gold.items() if v in rules.step_verdicts.get(s, ())}
    return rules.try_decide(known) or rules.decide_partially(known)


def stale_steps(old: CompiledRuleSet, new: CompiledRuleSet, gold: dict[str, str]) -> list[str]:
    """Gold steps whose step or verdict the old file has and the new file no longer has."""
    out = []
    for step, verdict in gold.items():
        if step in old.step_verdicts and step not in new.step_verdicts:
            out.append(f"step {step}")
        elif verdict in old.step_verdicts.get(step, ()) and verdict not in new.step_verdicts.get(step, ()):
            out.append(f"{step} = {verdict}")
    return out


def data_impact(old: CompiledRuleSet, new: CompiledRuleSet, examples: list[Example],
                files: list[str] | None = None) -> DataImpact:
    transitions: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_type: dict[str, Counter] = defaultdict(Counter)
    stale: dict[str, list[str]] = defaultdict(list)
    with_gold = undecided = 0
    rows = []
    for example in examples:
        if not example.gold_steps:
            rows.append((example, None, None))
            continue
        with_gold += 1
        for key in stale_steps(old, new, example.gold_steps):
            stale[key].append(example.id)
        a, b = decide_gold(old, example.gold_steps), decide_gold(new, example.gold_steps)
        rows.append((example, a.label if a else None, b.label if b else None))
        if a is None or b is None:
            undecided += 1
            continue
        if a.label != b.label:
            key = (old.label_text(a.label), new.label_text(b.label))
            transitions[key].append(example.id)
            for tag in example.query_type or ["untagged"]:
                by_type[tag][f"{key[0]} -> {key[1]}"] += 1
    ordered = dict(sorted(transitions.items(), key=lambda kv: -len(kv[1])))
    return DataImpact(files or [], len(examples), with_gold, undecided, ordered, dict(by_type), dict(stale), rows)


def write_relabelled(impact: DataImpact, new: CompiledRuleSet, old: CompiledRuleSet, path: str | Path) -> int:
    """Write every example as JSONL with the new file's decided label (the old label where it decides none), and
    the columns `relabelled` (the label changed) and `label_before`; `load_examples` reads it back (extra columns
    are reported as not used). A changed example's guide CoT is re-rendered with the new label; a guide that does
    not parse is dropped. Returns how many rows changed."""
    path = Path(path)
    if path.suffix != ".jsonl":
        raise DataError([RowProblem(str(path), 0, "--write-relabelled", "relabelled data is written as JSONL",
                                    path.suffix or path.name, "give a path ending in .jsonl")])
    changed, lines = 0, []
    for example, _, label in impact.relabelled:
        row = example.to_row()
        moved = label is not None and label != example.label
        if moved:
            changed += 1
            row["label"] = label
            row["guide"] = _guide(example, label, old, new)
        row["relabelled"], row["label_before"] = moved, example.label
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return changed


def _guide(example: Example, label: int, old: CompiledRuleSet, new: CompiledRuleSet) -> str | None:
    """The guide with the new label and the new deciding rule as the conclusion's reason; None if it cannot be."""
    if not example.guide:
        return None
    parsed = old.parse(example.guide)
    if not hasattr(parsed, "steps"):
        return None
    reasons = {s.id: s.reasoning for s in parsed.steps}
    verdicts = {s.id: s.verdict for s in parsed.steps}
    conclusion = new.ruleset.output.conclusion_step
    decision = decide_gold(new, example.gold_steps or {})
    if conclusion:
        verdicts.pop(conclusion, None)
        if decision is not None and decision.rule is not None:
            reasons[conclusion] = f"{decision.rule.message.rstrip('.')} ({decision.rule.id}), " \
                                  f"so {new.labels[label].name}."
    try:
        return new.render(label, verdicts, reasons)
    except ValueError:
        return None
