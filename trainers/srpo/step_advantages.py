"""SRPO's step term: group-normalised step scores, which steps carry them, and their value on each token.

    >>> steps = [compact(scores) for scores in hybrid.step_scores(texts, **columns)]      # per completion
    >>> norm = normalise_steps(steps, group=4, scale="group")                           # Â_step, global batch
    >>> term = token_step_term(starts, steps[i], norm[i], mode="critical")                # per token of row i
    >>> advantages[i, t] = outcome[i] + step_coef * term[t]

Normalisation (our reconstruction of TaoSR-SHE's SRPO, see DESIGN.md §2): within each group of `num_generations`
completions of one prompt, and separately for each step id (query, category, attributes, ...), over the group's
completions whose step got a score: Â = (r - mean) / (std + 1e-4), std the sample std as in TRL's GRPO
(`step_scale="none"`: centred only). Per step id, because the steps have very different base rates (nearly every
completion gets the query step right): a pooled baseline would reward a completion for having easy steps. A step
scored in fewer than two completions of its group, or scored alike in all of them, gets Â = 0: there is nothing
to compare it with. An unscored step (no source could judge it) gets no term.

Which steps carry their Â (`critical_steps`, the registry below):
- `critical`: only steps the hybrid verifier flagged critical (the first wrong step, and steps whose sign
  disagrees with the outcome), the "critical correct and incorrect reasoning steps" of the paper;
- `all`: every scored step;
- `process`: process returns as in DeepSeekMath's process supervision: a token gets the sum of Â over the scored
  steps that end after its first character (its own step and the later ones), so the label line at the top of a
  label-first CoT gets the whole chain's credit.
Under `critical` and `all` tokens outside every step (label line, think tags, separators) get no term.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from trainers.srpo.step_tokens import token_steps

CRITICAL_STEPS = {
    "critical": "only steps the hybrid verifier flags critical (first wrong step; steps whose score disagrees "
                "with the outcome)",
    "all": "every scored step",
    "process": "process returns (DeepSeekMath): each token gets the sum of the normalised scores of its step and "
               "the later steps",
}
STEP_SCALE = {
    "group": "(score - group mean) / (group std + 1e-4), per step id",
    "none": "score - group mean, per step id (no std division, as Dr. GRPO for outcomes)",
}
EPS = 1e-4  # as TRL's GRPO advantages


class StepValue(NamedTuple):
    """What the advantage needs of one step: small and picklable (it is gathered across processes)."""

    step: str
    start: int
    end: int
    score: float | None
    critical: bool


def compact(scores: Sequence[Any]) -> list[StepValue]:
    """`rewards.StepScore`s -> StepValues; a non-finite score counts as unscored."""
    out = []
    for s in scores:
        score = None if s.score is None or not math.isfinite(float(s.score)) else float(s.score)
        out.append(StepValue(s.step, int(s.start), int(s.end), score, bool(s.critical)))
    return out


def _sample_std(values: list[float], mean: float) -> float:
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def normalise_steps(steps: Sequence[Sequence[StepValue]], group: int, scale: str = "group") -> list[list[float | None]]:
    """Â per step of every completion (global batch, groups contiguous); None where the step is unscored."""
    if scale not in STEP_SCALE:
        raise ValueError(f"step_scale: unknown value {scale!r}; use one of {sorted(STEP_SCALE)}")
    if group < 1 or len(steps) % group:
        raise ValueError(f"{len(steps)} completions do not split into groups of {group}")
    out: list[list[float | None]] = []
    for g in range(0, len(steps), group):
        members = steps[g:g + group]
        by_id: dict[str, list[float]] = defaultdict(list)
        for completion in members:
            for s in completion:
                if s.score is not None:
                    by_id[s.step].append(s.score)
        stats = {}
        for step, values in by_id.items():
            mean = sum(values) / len(values)
            std = _sample_std(values, mean) if len(values) > 1 else 0.0
            stats[step] = (mean, std, len(values))
        for completion in members:
            out.append([_normalised(s, stats, scale) for s in completion])
    return out


def _normalised(s: StepValue, stats: dict, scale: str) -> float | None:
    if s.score is None:
        return None
    mean, std, n = stats[s.step]
    if n < 2 or math.isclose(std, 0.0, abs_tol=1e-12):
        return 0.0
    centred = s.score - mean
    return centred / (std + EPS) if scale == "group" else centred


def carried(steps: Sequence[StepValue], norm: Sequence[float | None], mode: str) -> list[float]:
    """Per step, the Â it carries under `mode` (0 for unscored steps and, under `critical`, uncritical ones)."""
    if mode not in CRITICAL_STEPS:
        raise ValueError(f"critical_steps: unknown value {mode!r}; use one of {sorted(CRITICAL_STEPS)}")
    return [0.0 if a is None or (mode == "critical" and not s.critical) else a for s, a in zip(steps, norm)]


def token_step_term(starts: Sequence[int | None], steps: Sequence[StepValue], norm: Sequence[float | None],
                    mode: str) -> list[float]:
    """Per token (first-character index from `trainers.srpo.step_tokens`), the step term Â it gets under `mode`."""
    values = carried(steps, norm, mode)
    if not steps:
        return [0.0] * len(starts)
    if mode == "process":
        # Steps are in text order: the term of a token is the suffix sum over the steps ending after it.
        ends = [s.end for s in steps]
        suffix = [0.0] * (len(values) + 1)
        for k in range(len(values) - 1, -1, -1):
            suffix[k] = suffix[k + 1] + values[k]
        return [0.0 if c is None else suffix[bisect.bisect_right(ends, c)] for c in starts]
    which = token_steps(starts, [(s.start, s.end) for s in steps])
    return [values[k] if k >= 0 else 0.0 for k in which]

