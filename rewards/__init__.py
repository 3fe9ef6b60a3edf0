"""Rewards under TRL's contract, compiled from rule files, and the reward unit-test runner.

    python -m rewards test rules/catalog/*.cases.yaml

    >>> from rewards import RuleAwareReward
    >>> reward = RuleAwareReward.from_yaml("rules/catalog/ecommerce.yaml")
    >>> trl.GRPOTrainer(model=..., reward_funcs=[reward], ...)
"""

from rewards.rule_aware import ComponentReward, RuleAwareReward, component_rewards
from rewards.scoring import Scored, StepScore, completion_text

__all__ = ["ComponentReward", "RuleAwareReward", "Scored", "StepScore", "completion_text", "component_rewards"]
