"""The project's demo: `python -m trainers.srpo` with no arguments (about 4 minutes on 2 CPU cores).

    python -m trainers.srpo                                   # tiny model -> SFT -> SRPO, table before/after
    python -m trainers.demo --srpo-steps 4 --eval-limit 8     # shorter (the same code, other sizes)

1. builds the tiny local model (4 layers) in `models/tiny_l4` when it is missing (no model hub needed);
2. warm-starts it with SFT on the bundled synthetic gold CoTs (`trainers/recipes/sft_cpu.yaml`);
3. runs SRPO from the SFT model (`trainers/recipes/srpo_cpu.yaml`: rule-aware outcome reward + step credit from
   the gold-step facts);
4. prints the evaluation table before and after SRPO (macro-F1, accuracy, per-class F1, parse failures, rule
   adherence, hallucination rate) on the balanced eval set and writes figures and a Markdown report to
   `runs/demo/`.
A tiny model on a CPU learns the format and some of the rules in minutes; the numbers show the pipeline, not
what a 0.5-1.5B model reaches on a GPU (`trainers/recipes/*_gpu.yaml`).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from trainers.common.arguments import ShelfArguments
from trainers.common.recipe import parse_recipe, run_cli
from trainers.common.run_end import setup_logging
from trainers.evaluation.figures import plot_curves, series
from trainers.grpo.cli import parse_method, run_method

logger = logging.getLogger("trainers.demo")
RECIPES = Path(__file__).resolve().parents[1] / "recipes"
ROWS = [("macro-F1", "macro_f1"), ("accuracy", "accuracy"), ("parse failures", "parse_failure_rate"),
        ("rule adherence", "rule_adherence"), ("hallucination rate", "hallucination_rate")]


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m trainers.demo", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="runs/demo", help="folder for the models, logs, figures and report")
    p.add_argument("--model", default="models/tiny_l4", help="starting model (the tiny models are built when missing)")
    p.add_argument("--sft-epochs", type=float, default=None, help="SFT epochs (default: the sft_cpu recipe's)")
    p.add_argument("--srpo-steps", type=int, default=None, help="SRPO steps (default 40)")
    p.add_argument("--eval-limit", type=int, default=None, help="balanced eval rows (default 32)")
    p.add_argument("--max-new-tokens", type=int, default=None, help="rollout and eval token budget (default 320)")
    return p.parse_args(argv)


def _sft(args: argparse.Namespace, out: Path) -> Path:
    from trainers.sft import RelevanceSFTConfig, run_sft

    flags = ["--config", str(RECIPES / "sft_cpu.yaml"), "--model_name_or_path", args.model,
             "--output_dir", str(out / "sft"), "--eval_data", "", "--report_to", "tensorboard"]
    if args.sft_epochs is not None:
        flags += ["--num_train_epochs", str(args.sft_epochs)]
    shelf, config = parse_recipe([ShelfArguments, RelevanceSFTConfig], flags, prog="python -m trainers.demo")
    run_sft(shelf, config)
    return out / "sft"


def _srpo(args: argparse.Namespace, out: Path, sft_dir: Path):
    from trainers.srpo import METHOD

    # The srpo_cpu recipe plus what a weak warm start needs to learn in minutes: rollouts at temperature 0.7 (at
    # 1.0 the tiny SFT model samples mostly malformed CoTs, so groups carry no signal) and groups of 8.
    flags = ["--config", str(RECIPES / "srpo_cpu.yaml"), "--model_name_or_path", str(sft_dir),
             "--output_dir", str(out / "srpo"), "--save_strategy", "no", "--max_steps", "40",
             "--temperature", "0.7", "--per_device_train_batch_size", "16", "--num_generations", "8",
             "--eval_limit", "32", "--eval_every", "20"]
    if args.srpo_steps is not None:
        flags += ["--max_steps", str(args.srpo_steps)]
    if args.eval_limit is not None:
        flags += ["--eval_limit", str(args.eval_limit)]
    if args.max_new_tokens is not None:
        # a budget below the gold CoTs' length is the user's choice for a quick run: rollouts are cut on purpose
        flags += ["--max_completion_length", str(args.max_new_tokens), "--eval_max_new_tokens", str(args.max_new_tokens),
                  "--allow_truncation", "true"]
    shelf, config, selection, curriculum, *extra = parse_method(METHOD, flags)
    return run_method(METHOD, shelf, config, selection, curriculum, tuple(extra))


def _table(before: dict, after: dict, names: dict[str, str]) -> str:
    """Markdown table of the flat eval metrics before and after SRPO (`names`: label id -> name)."""
    labels = [k[len("eval/f1_"):] for k in before if k.startswith("eval/f1_")]
    rows = list(ROWS) + [(f"F1 {lab} {names.get(lab, '')}".rstrip(), f"f1_{lab}") for lab in labels]
    lines = ["| metric | after SFT (before SRPO) | after SRPO |", "| --- | ---: | ---: |"]
    for name, key in rows:
        b, a = before.get(f"eval/{key}"), after.get(f"eval/{key}")
        lines.append(f"| {name} | {'-' if b is None else f'{b:.3f}'} | {'-' if a is None else f'{a:.3f}'} |")
    lines.append("\n-: not defined on this set (the hallucination rate needs completions whose reasoning steps are "
                 "all right)")
    return "\n".join(lines)


def _figures(out: Path, trainer, callback) -> list[Path]:
    from trainers.evaluation.figures import plot_confusion, plot_per_class_f1

    figures = out / "figures"
    paths = [plot_curves({"srpo": series(trainer.state.log_history, "reward")}, figures / "srpo_reward.png",
                         "reward", title="SRPO: mean rule-aware reward per step")]
    if len(callback.reports) >= 2:
        before, after = callback.reports[0]["decoded"], callback.reports[-1]["decoded"]
        paths.append(plot_per_class_f1(after, figures / "per_class_f1.png", compare=before,
                                       names=("after SRPO", "after SFT"), title="F1 per class, balanced eval"))
        paths.append(plot_confusion(after, figures / "confusion_after_srpo.png", title="after SRPO"))
    return paths


def main(argv: list[str] | None = None) -> int:
    """The demo; a user error (missing data, bad rule file) is one line and exit 2, as in the trainers."""
    return run_cli(_run, argv)


def _run(argv: list[str] | None = None) -> int:
    args = _args(argv)
    out = Path(args.out)
    setup_logging(None)
    started = time.time()
    print(f"shelfwise demo: tiny model -> SFT -> SRPO, outputs in {out}/ (about 4 minutes on 2 CPU cores)")
    sft_dir = _sft(args, out)
    print(f"SFT done in {time.time() - started:.0f} s; SRPO from {sft_dir}")
    trainer, callback = _srpo(args, out, sft_dir)
    if not callback.history:
        print("no evaluation ran (eval_data is empty)")
        return 0
    before, after = callback.history[0], callback.history[-1]
    n = callback.reports[-1]["decoded"]["n"] if callback.reports else "?"
    names = callback.reports[-1]["decoded"].get("label_names", {}) if callback.reports else {}
    table = _table(before, after, {str(k): v for k, v in names.items()})
    figures = _figures(out, trainer, callback)
    report = out / "report.md"
    report.write_text(f"# shelfwise demo\n\nBalanced eval set, first {n} rows, greedy decoding.\n\n{table}\n",
                      encoding="utf-8")
    print(f"\nEvaluation on data/synthetic/eval_balanced.jsonl (first {n} rows), before and after SRPO "
          f"({trainer.state.global_step} steps):\n\n{table}\n")
    print(f"report: {report}\nfigures: {', '.join(str(p) for p in figures)}\n"
          f"TensorBoard: tensorboard --logdir {out}\ntotal time: {time.time() - started:.0f} s")
    return 0
