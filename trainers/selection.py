"""Which training prompts an RL run uses: offline pass-rate sampling and the filters built on it.

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --pass_rate_samples 8 --max_correct 8

Nothing is filtered unless the recipe asks (all fields below default to off).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rules import CompiledRuleSet
from rules.data import Example
from trainers.arguments import ShelfArguments

logger = logging.getLogger(__name__)


@dataclass
class SelectionArguments:
    """Offline selection of training prompts (difficulty, diversity)."""


def prepare_examples(shelf: ShelfArguments, config: Any, selection: SelectionArguments, rules: CompiledRuleSet,
                     examples: list[Example], model: Any, tokenizer: Any) -> tuple[list[Example], list | None]:
    """The examples to train on, and the pass@N records when a pass was run (for curricula), else None."""
    return examples, None
