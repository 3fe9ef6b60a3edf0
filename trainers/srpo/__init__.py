"""TaoSR-SHE's SRPO: token-level advantages from step scores of the hybrid verifier; and the project's demo.

    python -m trainers.srpo                                               # the demo: tiny model -> SFT -> SRPO
    python -m trainers.srpo --config trainers/recipes/srpo_cpu.yaml

- `trainer`: `SRPOTrainer` (outcome advantage + λ · step advantage, token by token);
- `step_sources`: the hybrid verifier's sources (human, judge, facts); `step_tokens`: exact step-to-token spans;
  `step_advantages`: group normalisation per step id, critical steps;
- `demo`: the no-argument demo.
"""

from trainers.srpo.trainer import METHOD, SRPOConfig, SRPOTrainer, main

__all__ = ["METHOD", "SRPOConfig", "SRPOTrainer", "main"]
