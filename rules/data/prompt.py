"""The prompt a relevance judge sees: the query, the product's facts, and the answer format of the rule set.

    >>> from rules.data.prompt import build_prompt
    >>> build_prompt(example, compiled_rules)                 # one string (TRL's standard format)
    >>> build_prompt(example, compiled_rules, chat=True)      # [{"role": "user", "content": ...}] (conversational)
"""

from __future__ import annotations

from rules.compiler import CompiledRuleSet
from rules.data.example import Example, Product


def describe_product(product: Product) -> str:
    lines = [f"Title: {product.title}"]
    if product.category:
        lines.append(f"Category: {' > '.join(product.category)}")
    if product.brand:
        lines.append(f"Brand: {product.brand}")
    if product.attributes:
        lines.append("Attributes: " + "; ".join(f"{k}: {v}" for k, v in product.attributes.items()))
    if product.price is not None:
        lines.append(f"Price: {product.price:.2f}")
    if product.description:
        lines.append(f"Description: {product.description}")
    return "\n".join(lines)


def instructions(rules: CompiledRuleSet) -> str:
    """How to answer, derived from the rule set so a prompt never disagrees with the parser."""
    fmt = rules.ruleset.output
    labels = ", ".join(f"{lab.token} = {lab.name}" for lab in rules.ruleset.scale.labels)
    steps = "\n".join(f"{fmt.step_header.format(step=s.id)} {s.question} ({' | '.join(s.verdicts)})"
                      for s in rules.ruleset.steps)
    order = "the label line first, then your reasoning" if fmt.order == "label_first" else \
        "your reasoning first, then the label line"
    return (f"Judge how relevant the product is to the shopper's query. Labels: {labels}.\n"
            f"Write {order}: {fmt.label_line.format(label='<label>')}, and between {fmt.think_open} and "
            f"{fmt.think_close} one line per step, each ending with `{fmt.verdict_marker} <verdict>`:\n{steps}")


def build_prompt(example: Example, rules: CompiledRuleSet, chat: bool = False) -> str | list[dict[str, str]]:
    text = f"{instructions(rules)}\n\nQuery: {example.query}\n{describe_product(example.product)}\n"
    return [{"role": "user", "content": text}] if chat else text
