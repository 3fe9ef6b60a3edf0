"""Multi-stage curricula declared in the recipe (TaoSR-SHE): stages by pass-rate bucket or query type.

Off unless the recipe declares stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules import CompiledRuleSet
from rules.data import Example


@dataclass
class CurriculumArguments:
    """Stages of a curriculum (none: the whole training set in one stage)."""


def apply_curriculum(curriculum: CurriculumArguments, config: Any, rules: CompiledRuleSet, examples: list[Example],
                     records: list | None) -> tuple[list[Example], list]:
    """The examples in training order and the callbacks the curriculum needs (none without stages)."""
    return examples, []
