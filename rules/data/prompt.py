"""The prompt a relevance judge sees: the query, the product's facts, and the answer format of the rule set.

    >>> from rules.data.prompt import build_prompt
    >>> build_prompt(example, compiled_rules)                 # one string (TRL's standard format)
    >>> build_prompt(example, compiled_rules, chat=True)      # [{"role": "user", "content": ...}] (conversational)
    >>> build_prompt(example, compiled_rules, style="bare")  # the miniature profile's prompt (see PROMPT_STYLES)

The style comes from the rule set's `prompt.style` unless given. `full` (the default) explains the answer format
in words, for pretrained models. A model trained from scratch never read English, so to it the ~450 tokens of
instructions are a constant that costs compute and carries nothing: `compact` keeps only the label tokens and each
step's id and verdicts (about a quarter of the length), `bare` only the query and the product, `uncased` the same
lower-cased: a tokenizer learnt from scratch has unrelated tokens for "Backpack" in a title and "backpack" in a
query, so a from-scratch model would have to learn the two are one word for every word of the catalogue; lower-cased,
matching a query word to the title is a copy. The completion keeps its case (labels and verdicts are parsed as
written).
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


def compact_instructions(rules: CompiledRuleSet) -> str:
    """The label tokens and one `[step] verdict|verdict` line per step: the answer format without the words."""
    fmt = rules.ruleset.output
    labels = " ".join(lab.token for lab in rules.ruleset.scale.labels)
    steps = "\n".join(f"{fmt.step_header.format(step=s.id)} {'|'.join(s.verdicts)}" for s in rules.ruleset.steps)
    return f"Labels: {labels}\n{steps}"


PROMPT_STYLES = {
    "full": "the answer format explained in words, then the query and the product (pretrained models; the default)",
    "compact": "label tokens, step ids and verdict lists, then the query and the product",
    "bare": "only the query and the product (the miniature profile)",
    "uncased": "only the query and the product, lower-cased (measured on the miniature: within noise of bare)",
}


def build_prompt(example: Example, rules: CompiledRuleSet, chat: bool = False,
                 style: str | None = None) -> str | list[dict[str, str]]:
    """The judge's prompt; `style` (one of PROMPT_STYLES) overrides the rule set's `prompt.style`."""
    style = style or rules.ruleset.prompt.style
    if style not in PROMPT_STYLES:
        raise ValueError(f"prompt style {style!r} is unknown; use one of {sorted(PROMPT_STYLES)}")
    head = {"full": instructions, "compact": compact_instructions}.get(style)  # bare, uncased: none
    pair = f"Query: {example.query}\n{describe_product(example.product)}\n"
    if style == "uncased":
        pair = pair.lower()
    text = f"{head(rules)}\n\n{pair}" if head else pair
    return [{"role": "user", "content": text}] if chat else text
