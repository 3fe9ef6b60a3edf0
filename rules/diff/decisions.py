"""Decision impact, exactly: the verdict combinations whose label or deciding rule changes, grouped readably.

Both tables are evaluated on one grid: the steps either table reads, each with the verdicts of both files. A
combination is compared when both files allow it; combinations only one file allows (a verdict added or removed)
are listed apart. Each group of combinations with the same change is described as a few patterns (products of
verdict sets, e.g. `brand_model = mismatch and attributes in {match, not_mentioned}`), each with its count.

    >>> impact = decision_impact(old_rules, new_rules)          # DecisionImpact; None-free, exact
    >>> impact.transitions[0].head()    # '2 Mismatch -> 3 Related, 4 combinations, now decided by store_brand (was brand_mismatch)'

A grid larger than `MAX_GRID` is not enumerated: `decision_impact(..., data=[verdicts, ...])` then compares the
combinations that occur in the data instead, and says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from rules.compiler import CompiledRuleSet
from rules.decision import MAX_GRID, first_match, grid_index, rule_masks, steps_read

MAX_PATTERNS = 6  # patterns described per group of combinations; the rest is counted
DEFAULT = "default"


@dataclass(frozen=True)
class Pattern:
    """A box of verdict combinations: `verdicts` maps each constrained step to its verdicts (other steps: any)."""

    text: str  # `brand_model = mismatch and attributes in {match, not_mentioned}`
    count: int  # combinations in the box
    verdicts: dict[str, list[str]]

    def as_json(self) -> dict:
        return {"when": self.text, "count": self.count, "verdicts": self.verdicts}


@dataclass
class Transition:
    """One kind of change: `old` -> `new` (label text and deciding rule; None on the side that lacks the combos)."""

    old_label: str | None
    old_rule: str | None
    new_label: str | None
    new_rule: str | None
    count: int
    patterns: list[Pattern] = field(default_factory=list)
    undescribed: int = 0  # combinations of the group not covered by the patterns listed

    @property
    def label_changed(self) -> bool:
        return self.old_label != self.new_label

    def head(self) -> str:
        unit = "combination" if self.count == 1 else "combinations"
        if self.old_label is None:
            return f"new: {self.new_label}, {self.count} {unit}, decided by {self.new_rule}"
        if self.new_label is None:
            return f"gone: {self.old_label}, {self.count} {unit}, were decided by {self.old_rule}"
        labels = f"{self.old_label} -> {self.new_label}" if self.label_changed else f"{self.new_label} (label kept)"
        rule = f"now decided by {self.new_rule} (was {self.old_rule})" if self.new_rule != self.old_rule \
            else f"still decided by {self.new_rule}"
        return f"{labels}, {self.count} {unit}, {rule}"

    def as_json(self) -> dict:
        return {"old_label": self.old_label, "old_rule": self.old_rule, "new_label": self.new_label,
                "new_rule": self.new_rule, "count": self.count,
                "patterns": [p.as_json() for p in self.patterns], "undescribed": self.undescribed}


@dataclass
class DecisionImpact:
    source: str  # "grid" (exact) or "data" (the grid was too large) or "none" (too large and no data)
    grid_size: int  # combinations of the union grid
    steps: tuple[str, ...]
    compared: int  # combinations both files allow (grid), or distinct combinations compared (data)
    transitions: list[Transition]  # changed label or deciding rule, most combinations first
    only_new: list[Transition]
    only_old: list[Transition]

    @property
    def label_changes(self) -> int:
        return sum(t.count for t in self.transitions if t.label_changed)

    @property
    def changed(self) -> int:
        return sum(t.count for t in self.transitions)

    def as_json(self) -> dict:
        return {"source": self.source, "grid_size": self.grid_size, "steps": list(self.steps),
                "compared": self.compared, "changed": self.changed, "label_changes": self.label_changes,
                "transitions": [t.as_json() for t in self.transitions],
                "only_new": [t.as_json() for t in self.only_new], "only_old": [t.as_json() for t in self.only_old]}


def union_grid(old: CompiledRuleSet, new: CompiledRuleSet) -> dict[str, list[str]]:
    """The steps either table reads (new file's order first), each with the new file's verdicts then the old-only ones."""
    read = steps_read(old.rules) | steps_read(new.rules)
    steps = [s for s in new.step_verdicts if s in read] + [s for s in old.step_verdicts if s in read
                                                           and s not in new.step_verdicts]
    return {s: new.step_verdicts.get(s, []) + [v for v in old.step_verdicts.get(s, [])
                                               if v not in new.step_verdicts.get(s, [])] for s in steps}


def decision_impact(old: CompiledRuleSet, new: CompiledRuleSet, data: list[dict[str, str]] | None = None,
                    limit: int = MAX_GRID) -> DecisionImpact:
    grid = union_grid(old, new)
    steps = tuple(grid)
    sizes = [len(grid[s]) for s in steps]
    size = int(np.prod(sizes, dtype=object)) if sizes else 1
    if size > limit:
        return _from_data(old, new, grid, size, data)
    index = grid_index(steps, grid)
    ids = list(dict.fromkeys([r.id for r in old.rules] + [r.id for r in new.rules] + [DEFAULT]))
    sides = [_Side(rules, grid, index, size, ids) for rules in (old, new)]
    o, n = sides
    both = o.valid & n.valid
    changed = both & ((o.label != n.label) | (o.code != n.code))
    domain_both = [[k for k, v in enumerate(grid[s]) if o.allows(s, v) and n.allows(s, v)] for s in steps]
    transitions = [_transition(o, n, mask, (a, b), grid, sizes, domain_both)
                   for (a, b), mask in _groups(changed, o.code, n.code)]
    only_new = [_transition(None, n, mask, (None, b), grid, sizes, n.domain(grid))
                for (_, b), mask in _groups(n.valid & ~o.valid, None, n.code)]
    only_old = [_transition(o, None, mask, (a, None), grid, sizes, o.domain(grid))
                for (a, _), mask in _groups(o.valid & ~n.valid, o.code, None)]
    order = (lambda t: (-t.count, str(t.old_rule), str(t.new_rule)))
    return DecisionImpact("grid", size, steps, int(both.sum()), sorted(transitions, key=order),
                          sorted(only_new, key=order), sorted(only_old, key=order))


class _Side:
    """One file's decisions on the union grid: which cells it allows, the deciding rule's code and label per cell.

    Codes index `ids`, the rule ids of both files plus `default`, so the same rule has the same code on both sides.
    """

    def __init__(self, rules: CompiledRuleSet, grid: dict[str, list[str]], index: dict, size: int, ids: list[str]):
        self.rules, self.ids = rules, ids
        self.valid = np.ones(size, dtype=bool)
        for step, verdicts in grid.items():
            if step in rules.step_verdicts:
                codes = [k for k, v in enumerate(verdicts) if v in rules.step_verdicts[step]]
                self.valid &= np.isin(index[step], codes)
        first = first_match(rule_masks(rules.rules, grid, index, size), size)
        # Index -1 (no rule matched) picks the last entry: the default (label 0 when there is none: undecided).
        self.code = np.array([ids.index(r.id) for r in rules.rules] + [ids.index(DEFAULT)])[first]
        self.label = np.array(rules.rule_labels + [rules.default_label or 0])[first]
        self._labels = dict(zip([r.id for r in rules.rules], rules.rule_labels)) | {DEFAULT: rules.default_label}

    def allows(self, step: str, verdict: str) -> bool:
        return step not in self.rules.step_verdicts or verdict in self.rules.step_verdicts[step]

    def domain(self, grid: dict[str, list[str]]) -> list[list[int]]:
        return [[k for k, v in enumerate(verdicts) if self.allows(s, v)] for s, verdicts in grid.items()]

    def describe(self, code: int) -> tuple[str, str]:
        label = self._labels[self.ids[code]]
        return (self.rules.label_text(label) if label else "undecided"), self.ids[code]


def _groups(mask: np.ndarray, a: np.ndarray | None, b: np.ndarray | None):
    """(old code, new code) -> the cells of `mask` with that pair of deciding rules."""
    cells = np.flatnonzero(mask)
    pairs = Counter(zip(a[cells].tolist() if a is not None else [None] * len(cells),
                        b[cells].tolist() if b is not None else [None] * len(cells)))
    for pair in pairs:
        sub = mask.copy()
        if a is not None:
            sub &= a == pair[0]
        if b is not None:
            sub &= b == pair[1]
        yield pair, sub


def _transition(o: _Side | None, n: _Side | None, mask: np.ndarray, pair: tuple, grid: dict[str, list[str]],
                sizes: list[int], domain: list[list[int]]) -> Transition:
    old = o.describe(pair[0]) if o is not None else (None, None)
    new = n.describe(pair[1]) if n is not None else (None, None)
    count = int(mask.sum())
    found, left = patterns(mask.reshape(sizes), domain, grid)
    return Transition(old[0], old[1], new[0], new[1], count, found, left)


def patterns(cells: np.ndarray, domain: list[list[int]], grid: dict[str, list[str]],
             limit: int = MAX_PATTERNS) -> tuple[list[Pattern], int]:
    """Greedy cover of the marked cells by maximal boxes (a verdict set per step), described in words.

    Each box starts at the first cell not yet covered and grows, step by step, by every verdict that keeps the
    whole box inside the marked cells; steps whose box spans their whole domain are left out of the words.
    Boxes may overlap. Returns the boxes and how many marked cells are left outside them (past `limit` boxes).
    """
    sub = cells[np.ix_(*domain)] if domain else cells
    left = sub.copy()
    out = []
    steps = list(grid)
    while left.any() and len(out) < limit:
        start = np.unravel_index(int(np.argmax(left)), left.shape)
        box = [[int(i)] for i in start]
        for axis, size in enumerate(left.shape):
            for value in range(size):
                if value not in box[axis] and sub[np.ix_(*_with(box, axis, value))].all():
                    box[axis].append(value)
        left[np.ix_(*box)] = False
        named = {steps[k]: [grid[steps[k]][domain[k][j]] for j in sorted(chosen)] for k, chosen in enumerate(box)
                 if len(chosen) < len(domain[k])}
        words = [_words(s, named[s], [grid[s][j] for j in domain[k]]) for k, s in enumerate(steps) if s in named]
        out.append(Pattern(" and ".join(words) or "every combination", int(np.prod([len(c) for c in box])), named))
    return out, int(left.sum())


def _with(box: list[list[int]], axis: int, value: int) -> list[list[int]]:
    return [c + [value] if k == axis else c for k, c in enumerate(box)]


def _words(step: str, chosen: list[str], domain: list[str]) -> str:
    if len(chosen) == 1:
        return f"{step} = {chosen[0]}"
    missing = [v for v in domain if v not in chosen]
    if len(missing) == 1 and len(domain) > 2:
        return f"{step} != {missing[0]}"
    return f"{step} in {{{', '.join(chosen)}}}"


def _from_data(old: CompiledRuleSet, new: CompiledRuleSet, grid: dict[str, list[str]], size: int,
               data: list[dict[str, str]] | None) -> DecisionImpact:
    """The grid is too large: compare the distinct complete combinations the data's gold steps hold."""
    steps = tuple(grid)
    if not data:
        return DecisionImpact("none", size, steps, 0, [], [], [])
    combos = {tuple(v.get(s) for s in steps) for v in data}
    groups: dict[tuple, list[tuple]] = {}
    compared = 0
    for combo in sorted(combos, key=str):
        verdicts = {s: v for s, v in zip(steps, combo) if v is not None}
        a, b = old.try_decide(verdicts), new.try_decide(verdicts)
        if a is None or b is None:
            continue
        compared += 1
        if (a.label, a.rule_id) != (b.label, b.rule_id):
            groups.setdefault((a.label, a.rule_id, b.label, b.rule_id), []).append(combo)
    transitions = []
    for (la, ra, lb, rb), found in groups.items():
        words = [Pattern(" and ".join(f"{s} = {v}" for s, v in zip(steps, c) if v is not None), 1,
                         {s: [v] for s, v in zip(steps, c) if v is not None}) for c in found[:MAX_PATTERNS]]
        transitions.append(Transition(old.label_text(la), ra, new.label_text(lb), rb, len(found), words,
                                      max(0, len(found) - MAX_PATTERNS)))
    transitions.sort(key=lambda t: (-t.count, str(t.old_rule), str(t.new_rule)))
    return DecisionImpact("data", size, steps, compared, transitions, [], [])
