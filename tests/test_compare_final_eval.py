"""The method comparison's final evaluation scores label-first and think-first models alike.

    pytest -q tests/test_compare_final_eval.py

The think-first arm (`grpo_think_first`) once trained for ten minutes and then crashed in its final evaluation,
which built a CumPT scorer (label-first only) for every model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from compare_methods import final_eval  # noqa: E402

from trainers.common.model_setup import ensure_tiny_model  # noqa: E402


@pytest.mark.parametrize("order", ["label_first", "think_first"])
def test_final_eval_scores_both_orders_and_cumpt_only_label_first(tmp_path, order):
    model = ensure_tiny_model(tmp_path / "models" / "tiny", "data/synthetic/train.jsonl")
    args = argparse.Namespace(profile="tiny", eval_rows=2)
    out = final_eval(args, model, order)
    for split in ("balanced", "wild"):
        assert len(out[split]["gold"]) == len(out[split]["predictions"]) == 2
        assert 0.0 <= out[split]["parse_failure_rate"] <= 1.0
        assert ("cumpt_macro_f1" in out[split]) == (order == "label_first")


def test_think_first_warm_start_is_an_arm_scored_as_is(tmp_path):
    """`sft_think_first` scores the think-first warm start without training it further: the reference the
    think-first ablation's RL is read against (a missing warm start would be trained; here it exists)."""
    from compare_methods import ARMS, run_one

    assert "sft_think_first" in ARMS
    ensure_tiny_model(tmp_path / "work" / "sft_think_first", "data/synthetic/train.jsonl")
    args = argparse.Namespace(profile="tiny", eval_rows=2)
    result = run_one(args, "sft_think_first", 0, tmp_path / "work")
    assert (result["arm"], result["steps"], result["curve"]) == ("sft_think_first", 0, [])
    assert "cumpt_macro_f1" not in result["final"]["balanced"]  # scored as the think-first model it is
    assert not (tmp_path / "work" / "models").exists()  # nothing trained
