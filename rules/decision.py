"""Decision tables: evaluating conditions, and proving facts about the whole table.

The verdicts of the steps a table reads span a finite grid (e.g. 5 query types x 4 category verdicts x ...).
We evaluate every condition on the whole grid at once with numpy, which gives, exactly:
- which rules can never fire (shadowed by earlier rules, or self-contradictory),
- whether the table is total (every combination decided by some rule),
- a lookup table from verdict combination to (first matching rule, all matching rules) for fast decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from rules.model import AllOf, AnyOf, Condition, DecisionRule, Not, StepIs

# Above this many verdict combinations, the grid is not materialised; decisions are then evaluated directly.
MAX_GRID = 2_000_000
# Up to this many, every combination is precomputed into a dict, so a decision is one lookup.
MAX_LOOKUP = 200_000


def walk(condition: Condition, path: tuple = ()) -> Iterator[tuple[StepIs, tuple]]:
    """Every step test inside a condition, with its path (for error locations)."""
    if isinstance(condition, StepIs):
        yield condition, path
    elif isinstance(condition, AllOf):
        for i, child in enumerate(condition.all):
            yield from walk(child, path + ("all", i))
    elif isinstance(condition, AnyOf):
        for i, child in enumerate(condition.any):
            yield from walk(child, path + ("any", i))
    elif isinstance(condition, Not):
        yield from walk(condition.not_, path + ("not",))


def holds(condition: Condition, verdicts: dict[str, str]) -> bool:
    """Evaluate a condition on one assignment of verdicts (every step it reads must be present)."""
    if isinstance(condition, StepIs):
        return verdicts[condition.step] in condition.allowed()
    if isinstance(condition, AllOf):
        return all(holds(c, verdicts) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(holds(c, verdicts) for c in condition.any)
    return not holds(condition.not_, verdicts)


def holds_partially(condition: Condition, verdicts: dict[str, str]) -> bool | None:
    """Three-valued (Kleene) evaluation when some steps are unknown: True, False, or None (cannot tell)."""
    if isinstance(condition, StepIs):
        value = verdicts.get(condition.step)
        return None if value is None else value in condition.allowed()
    if isinstance(condition, Not):
        inner = holds_partially(condition.not_, verdicts)
        return None if inner is None else not inner
    values = [holds_partially(c, verdicts) for c in (condition.all if isinstance(condition, AllOf) else condition.any)]
    decisive = isinstance(condition, AnyOf)  # any: one True decides; all: one False decides
    if decisive in values:
        return decisive
    return None if None in values else not decisive


def describe(condition: Condition) -> str:
    """A condition in words: `category = mismatch`, `all of (a, b)`."""
    if isinstance(condition, StepIs):
        allowed = condition.allowed()
        return f"{condition.step} = {allowed[0]}" if len(allowed) == 1 else f"{condition.step} in {{{', '.join(allowed)}}}"
    if isinstance(condition, AllOf):
        return " and ".join(_group(c) for c in condition.all)
    if isinstance(condition, AnyOf):
        return " or ".join(_group(c) for c in condition.any)
    return f"not {_group(condition.not_)}"


def _group(condition: Condition) -> str:
    text = describe(condition)
    return f"({text})" if isinstance(condition, (AllOf, AnyOf)) and len(getattr(condition, "all", None) or getattr(condition, "any", None)) > 1 else text


@dataclass(frozen=True)
class TableAnalysis:
    """What the grid says about a decision table."""

    steps: tuple[str, ...]  # the steps the table reads, in declaration order
    grid_size: int
    unreachable: dict[int, tuple[int, ...]]  # rule index -> earlier rules covering it (empty: contradictory)
    uncovered: int  # combinations no rule decides
    uncovered_example: dict[str, str] | None
    decided_by: tuple[int, ...]  # per rule: how many combinations it decides
    lookup: dict[tuple[str, ...], tuple[int, int]] | None  # combination -> (first rule or -1, bitmask of matches)


def _cover(target: np.ndarray, earlier: list[np.ndarray]) -> tuple[int, ...]:
    """A small set of earlier rules that together match everything `target` matches (greedy set cover)."""
    left, chosen = target.copy(), []
    while left.any():
        best = max(range(len(earlier)), key=lambda j: int((earlier[j] & left).sum()))
        chosen.append(best)
        left &= ~earlier[best]
    return tuple(sorted(chosen))


def steps_read(rules: list[DecisionRule]) -> set[str]:
    """The steps a decision table's conditions read."""
    return {t.step for r in rules for t, _ in walk(r.when)}


def grid_index(steps: tuple[str, ...], step_verdicts: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Step -> the verdict code of that step in every cell of the grid over `steps` (row-major, first step slowest)."""
    sizes = [len(step_verdicts[s]) for s in steps]
    size = int(np.prod(sizes)) if sizes else 1
    return dict(zip(steps, np.unravel_index(np.arange(size), sizes) if sizes else []))


def rule_masks(rules: list[DecisionRule], step_verdicts: dict[str, list[str]], index: dict[str, np.ndarray],
               size: int) -> list[np.ndarray]:
    """Per rule, where on the grid its condition holds. `step_verdicts` may list more verdicts than a rule set
    has (the diff evaluates two rule sets on the union of their grids); verdicts are found by name."""

    def mask(condition: Condition) -> np.ndarray:
        if isinstance(condition, StepIs):
            codes = [step_verdicts[condition.step].index(v) for v in condition.allowed()]
            return np.isin(index[condition.step], codes)
        if isinstance(condition, AllOf):
            return np.logical_and.reduce([mask(c) for c in condition.all])
        if isinstance(condition, AnyOf):
            return np.logical_or.reduce([mask(c) for c in condition.any])
        return ~mask(condition.not_)

    return [np.broadcast_to(mask(r.when), (size,)) for r in rules]


def first_match(masks: list[np.ndarray], size: int) -> np.ndarray:
    """Per grid cell, the index of the first rule that matches, or -1 (first match wins)."""
    first = np.full(size, -1, dtype=np.int64)
    for i in reversed(range(len(masks))):
        first[masks[i]] = i
    return first


def analyse(rules: list[DecisionRule], step_verdicts: dict[str, list[str]]) -> TableAnalysis | None:
    """Evaluate the table on its whole verdict grid; None when the grid is larger than MAX_GRID."""
    read = steps_read(rules)
    steps = tuple(s for s in step_verdicts if s in read)
    sizes = [len(step_verdicts[s]) for s in steps]
    size = int(np.prod(sizes)) if sizes else 1
    if size > MAX_GRID:
        return None
    index = grid_index(steps, step_verdicts)
    masks = rule_masks(rules, step_verdicts, index, size)
    covered = np.zeros(size, dtype=bool)
    unreachable: dict[int, tuple[int, ...]] = {}
    decided_by = []
    first = np.full(size, -1, dtype=np.int64)
    for i, m in enumerate(masks):
        fresh = m & ~covered
        decided_by.append(int(fresh.sum()))
        if not fresh.any():
            unreachable[i] = _cover(m, masks[:i])
        first[fresh] = i
        covered |= m
    uncovered = int((~covered).sum())
    example = None
    if uncovered:
        cell = int(np.argmin(covered))
        example = {s: step_verdicts[s][int(index[s][cell])] for s in steps}
    lookup = None if size > MAX_LOOKUP else _lookup(steps, step_verdicts, index, first, masks)
    return TableAnalysis(steps, size, unreachable, uncovered, example, tuple(decided_by), lookup)


def _lookup(steps: tuple[str, ...], step_verdicts: dict[str, list[str]], index: dict, first: np.ndarray,
            masks: list[np.ndarray]) -> dict[tuple[str, ...], tuple[int, int]]:
    """Every verdict combination -> (first matching rule or -1, bitmask of all matching rules)."""
    bits = np.zeros(len(first), dtype=object)  # object ints: more rules than 64 still fit
    for i, m in enumerate(masks):
        bits[m] = bits[m] + (1 << i)
    names = [step_verdicts[s] for s in steps]
    return {tuple(names[k][int(index[s][cell])] for k, s in enumerate(steps)): (int(first[cell]), int(bits[cell]))
            for cell in range(len(first))}
