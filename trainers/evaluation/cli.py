"""Evaluate a relevance judge: decoded CoT labels and label-first CumPT labels, side by side.

    python -m trainers.evaluate --model models/tiny --data data/synthetic/eval_balanced.jsonl
    python -m trainers.evaluate --model PATH --data eval.jsonl --rules rules/catalog/ecommerce.yaml \
        --calibrate data/synthetic/eval_wild.jsonl --samples 4 --out eval_out/run1

Decoded: the model writes its CoT (batched generation); the rule set parses it; metrics per class, macro-F1,
accuracy, Good-F1, confusion, parse failures, rule adherence, discriminative hallucination, per-step verdict
accuracy, per query-type slices; pass@k from k samples. CumPT: the label distribution from one forward pass
(`trainers.evaluation.label_scoring`), tiered with one threshold beta (given, or calibrated on a dev set).
Writes report.json, report.md and PNG figures to --out. The parts live in `trainers.evaluation.parts`.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules import CompiledRuleSet, RuleFileError, compile_rules
from rules.data import build_prompt
from rules.data.errors import DataError
from rules.data.gold import check_gold
from rules.data.loaders import load_examples
from rules.data.prompt import PROMPT_STYLES
from trainers.evaluation import figures
from trainers.evaluation import parts as evaluation
from trainers.evaluation.judge_format import with_judge_format
from trainers.evaluation.metrics import to_markdown

logger = logging.getLogger(__name__)
DEFAULT_RULES = str(Path(__file__).resolve().parents[2] / "rules" / "catalog" / "ecommerce.yaml")


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
    skip_bad: bool = False
    progress: bool = True
    prompt_style: str | None = None  # None: as recorded beside the model (judge_format), else the rule set's
    cot_order: str | None = None


def _backends(s: Settings, rules: CompiledRuleSet, cumpt: bool) -> tuple[Any, Any]:
    """A generator and (when CumPT applies) a label scorer that share one loaded model."""
    if s.backend == "vllm":
        from trainers.evaluation.generation import VLLMGenerator
        from trainers.evaluation.label_scoring import VLLMLabelScorer

        gen = VLLMGenerator(s.model, max_new_tokens=s.max_new_tokens)
        return gen, VLLMLabelScorer(gen.llm, rules) if cumpt else None
    from trainers.evaluation.generation import Generator
    from trainers.evaluation.label_scoring import LabelScorer
    from trainers.evaluation.lm import load_model

    model, tokenizer = load_model(s.model)
    scorer = LabelScorer(model, tokenizer, rules, batch_size=s.batch_size) if cumpt else None
    return Generator(model, tokenizer, s.batch_size, s.max_new_tokens), scorer


def _load(path: str, rules: CompiledRuleSet, s: Settings, limit: int | None = None) -> list:
    loaded = load_examples(path, skip_bad=s.skip_bad)
    if loaded.skipped:
        logger.warning("%s", loaded.summary)
    examples = loaded.examples[:limit]
    if not examples:
        raise DataError([], f"{path}: no examples to evaluate (the file has no rows, or all were skipped)")
    check_gold(examples, rules, path)
    return examples


def _dev_set(s: Settings, rules: CompiledRuleSet, examples: list) -> tuple[str, list, list[int]] | None:
    if not s.calibrate:
        return None
    dev = _load(s.calibrate, rules, s)
    seen = {(e.query, e.product.title) for e in examples}
    shared = sum((e.query, e.product.title) in seen for e in dev)
    if shared:  # calibrating on evaluation pairs would tune beta on the test set
        logger.warning("%d of %d calibration pairs also appear in the evaluation data", shared, len(dev))
    return s.calibrate, [build_prompt(e, rules, s.chat) for e in dev], [e.label for e in dev]


def evaluate(s: Settings) -> dict:
    """Run the evaluation; write report.json, report.md and figures when `s.out` is set; return the report."""
    rules = with_judge_format(compile_rules(s.rules), s.model, s.prompt_style, s.cot_order)
    examples = _load(s.data, rules, s, s.limit)
    prompts = [build_prompt(e, rules, s.chat) for e in examples]
    label_first = rules.ruleset.output.order == "label_first"
    if not label_first:
        logger.warning("rule set %r writes the label last: CumPT needs label-first output and is skipped", rules.name)
    dev = _dev_set(s, rules, examples) if label_first else None
    gen, scorer = _backends(s, rules, cumpt=label_first)
    report: dict[str, Any] = {"title": f"{Path(s.model).name} on {Path(s.data).name}", "model": s.model,
                              "data": s.data, "rules": s.rules, "n": len(examples)}
    report.update(evaluation.decoded(gen, prompts, examples, rules, s.progress))
    if scorer is not None:
        report.update(evaluation.cumpt(scorer, prompts, examples, rules, s.beta, dev, s.objective, s.progress))
    if s.samples > 1:
        report["pass_at_k"] = evaluation.pass_at_k(gen, prompts, examples, rules, s.samples, s.temperature,
                                                   s.progress)
    if s.out:
        write_outputs(report, Path(s.out))
    return report


def write_outputs(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, default=float, allow_nan=False), encoding="utf-8")
    (out / "report.md").write_text(to_markdown(report), encoding="utf-8")
    figures.plot_confusion(report["decoded"], out / "confusion_decoded.png", title="Decoded CoT labels")
    figures.plot_per_class_f1(report["decoded"], out / "per_class_f1.png", compare=report.get("cumpt"))
    figures.plot_slices(report["slices"], out / "slices.png", compare=report.get("cumpt_slices"))
    if "cumpt" in report:
        figures.plot_confusion(report["cumpt"], out / "confusion_cumpt.png")
        calibration = report["cumpt"].get("calibration")
        if calibration:
            figures.plot_calibration(calibration, out / "calibration.png")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {value})")
    return value


def parse_args(argv: list[str] | None = None) -> Settings:
    p = argparse.ArgumentParser(prog="python -m trainers.evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="a model folder (save_pretrained) or hub id")
    p.add_argument("--data", required=True, help="examples: JSONL, Parquet, CSV or a datasets folder")
    p.add_argument("--rules", default=DEFAULT_RULES, help="rule file (default: the bundled ecommerce catalog)")
    p.add_argument("--out", help="folder for report.json, report.md and figures (default: eval_out/<data name>)")
    p.add_argument("--batch-size", type=_positive, default=16)
    p.add_argument("--max-new-tokens", type=_positive, default=512, help="room for the whole CoT")
    p.add_argument("--samples", type=_positive, default=1, help="k samples per prompt for pass@k (1: greedy only)")
    p.add_argument("--temperature", type=float, default=1.0, help="sampling temperature for pass@k (> 0)")
    p.add_argument("--beta", type=float, default=0.5, help="CumPT threshold in [0, 1] when not calibrated")
    p.add_argument("--calibrate", metavar="DEV", help="pick beta on this dev set (disjoint from --data)")
    p.add_argument("--objective", choices=["macro_f1", "good_f1"], default="macro_f1")
    p.add_argument("--backend", choices=["hf", "vllm"], default="hf", help="vllm needs the gpu extra")
    p.add_argument("--chat", action="store_true", help="conversational prompts through the chat template")
    p.add_argument("--prompt-style", choices=sorted(PROMPT_STYLES), help="the prompt the judge was trained on "
                   "(default: as recorded in the model folder's shelfwise_judge.json, else the rule set's)")
    p.add_argument("--cot-order", choices=["label_first", "think_first"], help="the CoT order the judge writes "
                   "(default: as recorded, else the rule set's)")
    p.add_argument("--limit", type=_positive, help="evaluate the first N examples only")
    p.add_argument("--skip-bad", action="store_true", help="skip bad data rows (counted and reported)")
    p.add_argument("--no-progress", action="store_true")
    a = p.parse_args(argv)
    if not 0 <= a.beta <= 1:
        p.error(f"--beta must lie in [0, 1] (got {a.beta})")
    if a.samples > 1 and a.temperature <= 0:
        p.error(f"--samples {a.samples} needs --temperature > 0 (got {a.temperature}); greedy samples are all alike")
    return Settings(model=a.model, data=a.data, rules=a.rules, out=a.out or str(Path("eval_out") / Path(a.data).stem),
                    batch_size=a.batch_size, max_new_tokens=a.max_new_tokens, samples=a.samples,
                    temperature=a.temperature, beta=a.beta, calibrate=a.calibrate, objective=a.objective,
                    backend=a.backend, chat=a.chat, limit=a.limit, skip_bad=a.skip_bad, progress=not a.no_progress,
                    prompt_style=a.prompt_style, cot_order=a.cot_order)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = parse_args(argv)
    try:
        report = evaluate(settings)
    except (DataError, RuleFileError, FileNotFoundError, ValueError, OSError) as err:
        print(f"error: {err}")  # bad input: the message names the file and the fix; no traceback
        return 2
    print(to_markdown(report))
    print(f"\nwrote {settings.out}/report.json, report.md and figures")
    return 0
