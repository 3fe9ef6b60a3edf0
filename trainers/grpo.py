"""GRPO with the rule-aware reward and difficulty-based dynamic sampling (TaoSR1 stage 3).

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml          # CPU demo, tiny local model
    python -m trainers.grpo --config trainers/recipes/grpo_gpu.yaml          # 0.5-1.5B chat model, bf16, vLLM
    accelerate launch --num_processes 8 -m trainers.grpo --config trainers/recipes/grpo_gpu.yaml

The trainer is `trainers.rl_base.RelevanceGRPOTrainer` (TRL's GRPOTrainer + the online zero-variance filter).
"""

from __future__ import annotations

import sys

from trainers.rl_base import RelevanceGRPOConfig, RelevanceGRPOTrainer
from trainers.recipe import run_cli
from trainers.rl_script import Method, main

METHOD = Method("grpo", RelevanceGRPOConfig, RelevanceGRPOTrainer, __doc__.split("\n\n")[0])

if __name__ == "__main__":
    sys.exit(run_cli(main, METHOD))
