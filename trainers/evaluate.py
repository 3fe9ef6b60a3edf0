"""Evaluate a relevance judge: decoded CoT labels and label-first CumPT labels, side by side.

    python -m trainers.evaluate --model models/tiny --data data/synthetic/eval_balanced.jsonl
    python -m trainers.evaluate --model PATH --data eval.jsonl --rules rules/catalog/ecommerce.yaml \
        --calibrate data/synthetic/eval_wild.jsonl --samples 4 --out eval_out/run1

Decoded: the model writes its CoT (batched generation); the rule set parses it; metrics per class, macro-F1,
accuracy, Good-F1, confusion, parse failures, rule adherence, discriminative hallucination, per-step verdict
accuracy, per query-type slices; pass@k from k samples. CumPT: the label distribution from one forward pass
(`trainers.label_scoring`), tiered with one threshold beta (given, or calibrated on a dev set).
Writes report.json, report.md and PNG figures to --out.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rules import CompiledRuleSet, ParseError, compile_rules
from rules.data import Example, build_prompt
from rules.data.loaders import load_examples
from trainers import figures
from trainers.cumpt import calibrate, cumpt_labels
from trainers.metrics import StepRecord, classification_report, pass_at_k_report, slice_report, step_report, to_markdown

logger = logging.getLogger(__name__)
DEFAULT_RULES = str(Path(__file__).resolve().parent.parent / "rules" / "catalog" / "ecommerce.yaml")


@dataclass
class Settings:
    model: str
    data: str
    rules: str = DEFAULT_RULES
    out: str | None = None
    batch_size: int = 16
    max_new_tokens: int = 512
    samples: int = 1
    temperature: float = 1.0
    beta: float = 0.5
    calibrate: str | None = None
    objective: str = "macro_f1"
    backend: str = "hf"
    chat: bool = False
    limit: int | None = None
    progress: bool = True


def _backends(s: Settings, rules: CompiledRuleSet) -> tuple[Any, Any]:
    """A generator and a label scorer that share one loaded model."""
    if s.backend == "vllm":
        from trainers.generation import VLLMGenerator
        from trainers.label_scoring import VLLMLabelScorer

        gen = VLLMGenerator(s.model, max_new_tokens=s.max_new_tokens)
        return gen, VLLMLabelScorer(gen.llm, rules)
    from trainers.generation import Generator
    from trainers.label_scoring import LabelScorer

    scorer = LabelScorer.from_pretrained(s.model, rules, batch_size=s.batch_size)
    return Generator(scorer.model, scorer.tokenizer, s.batch_size, s.max_new_tokens), scorer


def _records(completions: list[str], examples: list[Example], rules: CompiledRuleSet) -> list[StepRecord]:
    # The conclusion step restates the label: "reasoning right, label wrong" must judge the steps before it.
    conclusion = rules.ruleset.output.conclusion_step
    reasoning = lambda steps: {k: v for k, v in steps.items() if k != conclusion} if steps else steps  # noqa: E731
    records = []
    for text, ex in zip(completions, examples):
        cot = rules.parse(text)
        parsed = not isinstance(cot, ParseError)
        records.append(StepRecord(
            pred_label=cot.label if parsed else None,
            gold_label=ex.label,
            own_decision=rules.decide(cot.verdicts).label if parsed else None,
            pred_steps=reasoning(cot.verdicts) if parsed else None,
            gold_steps=reasoning(ex.gold_steps),
        ))
    return records


def _classes(gold: list[int], pred: list, rules: CompiledRuleSet) -> dict:
    names = {lab: rules.labels[lab].name for lab in rules.label_ids}
    return classification_report(gold, pred, rules.label_ids, rules.tiers or None, label_names=names)


def _decoded(gen: Any, prompts: list, examples: list[Example], rules: CompiledRuleSet, s: Settings) -> dict:
    """Greedy CoTs parsed by the rule set: classes, steps (adherence, hallucination), slices, 20 samples."""
    completions = [c[0] for c in gen.generate(prompts, samples=1, temperature=0.0, progress=s.progress)]
    records = _records(completions, examples, rules)
    gold, pred = [e.label for e in examples], [r.pred_label for r in records]
    return {
        "decoded": _classes(gold, pred, rules),
        "steps": step_report(records),
        "slices": slice_report(gold, pred, [e.query_type or ["untagged"] for e in examples], rules.label_ids),
        "samples": [{"id": e.id, "gold": e.label, "pred": p, "completion": c}
                    for e, p, c in zip(examples[:20], pred, completions)],
    }


def _pass_at_k(gen: Any, prompts: list, examples: list[Example], rules: CompiledRuleSet, s: Settings) -> dict:
    samples = gen.generate(prompts, samples=s.samples, temperature=s.temperature, progress=s.progress)
    correct = [[getattr(rules.parse(c), "label", None) == e.label for c in row] for row, e in zip(samples, examples)]
    ks = sorted({k for k in (1, 2, 4, 8, 16, 32, 64, s.samples) if k <= s.samples})
    return {str(k): v for k, v in pass_at_k_report(correct, ks).items()}


def _cumpt(scorer: Any, prompts: list, examples: list[Example], rules: CompiledRuleSet, s: Settings) -> dict:
    probs, mass = scorer.score(prompts, progress=s.progress)
    labels, gold, tiers = rules.label_ids, [e.label for e in examples], rules.tiers or None
    beta, calibration = s.beta, None
    if s.calibrate:
        dev = load_examples(s.calibrate).examples
        dev_probs, _ = scorer.score([build_prompt(e, rules, s.chat) for e in dev], progress=s.progress)
        result = calibrate(dev_probs, [e.label for e in dev], labels, objective=s.objective, tiers=tiers)
        beta, calibration = result.beta, dict(result.to_dict(), dev=s.calibrate)
    cumpt = _classes(gold, [int(x) for x in cumpt_labels(probs, labels, beta)], rules)
    cumpt.update(beta=beta, calibration=calibration, label_mass=float(np.nanmean(mass)) if len(mass) else None)
    argmax = _classes(gold, [labels[i] for i in probs.argmax(-1)], rules)
    return {"cumpt": cumpt, "prefill_argmax": argmax}


def evaluate(s: Settings) -> dict:
    """Run the evaluation; write report.json, report.md and figures when `s.out` is set; return the report."""
    rules = compile_rules(s.rules)
    examples = load_examples(s.data).examples[: s.limit]
    if not examples:
        raise ValueError(f"{s.data}: no examples to evaluate")
    prompts = [build_prompt(e, rules, s.chat) for e in examples]
    gen, scorer = _backends(s, rules)
    report: dict[str, Any] = {"title": f"{Path(s.model).name} on {Path(s.data).name}", "model": s.model,
                              "data": s.data, "rules": s.rules, "n": len(examples)}
    report.update(_decoded(gen, prompts, examples, rules, s))
    report.update(_cumpt(scorer, prompts, examples, rules, s))
    if s.samples > 1:
        report["pass_at_k"] = _pass_at_k(gen, prompts, examples, rules, s)
    if s.out:
        write_outputs(report, Path(s.out), rules)
    return report


def write_outputs(report: dict, out: Path, rules: CompiledRuleSet) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")
    (out / "report.md").write_text(to_markdown(report), encoding="utf-8")
    figures.plot_confusion(report["decoded"], out / "confusion_decoded.png", title="Decoded CoT labels")
    figures.plot_confusion(report["cumpt"], out / "confusion_cumpt.png")
    figures.plot_per_class_f1(report["decoded"], out / "per_class_f1.png", compare=report["cumpt"])
    figures.plot_slices(report["slices"], out / "slices.png")
    calibration = report["cumpt"].get("calibration")
    if calibration:
        figures.plot_calibration(calibration["curve"], out / "calibration.png", chosen=calibration["beta"],
                                 objective=calibration["objective"])


def parse_args(argv: list[str] | None = None) -> Settings:
    p = argparse.ArgumentParser(prog="python -m trainers.evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="a model folder (save_pretrained) or hub id")
    p.add_argument("--data", required=True, help="examples: JSONL, Parquet, CSV or a datasets folder")
    p.add_argument("--rules", default=DEFAULT_RULES, help="rule file (default: the bundled ecommerce catalog)")
    p.add_argument("--out", help="folder for report.json, report.md and figures (default: eval_out/<data name>)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-new-tokens", type=int, default=512)
    p.add_argument("--samples", type=int, default=1, help="k samples per prompt for pass@k (1: greedy only)")
    p.add_argument("--temperature", type=float, default=1.0, help="sampling temperature for pass@k")
    p.add_argument("--beta", type=float, default=0.5, help="CumPT threshold when not calibrated")
    p.add_argument("--calibrate", metavar="DEV", help="pick beta on this dev set (JSONL, ...)")
    p.add_argument("--objective", choices=["macro_f1", "good_f1"], default="macro_f1")
    p.add_argument("--backend", choices=["hf", "vllm"], default="hf", help="vllm needs the gpu extra")
    p.add_argument("--chat", action="store_true", help="conversational prompts through the chat template")
    p.add_argument("--limit", type=int, help="evaluate the first N examples only")
    p.add_argument("--no-progress", action="store_true")
    a = p.parse_args(argv)
    if not 0 <= a.beta <= 1:
        p.error(f"--beta must lie in [0, 1] (got {a.beta})")
    out = a.out or str(Path("eval_out") / Path(a.data).stem)
    return Settings(a.model, a.data, a.rules, out, a.batch_size, a.max_new_tokens, a.samples, a.temperature, a.beta,
                    a.calibrate, a.objective, a.backend, a.chat, a.limit, not a.no_progress)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = parse_args(argv)
    report = evaluate(settings)
    print(to_markdown(report))
    print(f"\nwrote {settings.out}/report.json, report.md and figures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
