"""Diversity filters against policy-entropy collapse (TaoSR-SHE's diversified data filtering), offline and online.

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --pass_rate_samples 8 --diverse_only true
    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --near_duplicate_rollouts jaccard

Offline (`record_drop_reason`, `select_diverse`): keep a training prompt only when its N pass@N rollouts disagree
somewhere: at least two distinct labels, or at least two distinct step-verdict patterns, among the parsable
rollouts. An unparsable rollout is no alternative judgement, so it never makes a prompt diverse on its own.

Online (`near_duplicate_rows`): within each GRPO group, a rollout that repeats an earlier kept rollout of the same
group (identical token ids, or token-bigram Jaccard similarity >= a threshold) *and got the same reward* is masked
out of the loss; the first of each cluster is kept. A near-copy with a different reward is the most informative
contrast in the group, so it is never masked. Decisions are made on the gathered (global) rows so a group that
straddles processes is judged as one.

    >>> near_duplicate_rows([[1, 2], [1, 2], [3]], [1.0, 1.0, 0.0], num_generations=3, mode="identical")
    [False, True, False]
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Protocol, Sequence

NEAR_DUPLICATE = {
    "off": "keep every rollout (TRL's behaviour)",
    "identical": "mask rollouts whose completion token ids equal an earlier kept rollout's in the group "
                 "(and whose reward is the same)",
    "jaccard": "mask rollouts whose token-bigram Jaccard similarity to an earlier kept rollout of the group is "
               ">= near_duplicate_threshold (and whose reward is the same)",
}


class Sampled(Protocol):
    id: str
    labels: list[int | None]
    verdicts: list[dict[str, str] | None]


def record_drop_reason(record: Sampled) -> str | None:
    """None when the rollouts show >= 2 distinct labels or verdict patterns (parsable ones only), else 'not_diverse'."""
    labels = {lab for lab in record.labels if lab is not None}
    patterns = {tuple(sorted(v.items())) for v in record.verdicts if v is not None}
    return None if len(labels) >= 2 or len(patterns) >= 2 else "not_diverse"


def select_diverse(records: Iterable[Sampled]) -> tuple[set[str], Counter]:
    kept: set[str] = set()
    dropped: Counter = Counter()
    for record in records:
        reason = record_drop_reason(record)
        if reason is None:
            kept.add(record.id)
        else:
            dropped[reason] += 1
    return kept, dropped


def shingles(ids: Sequence[int]) -> frozenset:
    """Token bigrams (a one-token completion: its token), the unit of the Jaccard similarity."""
    if len(ids) < 2:
        return frozenset((t,) for t in ids)
    return frozenset(zip(ids[:-1], ids[1:]))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0  # two empty completions are the same completion
    return len(a & b) / len(a | b)


def _same_reward(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-6


def near_duplicate_rows(completion_ids: Sequence[Sequence[int]], rewards: Sequence[float], num_generations: int,
                        mode: str = "identical", threshold: float = 0.9) -> list[bool]:
    """Per global row: True = a near-duplicate of an earlier kept rollout in its group (mask it from the loss).

    Rows are in the gathered order, groups of `num_generations` contiguous; `rewards` are the total rewards
    (NaN = unscorable).
    """
    if mode not in NEAR_DUPLICATE:
        raise ValueError(f"near_duplicate_rollouts: unknown value {mode!r}; use one of {sorted(NEAR_DUPLICATE)}")
    if len(completion_ids) != len(rewards) or len(rewards) % max(num_generations, 1):
        raise ValueError(f"near_duplicate_rows: {len(completion_ids)} completions and {len(rewards)} rewards do not "
                         f"form groups of {num_generations}")
    drop = [False] * len(rewards)
    if mode == "off" or num_generations < 2:
        return drop
    keys = [tuple(ids) for ids in completion_ids] if mode == "identical" else [shingles(ids) for ids in completion_ids]
    for start in range(0, len(rewards), num_generations):
        kept: list[int] = []
        for row in range(start, start + num_generations):
            for first in kept:
                if mode == "identical":
                    similar = keys[row] == keys[first]
                else:
                    similar = jaccard(keys[row], keys[first]) >= threshold
                if similar and _same_reward(float(rewards[row]), float(rewards[first])):
                    drop[row] = True
                    break
            else:
                kept.append(row)
    return drop
