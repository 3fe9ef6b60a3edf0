"""GRPO with the rule-aware reward and difficulty-based dynamic sampling (TaoSR1 stage 3).

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml          # CPU demo, tiny local model
    python -m trainers.grpo --config trainers/recipes/grpo_gpu.yaml          # 0.5-1.5B chat model, bf16, vLLM
    accelerate launch --num_processes 8 -m trainers.grpo --config trainers/recipes/grpo_gpu.yaml

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --resume_from_checkpoint latest

Before training, optional difficulty-based dynamic sampling (`trainers.grpo.selection`): `--pass_rate_samples N`
samples N CoTs per prompt with the policy and keeps prompts with 0 < #correct < `--max_correct` (default N),
optionally only diverse ones (`--diverse_only`); `--balance class` balances the kept prompts' labels (logged:
data/label_mix_cv). During training, `trainers.grpo.trainer.RelevanceGRPOTrainer` (TRL's GRPOTrainer + online
filters): flat groups out of the loss (`--zero_variance_groups drop`), repeated rollouts out of the loss
(`--near_duplicate_rollouts`).
"""

import sys

from trainers.common.recipe import run_cli
from trainers.grpo.cli import main
from trainers.grpo.trainer import METHOD

if __name__ == "__main__":
    sys.exit(run_cli(main, METHOD))
