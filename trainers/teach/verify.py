"""Verification of a teacher's CoT with the rule set: extraction (the strict parser), then judgement with a reason.

    >>> check = verify_cot(text, example, rules)
    >>> check.accepted, check.reason, check.detail      # (False, "wrong_steps", "attributes: wrote match, gold partial")

A CoT is accepted only if it parses (well formed), its label is the gold label, its verdicts equal the gold step
verdicts where the row gives them, the decision rules applied to its own verdicts give the gold label (rule
adherence), and no step's reasoning restates the step's question. The first failed check is the reason.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rules.compiler import CompiledRuleSet
from rules.cot import ParsedCoT, ParseError
from rules.data.example import Example

# The registry of rejection reasons, in the order they are checked (report and help text derive from it).
REJECTIONS = {
    "malformed": "the CoT does not parse in the rule set's format (the parser's error code is in the detail)",
    "wrong_label": "its label is not the gold label",
    "wrong_steps": "a step verdict differs from the row's gold step verdict",
    "rule_violation": "the decision rules applied to its own step verdicts give another label than the gold one",
    "restates_question": "a step's reasoning repeats the step's question instead of explaining from the facts",
}
RESTATE_SIMILARITY = 0.8  # reasoning this close to the question (difflib ratio, case-folded) is a restatement


@dataclass(frozen=True)
class Check:
    accepted: bool
    reason: str | None  # a key of REJECTIONS, None when accepted
    detail: str
    parsed: ParsedCoT | None = None


def verify_cot(text: str, example: Example, rules: CompiledRuleSet) -> Check:
    parsed = rules.parse(text)
    if isinstance(parsed, ParseError):
        return Check(False, "malformed", f"{parsed.code}: {parsed}")
    if parsed.label != example.label:
        return Check(False, "wrong_label", f"wrote {rules.label_text(parsed.label)}, gold is "
                     f"{rules.label_text(example.label)}", parsed)
    verdicts = parsed.verdicts
    wrong = [f"{step}: wrote {verdicts.get(step)}, gold {gold}" for step, gold in (example.gold_steps or {}).items()
             if verdicts.get(step) != gold]
    if wrong:
        return Check(False, "wrong_steps", "; ".join(wrong), parsed)
    decision = rules.try_decide(verdicts)
    if decision is None or decision.label != example.label:
        said = "no decision" if decision is None else f"{decision.rule_id} gives {rules.label_text(decision.label)}"
        return Check(False, "rule_violation", f"its verdicts decide otherwise: {said}", parsed)
    questions = {s.id: _norm(s.question) for s in rules.ruleset.steps}
    for step in parsed.steps:
        said, question = _norm(step.reasoning), questions[step.id]
        if question in said or difflib.SequenceMatcher(None, said, question).ratio() >= RESTATE_SIMILARITY:
            return Check(False, "restates_question", f"step {step.id}: {step.reasoning[:80]!r}", parsed)
    return Check(True, None, f"decided by {decision.rule_id}", parsed)


def fact_words(example: Example) -> set[str]:
    """Words of the product facts (title, category, brand, attributes): what a grounded explanation cites."""
    p = example.product
    text = " ".join([p.title, *p.category, p.brand or "", *p.attributes.keys(), *p.attributes.values()])
    return {w for w in _norm(text).split() if len(w) > 2}


def grounding(parsed: ParsedCoT, facts: set[str]) -> int:
    """How many distinct product-fact words the reasoning cites (ranks accepted CoTs for `--keep best`)."""
    return len(facts & set(_norm(" ".join(s.reasoning for s in parsed.steps)).split()))


def _norm(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())
