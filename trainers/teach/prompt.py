"""The teacher prompt: the one place that says what a teacher model is asked to write for a row.

    python -m trainers.teach --rules rules/catalog/ecommerce.yaml --data data/synthetic/train.jsonl \\
        --out runs/teach/train.jsonl --teacher http://127.0.0.1:8000/v1 --show-prompt train-00000

Built from the rule file and the row: the query and the product facts; the gold label; every step with its
question, its allowed verdicts and the gold verdict where the row has one; the atomic rules that decide the row
(the decision rule that fires on the gold steps, with its message and condition, and the hard rules one changed
verdict away, which the reasoning must rule out: what `python -m rules explain` knows); the output format as a
skeleton of the exact text to write; and the instruction to explain every step from the product facts instead of
restating its question.
"""

from __future__ import annotations

from rules.compiler import CompiledRuleSet
from rules.data.example import Example
from rules.data.prompt import describe_product
from rules.decision import describe

SYSTEM = ("You write the reasoning of a search-relevance judge for an e-commerce search engine. The correct answer "
          "is given to you; your job is a short, factual explanation of it in an exact format.")
FILL = "<your reasoning>"


def teacher_messages(example: Example, rules: CompiledRuleSet) -> list[dict[str, str]]:
    """The chat messages sent to the teacher for this row (system, then user)."""
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": teacher_prompt(example, rules)}]


def teacher_prompt(example: Example, rules: CompiledRuleSet) -> str:
    label = rules.labels[example.label]
    gold = dict(example.gold_steps or {})
    head = (f"Explain why this product gets the label {label.token} ({label.name}"
            + (f": {label.description}" if label.description else "") + ") for this query.")
    parts = [head, f"Query: {example.query}\n{describe_product(example.product)}", _steps(rules, gold, label.name),
             _atomic_rules(rules, gold, example.label),
             "Explain each step in one or two sentences from the product facts above (title, category, brand, "
             "attributes, price) and the query: say which fact gives the verdict. Do not restate or paraphrase the "
             "step's question. Use exactly the verdicts given, and the label given.",
             "Write exactly this, replacing each " + FILL + " and nothing else:\n" + _skeleton(rules, gold, example.label)]
    return "\n\n".join(p for p in parts if p)


def _steps(rules: CompiledRuleSet, gold: dict[str, str], label_name: str) -> str:
    conclusion = rules.ruleset.output.conclusion_step
    lines = ["Steps, in this order:"]
    for step in rules.ruleset.steps:
        verdict = gold.get(step.id, label_name if step.id == conclusion else None)
        given = f"gold verdict: {verdict}" if verdict else f"choose the verdict the facts support ({' | '.join(step.verdicts)})"
        lines.append(f"- {step.id}: {step.question} [verdicts: {' | '.join(step.verdicts)}] -> {given}")
    return "\n".join(lines)


def _atomic_rules(rules: CompiledRuleSet, gold: dict[str, str], label: int) -> str:
    """The deciding rule on the gold steps and the close hard rules; without full gold, the rules giving the label."""
    decision = rules.try_decide(gold) if gold else None
    lines = ["Atomic rules that decide this pair:"]
    if decision is not None:
        if decision.rule is None:
            lines.append(f"- Deciding: no rule matches these verdicts, so the default label "
                         f"{rules.label_text(decision.label)} applies.")
        else:
            lines.append(_rule_line("Deciding rule", decision.rule, decision.label, rules))
        for rule, rule_label, step, verdict in rules.close_hard_rules(gold):
            lines.append(_rule_line("Hard rule to rule out", rule, rule_label, rules)
                         + f" It would fire if {step} were {verdict}; say why it does not.")
        return "\n".join(lines)
    partial = rules.decide_partially(gold) if gold else None
    candidates = [partial.rule] if partial is not None and partial.rule is not None else \
        [r for r, lab in zip(rules.rules, rules.rule_labels) if lab == label]
    lines[0] = "Atomic rules that may decide this pair (choose the one the facts support):"
    lines += [_rule_line("Rule", r, label, rules) for r in candidates]
    lines += [_rule_line("Hard rule to check", r, lab, rules) for r, lab in zip(rules.rules, rules.rule_labels)
              if r.hard and r not in candidates]
    return "\n".join(lines)


def _rule_line(kind: str, rule, label: int, rules: CompiledRuleSet) -> str:
    hard = ", hard" if rule.hard else ""
    return f"- {kind} {rule.id}{hard} -> {rules.label_text(label)}: {rule.message} [when {describe(rule.when)}]"


def _skeleton(rules: CompiledRuleSet, gold: dict[str, str], label: int) -> str:
    """The exact text to write with the reasoning left open; verdicts filled in where the gold steps give them."""
    fmt, conclusion = rules.ruleset.output, rules.ruleset.output.conclusion_step
    verdicts = {s.id: gold.get(s.id) or (rules.labels[label].name if s.id == conclusion else "<verdict>")
                for s in rules.ruleset.steps}
    header_prefix, _, header_suffix = fmt.step_header.partition("{step}")
    lines = [fmt.think_open] + [f"{header_prefix}{s.id}{header_suffix} {FILL} {fmt.verdict_marker} {verdicts[s.id]}"
                                for s in rules.ruleset.steps] + [fmt.think_close]
    label_line = fmt.label_line.format(label=rules.labels[label].token)
    body = "\n".join(lines)
    return f"{label_line}\n{body}" if fmt.order == "label_first" else f"{body}\n{label_line}"
