"""Do a data set's gold labels and steps belong to the rule set? Checked once per file, reported once per kind.

    >>> from rules.data.gold import check_gold
    >>> check_gold(load_examples("grocery.jsonl").examples, compile_rules("ecommerce"), "grocery.jsonl")
    DataError: grocery.jsonl row 1: gold_steps: steps rule set 'ecommerce' does not know: 'freshness' ...

Data labelled with another rule file (a grocery set trained with `--rules ecommerce`) is wrong in every row the
same way: one problem per unknown step set, per step with unknown verdicts and per unknown label, each with the
count and the first row, and `--rules NAME` when a bundled rule set fits the data.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rules.compiler import CompiledRuleSet
from rules.data.errors import DataError, RowProblem
from rules.data.example import Example
from rules.errors import one_of


@dataclass
class _Seen:
    """Where a bad value occurs: the first example's row and id, and how many examples have it."""

    row: int
    id: str
    count: int = 0
    values: dict = field(default_factory=dict)  # bad value -> count, in order of first appearance


def gold_problems(examples: Iterable[Example], rules: CompiledRuleSet, source: str) -> list[RowProblem]:
    """The problems of `check_gold`, without raising (for tools that only warn)."""
    examples = list(examples)
    unknown: dict[str, _Seen] = {}  # step -> where
    verdicts: dict[str, _Seen] = {}  # known step -> where its bad verdicts are
    labels: dict[int, _Seen] = {}
    for row, ex in enumerate(examples, 1):
        if ex.label not in rules.labels:
            _count(labels, ex.label, row, ex.id)
        for step, verdict in (ex.gold_steps or {}).items():
            allowed = rules.step_verdicts.get(step)
            if allowed is None:
                _count(unknown, step, row, ex.id)
            elif verdict not in allowed:
                _count(verdicts, step, row, ex.id, verdict)
    if not (unknown or verdicts or labels):
        return []
    hint = _other_rules_hint(examples, rules)
    problems = []
    if unknown:
        first = min(unknown.values(), key=lambda s: s.row)
        rows = sum(1 for ex in examples if set(ex.gold_steps or {}) - set(rules.step_verdicts))
        names = ", ".join(f"{s!r}" for s in unknown)
        close = [f"{s!r} -> {c[0]!r}" for s in unknown if (c := _close(s, list(rules.step_verdicts)))]
        fix = ((f"did you mean {', '.join(close)}? " if close else "") + f"the steps of {rules.name!r} are: "
                       f"{', '.join(rules.step_verdicts)}; or pass the rule file the data was labelled with (--rules)")
        problems.append(RowProblem(source, 0, "gold_steps", f"steps rule set {rules.name!r} does not know: {names} "
                                   f"({_of(rows, len(examples))}, first example {first.id!r})", None, fix, row=first.row))
    for step, seen in verdicts.items():
        bad = ", ".join(f"{v!r}" for v in seen.values)
        problems.append(RowProblem(source, 0, f"gold_steps.{step}", f"step {step!r} has no verdict {bad} "
                                   f"({_of(seen.count, len(examples))}, first example {seen.id!r})", None,
                                   one_of(next(iter(seen.values)), rules.step_verdicts[step]), row=seen.row))
    for label, seen in labels.items():
        more = f" and {seen.count - 1} more" if seen.count > 1 else ""
        problems.append(RowProblem(source, 0, "label", f"example {seen.id!r}{more}: not a label of rule set "
                                   f"{rules.name!r}", label, f"use one of {rules.label_ids}, or pass the rule "
                                   "file these examples were labelled with (--rules)", row=seen.row))
    problems.sort(key=lambda p: p.row)
    if hint:  # said once, on the first problem: the one fix for all of them
        problems[0] = dataclasses.replace(problems[0], fix=hint)
    return problems


def check_gold(examples: Iterable[Example], rules: CompiledRuleSet, source: str) -> None:
    """Gold labels and gold steps must belong to the rule set, or every reward and metric on them is quietly wrong."""
    problems = gold_problems(examples, rules, source)
    if problems:
        raise DataError(problems)


def _count(table: dict, key, row: int, example_id: str, value=None) -> None:
    seen = table.setdefault(key, _Seen(row, example_id))
    seen.count += 1
    if value is not None:
        seen.values[value] = seen.values.get(value, 0) + 1


def _of(n: int, total: int) -> str:
    return f"{n} of {total} examples" if n != total else f"all {total} examples"


def _close(name: str, names: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, names, n=1)


def _other_rules_hint(examples: list[Example], rules: CompiledRuleSet) -> str:
    """`pass --rules apparel` when a bundled rule set knows every label, step and verdict of the data."""
    from rules.loader import bundled, bundled_rule_sets, compile_rules  # lazy: the loader is not needed to check

    steps: dict[str, set[str]] = defaultdict(set)
    for ex in examples:
        for step, verdict in (ex.gold_steps or {}).items():
            steps[step].add(verdict)
    labels = {ex.label for ex in examples}
    fits = []
    for name in bundled_rule_sets():
        try:
            other = compile_rules(bundled(name))
        except ValueError:  # a broken catalog file suggests nothing; `python -m rules check` reports it
            continue
        if other.name == rules.name or not labels <= set(other.labels):
            continue
        if all(set(verdicts) <= set(other.step_verdicts.get(step, ())) for step, verdicts in steps.items()):
            fits.append((len(set(other.step_verdicts) - set(steps)), name))  # the fewest steps the data lacks first
    if not fits:
        return ""
    names = [name for _, name in sorted(fits)]
    return f"the data fits bundled rule set {' and '.join(repr(f) for f in names)}: pass --rules {names[0]}"
