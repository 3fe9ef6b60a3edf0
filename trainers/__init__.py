"""Trainers built on TRL: sft, dpo, grpo, agrl, srpo (`python -m trainers.<name> --config ...`).

Not built yet (issues 5 and 6). The rewards in `rewards/` already plug into `trl.GRPOTrainer(reward_funcs=...)`.
"""

__all__: list[str] = []
