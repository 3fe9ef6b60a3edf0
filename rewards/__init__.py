"""Rewards under TRL's contract, compiled from rule files, and the reward unit-test runner.

    python -m rewards test rules/catalog/*.cases.yaml

    >>> from rewards import RuleAwareReward
    >>> reward = RuleAwareReward.from_yaml("rules/catalog/ecommerce.yaml")
    >>> trl.GRPOTrainer(model=..., reward_funcs=[reward], ...)

Names are imported on first use (PEP 562), so that `rewards.pytest_plugin`, which pytest loads in every session,
imports nothing else until a case file is collected.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ComponentReward": "rewards.rule_aware",
    "RuleAwareReward": "rewards.rule_aware",
    "component_rewards": "rewards.rule_aware",
    "Scored": "rewards.scoring",
    "StepScore": "rewards.scoring",
    "completion_text": "rewards.scoring",
}
__all__ = sorted(_EXPORTS)


def check_rules_package() -> None:
    """A clear error when a local folder named `rules/` (no __init__.py) shadows shelfwise's package."""
    import rules

    if getattr(rules, "__file__", None) is None:
        raise ImportError(
            f"'rules' resolves to a folder without __init__.py ({', '.join(getattr(rules, '__path__', []))}), which "
            "shadows shelfwise's rules package. Run from another folder, or install shelfwise without -e "
            "(`pip install /path/to/shelfwise`), or with `pip install -e . --config-settings editable_mode=strict`.")


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rewards' has no attribute {name!r}")
    check_rules_package()
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
