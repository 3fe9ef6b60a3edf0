"""Statistics of the method comparison: macro-F1 from predictions, mean ± std over seeds, paired bootstrap.

    >>> macro_f1([4, 3, 2, 1], [4, 3, 2, None], labels=[4, 3, 2, 1])
    0.75
    >>> lo, hi = paired_bootstrap([[4, 3]], [[4, 1]], [4, 3], [4, 3, 2, 1], resamples=200)

Used by `bench/compare_methods.py`. Conventions are the evaluator's (`trainers.evaluation.metrics`): a prediction
of None (a completion that does not parse) is wrong for its gold class and predicts no class; macro-F1 averages
the F1 of every label of the rule set (0 for a class with no prediction and no gold row, as scikit-learn's
`zero_division=0`).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def _codes(pred: Sequence[int | None], labels: Sequence[int]) -> np.ndarray:
    index = {lab: i for i, lab in enumerate(labels)}
    return np.array([index.get(p, len(labels)) if p is not None else len(labels) for p in pred])


def macro_f1_codes(gold: np.ndarray, pred: np.ndarray, n_labels: int) -> float:
    """Macro-F1 of integer-coded labels (code n_labels = unparsed: a false negative, never a false positive)."""
    k = n_labels + 1
    confusion = np.bincount(gold * k + pred, minlength=k * k).reshape(k, k)[:n_labels]
    tp = np.diag(confusion[:, :n_labels]).astype(float)
    fp = confusion[:, :n_labels].sum(0) - tp
    fn = confusion.sum(1) - tp
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1.mean())


def macro_f1(gold: Sequence[int], pred: Sequence[int | None], labels: Sequence[int]) -> float:
    return macro_f1_codes(_codes(gold, labels), _codes(pred, labels), len(labels))


def mean_std(values: Sequence[float | None]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (None when undefined) of the values that are not None."""
    xs = [v for v in values if v is not None and not math.isnan(v)]
    if not xs:
        return None, None
    return float(np.mean(xs)), (float(np.std(xs, ddof=1)) if len(xs) > 1 else None)


def paired_bootstrap(arm: Sequence[Sequence[int | None]], base: Sequence[Sequence[int | None]], gold: Sequence[int],
                     labels: Sequence[int], resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% interval of mean-over-seeds macro-F1(arm) minus mean-over-seeds macro-F1(base).

    `arm` and `base` hold one prediction list per seed, aligned with `gold`; every resample draws the same eval
    rows for both (paired), so the interval reflects the eval set's sampling noise and the seed spread together.
    """
    g = _codes(gold, labels)
    a = [_codes(p, labels) for p in arm]
    b = [_codes(p, labels) for p in base]
    rng = np.random.default_rng(seed)
    n, k = len(g), len(labels)
    diffs = np.empty(resamples)
    for r in range(resamples):
        idx = rng.integers(0, n, n)
        diffs[r] = (np.mean([macro_f1_codes(g[idx], p[idx], k) for p in a])
                    - np.mean([macro_f1_codes(g[idx], p[idx], k) for p in b]))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(lo), float(hi)


def first_step_reaching(curve: Sequence[tuple[int, float]], target: float | None) -> int | None:
    """The first step of a (step, value) curve at or above `target`."""
    if target is None:
        return None
    return next((step for step, value in sorted(curve) if value >= target), None)


def mean_curve(curves: Sequence[Sequence[tuple[int, float]]]) -> list[tuple[int, float]]:
    """The mean over seeds at each step all curves share."""
    if not curves:
        return []
    shared = set.intersection(*(set(s for s, _ in c) for c in curves))
    return [(s, float(np.mean([dict(c)[s] for c in curves]))) for s in sorted(shared)]
