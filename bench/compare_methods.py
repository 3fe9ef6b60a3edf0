"""Compare the training methods from one SFT warm start, with the same number of policy updates (issue 6).

    python bench/compare_methods.py                       # defaults: about 30 minutes on 2 CPU cores
    python bench/compare_methods.py --steps 10 --eval-every 5 --eval-limit 16 --methods grpo srpo

Methods: SFT alone, SFT->DPO (pass@N pairs), SFT->GRPO, SFT->AGRL, SFT->SRPO, and two ablations from the papers:
SFT->GRPO with the think-first CoT format (its own think-first SFT warm start) and SFT->GRPO on the natural
label mix instead of the class-balanced one. Every RL run uses the same base settings (learning rate, batch,
group size, completion length, seed) over its own CPU recipe's method-specific fields. The eval sets are the
bundled balanced and in-the-wild splits (first `--eval-limit` rows each), never tuned on.

Writes `bench_out/compare/results.json`, `results.md` (the table) and `curves_macro_f1.png` / `curves_reward.png`,
and prints the table; the last line is `key=value` pairs.
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

from trainers.common.arguments import ShelfArguments  # noqa: E402
from trainers.common.data import load_rule_set, load_split  # noqa: E402
from trainers.common.eval_callback import evaluate_model, flat_metrics  # noqa: E402
from trainers.common.recipe import parse_recipe  # noqa: E402
from trainers.evaluation.figures import plot_curves, series  # noqa: E402

RECIPES = ROOT / "trainers" / "recipes"
RL = {  # name -> (trainer module, extra flags, warm start)
    "grpo": ("grpo", [], "label_first"),
    "agrl": ("agrl", [], "label_first"),
    "srpo": ("srpo", [], "label_first"),
    "grpo_think_first": ("grpo", ["--cot_order", "think_first"], "think_first"),
    "grpo_natural_mix": ("grpo", ["--balance", "natural"], "label_first"),
}
ALL = ["sft", "dpo", *RL]


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="bench_out/compare")
    p.add_argument("--methods", nargs="*", default=ALL, choices=ALL)
    p.add_argument("--steps", type=int, default=60, help="policy updates of every method after SFT")
    p.add_argument("--eval-every", type=int, default=10)
    p.add_argument("--eval-limit", type=int, default=32, help="rows of each eval set")
    p.add_argument("--sft-epochs", type=float, default=None, help="default: the sft_cpu recipe's")
    p.add_argument("--batch", type=int, default=16, help="completions per step (RL) / pairs per step (DPO)")
    p.add_argument("--generations", type=int, default=8)
    p.add_argument("--max-completion", type=int, default=320)
    p.add_argument("--lr", type=float, default=1e-4, help="the RL recipes' learning rate; also DPO's here")
    p.add_argument("--temperature", type=float, default=0.7,
                   help="rollout temperature (a weak policy samples mostly malformed CoTs at 1.0)")
    return p.parse_args()


def sft_start(args, out: Path, order: str) -> Path:
    from trainers.sft import RelevanceSFTConfig, run_sft

    folder = out / f"sft_{order}"
    if (folder / "config.json").is_file():
        return folder  # the warm start is shared by every method (and reruns)
    flags = ["--config", str(RECIPES / "sft_cpu.yaml"), "--output_dir", str(folder), "--cot_order", order,
             "--eval_data", "", "--report_to", "none", "--save_strategy", "no"]
    if args.sft_epochs is not None:
        flags += ["--num_train_epochs", str(args.sft_epochs)]
    run_sft(*parse_recipe([ShelfArguments, RelevanceSFTConfig], flags))
    return folder


def common_flags(args, model: Path, out: Path) -> list[str]:
    return ["--model_name_or_path", str(model), "--output_dir", str(out), "--max_steps", str(args.steps),
            "--eval_every", str(args.eval_every), "--eval_limit", str(args.eval_limit), "--save_strategy", "no",
            "--report_to", "tensorboard", "--seed", "0", "--learning_rate", str(args.lr)]


def run_rl(args, name: str, model: Path, out: Path):
    import importlib

    from trainers.grpo.cli import parse_method, run_method

    module, extra, _ = RL[name]
    method = importlib.import_module(f"trainers.{module}").METHOD
    flags = ["--config", str(RECIPES / f"{module}_cpu.yaml"), *common_flags(args, model, out), *extra,
             "--per_device_train_batch_size", str(args.batch), "--num_generations", str(args.generations),
             "--max_completion_length", str(args.max_completion), "--temperature", str(args.temperature)]
    shelf, config, selection, curriculum, *more = parse_method(method, flags)
    return run_method(method, shelf, config, selection, curriculum, tuple(more))


def run_dpo(args, model: Path, out: Path):
    from trainers.dpo import RelevanceDPOConfig
    from trainers.dpo import run_dpo as train
    from trainers.dpo.sample import SamplingArguments, run_sampling

    samples = out / "samples"
    run_sampling(*parse_recipe([ShelfArguments, SamplingArguments], [
        "--config", str(RECIPES / "dpo_sample_cpu.yaml"), "--model_name_or_path", str(model),
        "--output_dir", str(samples), "--max_new_tokens", str(args.max_completion),
        "--temperature", str(args.temperature), "--max_train_samples", "128"]))
    flags = ["--config", str(RECIPES / "dpo_cpu.yaml"), *common_flags(args, model, out), "--pairs",
             str(samples / "pairs.jsonl"), "--per_device_train_batch_size", str(args.batch)]
    done = train(*parse_recipe([ShelfArguments, RelevanceDPOConfig], flags))
    return done.trainer, done.callback


def final_eval(model_dir: Path, order: str, limit: int) -> dict:
    from trainers.evaluation.lm import load_model

    shelf = ShelfArguments(cot_order=order)
    rules = load_rule_set(shelf)
    model, tokenizer = load_model(model_dir, "cpu")
    out = {}
    for split in ("eval_balanced", "eval_wild"):
        examples = load_split(str(ROOT / "data" / "synthetic" / f"{split}.jsonl"), rules, shelf, limit)
        out[split] = flat_metrics(evaluate_model(model, tokenizer, examples, rules), prefix="")
    return out


def steps_to_reach(history: list[dict], target: float | None) -> int | None:
    if target is None:
        return None
    return next((h["step"] for h in history if h.get("eval/macro_f1", -1) >= target), None)


def one_method(args, name: str, out: Path) -> dict:
    order = RL[name][2] if name in RL else "label_first"
    start = sft_start(args, out, order)
    if name == "sft":
        return {"steps": 0, "seconds_per_step": None, "history": [], "reward": [],
                "final": final_eval(start, order, args.eval_limit)}
    began = time.perf_counter()
    trainer, callback = run_dpo(args, start, out / name) if name == "dpo" else run_rl(args, name, start, out / name)
    train_seconds = time.perf_counter() - began - callback.seconds
    steps = trainer.state.global_step
    return {"steps": steps, "seconds_per_step": train_seconds / max(steps, 1), "history": callback.history,
            "reward": series(trainer.state.log_history, "reward"),
            "final": final_eval(out / name, order, args.eval_limit)}


def table(results: dict, grpo_final: float | None, grpo_step_time: float | None) -> str:
    head = ("| method | bal macro-F1 | bal acc | bal F1 4/3/2/1 | bal adherence | bal halluc. | wild macro-F1 | "
            "wild acc | wild F1 4/3/2/1 | steps to GRPO's final F1 | s/step | x GRPO |")
    lines = [head, "|" + " --- |" * 12]
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    for name, r in results.items():
        b, w = r["final"]["eval_balanced"], r["final"]["eval_wild"]
        f1 = lambda m: "/".join(fmt(m.get(f"f1_{k}")) for k in (4, 3, 2, 1))  # noqa: E731
        reach = steps_to_reach(r["history"], grpo_final) if r["history"] else None
        sps = r["seconds_per_step"]
        ratio = f"{sps / grpo_step_time:.2f}" if sps and grpo_step_time else "-"
        lines.append(f"| {name} | {fmt(b.get('macro_f1'))} | {fmt(b.get('accuracy'))} | {f1(b)} | "
                     f"{fmt(b.get('rule_adherence'))} | {fmt(b.get('hallucination_rate'))} | "
                     f"{fmt(w.get('macro_f1'))} | {fmt(w.get('accuracy'))} | {f1(w)} | "
                     f"{'-' if reach is None else reach} | {fmt(sps)} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    args = _args()
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in args.methods:
        began = time.perf_counter()
        print(f"== {name}", flush=True)
        results[name] = one_method(args, name, out)
        print(f"== {name}: done in {time.perf_counter() - began:.0f} s", flush=True)
        (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    grpo = results.get("grpo")
    grpo_final = grpo["history"][-1]["eval/macro_f1"] if grpo and grpo["history"] else None
    grpo_sps = grpo["seconds_per_step"] if grpo else None
    text = table(results, grpo_final, grpo_sps)
    (out / "results.md").write_text(text + "\n", encoding="utf-8")
    plot_curves({n: [(h["step"], h["eval/macro_f1"]) for h in r["history"]] for n, r in results.items()},
                out / "curves_macro_f1.png", "eval/macro_f1", "macro-F1 on the balanced eval set", grpo_final)
    plot_curves({n: r["reward"] for n, r in results.items() if r["reward"]}, out / "curves_reward.png", "reward",
                "mean training reward per step")
    print(text)
    reach = {n: steps_to_reach(r["history"], grpo_final) for n, r in results.items() if r["history"]}
    print(" ".join([f"grpo_final_macro_f1={grpo_final}"] + [f"{n}_steps_to_grpo_f1={v}" for n, v in reach.items()]
                   + [f"{n}_s_per_step={r['seconds_per_step']}" for n, r in results.items()]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
