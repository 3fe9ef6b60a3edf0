"""Compile a validated RuleSet into the object rewards and trainers use.

    >>> from rules import compile_rules
    >>> rules = compile_rules("rules/catalog/ecommerce.yaml")
    >>> cot = rules.parse(completion)          # ParsedCoT (steps with spans, verdicts, label) or ParseError
    >>> rules.decide(cot.verdicts).label       # what the decision rules say about those verdicts

A CompiledRuleSet pickles as its RuleSet and is rebuilt on load, so it travels to dataloader workers and
to other processes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.cot import CoTFormat, ParsedCoT, ParseError
from rules.decision import TableAnalysis, analyse, describe, holds, holds_partially
from rules.model import DecisionRule, LabelRef, RuleSet


@dataclass(frozen=True)
class Decision:
    label: int
    rule: DecisionRule | None  # the first rule that matched; None when the default decided
    matched: tuple[str, ...]  # ids of every rule whose condition holds, in table order

    @property
    def rule_id(self) -> str:
        return self.rule.id if self.rule is not None else "default"


class CompiledRuleSet:
    """Render, parse, decide and explain for one rule set."""

    def __init__(self, ruleset: RuleSet, source: str | None = None):
        self.ruleset = ruleset
        self.source = source
        self.name = ruleset.name
        self.labels = {label.id: label for label in ruleset.scale.labels}
        self.label_ids = sorted(self.labels, reverse=True)
        self.rules = list(ruleset.decision.rules)
        self.rule_labels = [self.resolve_label(r.label) for r in self.rules]
        default = ruleset.decision.default
        self.default_label = self.resolve_label(default) if default is not None else None
        self.step_verdicts = {s.id: list(s.verdicts) for s in ruleset.steps}
        self.tiers = {name: [self.resolve_label(r) for r in refs] for name, refs in ruleset.scale.tiers.items()}
        self.tier_of = {label: tier for tier, labels in self.tiers.items() for label in labels}
        self.format = CoTFormat(
            ruleset.output,
            list(ruleset.steps),
            {label.token: label.id for label in ruleset.scale.labels},
            {label.id: label.name for label in ruleset.scale.labels},
        )
        self.analysis: TableAnalysis | None = analyse(self.rules, self.step_verdicts)
        self._lookup = self.analysis.lookup if self.analysis else None
        self._read_steps = self.analysis.steps if self.analysis else tuple(self.step_verdicts)
        self._decisions: dict[tuple[int, int], Decision] = {}

    def __reduce__(self):
        return (CompiledRuleSet, (self.ruleset, self.source))

    def resolve_label(self, ref: LabelRef) -> int:
        """A label reference (id, quoted id or name) to its id; ValueError naming the valid ones otherwise."""
        for label in self.ruleset.scale.labels:
            if ref == label.id or ref == label.name or ref == str(label.id):
                return label.id
        valid = ", ".join(f"{lab.id} ({lab.name})" for lab in self.ruleset.scale.labels)
        raise ValueError(f"unknown label {ref!r}; labels are {valid}")

    # ------------------------------------------------------------------ the CoT

    def render(self, label: int, verdicts: dict[str, str], reasons: dict[str, str] | None = None) -> str:
        return self.format.render(label, verdicts, reasons)

    def parse(self, completion: str) -> ParsedCoT | ParseError:
        return self.format.parse(completion)

    def read_label(self, completion: str) -> int | None:
        """The label line's label only, even when the rest does not parse (e.g. cut at max_new_tokens)."""
        return self.format.read_label(completion)

    # ------------------------------------------------------------------ decisions

    def decide(self, verdicts: dict[str, str]) -> Decision:
        """Apply the decision rules (first match wins); ValueError if a step the table reads is missing or invalid."""
        key = tuple(verdicts.get(s) for s in self._read_steps)
        hit = self._lookup.get(key) if self._lookup is not None else None
        if hit is None:
            self._check_verdicts(verdicts)
            return self._decide_directly(verdicts)
        decision = self._decisions.get(hit)
        if decision is None:  # few distinct (first rule, matches) pairs exist: build each Decision once
            first, bits = hit
            matched = tuple(r.id for i, r in enumerate(self.rules) if bits >> i & 1)
            rule = self.rules[first] if first >= 0 else None
            label = self.rule_labels[first] if first >= 0 else self.default_label
            decision = self._decisions[hit] = Decision(label, rule, matched)  # type: ignore[arg-type]
        return decision

    def try_decide(self, verdicts: dict[str, str]) -> Decision | None:
        """Like decide, but None when the verdicts do not cover the steps the table reads (e.g. partial gold)."""
        return None if self._invalid_step(verdicts) is not None else self.decide(verdicts)

    def decide_partially(self, verdicts: dict[str, str]) -> Decision | None:
        """The decision when only some steps are known, if every way of filling in the rest gives it; else None.

        Conservative (three-valued logic): a rule decides when its condition is surely true and every earlier
        rule's is surely false.
        """
        for i, rule in enumerate(self.rules):
            value = holds_partially(rule.when, verdicts)
            if value is None:
                return None
            if value:
                return Decision(self.rule_labels[i], rule, (rule.id,))
        return Decision(self.default_label, None, ()) if self.default_label is not None else None

    def hard_rules_holding(self, verdicts: dict[str, str]) -> list[tuple[DecisionRule, int]]:
        """Hard rules whose condition surely holds on these (possibly partial) verdicts, with their labels."""
        return [(r, self.rule_labels[i]) for i, r in enumerate(self.rules)
                if r.hard and holds_partially(r.when, verdicts)]

    def close_hard_rules(self, verdicts: dict[str, str]) -> list[tuple[DecisionRule, int, str, str]]:
        """Hard rules that do not hold on these verdicts but would if one step's verdict changed:
        (rule, its label, that step, the verdict that would fire it). The rules a judge must rule out on this row."""
        out = []
        for i, rule in enumerate(self.rules):
            if not rule.hard or holds_partially(rule.when, verdicts) is not False:
                continue
            flip = next(((step, v) for step, allowed in self.step_verdicts.items() if step != self.format.fmt.conclusion_step
                         for v in allowed if v != verdicts.get(step)
                         and holds_partially(rule.when, {**verdicts, step: v})), None)
            if flip is not None:
                out.append((rule, self.rule_labels[i], *flip))
        return out

    def _invalid_step(self, verdicts: dict[str, str]) -> str | None:
        """The first step the table reads whose verdict is missing or not allowed."""
        return next((s for s in self._read_steps if verdicts.get(s) not in self.step_verdicts[s]), None)

    def _check_verdicts(self, verdicts: dict[str, str]) -> None:
        step = self._invalid_step(verdicts)
        if step is not None:
            raise ValueError(f"step {step!r}: verdict {verdicts.get(step)!r} is not one of {self.step_verdicts[step]}")

    def _decide_directly(self, verdicts: dict[str, str]) -> Decision:
        matched = [i for i, r in enumerate(self.rules) if holds(r.when, verdicts)]
        ids = tuple(self.rules[i].id for i in matched)
        if not matched:
            if self.default_label is None:
                raise ValueError(f"no rule decides {verdicts} and the table has no default")
            return Decision(self.default_label, None, ids)
        return Decision(self.rule_labels[matched[0]], self.rules[matched[0]], ids)

    # ------------------------------------------------------------------ explanations

    def label_text(self, label: int) -> str:
        return f"{label} {self.labels[label].name}"

    def explain_decision(self, verdicts: dict[str, str]) -> str:
        """Why these verdicts get their label, in words."""
        decision = self.decide(verdicts)
        if decision.rule is None:
            head = f"no rule matched, so the default label {self.label_text(decision.label)} applies"
        else:
            hard = " (hard rule)" if decision.rule.hard else ""
            head = (f"rule {decision.rule.id}{hard} decides {self.label_text(decision.label)}: "
                    f"{decision.rule.message} [{describe(decision.rule.when)}]")
        later = [m for m in decision.matched if m != decision.rule_id]
        return head + (f"; also matching but later: {', '.join(later)}" if later else "")

    def explain(self) -> str:
        """The decision table in readable form (what `python -m rules explain` prints)."""
        rs = self.ruleset
        lines = [f"Rule set {rs.name}" + (f": {rs.description}" if rs.description else "")]
        scale = ", ".join(f"{lab.id} {lab.name} (writes {lab.token!r})" for lab in rs.scale.labels)
        lines.append(f"Labels: {scale}")
        if self.tiers:
            lines.append("Tiers: " + "; ".join(f"{t} = {sorted(ls, reverse=True)}" for t, ls in self.tiers.items()))
        lines.append("Steps:")
        for i, step in enumerate(rs.steps, 1):
            lines.append(f"  {i}. {step.id}: {step.question}  [{' | '.join(step.verdicts)}]")
        size = self.analysis.grid_size if self.analysis else None
        lines.append("Decision rules (first match wins)" + (f", over {size} verdict combinations:" if size else ":"))
        for i, rule in enumerate(self.rules):
            share = f"  decides {self.analysis.decided_by[i]}" if self.analysis else ""
            hard = " HARD" if rule.hard else ""
            lines.append(f"  {i + 1:>2}. {rule.id}{hard} -> {self.label_text(self.rule_labels[i])}{share}")
            lines.append(f"      when {describe(rule.when)}")
            lines.append(f"      {rule.message}")
        if self.default_label is not None:
            rest = f"  decides {self.analysis.uncovered}" if self.analysis else ""
            lines.append(f"  otherwise -> {self.label_text(self.default_label)}{rest}")
        elif self.analysis is not None:
            lines.append("  (no default: the rules above cover every combination)")
        return "\n".join(lines)
