"""Coverage and agreement of the annotations: how much is annotated, and how far annotators can be trusted.

    python -m verifiers.human stats --db annotations.db --rules rules/catalog/ecommerce.yaml [--json]

Per field (each step of the rule set, then the label): examples annotated and coverage (share of the store's
examples), examples with two or more annotators, pairwise percent agreement (over every pair of annotators on the
same example, pooled), and Cohen's kappa. Kappa is defined for two annotators: it is computed for each pair on the
examples both annotated, and the field's kappa is the mean over pairs (Light's kappa). A pair whose expected
agreement is 1 (both always gave one and the same value) has no kappa: None, not 0 or 1. Each annotator's current
value counts (an edit replaces, it does not vote twice).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from rules import CompiledRuleSet
from verifiers.human.store import LABEL, Annotation, AnnotationStore


@dataclass(frozen=True)
class PairKappa:
    annotators: tuple[str, str]
    items: int  # examples both annotated
    agreement: float
    kappa: float | None  # None when undefined (expected agreement 1)


@dataclass(frozen=True)
class FieldStats:
    field: str  # a step id, or "label"
    annotated: int
    coverage: float
    multi: int  # examples with two or more annotators
    agreement: float | None  # pooled pairwise agreement; None when no example has two annotators
    kappa: float | None  # mean of the pairs' kappas (Light's kappa); None when no pair has one
    pairs: list[PairKappa] = field(default_factory=list)
    in_rules: bool = True  # False for a step the store has but the rule file does not


@dataclass(frozen=True)
class AnnotatorStats:
    examples: int
    values: int  # current values (fields of examples)


@dataclass(frozen=True)
class Stats:
    examples: int
    rows: int  # every row ever written, edits included
    annotators: dict[str, AnnotatorStats]
    fields: list[FieldStats]

    def as_dict(self) -> dict[str, Any]:
        return {"examples": self.examples, "rows": self.rows,
                "annotators": {a: vars(s) for a, s in self.annotators.items()},
                "fields": [dict(vars(f), pairs=[vars(p) for p in f.pairs]) for f in self.fields]}


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two annotators' values on the same items; None when expected agreement is 1."""
    n = len(a)
    if n == 0 or n != len(b):
        raise ValueError(f"kappa needs two equally long non-empty lists (got {len(a)} and {len(b)})")
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[v] * cb[v] for v in ca) / (n * n)
    return None if expected >= 1.0 else (observed - expected) / (1.0 - expected)


def field_stats(name: str, votes: list[Annotation], examples: int, in_rules: bool = True) -> FieldStats:
    by_example: dict[str, dict[str, str]] = defaultdict(dict)
    for v in votes:
        by_example[v.example_id][v.annotator] = v.value
    agree = total = 0
    multi = 0
    for values in by_example.values():
        k = len(values)
        if k >= 2:
            multi += 1
            total += k * (k - 1) // 2
            agree += sum(c * (c - 1) // 2 for c in Counter(values.values()).values())
    annotators = sorted({v.annotator for v in votes})
    pairs = []
    for a, b in combinations(annotators, 2):
        shared = [(vals[a], vals[b]) for vals in by_example.values() if a in vals and b in vals]
        if shared:
            xs, ys = [x for x, _ in shared], [y for _, y in shared]
            pairs.append(PairKappa((a, b), len(shared), sum(x == y for x, y in shared) / len(shared),
                                   cohen_kappa(xs, ys)))
    kappas = [p.kappa for p in pairs if p.kappa is not None]
    return FieldStats(name, len(by_example), len(by_example) / examples if examples else 0.0, multi,
                      agree / total if total else None, sum(kappas) / len(kappas) if kappas else None, pairs, in_rules)


def compute_stats(votes: Iterable[Annotation], rules: CompiledRuleSet, rows: int | None = None) -> Stats:
    """Stats over each annotator's current values (`AnnotationStore.votes()`)."""
    votes = list(votes)
    examples = len({v.example_id for v in votes})
    by_field: dict[str, list[Annotation]] = defaultdict(list)
    for v in votes:
        by_field[v.field].append(v)
    conclusion = rules.ruleset.output.conclusion_step
    steps = [s for s in rules.step_verdicts if s != conclusion]  # the conclusion step is stored as the label
    order = steps + [LABEL] + sorted(f for f in by_field if f not in steps and f != LABEL)
    fields = [field_stats("label" if f == LABEL else f, by_field.get(f, []), examples, f in steps or f == LABEL)
              for f in order]
    per_annotator: dict[str, set[str]] = defaultdict(set)
    values: Counter = Counter()
    for v in votes:
        per_annotator[v.annotator].add(v.example_id)
        values[v.annotator] += 1
    annotators = {a: AnnotatorStats(len(ids), values[a]) for a, ids in sorted(per_annotator.items())}
    return Stats(examples, len(votes) if rows is None else rows, annotators, fields)


def store_stats(store: AnnotationStore, rules: CompiledRuleSet) -> Stats:
    return compute_stats(store.votes(), rules, rows=store.count())


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def format_stats(stats: Stats) -> str:
    """The table `stats` prints."""
    lines = [f"{stats.examples} examples, {stats.rows} annotation rows, {len(stats.annotators)} annotators"]
    lines.append("annotators: " + ", ".join(f"{a} ({s.examples} examples, {s.values} values)"
                                            for a, s in stats.annotators.items()))
    lines.append(f"{'field':<16}{'annotated':>10}{'coverage':>10}{'2+ ann.':>9}{'agree':>9}{'kappa':>8}")
    for f in stats.fields:
        kappa = "-" if f.kappa is None else f"{f.kappa:.3f}"
        note = "  (not in the rule file)" if not f.in_rules else ""
        lines.append(f"{f.field:<16}{f.annotated:>10}{_pct(f.coverage):>10}{f.multi:>9}{_pct(f.agreement):>9}"
                     f"{kappa:>8}{note}")
    return "\n".join(lines)
