"""`python -m rules diff OLD NEW`: what a rule change moves (structure, decisions, data; with `rewards.diff` and
`verifiers.human.diff`, cases, rewards and annotations).

    >>> from rules.diff import decision_impact, structure_changes
    >>> impact = decision_impact(compile_rules("ecommerce"), compile_rules("rules/catalog/examples/store_brands.yaml"))
"""

from rules.diff.data_impact import (
           DataImpact,
           data_impact,
           decide_gold,
           write_relabelled,
)
from rules.diff.decisions import DecisionImpact, Pattern, Transition, decision_impact
from rules.diff.report import DiffReport, render
from rules.diff.sources import Side, load_side
from rules.diff.structure import Change, structure_changes

__all__ = ["Change", "DataImpact", "DecisionImpact", "DiffReport", "Pattern", "Side", "Transition", "data_impact",
           "decide_gold", "decision_impact", "load_side", "render", "structure_changes", "write_relabelled"]
