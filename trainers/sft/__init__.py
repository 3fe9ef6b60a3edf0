"""TaoSR1 stage 1: SFT on gold CoTs (or the step judge's SFT) with TRL's `SFTTrainer`.

    python -m trainers.sft --config trainers/recipes/sft_cpu.yaml

- `train`: the config, the trainer and the command; `rows`: prompt/completion rows for the policy and the judge.
"""

from trainers.sft.train import RelevanceSFTConfig, build_sft_trainer, main, run_sft

__all__ = ["RelevanceSFTConfig", "build_sft_trainer", "main", "run_sft"]
