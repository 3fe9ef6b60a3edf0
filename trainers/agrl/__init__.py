"""TaoSR-AGRL: GRPO plus adaptive guided replay.

    python -m trainers.agrl --config trainers/recipes/agrl_cpu.yaml

- `trainer`: `AGRLTrainer` (the guide swap after generation, the shaped loss);
- `guides`: gold and hinted guides; `replay`: the replay queue; `shaping`: LUFFY's policy shaping f(p)=p/(p+γ).
"""

from trainers.agrl.trainer import METHOD, AGRLConfig, AGRLTrainer

__all__ = ["METHOD", "AGRLConfig", "AGRLTrainer"]
