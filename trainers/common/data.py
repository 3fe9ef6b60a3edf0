"""Training data of a run: examples -> TRL rows (prompt, label, gold_steps, guide, ...), class balance, CoT order.

    >>> rules = load_rule_set(shelf)                     # the rule file, with --cot_order applied
    >>> train = training_rows(shelf, rules, seed=0)      # a datasets.Dataset, balanced when --balance class
    >>> label_mix_cv([4, 4, 3, 1])                        # coefficient of variation of the label counts

Every trainer goes through here so prompts, gold columns and guides are the same in SFT, DPO and RL.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from rules import CompiledRuleSet, ParseError, compile_rules, load_rules
from rules.data import Example, load_examples
from rules.data.explain import template_reasons
from rules.data.gold import check_gold
from rules.data.loaders import to_dataset
from rules.data.prompt import build_prompt
from trainers.common.arguments import ShelfArguments
from trainers.common.generated_data import ensure_generated
from trainers.evaluation.judge_format import restyled

logger = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]


def load_rule_set(shelf: ShelfArguments) -> CompiledRuleSet:
    """The run's rule set; `cot_order` swaps label-first and think-first (TaoSR1's ablation) without a new file,
    `cot_style` / `prompt_style` set its `output.reasoning` / `prompt.style` (the miniature profile's terse CoT and
    compact prompt)."""
    return compile_rules(restyled(load_rules(shelf.rules_path()), shelf.prompt_style, shelf.cot_order, shelf.cot_style))


def reorder_guide(text: str | None, source: CompiledRuleSet, target: CompiledRuleSet) -> str | None:
    """A gold CoT written for `source` rewritten in `target`'s order and style, keeping every step's reasoning
    (a terse target drops it)."""
    same = source.ruleset.output.order == target.ruleset.output.order
    if text is None or same and target.ruleset.output.reasoning == "full":
        return text
    cot = source.parse(text)
    if isinstance(cot, ParseError):
        return None
    return target.render(cot.label, cot.verdicts, {s.id: s.reasoning for s in cot.steps})


def load_split(path: str, rules: CompiledRuleSet, shelf: ShelfArguments, limit: int | None = None) -> list[Example]:
    """Examples of one file; guides rewritten when the run changes the CoT order."""
    examples = load_examples(bundled_path(path)).examples[: limit or None]
    check_gold(examples, rules, str(path))  # a label or verdict outside the rule set is an error, not a class
    if shelf.cot_order or rules.ruleset.output.reasoning == "terse":
        source = compile_rules(shelf.rules_path())
        examples = [e.model_copy(update={"guide": reorder_guide(e.guide, source, rules)}) for e in examples]
    return examples


def bundled_path(path: str) -> str:
    """`path` as given; a relative one missing here but present in this repository (data/synthetic/...) from there,
    so the recipes and the demo also run from another directory. A missing file of a folder generated on first use
    (`trainers.common.generated_data`) is generated first."""
    ensure_generated(path)
    if Path(path).exists() or Path(path).is_absolute():
        return path
    bundled = REPO / path
    return str(bundled) if bundled.exists() else path


def class_balanced(examples: list[Example], seed: int = 0) -> list[Example]:
    """Every label as frequent as the most frequent one (rarer labels repeated in a seeded shuffle)."""
    by_label: dict[int, list[Example]] = {}
    for e in examples:
        by_label.setdefault(e.label, []).append(e)
    if not by_label:
        return []
    target, rng = max(len(v) for v in by_label.values()), random.Random(seed)
    out = []
    for label in sorted(by_label):
        group = by_label[label]
        extra = [group[i % len(group)] for i in rng.sample(range(target), target - len(group))] \
            if len(group) < target else []
        out.extend(group + extra)
    rng.shuffle(out)
    return out


def label_mix_cv(labels: list[int], label_ids: list[int] | None = None) -> float:
    """Coefficient of variation (std / mean) of the label counts: 0 for a balanced set."""
    counts = Counter(labels)
    values = np.array([counts.get(lab, 0) for lab in (label_ids or sorted(counts))], dtype=float)
    return float(values.std() / values.mean()) if values.size and values.mean() > 0 else 0.0


def training_examples(shelf: ShelfArguments, rules: CompiledRuleSet, seed: int = 0) -> list[Example]:
    examples = load_split(shelf.train_data, rules, shelf, shelf.max_train_samples)
    before = label_mix_cv([e.label for e in examples], rules.label_ids)
    if shelf.balance == "class":
        examples = class_balanced(examples, seed)
    after = label_mix_cv([e.label for e in examples], rules.label_ids)
    logger.info("training set: %d examples, label mix %s, coefficient of variation %.3f (natural %.3f)",
                len(examples), dict(sorted(Counter(e.label for e in examples).items())), after, before)
    return examples


def cot_target(example: Example, rules: CompiledRuleSet) -> tuple[str | None, str]:
    """The gold CoT of an example and where it came from (`guide`, `rendered`), or (None, why it has none).

    Without a `guide`, the CoT is rendered from complete gold steps (the template CoT): each step's reasoning is the
    rule file's `explain` template for its gold verdict filled with the example's facts (`rules.data.explain`), and
    where the rule file has none, the step's question, which an SFT target then repeats word for word.
    `python -m trainers.teach` writes guides from a teacher model instead."""
    if example.guide:
        return example.guide, "guide"
    gold = example.gold_steps or {}
    conclusion = rules.ruleset.output.conclusion_step
    missing = [s for s in rules.step_verdicts if s not in gold and s != conclusion]
    if not gold or missing:
        return None, "no_gold_steps" if not gold else "incomplete_gold_steps"
    label = rules.labels.get(example.label)
    # A conclusion verdict naming another label than the example's would teach a CoT that contradicts itself.
    if label is None or gold.get(conclusion, label.name) != label.name:
        return None, "invalid_gold_steps"
    try:
        return rules.render(example.label, gold, template_reasons(example, rules)), "rendered"
    except (ValueError, KeyError) as err:  # a verdict this rule file lacks, or a marker inside a reason
        logger.debug("cannot render a CoT for %s: %s", example.id, err)
        return None, "invalid_gold_steps"


def training_rows(shelf: ShelfArguments, rules: CompiledRuleSet, seed: int = 0) -> Any:
    """The training set as a `datasets.Dataset` with a `prompt` column and the gold columns rewards read."""
    return to_dataset(training_examples(shelf, rules, seed), rules, chat=shelf.chat)


def prompts_of(examples: list[Example], rules: CompiledRuleSet, chat: bool) -> list[Any]:
    return [build_prompt(e, rules, chat) for e in examples]
