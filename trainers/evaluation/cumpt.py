"""Cumulative Probability Tiering (CumPT, TaoSR1): one threshold beta turns a label distribution into a label.

Walk from the most relevant label down and stop at the first label c whose cumulative probability from the top,
sum_{j >= c} P(j), reaches beta; then map labels to online tiers (Good/Mid/Bad). One beta replaces 4+ hand-tuned
per-class thresholds, and `calibrate` picks it on a dev set.

    >>> import numpy as np
    >>> probs = np.array([[0.30, 0.30, 0.30, 0.10],    # cumulative 0.30, 0.60, 0.90, 1.00
    ...                   [0.70, 0.10, 0.10, 0.10]])   # cumulative 0.70, ...
    >>> cumpt_labels(probs, [4, 3, 2, 1], beta=0.5).tolist()
    [3, 4]
    >>> to_tiers([3, 4, 2], {"Good": [4, 3], "Mid": [2], "Bad": [1]})
    ['Good', 'Good', 'Mid']

Conventions:

- Column j of ``probs`` is ``labels[j]``; labels run from most to least relevant (strictly decreasing ids, as in
  a rule set's scale), so a reversed list is an error rather than a silently inverted decision.
- "Reaches" is ``cumsum >= beta - ATOL`` with ``ATOL = 1e-9``: a tie (P(4) = 0.5, beta = 0.5) picks the higher
  label, and beta = 1 picks the label where the cumulative sum gets to 1 even when float rounding leaves it at
  0.9999999999999999. beta = 0 always picks the top label.
- Probabilities are renormalised over the label tokens by default (``renormalize=True``): a scorer reads the
  first-position softmax restricted to the label tokens, whose mass is below 1, and beta is meant as a share of
  that mass. With ``renormalize=False`` a row whose total is below beta reaches nothing and gets the lowest label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from trainers.evaluation.metrics import classification_report

ATOL = 1e-9
SCORE_TOL = 1e-12  # scores this close to the best count as the best (float noise in F1 sums)
DEFAULT_BETAS = tuple(float(b) for b in np.round(np.linspace(0.05, 0.95, 19), 10))  # 0.05, 0.10, ..., 0.95


def _check_beta(beta: float) -> float:
    is_number = isinstance(beta, (int, float, np.integer, np.floating)) and not isinstance(beta, bool)
    if not (is_number and 0.0 <= float(beta) <= 1.0):  # NaN fails the comparison too
        raise ValueError(f"beta={beta!r} is outside [0, 1]; CumPT's threshold is a cumulative probability")
    return float(beta)


def _prepare(probs: np.ndarray, labels: Sequence[int], renormalize: bool) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    if p.ndim != 2 or p.shape[1] != len(labels):
        raise ValueError(f"probs has shape {p.shape}; expected (N, {len(labels)}), one column per label {list(labels)}")
    if any(a <= b for a, b in zip(labels, labels[1:])):
        raise ValueError(f"labels {list(labels)} must run from most to least relevant (strictly decreasing, "
                         f"e.g. {sorted(labels, reverse=True)}), with probs columns in that order")
    if not np.all(np.isfinite(p)) or (p < 0).any():
        bad = int(np.argwhere(~np.isfinite(p) | (p < 0))[0, 0])
        raise ValueError(f"probs row {bad} = {p[bad].tolist()} has a negative or non-finite value")
    if renormalize:
        total = p.sum(axis=1, keepdims=True)
        if (total <= 0).any():
            raise ValueError(f"probs row {int(np.argmax(total[:, 0] <= 0))} sums to 0; cannot renormalise it")
        p = p / total
    return p


def cumpt_labels(probs: np.ndarray, labels: Sequence[int], beta: float, renormalize: bool = True) -> np.ndarray:
    """The CumPT label of each row of ``probs`` (N, L): the highest label whose top-down cumulative reaches beta.

    >>> cumpt_labels(np.array([[0.5, 0.5, 0.0, 0.0]]), [4, 3, 2, 1], beta=0.5).tolist()  # tie: the higher label
    [4]
    """
    beta = _check_beta(beta)
    p = _prepare(probs, labels, renormalize)
    reached = np.cumsum(p, axis=1) >= beta - ATOL
    # argmax finds the first True; rows where nothing reaches (only without renormalising) take the lowest label.
    idx = np.where(reached.any(axis=1), reached.argmax(axis=1), len(labels) - 1)
    return np.asarray(labels)[idx]


def to_tiers(labels: Sequence[int | None], tiers: dict[str, list[int]]) -> list[str | None]:
    """Map labels to tier names; None (a parse failure) stays None, an unknown label is an error."""
    tier_of = {lab: name for name, members in tiers.items() for lab in members}
    out = []
    for i, lab in enumerate(labels):
        lab = None if lab is None else int(lab)
        if lab is not None and lab not in tier_of:
            raise ValueError(f"label {lab} (item {i}) is in no tier of {dict(tiers)}; add it to one tier")
        out.append(None if lab is None else tier_of[lab])
    return out


@dataclass(frozen=True)
class CalibrationResult:
    """The chosen beta, its dev score, the whole curve [(beta, score), ...] sorted by beta, and the dev-set size."""

    beta: float
    score: float
    curve: list[tuple[float, float]] = field(default_factory=list)
    objective: str = "macro_f1"
    n: int | None = None

    def to_dict(self) -> dict:
        return {"beta": self.beta, "score": self.score, "objective": self.objective, "n": self.n,
                "curve": [[b, s] for b, s in self.curve]}


def _macro_f1(gold, pred, labels, tiers, good_tier) -> float:
    return classification_report(gold, pred, labels)["macro_f1"]


def _good_f1(gold, pred, labels, tiers, good_tier) -> float:
    if not tiers:
        raise ValueError('objective "good_f1" needs tiers, e.g. tiers={"Good": [4, 3], "Mid": [2], "Bad": [1]}')
    return classification_report(gold, pred, labels, tiers=tiers, good_tier=good_tier)["good_f1"]


OBJECTIVES = {"macro_f1": _macro_f1, "good_f1": _good_f1}


def calibrate(probs: np.ndarray, gold: Sequence[int], labels: Sequence[int], betas: Sequence[float] | None = None,
              objective: str = "macro_f1", tiers: dict[str, list[int]] | None = None, good_tier: str = "Good",
              renormalize: bool = True) -> CalibrationResult:
    """Pick beta on a dev set by grid search for ``objective`` ("macro_f1" or "good_f1").

    The default grid is 0, 0.05, 0.10, ..., 0.95, 1 (the papers' range plus both exact edges, rounded so the
    chosen beta prints as 0.35, not 0.35000000000000003). When several betas reach the best score (within
    1e-12), `pick_beta` takes the middle of the widest plateau of best score, so that the chosen beta sits as
    far as the grid allows from the betas where the score drops.

    >>> probs = np.array([[0.6, 0.4], [0.4, 0.6], [0.45, 0.55]])
    >>> calibrate(probs, [2, 1, 2], labels=[2, 1]).beta   # row 3 needs beta <= 0.45 to be called 2
    0.45
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; choose one of {sorted(OBJECTIVES)}")
    grid = sorted({_check_beta(b) for b in (betas if betas is not None else (0.0, *DEFAULT_BETAS, 1.0))})
    if not grid:
        raise ValueError("betas is empty; pass at least one threshold in [0, 1]")
    p = _prepare(probs, labels, renormalize)
    if len(gold) != len(p):
        raise ValueError(f"gold has {len(gold)} items but probs has {len(p)} rows")
    score_fn = OBJECTIVES[objective]
    curve = [(b, score_fn(list(gold), cumpt_labels(p, labels, b, renormalize=False).tolist(), labels, tiers,
                          good_tier)) for b in grid]
    best = pick_beta(curve)
    return CalibrationResult(beta=best, score=dict(curve)[best], curve=curve, objective=objective, n=len(p))


def best_run(curve: Sequence[tuple[float, float]], tol: float = SCORE_TOL) -> list[float]:
    """The betas of the plateau `pick_beta` chooses from: the longest run of adjacent grid points with the best score.

    "Adjacent" means next to each other in the sorted grid of ``curve``; the best score is the maximum, and a score
    within ``tol`` of it counts as best. Ties between runs of equal length go to the run whose middle
    ((first + last) / 2) is closest to 0.5, then to the lower run.

    >>> best_run([(0.0, 0.9), (0.05, 0.9), (0.1, 0.9), (0.15, 0.5), (0.4, 0.9), (0.5, 0.9)])
    [0.0, 0.05, 0.1]
    """
    if not curve:
        raise ValueError("curve is empty: pass [(beta, score), ...] with at least one point")
    points = sorted((float(b), float(s)) for b, s in curve)
    top = max(s for _, s in points)
    runs: list[list[float]] = []
    previous_best = False
    for b, s in points:
        is_best = s >= top - tol
        if is_best and previous_best:
            runs[-1].append(b)
        elif is_best:
            runs.append([b])
        previous_best = is_best
    return min(runs, key=lambda r: (-len(r), abs((r[0] + r[-1]) / 2 - 0.5), r[0]))


def pick_beta(curve: Sequence[tuple[float, float]], tol: float = SCORE_TOL) -> float:
    """The beta `calibrate` chooses from a curve [(beta, score), ...]: the middle grid point of `best_run`.

    A run of odd length gives its middle point; of even length, the one of its two middle points closer to 0.5
    (the smaller when both are equally close). Why: the edge of a plateau is one grid step from a drop in score,
    so a beta there is the most likely to be wrong on the test set; the middle is the farthest from both drops.
    The longest plateau wins because it is the least sensitive to the dev set's noise, and 0.5 settles the rest
    (with renormalised probabilities beta = 0.5 picks the median label, the neutral choice).

    >>> pick_beta([(0.0, 0.8), (0.05, 0.8), (0.1, 0.8), (0.15, 0.8), (0.2, 0.8), (0.25, 0.6), (0.5, 0.7)])
    0.1
    >>> pick_beta([(0.4, 1.0), (0.5, 1.0), (0.6, 1.0), (0.7, 1.0)])  # even run: 0.5 and 0.6 -> closer to 0.5
    0.5
    """
    run = best_run(curve, tol)
    mid = len(run) // 2
    if len(run) % 2:
        return run[mid]
    return min(run[mid - 1 : mid + 1], key=lambda b: (abs(b - 0.5), b))
