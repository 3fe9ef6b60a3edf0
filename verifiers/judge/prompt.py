"""The judge's prompt, built from the rule file: what each step asks, the pair, and the policy's CoT step by step.

    >>> rules = compile_rules("rules/catalog/ecommerce.yaml")
    >>> cot = rules.parse(completion)
    >>> messages = build_judge_messages(rules, "running shoes not leather", product, completion, cot)
    >>> answer_steps(rules)      # the step ids the judge must answer, in order

One user message (no system message: some chat templates, e.g. Gemma's, reject the system role). The part that
depends only on the rule file comes first so servers with prefix caching (vLLM) reuse it across requests.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from rules import CompiledRuleSet, ParsedCoT
from rules.data.example import Product
from rules.data.prompt import describe_product
from verifiers.judge.answer import CORRECT, INCORRECT


def answer_steps(rules: CompiledRuleSet, steps: Sequence[str] | None = None) -> tuple[str, ...]:
    """The steps the judge answers, in rule-file order; `steps` picks a subset (unknown ids: ValueError)."""
    ids = [s.id for s in rules.ruleset.steps]
    if steps is None:
        return tuple(ids)
    unknown = [s for s in steps if s not in ids]
    if unknown or not steps:
        raise ValueError(f"judge steps {list(steps)!r}: {unknown or 'none given'} not steps of rule set "
                         f"{rules.name!r}; its steps are {ids}")
    return tuple(s for s in ids if s in steps)


def product_text(product: Product | Mapping[str, Any] | str) -> str:
    """A Product, a dataset row's product dict (what TRL passes as a column), or text already written out."""
    if isinstance(product, str):
        return product.strip()
    if isinstance(product, Mapping):
        product = Product.model_validate(dict(product))
    return describe_product(product)


def judge_instructions(rules: CompiledRuleSet, steps: Sequence[str]) -> str:
    """The rule-file part: labels, each judged step's question and verdicts, the decision rules, the format."""
    rs = rules.ruleset
    labels = "\n".join(f"- {lab.name} ({lab.token})" + (f": {lab.description}" if lab.description else "")
                       for lab in rs.scale.labels)
    by_id = {s.id: s for s in rs.steps}
    questions = "\n".join(f"[{sid}] {' '.join(by_id[sid].question.split())} Allowed verdicts: "
                          f"{' | '.join(by_id[sid].verdicts)}" for sid in steps)
    decisions = "\n".join(f"- {rule.id}: {' '.join(rule.message.split())} -> {rules.labels[label].name}"
                          for rule, label in zip(rules.rules, rules.rule_labels))
    if rules.default_label is not None:
        decisions += f"\n- otherwise: {rules.labels[rules.default_label].name}"
    lines = "\n".join(f"[{sid}] {CORRECT}: <short reason>   or   [{sid}] {INCORRECT}: <short reason>" for sid in steps)
    return (
        "You check a search-relevance model's reasoning step by step. For each step below, decide whether the "
        "model's verdict for that step is correct for this query and product, given the step's question.\n\n"
        f"Relevance labels:\n{labels}\n\nSteps:\n{questions}\n\n"
        f"Decision rules (the first that matches gives the label):\n{decisions}\n\n"
        f"Answer with exactly {len(steps)} lines, one per step, in this order, and nothing else:\n{lines}"
    )


def policy_steps(completion: str, cot: ParsedCoT, steps: Sequence[str]) -> str:
    """The policy's own text for each judged step (its span in the completion), one line per step."""
    chosen = set(steps)
    # A step may run over several lines; joined into one so the judge sees exactly one line per step.
    return "\n".join(" ".join(completion[s.start:s.end].split()) for s in cot.steps if s.id in chosen)


def build_judge_messages(rules: CompiledRuleSet, query: str, product: Product | Mapping[str, Any] | str,
                         completion: str, cot: ParsedCoT, steps: Sequence[str] | None = None) -> list[dict[str, str]]:
    """The chat messages for judging one parsed completion (`cot = rules.parse(completion)`)."""
    steps = answer_steps(rules, steps)
    label = rules.labels[cot.label]
    text = (
        f"{judge_instructions(rules, steps)}\n\n"
        f"Query: {' '.join(str(query).split())}\n"
        f"Product:\n{product_text(product)}\n\n"
        f"The model's label: {label.name} ({label.token})\n"
        f"The model's reasoning, one line per step:\n{policy_steps(completion, cot, steps)}"
    )
    return [{"role": "user", "content": text}]
