"""TaoSR1 stage 2: pass@N sampling graded by the rule-aware reward, preference pairs, TRL's `DPOTrainer`.

    python -m trainers.dpo_sample --config trainers/recipes/dpo_sample_cpu.yaml   # samples -> pairs
    python -m trainers.dpo --config trainers/recipes/dpo_cpu.yaml                 # DPO on the pairs

- `sample`: the sampling command; `pairs`: pairs and pass@N statistics from graded samples; `train`: DPO.
"""

from trainers.dpo.train import RelevanceDPOConfig, build_dpo_trainer, load_pairs, main, pairs_dataset, run_dpo

__all__ = ["RelevanceDPOConfig", "build_dpo_trainer", "load_pairs", "main", "pairs_dataset", "run_dpo"]
