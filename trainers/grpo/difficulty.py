"""TaoSR1's difficulty rule for GRPO prompts: keep a prompt when 0 < #correct < gamma among its N pass@N samples.

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --pass_rate_samples 8 --max_correct 8

A prompt the policy always gets right (#correct >= gamma) or never gets right (#correct = 0) gives GRPO groups
without reward variance, so it costs rollouts and teaches nothing. gamma defaults to N: drop exactly the
all-correct and the all-wrong prompts. This module is the pure rule over pass@N records
(`trainers.common.sampling.SampleRecord`); `trainers.grpo.selection` runs the pass and applies it.

    >>> difficulty_drop_reason(n_correct=3, n_samples=8)        # None: keep
    >>> difficulty_drop_reason(n_correct=8, n_samples=8)
    'too_easy'
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Protocol

# Why an offline filter drops a prompt (shared with trainers.grpo.diversity; logged by trainers.grpo.selection).
DROP_REASONS = {
    "all_wrong": "no sample wrote the gold label (#correct = 0): the group has no positive example",
    "too_easy": "#correct >= max_correct (gamma; default N): the policy already solves it",
    "not_diverse": "the samples agree on the label and on every step verdict (SHE's diversified filtering)",
}


class Graded(Protocol):
    id: str
    correct: list[bool]


def difficulty_drop_reason(n_correct: int, n_samples: int, max_correct: int | None = None) -> str | None:
    """None to keep the prompt, else the DROP_REASONS key that drops it (gamma = max_correct, default N)."""
    gamma = n_samples if max_correct is None else max_correct
    if n_correct <= 0:
        return "all_wrong"
    if n_correct >= gamma:
        return "too_easy"
    return None


def select_by_difficulty(records: Iterable[Graded], max_correct: int | None = None) -> tuple[set[str], Counter]:
    """The ids kept by the rule and the drop counts by reason (each record judged against its own N)."""
    kept: set[str] = set()
    dropped: Counter = Counter()
    for record in records:
        reason = difficulty_drop_reason(sum(record.correct), len(record.correct), max_correct)
        if reason is None:
            kept.add(record.id)
        else:
            dropped[reason] += 1
    return kept, dropped
