"""The prompt and CoT format a judge was trained on, recorded beside the model so evaluation asks it the same way.

    python -m trainers.evaluate --model data/warm_start/sft_mini --data data/synthetic_mini/eval_balanced.jsonl

A trainer saves `shelfwise_judge.json` (prompt style, CoT order and reasoning style, rule set name) with the model.
Without it, a judge trained on the miniature's bare prompt would be asked with the full instruction prompt it never
saw and every answer would fail to parse; `python -m trainers.evaluate` reads the record unless `--prompt-style` /
`--cot-order` say otherwise.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from rules import CompiledRuleSet, compile_rules
from rules.model import RuleSet

logger = logging.getLogger(__name__)
FILE = "shelfwise_judge.json"


def write_judge_format(output_dir: str | Path, rules: CompiledRuleSet) -> Path:
    """Record the run's prompt and CoT format in `output_dir/shelfwise_judge.json`."""
    ruleset = rules.ruleset
    path = Path(output_dir) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"rules": ruleset.name, "prompt_style": ruleset.prompt.style,
                                "cot_order": ruleset.output.order, "cot_style": ruleset.output.reasoning},
                               indent=2) + "\n", encoding="utf-8")
    return path


def read_judge_format(model: str | Path) -> dict[str, str]:
    """The recorded format of the model in folder `model` ({} when there is no readable record, e.g. a hub id)."""
    path = Path(model) / FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    if not isinstance(record, dict):
        return {}
    return {k: v for k, v in record.items() if isinstance(v, str)}


def restyled(ruleset: RuleSet, prompt_style: str | None = None, cot_order: str | None = None,
             cot_style: str | None = None) -> RuleSet:
    """`ruleset` with its prompt style, CoT order and reasoning style replaced where given (the trainers' flags and
    the evaluator's recorded format both go through here)."""
    prompt = {"style": prompt_style} if prompt_style and prompt_style != ruleset.prompt.style else {}
    output = {k: v for k, v in (("order", cot_order), ("reasoning", cot_style)) if v and v != getattr(ruleset.output, k)}
    if prompt:
        ruleset = ruleset.model_copy(update={"prompt": ruleset.prompt.model_copy(update=prompt)})
    if output:
        ruleset = ruleset.model_copy(update={"output": ruleset.output.model_copy(update=output)})
    return ruleset


def with_judge_format(rules: CompiledRuleSet, model: str | Path, prompt_style: str | None = None,
                      cot_order: str | None = None) -> CompiledRuleSet:
    """`rules` asking and parsing the way `model` was trained: the given values, else the recorded ones."""
    recorded = read_judge_format(model)
    if recorded.get("rules") and recorded["rules"] != rules.ruleset.name:
        logger.warning("%s was trained with rule set %r; evaluating it with %r (pass --rules to change)", model,
                       recorded["rules"], rules.ruleset.name)
    ruleset = restyled(rules.ruleset, prompt_style or recorded.get("prompt_style"),
                       cot_order or recorded.get("cot_order"), recorded.get("cot_style"))
    if ruleset is rules.ruleset:
        return rules
    if recorded:
        logger.info("asking %s as it was trained (%s): prompt style %s, CoT %s", model, Path(model) / FILE,
                    ruleset.prompt.style, ruleset.output.order)
    return compile_rules(ruleset)
