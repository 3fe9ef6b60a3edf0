"""Evaluation and label-first scoring today; the trainers on TRL next.

    python -m trainers.evaluate --model PATH --data data/synthetic/eval_balanced.jsonl     # decoded + CumPT
    python -m trainers.tiny_model --out models/tiny                                        # a local test model

Trainers (`python -m trainers.<sft|dpo|grpo|agrl|srpo> --config ...`) are not built yet (issues 5 and 6); the
rewards in `rewards/` already plug into `trl.GRPOTrainer(reward_funcs=...)`. Names below import on first use, so
`import trainers` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Settings": "trainers.evaluate",
    "LabelScorer": "trainers.label_scoring",
    "Generator": "trainers.generation",
    "calibrate": "trainers.cumpt",
    "cumpt_labels": "trainers.cumpt",
    "classification_report": "trainers.metrics",
    "step_report": "trainers.metrics",
    "pass_at_k": "trainers.metrics",
    "to_markdown": "trainers.report",
    "build_tiny_lm": "trainers.tiny_model",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'trainers' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
