"""Rule-aware rewards under TRL's reward contract, ready for `trl.GRPOTrainer(reward_funcs=...)`.

    >>> from rewards import RuleAwareReward
    >>> reward = RuleAwareReward.from_yaml("rules/catalog/ecommerce.yaml")
    >>> verdicts = dict(query="plain", product="clear", category="match", core_product="match",
    ...                 brand_model="not_mentioned", attributes="match")
    >>> completion = reward.rules.render(4, verdicts)          # "Label: 4\n<think>\n[query] ... </think>"
    >>> [round(r, 3) for r in reward(completions=[completion, "Label: 4"], label=[3, 3])]
    [0.5, -1.0]

The dataset's `label` column holds the gold label (id of any integral type, name or token; a value that is not a
label of the rule set raises `GoldLabelError` naming the row) and the optional `gold_steps` column a mapping
step id -> verdict. Each call logs the mean of every component, the malformed and gated rates through
TRL's `log_metric`, and each completion's parse error through `log_extra`.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Mapping

from rewards.scoring import Scored, Scorer, StepScore
from rules import CompiledRuleSet, RuleSet, compile_rules

logger = logging.getLogger(__name__)


def _column(name: str, values: Any, n: int) -> list:
    """A dataset column as TRL passes it: one value per completion (None when the dataset lacks it)."""
    if values is None:
        return [None] * n
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__len__"):
        raise ValueError(f"column {name!r} must hold one value per completion, got a single {type(values).__name__}; "
                         f"pass a list, e.g. {name}=[...]")
    values = list(values)
    if len(values) != n:
        raise ValueError(f"column {name!r} has {len(values)} values for {n} completions; give one per completion")
    return values


class RuleAwareReward:
    """The weighted, gated total of the rule set's reward components; malformed completions get `reward.malformed`."""

    metric = "rule_aware"

    def __init__(self, rules: CompiledRuleSet | RuleSet | str | Path, name: str | None = None):
        self.rules = rules if isinstance(rules, CompiledRuleSet) else compile_rules(rules)
        self.scorer = Scorer(self.rules)
        # TRL names the logged reward column after __name__; keep it stable across runs and pickling.
        self.__name__ = name or self.metric

    @classmethod
    def from_yaml(cls, path: str | Path, name: str | None = None) -> "RuleAwareReward":
        return cls(compile_rules(path), name)

    def __reduce__(self):
        return (type(self), (self.rules, self.__name__))

    def score_all(self, completions: list, label: Any = None, gold_steps: Any = None, with_steps: bool = True) -> list[Scored]:
        """Full results per completion: total, components, decision, violated hard rules, parse error, step scores."""
        n = len(completions)
        labels, golds = _column("label", label, n), _column("gold_steps", gold_steps, n)
        return self.scorer.score_batch(completions, labels, golds, with_steps)

    def step_scores(self, completions: list, label: Any = None, gold_steps: Any = None, **_: Any) -> list[list[StepScore]]:
        """Per completion, each parsed step with its character span, score (+1/-1/None) and source; [] if malformed."""
        return [list(s.steps) for s in self.score_all(completions, label, gold_steps)]

    def __call__(self, prompts: list | None = None, completions: list | None = None, label: Any = None,
                 gold_steps: Any = None, log_metric: Callable | None = None, log_extra: Callable | None = None,
                 **kwargs: Any) -> list[float | None]:
        completions = list(completions or [])
        results = self.score_all(completions, label, gold_steps, with_steps=False)
        self._log(results, log_metric, log_extra)
        return self._values(results)

    def _values(self, results: list[Scored]) -> list[float | None]:
        return [r.total for r in results]

    def _log(self, results: list[Scored], log_metric: Callable | None, log_extra: Callable | None) -> None:
        if not results:
            return
        errors = Counter(r.error.code for r in results if r.error is not None)
        if errors:
            logger.info("%s: %d/%d completions malformed (%s)", self.__name__, sum(errors.values()), len(results),
                        ", ".join(f"{code} x{n}" for code, n in errors.most_common()))
        if log_extra is not None:
            log_extra(f"{self.__name__}/why", [_why(r) for r in results])
        if log_metric is None:
            return
        prefix = self.__name__
        log_metric(f"{prefix}/malformed_rate", sum(errors.values()) / len(results))
        log_metric(f"{prefix}/gated_rate", sum(bool(r.gated) for r in results) / len(results))
        for name in self.scorer.weights:
            values = [r.components.get(name) for r in results if r.error is None]
            values = [v for v in values if v is not None]
            if values:
                log_metric(f"{prefix}/{name}", sum(values) / len(values))


def _why(result: Scored) -> str:
    if result.error is not None:
        return f"malformed: {result.error.code}: {result.error.message}"
    why = [f"hard rule violated: {', '.join(result.violated)}"] if result.violated else []
    if "consistency" in result.gated and result.decision is not None:
        why.append(f"label {result.label} contradicts its own steps: rule {result.decision.rule_id} gives "
                   f"{result.decision.label}")
    return "; ".join(why)


class ComponentReward(RuleAwareReward):
    """One component of a rule set's reward on its own, in [0, 1]; None where it does not apply.

    >>> from rewards import ComponentReward
    >>> label_reward = ComponentReward.from_yaml("rules/catalog/ecommerce.yaml", component="label")

    Malformed completions get 0 (they wrote no usable label or steps).
    """

    def __init__(self, rules: CompiledRuleSet | RuleSet | str | Path, component: str = "label", name: str | None = None):
        super().__init__(rules, name or f"{self.metric}_{component}")
        if component not in self.scorer.weights:
            valid = ", ".join(self.scorer.weights)
            raise ValueError(f"component {component!r} is not in rule set {self.rules.name!r}; use one of: {valid}")
        self.component = component

    @classmethod
    def from_yaml(cls, path: str | Path, component: str = "label", name: str | None = None) -> "ComponentReward":
        return cls(compile_rules(path), component, name)

    def __reduce__(self):
        return (type(self), (self.rules, self.component, self.__name__))

    def _values(self, results: list[Scored]) -> list[float | None]:
        return [0.0 if r.error is not None else r.components.get(self.component) for r in results]

    def _log(self, results: list[Scored], log_metric: Callable | None, log_extra: Callable | None) -> None:
        return None  # the total reward logs every component; logging again would double-count


def component_rewards(rules: CompiledRuleSet | RuleSet | str | Path) -> list[ComponentReward]:
    """Every component of a rule set as its own reward function (to log or weight them separately in TRL)."""
    compiled = rules if isinstance(rules, CompiledRuleSet) else compile_rules(rules)
    return [ComponentReward(compiled, c.type) for c in compiled.ruleset.reward.components]
