"""Guide trajectories for AGRL's adaptive guided replay: the gold CoT, or a policy generation given a hint.

    python -m trainers.agrl --config trainers/recipes/agrl_cpu.yaml --guide_source hint

    >>> gold_guide(row, rules)               # the row's `guide` column, else rendered from its `gold_steps`
    >>> hint_line(row, rules)                # 'Hint: the correct label is 3 (Related); the decisive rule is ...'
    >>> hint_prompt(row["prompt"], hint)     # the same prompt (text or chat) with the hint appended
    >>> written_label_correct(completion, row["label"], rules)   # the label line equals the gold label

A row is a training-set row as TRL hands it to the trainer (`trainers.common.data.training_rows`): `label`, `gold_steps`
(a `datasets` struct, so steps only other rows have arrive as None), `guide`, `prompt`.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from rewards.gold import gold_label_id, label_keys
from rules import CompiledRuleSet
from rules.compiler import Decision

logger = logging.getLogger(__name__)

GUIDE_SOURCES = {
    "gold": "the example's gold CoT (its `guide` column; rendered from `gold_steps` with the rule set when missing)",
    "hint": "a generation by the current policy from the prompt plus a hint line naming the gold label and the "
            "decisive rule (the rule the decision table fires on the gold steps); when the hinted generation still "
            "writes a wrong label, the gold CoT is used instead (logged as agrl/hint_fallback_rate)",
}


def gold_label(value: Any, rules: CompiledRuleSet) -> int | None:
    """The gold label id of a row's `label`, read as the reward reads it (any integral type, quoted id, name or
    token); None for no label. A value outside the rule set raises `GoldLabelError` (the reward, which scores the
    batch first, has already raised on it)."""
    return gold_label_id(value, label_keys(rules), row=0, rules_name=f"rule set {rules.name!r}")


def clean_steps(gold_steps: Mapping[str, Any] | None) -> dict[str, str]:
    """Gold step verdicts without the None entries `datasets` adds for steps that only other rows have."""
    return {k: v for k, v in (gold_steps or {}).items() if v is not None}


def completion_text(completion: Any) -> str:
    """The text of a completion as TRL passes it: a string, or a conversational [{"role", "content"}] list."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], Mapping):
        content = completion[-1].get("content")
        return content if isinstance(content, str) else ""
    return ""


def written_label_correct(completion: Any, label: Any, rules: CompiledRuleSet) -> bool:
    """The completion's label line names the gold label (read alone, so a CoT cut short still counts)."""
    gold = gold_label(label, rules)
    return gold is not None and rules.read_label(completion_text(completion)) == gold


def gold_guide(row: Mapping[str, Any], rules: CompiledRuleSet) -> str | None:
    """The row's gold CoT; rendered from its gold steps when the row has none; None when neither is usable."""
    guide = row.get("guide")
    if isinstance(guide, str) and guide.strip():
        return guide
    label = gold_label(row.get("label"), rules)
    if label is None:
        return None
    try:
        return rules.render(label, clean_steps(row.get("gold_steps")))
    except ValueError as err:  # incomplete gold steps: no guide for this row, the caller counts it
        logger.debug("row %s: cannot render a gold CoT (%s)", row.get("id"), err)
        return None


def decisive_rule(row: Mapping[str, Any], rules: CompiledRuleSet) -> Decision | None:
    """The decision the table takes on the gold steps (complete, or partial when every completion agrees)."""
    steps = clean_steps(row.get("gold_steps"))
    if not steps:
        return None
    return rules.try_decide(steps) or rules.decide_partially(steps)


def hint_line(row: Mapping[str, Any], rules: CompiledRuleSet) -> str:
    """One line naming the gold label and, when the gold steps decide it, the rule that fires."""
    label = gold_label(row.get("label"), rules)
    if label is None:
        raise ValueError(f"row {row.get('id')!r}: label {row.get('label')!r} is not a label of rule set "
                         f"{rules.name!r}; fix the data or the rule file")
    text = f"Hint: the correct label is {rules.label_text(label)}"
    decision = decisive_rule(row, rules)
    if decision is not None and decision.label == label:
        if decision.rule is not None:
            text += f"; the decisive rule is {decision.rule.id}: {' '.join(decision.rule.message.split())}"
        else:
            text += "; no decision rule matches, so the default label applies"
    return text + "."


def hint_prompt(prompt: Any, hint: str) -> Any:
    """The prompt with the hint appended: after the text, or inside the last user message of a chat prompt."""
    if isinstance(prompt, str):
        return f"{prompt.rstrip()}\n{hint}\n"
    if isinstance(prompt, list) and prompt and isinstance(prompt[-1], Mapping) and \
            isinstance(prompt[-1].get("content"), str):
        last = dict(prompt[-1])
        last["content"] = f"{last['content'].rstrip()}\n\n{hint}"
        return [dict(m) for m in prompt[:-1]] + [last]
    raise ValueError(f"cannot add a hint to a prompt of type {type(prompt).__name__}; AGRL's hint guides need text "
                     "prompts or chat prompts whose last message has string content (use guide_source: gold)")
