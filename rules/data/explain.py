"""The reasoning of a template CoT: each step's `explain` template from the rule file, filled with the example's facts.

    >>> from rules.data.explain import template_reasons
    >>> template_reasons(example, rules)      # {"category": "Running shoes are in Shoes > Running. ...", ...}
    >>> rules.render(example.label, example.gold_steps, template_reasons(example, rules))

A rule file may give, per step and verdict, a short template (`steps[].explain`, placeholders in
`rules.model.EXPLAIN_FIELDS`). A step whose gold verdict has no template is left out of the result, so the CoT
renderer writes the step's question there (what every rendered CoT wrote before templates existed). A template
whose filled text cannot stand in a CoT (a product fact holding an output marker) is left out the same way.
"""

from __future__ import annotations

import logging

from rules.compiler import CompiledRuleSet
from rules.data.example import Example

logger = logging.getLogger(__name__)


def explain_fields(example: Example, rules: CompiledRuleSet) -> dict[str, str]:
    """The value of every placeholder of `EXPLAIN_FIELDS` for this example (its gold steps decide `rule`)."""
    product, gold = example.product, dict(example.gold_steps or {})
    decision = rules.try_decide(gold) if gold else None
    label = rules.labels.get(example.label)
    label_name = label.name if label is not None else str(example.label)
    if decision is None:
        rule, message = "unknown", "the gold steps are incomplete"
    elif decision.rule is None:
        rule, message = "default", f"no rule matches, so the default label {label_name} applies"
    else:
        rule, message = decision.rule.id, decision.rule.message
    attributes = "; ".join(f"{k}: {v}" for k, v in product.attributes.items())
    return {
        "query": example.query,
        "title": product.title,
        "category": " > ".join(product.category) or "no category given",
        "leaf_category": product.category[-1] if product.category else "no category given",
        "brand": product.brand or "no brand given",
        "attributes": attributes or "no attributes listed",
        "price": f"{product.price:.2f}" if product.price is not None else "no price given",
        "label": label_name,
        "rule": rule,
        "rule_message": message,
    }


def template_reasons(example: Example, rules: CompiledRuleSet) -> dict[str, str]:
    """Step id -> the filled template of its gold verdict, for the steps whose verdict has one."""
    gold = dict(example.gold_steps or {})
    conclusion = rules.ruleset.output.conclusion_step
    label = rules.labels.get(example.label)
    if conclusion and conclusion not in gold and label is not None:
        gold[conclusion] = label.name
    fmt = rules.ruleset.output
    markers = [m for m in (fmt.verdict_marker, fmt.think_open, fmt.think_close) if m.strip()]
    fields: dict[str, str] | None = None
    reasons = {}
    for step in rules.ruleset.steps:
        template = step.explain.get(gold.get(step.id, ""))
        if template is None:
            continue
        fields = fields if fields is not None else explain_fields(example, rules)
        try:
            text = " ".join(template.format(**fields, verdict=gold[step.id]).split())
        except (KeyError, ValueError, IndexError) as err:  # a format spec that needs a number, say
            logger.debug("%s: step %s: template not filled (%s); the question stands in", example.id, step.id, err)
            continue
        if text and not any(m in text for m in markers):
            reasons[step.id] = text
    return reasons
