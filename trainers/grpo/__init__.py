"""TaoSR1 stage 3: GRPO with the rule-aware reward and difficulty-based dynamic sampling; the base of AGRL and SRPO.

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml

- `trainer`: `RelevanceGRPOTrainer` (TRL's `GRPOTrainer` + the online group filters), which AGRL and SRPO extend;
- `cli`: the command-line run shared by GRPO, AGRL and SRPO (`Method`, `main`);
- `selection`: the offline pass@N difficulty selection, with `difficulty` (pass-rate rule) and `diversity`
  (diversified filtering, near-duplicate rollouts);
- `curriculum`: multi-stage curricula by pass-rate bucket or query type (TaoSR-SHE).
"""

from trainers.grpo.cli import Method, main, run_method
from trainers.grpo.trainer import METHOD, RelevanceGRPOConfig, RelevanceGRPOTrainer

__all__ = ["METHOD", "Method", "RelevanceGRPOConfig", "RelevanceGRPOTrainer", "main", "run_method"]
