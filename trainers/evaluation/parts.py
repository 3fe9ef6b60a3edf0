"""The parts of an evaluation: decoded-CoT metrics, pass@k, and label-first CumPT metrics.

`trainers.evaluate` (the CLI) strings them together after the gold check (`rules.data.gold`); each part takes a generator or scorer with the interfaces
of `trainers.evaluation.generation` and `trainers.evaluation.label_scoring`, so tests can hand them known completions.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from rules import CompiledRuleSet, ParseError
from rules.data import Example
from trainers.evaluation.cumpt import calibrate, cumpt_labels
from trainers.evaluation.metrics import StepRecord, classification_report, pass_at_k_report, slice_report, step_report

logger = logging.getLogger(__name__)


def _reasoning(steps: dict[str, str] | None, conclusion: str | None) -> dict[str, str] | None:
    """Steps without the conclusion, which restates the label: "reasoning right" must judge the steps before it."""
    return {k: v for k, v in steps.items() if k != conclusion} if steps else steps


def records(completions: list[str], examples: list[Example], rules: CompiledRuleSet) -> list[StepRecord]:
    conclusion = rules.ruleset.output.conclusion_step
    out = []
    for text, ex in zip(completions, examples):
        cot = rules.parse(text)
        parsed = not isinstance(cot, ParseError)
        out.append(StepRecord(
            pred_label=cot.label if parsed else None,
            gold_label=ex.label,
            own_decision=rules.decide(cot.verdicts).label if parsed else None,
            pred_steps=_reasoning(cot.verdicts, conclusion) if parsed else None,
            gold_steps=_reasoning(ex.gold_steps, conclusion),
        ))
    return out


def classes(gold: list[int], pred: list, rules: CompiledRuleSet) -> dict:
    names = {lab: rules.labels[lab].name for lab in rules.label_ids}
    return classification_report(gold, pred, rules.label_ids, rules.tiers or None, label_names=names)


def decoded(gen: Any, prompts: list, examples: list[Example], rules: CompiledRuleSet, progress: bool = False) -> dict:
    """Greedy CoTs parsed by the rule set: classes, steps, slices, the label line alone, truncation, 20 samples."""
    completions = [c[0] for c in gen.generate(prompts, samples=1, temperature=0.0, progress=progress)]
    truncated = sum(row[0] for row in getattr(gen, "last_truncated", []) if row)
    if truncated:
        logger.warning("%d of %d completions stopped at max_new_tokens; raise the token budget (--max-new-tokens of trainers.evaluate, --eval_max_new_tokens of the trainers) if CoTs are cut",
                       truncated, len(completions))
    recs = records(completions, examples, rules)
    gold, pred = [e.label for e in examples], [r.pred_label for r in recs]
    return {
        "decoded": classes(gold, pred, rules),
        "decoded_truncated": truncated,
        "label_line": classes(gold, [rules.read_label(c) for c in completions], rules),
        "steps": step_report(recs),
        "slices": slice_report(gold, pred, [e.query_type or ["untagged"] for e in examples], rules.label_ids),
        "samples": [{"id": e.id, "gold": e.label, "pred": p, "completion": c}
                    for e, p, c in zip(examples[:20], pred, completions)],
    }


def pass_at_k(gen: Any, prompts: list, examples: list[Example], rules: CompiledRuleSet, samples: int,
              temperature: float, progress: bool = False) -> dict:
    rows = gen.generate(prompts, samples=samples, temperature=temperature, progress=progress)
    correct = [[getattr(rules.parse(c), "label", None) == e.label for c in row] for row, e in zip(rows, examples)]
    ks = sorted({k for k in (1, 2, 4, 8, 16, 32, 64, samples) if k <= samples})
    return {str(k): v for k, v in pass_at_k_report(correct, ks).items()}


def _finite(probs: np.ndarray) -> np.ndarray:
    """Rows with a usable distribution (vLLM gives NaN where no label token made its top log-probabilities)."""
    return np.isfinite(probs).all(-1)


def cumpt(scorer: Any, prompts: list, examples: list[Example], rules: CompiledRuleSet, beta: float,
          dev: tuple[str, list, list[int]] | None = None, objective: str = "macro_f1", progress: bool = False) -> dict:
    """CumPT (and plain argmax) labels from prefill scores; `dev` = (name, prompts, gold) calibrates beta first."""
    labels, tiers = rules.label_ids, rules.tiers or None
    calibration = None
    if dev is not None:
        name, dev_prompts, dev_gold = dev
        dev_probs, _ = scorer.score(dev_prompts, progress=progress)
        ok = _finite(dev_probs)
        result = calibrate(dev_probs[ok], list(np.asarray(dev_gold)[ok]), labels, objective=objective, tiers=tiers)
        beta, calibration = result.beta, dict(result.to_dict(), dev=name, n=int(ok.sum()))
    probs, mass = scorer.score(prompts, progress=progress)
    ok = _finite(probs)
    tiered = np.zeros(len(probs), dtype=int)
    tiered[ok] = cumpt_labels(probs[ok], labels, beta)
    gold = [e.label for e in examples]
    report = classes(gold, [int(t) if k else None for t, k in zip(tiered, ok)], rules)  # unscored rows: None
    mean_mass = float(np.mean(mass[np.isfinite(mass)])) if np.isfinite(mass).any() else None
    report.update(beta=beta, calibration=calibration, label_mass=mean_mass, n_unscored=int((~ok).sum()))
    if mean_mass is not None and mean_mass < 0.5:
        logger.warning("the model puts %.1f%% of its next-token probability on the label tokens; check the prompt "
                       "format (--chat), the label line and the tokenizer", 100 * mean_mass)
    argmax = [labels[int(i)] if k else None for i, k in zip(np.nan_to_num(probs).argmax(-1), ok)]
    tiered_pred = [int(t) if k else None for t, k in zip(tiered, ok)]
    slices = slice_report(gold, tiered_pred, [e.query_type or ["untagged"] for e in examples], labels)
    return {"cumpt": report, "prefill_argmax": classes(gold, argmax, rules), "cumpt_slices": slices}
