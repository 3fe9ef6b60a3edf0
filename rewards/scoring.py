"""Score one completion against one example with a compiled rule set: components, gates, step scores.

This is the engine under every reward in this package. It never raises on a completion: whatever the text,
the result is a `Scored` (a malformed completion gets `reward.malformed` and the parse error as its reason).
Bad gold data does raise: a `label` that is not a label of the rule set is a `GoldLabelError` naming the row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping

from rewards.gold import gold_label_id, label_keys
from rules import CompiledRuleSet, Decision, ParsedCoT, ParseError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StepScore:
    """One parsed step of a completion and how it was judged (the interface the SRPO trainer uses)."""

    step: str
    start: int  # character span of the step in the completion text
    end: int
    verdict: str
    score: float | None  # +1 right, -1 wrong (or in between), None when nothing can judge it
    source: str  # what judged it: gold_steps, gold_label, human, judge, ... or none
    reason: str
    critical: bool = False  # flagged for step-level credit (the hybrid verifier sets it: first error, disagreement)


@dataclass(frozen=True, slots=True)
class Gold:
    """A dataset row's gold data, resolved once: label id, valid step verdicts, the hard rules they trigger."""

    label: int | None
    steps: dict[str, str]
    hard: tuple[tuple[str, int], ...]  # hard rules the gold data shows apply: (rule id, the label they give)


@dataclass(frozen=True, slots=True)
class Scored:
    total: float | None  # None only when no component applies (e.g. a label-only reward without a gold label)
    components: dict[str, float | None]  # each in [0, 1]; None when not applicable (e.g. no gold steps)
    label: int | None  # the label the completion wrote
    decision: Decision | None  # the decision rules applied to the completion's own step verdicts
    violated: tuple[str, ...]  # hard rules the completion violates, as "rule_id (own|gold)"
    error: ParseError | None
    steps: tuple[StepScore, ...]
    gated: tuple[str, ...] = ()  # the types of the gates that capped the total (hard_rules, consistency)


def completion_text(completion: Any) -> str | None:
    """TRL passes a string (standard format) or a list of messages (conversational); None if neither."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        parts = [m.get("content") for m in completion if isinstance(m, Mapping) and m.get("role", "assistant") == "assistant"]
        if parts and all(isinstance(p, str) for p in parts):
            return "".join(parts)
    return None


class Scorer:
    """Holds the per-rule-set lookups so each completion costs a parse and a few dict operations."""

    def __init__(self, rules: CompiledRuleSet):
        self.rules = rules
        shaping = rules.ruleset.reward
        self.weights = {c.type: c.weight for c in shaping.components}
        self.credit = next((list(c.partial_credit) for c in shaping.components if c.type == "label"), [1.0])
        ignore = next((c.ignore for c in shaping.components if c.type == "steps"), [])
        self.scored_steps = frozenset(s for s in rules.step_verdicts if s not in ignore)
        self.gates = [g for g in shaping.gates if g.type == "hard_rules"]
        self.consistency_caps = [g.reward for g in shaping.gates if g.type == "consistency"]
        self.check_own = any("own" in g.check for g in self.gates)
        self.check_gold = any("gold" in g.check for g in self.gates)
        self.hard_rules = {r.id: (r, lab) for r, lab in zip(rules.rules, rules.rule_labels) if r.hard}
        self.malformed = shaping.malformed
        self.rank = {label: i for i, label in enumerate(rules.label_ids)}
        self.conclusion = rules.ruleset.output.conclusion_step
        self.label_keys = label_keys(rules)
        self._warned: set = set()

    # ------------------------------------------------------------------ inputs from the dataset

    def gold_label(self, value: Any, row: int = 0) -> int | None:
        """The label id of a row's `label`; None when absent; GoldLabelError (naming `row`) when not a label."""
        return gold_label_id(value, self.label_keys, row, f"rule set {self.rules.name!r}")

    def gold_steps(self, value: Any) -> dict[str, str]:
        if not value:
            return {}
        if type(value) is not dict and not isinstance(value, Mapping):
            self._warn_once(("steps", type(value).__name__), "gold_steps must map step id to verdict, got %s",
                            type(value).__name__)
            return {}
        gold = {}
        for step, verdict in value.items():
            if verdict is None:
                continue  # datasets fills missing struct fields with None: not annotated
            if isinstance(verdict, str) and verdict in self.rules.step_verdicts.get(step, ()):
                gold[step] = verdict
            else:
                self._warn_once(("step", repr(step), repr(verdict)), "gold verdict %r for step %r is not allowed; "
                                "ignored (steps and verdicts: %s)", verdict, step, self.rules.step_verdicts)
        return gold

    def _warn_once(self, key: tuple, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            logger.warning(message, *args)

    # ------------------------------------------------------------------ scoring

    def gold(self, label: Any, gold_steps: Any, row: int = 0) -> Gold:
        gold_label, steps = self.gold_label(label, row), self.gold_steps(gold_steps)
        hard: dict[str, int] = {}
        if steps and self.check_gold:
            # Gold steps may be partial: a hard rule applies when the known steps decide it however the rest
            # are filled in, or when its condition surely holds and it gives the gold label.
            full = self.rules.try_decide(steps)  # complete gold: one table lookup says which rules hold
            decided = full or self.rules.decide_partially(steps)
            if decided is not None and decided.rule is not None and decided.rule.hard:
                hard[decided.rule.id] = decided.label
            holding = [self.hard_rules[r] for r in full.matched if r in self.hard_rules] if full else \
                self.rules.hard_rules_holding(steps)
            for rule, rule_label in holding:
                if rule_label == gold_label:
                    hard[rule.id] = rule_label
        return Gold(gold_label, steps, tuple(hard.items()))

    def score_batch(self, completions: list, labels: list, gold_steps: list, with_steps: bool = True) -> list[Scored]:
        # A GRPO batch repeats each prompt's row num_generations times: prepare each distinct row once.
        golds: dict[tuple[int, int], Gold] = {}
        out = []
        for row, (completion, label, steps) in enumerate(zip(completions, labels, gold_steps)):
            key = (id(label), id(steps))
            gold = golds.get(key)
            if gold is None:
                gold = golds[key] = self.gold(label, steps, row)
            out.append(self.score(completion, gold, with_steps))
        return out

    def score(self, completion: Any, gold: Gold, with_steps: bool = True) -> Scored:
        text = completion_text(completion)
        parsed = self.rules.parse(text) if text is not None else ParseError(
            "not_text", f"the completion is a {type(completion).__name__}, not text or messages", 0)
        if isinstance(parsed, ParseError):
            return Scored(self.malformed, {"format": 0.0}, None, None, (), parsed, ())
        return self._score_parsed(parsed, gold, with_steps)

    def _score_parsed(self, cot: ParsedCoT, truth: Gold, with_steps: bool) -> Scored:
        gold_label, gold = truth.label, truth.steps
        weights = self.weights
        verdicts = cot.verdicts
        decision = self.rules.decide(verdicts)
        components: dict[str, float | None] = {}
        if "format" in weights:
            components["format"] = 1.0
        if "label" in weights:
            components["label"] = self._label_credit(cot.label, gold_label)
        if "steps" in weights:
            judged = [verdicts[s] == v for s, v in gold.items() if s in self.scored_steps]
            components["steps"] = sum(judged) / len(judged) if judged else None
        if "consistency" in weights:
            components["consistency"] = 1.0 if decision.label == cot.label else 0.0
        num = den = 0.0
        for name, value in components.items():
            if value is not None:
                num += weights[name] * value
                den += weights[name]
        total = num / den if den else None  # no component applies: not applicable, never a silent 0
        by_own, by_gold = self._violations(cot.label, decision, truth) if self.gates else ((), ())
        violated = by_own + by_gold
        gated = []
        for gate in self.gates:  # each gate caps only when a violation of the kind it checks happened
            if ("own" in gate.check and by_own) or ("gold" in gate.check and by_gold):
                total = min(total, gate.reward) if total is not None else gate.reward
                gated.append("hard_rules")
        if self.consistency_caps and decision.label != cot.label:  # the label contradicts the completion's own steps
            cap = min(self.consistency_caps)
            total = min(total, cap) if total is not None else cap
            gated.append("consistency")
        steps = self._step_scores(cot, gold_label, gold) if with_steps else ()
        return Scored(total, components, cot.label, decision, violated, None, steps, tuple(dict.fromkeys(gated)))

    def _label_credit(self, predicted: int, gold: int | None) -> float | None:
        if gold is None:
            return None
        distance = abs(self.rank[predicted] - self.rank[gold])
        return self.credit[distance] if distance < len(self.credit) else 0.0

    def _violations(self, predicted: int, own: Decision, truth: Gold) -> tuple[tuple[str, ...], tuple[str, ...]]:
        mine = (f"{own.rule.id} (own)",) if (self.check_own and own.rule is not None and own.rule.hard
                                             and own.label != predicted) else ()
        gold = tuple(f"{rule_id} (gold)" for rule_id, label in truth.hard if label != predicted)
        return mine, gold

    def _step_scores(self, cot: ParsedCoT, gold_label: int | None, gold: dict[str, str]) -> tuple[StepScore, ...]:
        out = []
        for step in cot.steps:
            if step.id in gold:
                right = gold[step.id] == step.verdict
                score, source = (1.0 if right else -1.0), "gold_steps"
                reason = f"gold says {gold[step.id]}" + ("" if right else f", not {step.verdict}")
            elif step.id == self.conclusion and gold_label is not None:
                right = cot.label == gold_label
                score, source = (1.0 if right else -1.0), "gold_label"
                reason = f"gold label is {self.rules.label_text(gold_label)}"
            else:
                score, source, reason = None, "none", "no gold verdict for this step"
            out.append(StepScore(step.id, step.start, step.end, step.verdict, score, source, reason))
        return tuple(out)
