"""Hybrid step scores: for each step of a completion, the first source (by priority) that can judge it.

    >>> from verifiers.hybrid import HybridVerifier, Source
    >>> hybrid = HybridVerifier(rules, [Source("human", human_verifier), Source("judge", step_judge, probability=True),
    ...                                 Source("facts", RuleAwareReward(rules))])
    >>> hybrid.step_scores(completions, label=[...], gold_steps=[...], id=[...])   # like RuleAwareReward.step_scores

Every source has the rule-aware reward's step interface: `step_scores(completions, **dataset_columns)` returning,
per completion, a list of `rewards.StepScore`. Scores are put on one scale, [-1, 1]: a probability of being
correct p (the generative judge) becomes 2p - 1, then each source's weight multiplies it. Every score records its
source and reason; a source that fails is logged and counted, and the next one takes over.

Critical steps, flagged for SRPO's step-level advantages: the first wrong step (score < 0), and any step whose
sign disagrees with the outcome (a right step in a completion with the wrong label, or a wrong step in one with
the right label).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from rewards.scoring import Scorer, StepScore, completion_text
from rules import CompiledRuleSet, ParseError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    name: str
    scorer: Any  # has step_scores(completions, **columns) -> list[list[StepScore]]
    weight: float = 1.0
    probability: bool = False  # scores are P(correct) in [0, 1] rather than signed in [-1, 1]

    def signed(self, score: float) -> float:
        return self.weight * (2.0 * score - 1.0 if self.probability else score)


class HybridVerifier:
    """Picks a score per step by source priority; flags critical steps. Never raises on a completion."""

    __name__ = "hybrid_steps"

    def __init__(self, rules: CompiledRuleSet, sources: list[Source]):
        if not sources:
            raise ValueError("give at least one source, e.g. Source('facts', RuleAwareReward(rules))")
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ValueError(f"source names must differ (got {names})")
        self.rules, self.sources = rules, list(sources)
        self._gold = Scorer(rules)
        self.counts: Counter = Counter()  # steps decided per source, "none", and "<source>_failed" per batch

    def _from_sources(self, completions: list, columns: dict) -> list[list[list[StepScore]]]:
        """Each source's step scores, or empty lists for every completion when the source fails."""
        out = []
        for source in self.sources:
            try:
                scores = source.scorer.step_scores(completions, **columns)
                if len(scores) != len(completions):
                    raise ValueError(f"{len(scores)} results for {len(completions)} completions")
            except Exception as err:  # a source is an external system; training goes on without it
                logger.warning("step source %r failed (%s); the next source takes over", source.name, err)
                self.counts[f"{source.name}_failed"] += 1
                scores = [[] for _ in completions]
            out.append(scores)
        return out

    def step_scores(self, completions: list, label: Any = None, **columns: Any) -> list[list[StepScore]]:
        columns["label"] = label
        by_source = self._from_sources(completions, columns)
        labels = list(label) if label is not None else [None] * len(completions)
        results = []
        for i, completion in enumerate(completions):
            cot = self.rules.parse(completion_text(completion) or "")
            if isinstance(cot, ParseError):
                results.append([])
                continue
            picked = [self._pick(step, [scores[i] for scores in by_source]) for step in cot.steps]
            gold = self._gold.gold_label(labels[i])  # the reward's reading: id, name or token; bad values warned
            results.append(_flag_critical(picked, None if gold is None else cot.label == gold))
        return results

    def _pick(self, step: Any, candidates: list[list[StepScore]]) -> StepScore:
        for source, scores in zip(self.sources, candidates):
            found = next((s for s in scores if s.step == step.id and s.score is not None), None)
            if found is not None:
                self.counts[source.name] += 1
                return StepScore(step.id, step.start, step.end, step.verdict, source.signed(found.score),
                                 source.name, found.reason)
        self.counts["none"] += 1
        return StepScore(step.id, step.start, step.end, step.verdict, None, "none", "no source could judge this step")


def _flag_critical(steps: list[StepScore], label_right: bool | None) -> list[StepScore]:
    first_wrong = next((k for k, s in enumerate(steps) if s.score is not None and s.score < 0), None)
    out = []
    for k, s in enumerate(steps):
        disagrees = (label_right is not None and s.score is not None and s.score != 0
                     and (s.score > 0) != label_right)
        out.append(replace(s, critical=True) if k == first_wrong or disagrees else s)
    return out
