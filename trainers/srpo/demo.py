"""The project's demo: `python -m trainers.srpo` with no arguments.

It takes about 9 minutes at one thread on a quiet 2-core machine (8 min 47 s measured from a fresh clone).

    python -m trainers.srpo                                   # miniature SFT warm start -> SRPO, table before/after
    python -m trainers.demo --steps 4 --eval-limit 16         # shorter (the same code, other sizes)

1. starts from the miniature profile's SFT warm start shipped in `data/warm_start/sft_mini` (a 1.18M-parameter
   Llama trained from scratch on 8,000 generated rows, 12,000 SFT steps: macro-F1 0.544 on 400 balanced rows;
   rebuilt by `python bench/build_warm_start.py`, 107 minutes at one thread on a shared machine);
2. runs SRPO from it (`trainers/recipes/srpo_mini_cpu.yaml`: rule-aware outcome reward + step credit from the
   gold-step facts) on the generated `data/synthetic_mini` training rows (built on first use, seconds);
3. prints the evaluation before and after SRPO on the 400 balanced eval rows (macro-F1, accuracy, per-class
   F1, parse failures, rule adherence, hallucination rate) with the macro-F1 lift and the seed-to-seed noise band
   measured by `python bench/demo_seeds.py` (`bench/results/demo_seeds.json`), and writes figures and a Markdown
   report to `runs/demo/`.
Threads and seeds are fixed, so a rerun on the same machine prints the same numbers. A miniature model on a CPU
shows what the methods do, not what a 0.5-1.5B model reaches on a GPU (`trainers/recipes/*_gpu.yaml`).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import torch

from trainers.common.data import bundled_path
from trainers.common.recipe import RecipeError, run_cli
from trainers.common.run_end import setup_logging
from trainers.evaluation.figures import plot_curves, series
from trainers.grpo.cli import parse_method, run_method

logger = logging.getLogger("trainers.demo")
ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "trainers" / "recipes" / "srpo_mini_cpu.yaml"
WARM_START = "data/warm_start/sft_mini"
NOISE = ROOT / "bench" / "results" / "demo_seeds.json"
ROWS = [("macro-F1", "macro_f1"), ("accuracy", "accuracy"), ("parse failures", "parse_failure_rate"),
        ("rule adherence", "rule_adherence"), ("hallucination rate", "hallucination_rate")]


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m trainers.demo", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="runs/demo", help="folder for the model, logs, figures and report")
    p.add_argument("--warm-start", default=WARM_START, help="the SFT model SRPO starts from")
    p.add_argument("--steps", type=int, default=None, help="SRPO steps (default: the srpo_mini_cpu recipe's)")
    p.add_argument("--eval-limit", type=int, default=None, help="balanced eval rows (default: the recipe's 400)")
    p.add_argument("--seed", type=int, default=0, help="training seed (the noise band is measured over 0-4)")
    p.add_argument("--threads", type=int, default=1, help="torch threads, fixed so reruns give the same numbers (one: "
                   "on 2 shared cores a model this small ran 3.6x slower per step with two)")
    return p.parse_args(argv)


def srpo_flags(args: argparse.Namespace, out: Path, warm_start: str) -> list[str]:
    """The demo's SRPO run: the srpo_mini_cpu recipe from the warm start, evaluated before and after."""
    flags = ["--config", str(RECIPE), "--model_name_or_path", warm_start, "--output_dir", str(out / "srpo"),
             "--seed", str(args.seed), "--eval_every", "0"]
    if args.steps is not None:
        flags += ["--max_steps", str(args.steps)]
    if args.eval_limit is not None:
        flags += ["--eval_limit", str(args.eval_limit)]
    return flags


def run_srpo(args: argparse.Namespace, out: Path):
    from trainers.srpo import METHOD

    warm_start = bundled_path(args.warm_start)  # the shipped one also when the demo runs from another directory
    if not (Path(warm_start) / "config.json").is_file():
        raise RecipeError(f"no warm start in {args.warm_start}; build it (107 minutes at one thread here): python "
                          f"bench/build_warm_start.py --out {args.warm_start}")
    torch.set_num_threads(args.threads)
    shelf, config, selection, curriculum, *extra = parse_method(METHOD, srpo_flags(args, out, warm_start))
    return run_method(METHOD, shelf, config, selection, curriculum, tuple(extra))


def noise_band() -> dict | None:
    """The seed-to-seed spread of the demo's lift, as measured by bench/demo_seeds.py (None if not measured)."""
    try:
        return json.loads(NOISE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def table(before: dict, after: dict, names: dict[str, str]) -> str:
    """Markdown table of the flat eval metrics before and after SRPO (`names`: label id -> name)."""
    labels = [k[len("eval/f1_"):] for k in before if k.startswith("eval/f1_")]
    rows = list(ROWS) + [(f"F1 {lab} {names.get(lab, '')}".rstrip(), f"f1_{lab}") for lab in labels]
    lines = ["| metric | SFT warm start (before SRPO) | after SRPO |", "| --- | ---: | ---: |"]
    for name, key in rows:
        b, a = before.get(f"eval/{key}"), after.get(f"eval/{key}")
        lines.append(f"| {name} | {'-' if b is None else f'{b:.3f}'} | {'-' if a is None else f'{a:.3f}'} |")
    lines.append("\n-: not defined on this set (the hallucination rate needs completions whose reasoning steps are "
                 "all right)")
    return "\n".join(lines)


def lift_line(before: dict, after: dict, noise: dict | None) -> str:
    lift = after.get("eval/macro_f1", 0.0) - before.get("eval/macro_f1", 0.0)
    line = f"macro-F1 lift: {lift:+.3f}"
    if noise and noise.get("lift_std") is not None:
        line += (f"; seed-to-seed std of the lift {noise['lift_std']:.3f} over seeds {noise['seeds']} "
                 f"(mean lift {noise['lift_mean']:+.3f}, bench/demo_seeds.py): the lift is "
                 f"{'above' if lift > 2 * noise['lift_std'] else 'NOT above'} twice the noise band")
    if noise and noise.get("lift_ci95"):
        lo, hi = noise["lift_ci95"]
        line += (f"; 95% interval of the mean lift over seeds and eval rows (paired bootstrap) [{lo:+.3f}, {hi:+.3f}]"
                 f"{'' if lo > 0 or hi < 0 else ': it includes 0'}")
    return line


def _figures(out: Path, trainer, callback) -> list[Path]:
    from trainers.evaluation.figures import plot_confusion, plot_per_class_f1

    figures = out / "figures"
    paths = [plot_curves({"srpo": series(trainer.state.log_history, "reward")}, figures / "srpo_reward.png",
                         "reward", title="SRPO: mean rule-aware reward per step")]
    if len(callback.reports) >= 2:
        before, after = callback.reports[0]["decoded"], callback.reports[-1]["decoded"]
        paths.append(plot_per_class_f1(after, figures / "per_class_f1.png", compare=before,
                                       names=("after SRPO", "SFT warm start"), title="F1 per class, balanced eval"))
        paths.append(plot_confusion(after, figures / "confusion_after_srpo.png", title="after SRPO"))
    return paths


def main(argv: list[str] | None = None) -> int:
    """The demo; a user error (missing warm start, bad data) is one line and exit 2, as in the trainers."""
    return run_cli(_run, argv)


def _run(argv: list[str] | None = None) -> int:
    args = _args(argv)
    out = Path(args.out)
    setup_logging(None)
    started = time.time()
    print(f"shelfwise demo: miniature SFT warm start ({args.warm_start}) -> SRPO, outputs in {out}/ "
          "(under 10 minutes on 2 CPU cores)")
    trainer, callback = run_srpo(args, out)
    if len(callback.history) < 2:
        print("no evaluation ran (eval_data is empty)")
        return 0
    before, after = callback.history[0], callback.history[-1]
    decoded = callback.reports[-1]["decoded"]
    names = {str(k): v for k, v in decoded.get("label_names", {}).items()}
    text = table(before, after, names) + "\n\n" + lift_line(before, after, noise_band())
    figures = _figures(out, trainer, callback)
    report = out / "report.md"
    report.write_text(f"# shelfwise demo\n\nBalanced eval set, first {decoded['n']} rows, greedy decoding, SRPO "
                      f"seed {args.seed}.\n\n{text}\n", encoding="utf-8")
    (out / "demo.json").write_text(json.dumps({"before": before, "after": after, "seed": args.seed,
                                               "steps": trainer.state.global_step}, indent=2), encoding="utf-8")
    (out / "timing.json").write_text(json.dumps({"seconds": time.time() - started}), encoding="utf-8")
    print(f"\nEvaluation on data/synthetic_mini/eval_balanced.jsonl (first {decoded['n']} rows), before and after "
          f"SRPO ({trainer.state.global_step} steps):\n\n{text}\n")
    print(f"report: {report}\nfigures: {', '.join(str(p) for p in figures)}\n"
          f"TensorBoard: tensorboard --logdir {out}\ntotal time: {time.time() - started:.0f} s")
    return 0
