"""The method comparison's statistics agree with the evaluator's metrics and behave as intervals should.

    pytest -q tests/test_compare_stats.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from compare_stats import first_step_reaching, macro_f1, mean_curve, mean_std, paired_bootstrap  # noqa: E402

from trainers.evaluation.metrics import classification_report  # noqa: E402

LABELS = [4, 3, 2, 1]


def test_macro_f1_equals_the_evaluators_on_random_tables():
    rng = random.Random(0)
    for _ in range(200):
        n = rng.randint(1, 40)
        gold = [rng.choice(LABELS) for _ in range(n)]
        pred = [rng.choice(LABELS + [None]) for _ in range(n)]
        assert abs(macro_f1(gold, pred, LABELS) - classification_report(gold, pred, labels=LABELS)["macro_f1"]) < 1e-12


def test_paired_bootstrap_brackets_the_difference_and_is_zero_width_for_identical_arms():
    rng = random.Random(1)
    gold = [rng.choice(LABELS) for _ in range(300)]
    good = [[g if rng.random() < 0.8 else rng.choice(LABELS) for g in gold] for _ in range(3)]
    weak = [[g if rng.random() < 0.4 else rng.choice(LABELS) for g in gold] for _ in range(3)]
    lo, hi = paired_bootstrap(good, weak, gold, LABELS, resamples=300)
    observed = (sum(macro_f1(gold, p, LABELS) for p in good) - sum(macro_f1(gold, p, LABELS) for p in weak)) / 3
    assert 0 < lo <= observed <= hi
    assert paired_bootstrap(good, good, gold, LABELS, resamples=50) == (0.0, 0.0)


def test_mean_std_curves_and_steps():
    assert mean_std([0.5, None, 0.7]) == (0.6, mean_std([0.5, 0.7])[1]) and mean_std([None]) == (None, None)
    assert mean_std([0.4]) == (0.4, None)
    assert mean_curve([[(0, 0.1), (10, 0.3)], [(0, 0.3), (10, 0.5), (20, 0.6)]]) == [(0, 0.2), (10, 0.4)]
    assert first_step_reaching([(0, 0.1), (10, 0.35), (20, 0.5)], 0.3) == 10
    assert first_step_reaching([(0, 0.1)], 0.3) is None and first_step_reaching([(0, 0.1)], None) is None
