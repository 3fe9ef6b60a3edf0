"""Trainers on TRL, evaluation and label-first scoring.

    python -m trainers.srpo                                                        # the demo: tiny model -> SFT -> SRPO
    python -m trainers.sft --config trainers/recipes/sft_cpu.yaml                  # CoT SFT (or the step judge)
    python -m trainers.dpo_sample --config trainers/recipes/dpo_sample_cpu.yaml    # pass@N samples -> pairs
    python -m trainers.dpo --config trainers/recipes/dpo_cpu.yaml                  # DPO on those pairs
    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml                # GRPO + dynamic sampling
    python -m trainers.agrl --config trainers/recipes/agrl_cpu.yaml                # guided replay
    python -m trainers.srpo --config trainers/recipes/srpo_cpu.yaml                # step-level advantages
    python -m trainers.evaluate --model PATH --data data/synthetic/eval_balanced.jsonl   # decoded + CumPT

Names below import on first use, so `import trainers` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ShelfArguments": "trainers.common.arguments",
    "RelevanceSFTConfig": "trainers.sft",
    "run_sft": "trainers.sft",
    "RelevanceDPOConfig": "trainers.dpo",
    "run_dpo": "trainers.dpo",
    "RelevanceGRPOConfig": "trainers.grpo.trainer",
    "RelevanceGRPOTrainer": "trainers.grpo.trainer",
    "AGRLConfig": "trainers.agrl",
    "AGRLTrainer": "trainers.agrl",
    "SRPOConfig": "trainers.srpo",
    "SRPOTrainer": "trainers.srpo",
    "run_method": "trainers.grpo.cli",
    "Settings": "trainers.evaluation.cli",
    "LabelScorer": "trainers.evaluation.label_scoring",
    "Generator": "trainers.evaluation.generation",
    "calibrate": "trainers.evaluation.cumpt",
    "cumpt_labels": "trainers.evaluation.cumpt",
    "classification_report": "trainers.evaluation.metrics",
    "step_report": "trainers.evaluation.metrics",
    "pass_at_k": "trainers.evaluation.metrics",
    "to_markdown": "trainers.evaluation.report",
    "build_tiny_lm": "trainers.common.tiny_model",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'trainers' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
