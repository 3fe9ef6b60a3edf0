"""The demo's noise band: its SRPO run from the same warm start with seeds 0-4 (about 9 minutes per seed).

    python bench/demo_seeds.py                      # writes bench/results/demo_seeds.json, read by the demo
    python bench/demo_seeds.py --seeds 3 4 & python bench/demo_seeds.py --seeds 0 1 2   # two at once, then combine:
    python bench/demo_seeds.py                      # (finished seeds are read back)
    python bench/demo_seeds.py --seeds 0 1 --steps 4 --eval-limit 16 --out /tmp/noise.json   # a quick look

Each seed runs exactly `python -m trainers.demo --seed N` (what `python -m trainers.srpo` runs, seed 0); a seed
whose `WORK/sN/demo.json` exists is read back, so seeds can run in parallel processes and be combined after. The warm
start and the greedy evaluation are the same for every seed, so the spread of the lift is the spread of SRPO's
training (rollout sampling and data order). That spread says nothing of the eval rows' own sampling noise (400 rows:
one row is worth about 0.0025 macro-F1), so the warm start and every seed's trained model are decoded again and a
paired bootstrap over the eval rows (`bench/compare_stats.py`) gives a 95% interval of the mean lift that carries
both. Prints a table and ends with `key=value` figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compare_stats import macro_f1, paired_bootstrap  # noqa: E402
from record_warm_start import greedy_predictions  # noqa: E402

from trainers.srpo import demo  # noqa: E402


def predictions(model_dir: str, eval_limit: int | None) -> tuple[list[int], list[int | None], list[int]]:
    """Gold labels, greedy predictions of `model_dir` on the demo's eval rows (its recipe's prompt and format) and
    the rule set's label ids."""
    import torch

    from trainers.grpo.cli import parse_method
    from trainers.srpo import METHOD

    torch.set_num_threads(1)
    flags = ["--config", str(demo.RECIPE)] + (["--eval_limit", str(eval_limit)] if eval_limit else [])
    shelf = parse_method(METHOD, flags)[0]
    gold, preds, rules = greedy_predictions(model_dir, shelf, shelf.eval_limit)
    return gold, preds, rules.label_ids


def lift_interval(warm_start: str, work: str, seeds: list[int], eval_limit: int | None,
                  resamples: int = 2000) -> dict:
    """Paired bootstrap 95% interval of the mean-over-seeds lift, from the models the seeds saved."""
    from trainers.common.data import bundled_path

    gold, before, labels = predictions(bundled_path(warm_start), eval_limit)
    after = [predictions(f"{work}/s{seed}/srpo", eval_limit)[1] for seed in seeds]
    lo, hi = paired_bootstrap(after, [before], gold, labels, resamples)
    return {"eval_rows": len(gold), "lift_ci95": [lo, hi], "bootstrap_resamples": resamples,
            "redecoded_macro_f1": {"before": macro_f1(gold, before, labels),
                                   "after": [macro_f1(gold, p, labels) for p in after]}}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--eval-limit", type=int, default=None)
    p.add_argument("--warm-start", default=demo.WARM_START, help="the SFT model SRPO starts from (the demo's)")
    p.add_argument("--work", default="bench_out/demo_seeds")
    p.add_argument("--out", default=str(demo.NOISE))
    args = p.parse_args()
    runs = []
    for seed in args.seeds:
        flags = ["--out", f"{args.work}/s{seed}", "--seed", str(seed), "--warm-start", args.warm_start]
        flags += ["--steps", str(args.steps)] if args.steps is not None else []
        flags += ["--eval-limit", str(args.eval_limit)] if args.eval_limit is not None else []
        done = Path(f"{args.work}/s{seed}/demo.json")
        if not done.is_file():  # a seed already run (e.g. by a parallel call) is read back, not run again
            if demo.main(flags) != 0:
                raise SystemExit(f"the demo failed for seed {seed}")
        run = json.loads(done.read_text(encoding="utf-8"))
        before, after = run["before"], run["after"]
        runs.append({"seed": seed, "before": before["eval/macro_f1"], "after": after["eval/macro_f1"],
                     "lift": after["eval/macro_f1"] - before["eval/macro_f1"],
                     "parse_failures_before": before["eval/parse_failure_rate"],
                     "parse_failures_after": after["eval/parse_failure_rate"],
                     "seconds": json.loads((done.parent / "timing.json").read_text())["seconds"]})
    lifts = [r["lift"] for r in runs]
    result = {"seeds": args.seeds, "runs": runs, "lift_mean": statistics.mean(lifts),
              "lift_std": statistics.stdev(lifts) if len(lifts) > 1 else None,
              "steps": args.steps}
    result["warm_start"] = args.warm_start
    result.update(lift_interval(args.warm_start, args.work, args.seeds, args.eval_limit))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2), encoding="utf-8")
    print("| seed | macro-F1 before | after | lift | parse failures before -> after | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in runs:
        print(f"| {r['seed']} | {r['before']:.3f} | {r['after']:.3f} | {r['lift']:+.3f} | "
              f"{r['parse_failures_before']:.3f} -> {r['parse_failures_after']:.3f} | {r['seconds']:.0f} |")
    std = result["lift_std"]
    print(f"lift_mean={result['lift_mean']:.4f} lift_std={std if std is None else round(std, 4)} "
          f"lift_over_2std={None if not std else round(result['lift_mean'] / (2 * std), 2)} "
          f"lift_ci95=[{result['lift_ci95'][0]:+.4f}, {result['lift_ci95'][1]:+.4f}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
