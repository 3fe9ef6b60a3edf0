"""Compare the training methods from one SFT warm start: the same budget of policy updates, 3 seeds, intervals.

    python bench/compare_methods.py                                             # miniature profile, 3 seeds (hours)
    python bench/compare_methods.py --arms sft grpo srpo --seeds 0 --steps 10 --eval-rows 50   # a quick look
    python bench/compare_methods.py --profile tiny                              # the 0.23M-parameter tiny model

Arms: `sft` (the warm start itself), `sft_think_first` (the think-first warm start itself, the reference the
think-first ablation starts from), `dpo` (pass@N pairs), `grpo` (dynamic sampling), `agrl`, `srpo`, and the
papers' ablations: `srpo_lambda0` (SRPO with step_coef 0, which equals GRPO), `grpo_think_first` (think-first
format, from its own think-first warm start), `grpo_natural_mix` (the natural label mix instead of class-balanced).
Every final model is scored twice on each eval set (balanced and in-the-wild, never tuned on): greedy decoded
CoTs, and label-first CumPT (TaoSR1) with beta calibrated on a dev split of training-distribution rows.

Resumable: each (arm, seed) is written to OUT/runs/<arm>_s<seed>.json as it ends (models and logs go to WORK),
and a rerun skips the finished ones (kill it and start it again). After every run: OUT/results.json,
OUT/results.md (mean ± std over seeds, a paired bootstrap 95% interval of each arm minus GRPO, steps to GRPO's
final macro-F1, CumPT vs decoded) and OUT/curves_macro_f1.png. The last printed line is `key=value` pairs.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from compare_stats import first_step_reaching, mean_curve, mean_std, paired_bootstrap  # noqa: E402

from trainers.common.arguments import ShelfArguments  # noqa: E402
from trainers.common.recipe import parse_recipe  # noqa: E402

RECIPES = ROOT / "trainers" / "recipes"
# profile -> recipe suffix, eval sets (balanced, in the wild), dev split for CumPT's beta
PROFILES = {
    "mini": {"suffix": "mini_cpu", "balanced": "data/synthetic_mini/eval_balanced.jsonl",
             "wild": "data/synthetic_mini/eval_wild.jsonl", "dev": "data/synthetic_mini/train.jsonl",
             "warm_start": "data/warm_start/sft_mini"},
    "tiny": {"suffix": "cpu", "balanced": "data/synthetic/eval_balanced.jsonl",
             "wild": "data/synthetic/eval_wild.jsonl", "dev": None, "warm_start": None},
}
RL = {  # arm -> (method module, extra flags, CoT order of its warm start)
    "grpo": ("grpo", [], "label_first"),
    "agrl": ("agrl", [], "label_first"),
    "srpo": ("srpo", [], "label_first"),
    "srpo_lambda0": ("srpo", ["--step_coef", "0"], "label_first"),
    "grpo_think_first": ("grpo", ["--cot_order", "think_first"], "think_first"),
    "grpo_natural_mix": ("grpo", ["--balance", "natural"], "label_first"),
}
SFT_ARMS = {"sft": "label_first", "sft_think_first": "think_first"}  # arm -> CoT order of a warm start scored as is
ARMS = [*SFT_ARMS, "dpo", *RL]


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--profile", default="mini", choices=sorted(PROFILES))
    p.add_argument("--out", default=None, help="results (committed): default bench/results/compare_<profile>")
    p.add_argument("--work", default=None, help="models and logs: default bench_out/compare_<profile>")
    p.add_argument("--arms", nargs="*", default=ARMS, choices=ARMS)
    p.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    p.add_argument("--steps", type=int, default=60, help="policy updates of every method after SFT")
    p.add_argument("--eval-every", type=int, default=10, help="learning-curve points (on --curve-rows rows)")
    p.add_argument("--curve-rows", type=int, default=100, help="balanced rows evaluated during training")
    p.add_argument("--eval-rows", type=int, default=300, help="rows of each eval set for the final evaluation")
    p.add_argument("--batch", type=int, default=None, help="completions per step (RL) / pairs per step (DPO); "
                   "default: the recipes'")
    p.add_argument("--lr", type=float, default=None, help="default: each recipe's")
    p.add_argument("--temperature", type=float, default=None, help="rollout temperature; default: the recipes'")
    p.add_argument("--bootstrap", type=int, default=2000, help="paired bootstrap resamples")
    return p.parse_args()


def recipe(args, method: str) -> str:
    return str(RECIPES / f"{method}_{PROFILES[args.profile]['suffix']}.yaml")


def sft_start(args, work: Path, order: str) -> Path:
    """The warm start shared by every arm and seed of one CoT order (trained once, seed 0; the profile's shipped
    label-first warm start when it has one)."""
    from trainers.sft import RelevanceSFTConfig, run_sft

    shipped = PROFILES[args.profile]["warm_start"]
    if order == "label_first" and shipped and (ROOT / shipped / "config.json").is_file():
        return ROOT / shipped
    folder = work / f"sft_{order}"
    if not (folder / "config.json").is_file():
        run_sft(*parse_recipe([ShelfArguments, RelevanceSFTConfig], [
            "--config", recipe(args, "sft"), "--output_dir", str(folder), "--cot_order", order, "--eval_data", "",
            "--report_to", "none", "--save_strategy", "no", "--seed", "0"]))
    return folder


def common_flags(args, model: Path, out: Path, seed: int) -> list[str]:
    flags = ["--model_name_or_path", str(model), "--output_dir", str(out), "--max_steps", str(args.steps),
             "--eval_every", str(args.eval_every), "--eval_limit", str(args.curve_rows), "--save_strategy", "no",
             "--report_to", "tensorboard", "--seed", str(seed), "--eval_data", PROFILES[args.profile]["balanced"]]
    return flags + (["--learning_rate", str(args.lr)] if args.lr else [])


def train_rl(args, arm: str, model: Path, out: Path, seed: int):
    import importlib

    from trainers.grpo.cli import parse_method, run_method

    module, extra, _ = RL[arm]
    method = importlib.import_module(f"trainers.{module}").METHOD
    flags = ["--config", recipe(args, module), *common_flags(args, model, out, seed), *extra]
    flags += ["--per_device_train_batch_size", str(args.batch)] if args.batch else []
    flags += ["--temperature", str(args.temperature)] if args.temperature else []
    shelf, config, selection, curriculum, *more = parse_method(method, flags)
    return run_method(method, shelf, config, selection, curriculum, tuple(more))


def train_dpo(args, model: Path, out: Path, seed: int):
    from trainers.dpo import RelevanceDPOConfig, run_dpo
    from trainers.dpo.sample import SamplingArguments, run_sampling

    samples = out / "samples"
    run_sampling(*parse_recipe([ShelfArguments, SamplingArguments], [
        "--config", recipe(args, "dpo_sample"), "--model_name_or_path", str(model), "--output_dir", str(samples),
        "--seed", str(seed), *(["--temperature", str(args.temperature)] if args.temperature else [])]))
    flags = ["--config", recipe(args, "dpo"), *common_flags(args, model, out, seed), "--pairs",
             str(samples / "pairs.jsonl"), *(["--per_device_train_batch_size", str(args.batch)] if args.batch else [])]
    done = run_dpo(*parse_recipe([ShelfArguments, RelevanceDPOConfig], flags))
    return done.trainer, done.callback


class _Replay:
    """A generator that hands back completions already generated (one decode serves metrics and predictions)."""

    def __init__(self, rows):
        self.rows, self.last_truncated = rows, []

    def generate(self, prompts, **_):
        return self.rows


def final_eval(args, model_dir: Path, order: str) -> dict:
    """Decoded metrics, per-row predictions and CumPT on both eval sets."""
    from trainers.common.data import load_rule_set, load_split, prompts_of
    from trainers.common.eval_callback import flat_metrics
    from trainers.evaluation import parts
    from trainers.evaluation.generation import Generator
    from trainers.evaluation.label_scoring import LabelScorer
    from trainers.evaluation.lm import load_model

    profile = PROFILES[args.profile]
    from trainers.grpo import METHOD
    from trainers.grpo.cli import parse_method

    shelf = parse_method(METHOD, ["--config", recipe(args, "grpo"), "--cot_order", order])[0]  # prompts, format
    rules = load_rule_set(shelf)
    model, tokenizer = load_model(str(model_dir), "cpu")
    gen = Generator(model, tokenizer, batch_size=32, max_new_tokens=shelf.eval_max_new_tokens)
    label_first = order == "label_first"  # CumPT reads the label from the first tokens: label-first models only
    scorer = LabelScorer(model, tokenizer, rules) if label_first else None  # it refuses a think-first rule set
    dev = None
    if profile["dev"] and label_first:
        dev_examples = load_split(profile["dev"], rules, shelf, args.eval_rows)
        dev = ("dev", prompts_of(dev_examples, rules, shelf.chat), [e.label for e in dev_examples])
    out = {}
    for split in ("balanced", "wild"):
        examples = load_split(profile[split], rules, shelf, args.eval_rows)
        prompts = prompts_of(examples, rules, shelf.chat)
        completions = gen.generate(prompts, samples=1, temperature=0.0)
        report = parts.decoded(_Replay(completions), prompts, examples, rules)
        result = flat_metrics(report, prefix="")
        result["predictions"] = [r.pred_label for r in parts.records([c[0] for c in completions], examples, rules)]
        result["gold"] = [e.label for e in examples]
        if label_first:
            result["cumpt_macro_f1"] = parts.cumpt(scorer, prompts, examples, rules, 0.5, dev)["cumpt"]["macro_f1"]
        out[split] = result
    return out


def run_one(args, arm: str, seed: int, work: Path) -> dict:
    from trainers.evaluation.figures import series

    order = RL[arm][2] if arm in RL else SFT_ARMS.get(arm, "label_first")
    start = sft_start(args, work, order)
    if arm in SFT_ARMS:
        return {"arm": arm, "seed": seed, "steps": 0, "seconds_per_step": None, "curve": [], "reward": [],
                "final": final_eval(args, start, order)}
    run_dir = work / "models" / f"{arm}_s{seed}"
    began = time.perf_counter()
    trainer, callback = (train_dpo(args, start, run_dir, seed) if arm == "dpo"
                         else train_rl(args, arm, start, run_dir, seed))
    seconds = time.perf_counter() - began - callback.seconds
    steps = trainer.state.global_step
    return {"arm": arm, "seed": seed, "steps": steps, "seconds_per_step": seconds / max(steps, 1),
            "curve": [(h["step"], h["eval/macro_f1"]) for h in callback.history],
            "reward": series(trainer.state.log_history, "reward"), "final": final_eval(args, run_dir, order)}


def summarise(args, runs: dict[str, list[dict]]) -> dict:
    """Per arm: mean ± std over seeds, the interval against GRPO, steps to GRPO's final macro-F1."""
    labels = [4, 3, 2, 1]
    grpo = runs.get("grpo", [])
    grpo_curve = mean_curve([r["curve"] for r in grpo])
    target = grpo_curve[-1][1] if grpo_curve else None
    rows = {}
    for arm, rs in runs.items():
        trained = arm in RL or arm == "dpo"
        reach = first_step_reaching(mean_curve([r["curve"] for r in rs]), target) if trained else None
        row = {"seeds": len(rs), "steps_to_grpo_final": reach,
               "seconds_per_step": mean_std([r["seconds_per_step"] for r in rs])[0]}
        for split in ("balanced", "wild"):
            for key in ("macro_f1", "accuracy", "parse_failure_rate", "rule_adherence", "hallucination_rate",
                        "cumpt_macro_f1"):
                row[f"{split}_{key}"] = mean_std([r["final"][split].get(key) for r in rs])
            if grpo and arm != "grpo" and len(grpo) == len(rs):
                gold = rs[0]["final"][split]["gold"]
                row[f"{split}_minus_grpo_ci"] = paired_bootstrap(
                    [r["final"][split]["predictions"] for r in rs], [r["final"][split]["predictions"] for r in grpo],
                    gold, labels, args.bootstrap)
                row[f"{split}_minus_grpo"] = (row[f"{split}_macro_f1"][0]
                                              - mean_std([r["final"][split]["macro_f1"] for r in grpo])[0])
        rows[arm] = row
    return {"grpo_final_curve_macro_f1": target, "arms": rows}


def _pm(pair) -> str:
    mean, std = pair
    if mean is None:
        return "-"
    return f"{mean:.3f}" if std is None else f"{mean:.3f} ± {std:.3f}"


def _ci(row: dict, split: str) -> str:
    if f"{split}_minus_grpo_ci" not in row:
        return "-"
    lo, hi = row[f"{split}_minus_grpo_ci"]
    return f"{row[f'{split}_minus_grpo']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def table(summary: dict) -> str:
    head = ("| arm | seeds | bal macro-F1 | bal − GRPO [95% CI] | wild macro-F1 | wild − GRPO [95% CI] | "
            "bal CumPT F1 | bal parse fail | bal adherence | bal halluc. | steps to GRPO's final F1 | s/step |")
    lines = [head, "|" + " --- |" * 12]
    for arm, r in summary["arms"].items():
        sps = r["seconds_per_step"]
        lines.append(f"| {arm} | {r['seeds']} | {_pm(r['balanced_macro_f1'])} | {_ci(r, 'balanced')} | "
                     f"{_pm(r['wild_macro_f1'])} | {_ci(r, 'wild')} | {_pm(r['balanced_cumpt_macro_f1'])} | "
                     f"{_pm(r['balanced_parse_failure_rate'])} | {_pm(r['balanced_rule_adherence'])} | "
                     f"{_pm(r['balanced_hallucination_rate'])} | "
                     f"{'-' if r['steps_to_grpo_final'] is None else r['steps_to_grpo_final']} | "
                     f"{'-' if sps is None else f'{sps:.2f}'} |")
    return "\n".join(lines)


def write_report(args, out: Path) -> dict:
    from trainers.evaluation.figures import plot_curves

    runs: dict[str, list[dict]] = {}
    for arm in ARMS:
        for path in sorted((out / "runs").glob(f"{arm}_s*.json")):
            runs.setdefault(arm, []).append(json.loads(path.read_text(encoding="utf-8")))
    summary = summarise(args, runs)
    (out / "results.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    (out / "results.md").write_text(table(summary) + "\n", encoding="utf-8")
    plot_curves({arm: mean_curve([r["curve"] for r in rs]) for arm, rs in runs.items() if rs[0]["curve"]},
                out / "curves_macro_f1.png", "eval/macro_f1",
                f"macro-F1 on {args.curve_rows} balanced rows (mean of seeds)", summary["grpo_final_curve_macro_f1"])
    return summary


def main() -> int:
    args = _args()
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.out or ROOT / "bench" / "results" / f"compare_{args.profile}")
    work = Path(args.work or f"bench_out/compare_{args.profile}")
    (out / "runs").mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:  # seeds outermost: a partial run already has every arm's first seed
        for arm in args.arms:
            path = out / "runs" / f"{arm}_s{seed}.json"
            if path.is_file():
                continue
            began = time.perf_counter()
            print(f"== {arm} seed {seed}", flush=True)
            done = sorted((out / "runs").glob(f"{arm}_s*.json"))
            if arm in SFT_ARMS and done:  # the warm start has no seed: its greedy evaluation is the same for every one
                result = {**json.loads(done[0].read_text(encoding="utf-8")), "seed": seed}
            else:
                result = run_one(args, arm, seed, work)
            path.write_text(json.dumps(result), encoding="utf-8")
            print(f"== {arm} seed {seed}: {time.perf_counter() - began:.0f} s", flush=True)
            write_report(args, out)
    summary = write_report(args, out)
    print(table(summary))
    print(" ".join(f"{arm}_bal_macro_f1={r['balanced_macro_f1'][0]}" for arm, r in summary["arms"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
