"""The demo's noise band: its SRPO run from the same warm start with seeds 0, 1, 2 (about 10 minutes per seed).

    python bench/demo_seeds.py                      # writes bench/results/demo_seeds.json, read by the demo
    python bench/demo_seeds.py --seeds 0 1 --steps 4 --eval-limit 16 --out /tmp/noise.json   # a quick look

Each seed runs exactly `python -m trainers.demo --seed N` (what `python -m trainers.srpo` runs, seed 0); a seed
whose `WORK/sN/demo.json` exists is read back, so seeds can run in parallel processes and be combined after. The warm
start and the greedy evaluation are the same for every seed, so the spread of the lift is the spread of SRPO's
training (rollout sampling and data order). Prints a table and ends with `key=value` figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trainers.srpo import demo  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--eval-limit", type=int, default=None)
    p.add_argument("--work", default="bench_out/demo_seeds")
    p.add_argument("--out", default=str(demo.NOISE))
    args = p.parse_args()
    runs = []
    for seed in args.seeds:
        flags = ["--out", f"{args.work}/s{seed}", "--seed", str(seed)]
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
              "eval_rows": args.eval_limit or 200, "steps": args.steps}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2), encoding="utf-8")
    print("| seed | macro-F1 before | after | lift | parse failures before -> after | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in runs:
        print(f"| {r['seed']} | {r['before']:.3f} | {r['after']:.3f} | {r['lift']:+.3f} | "
              f"{r['parse_failures_before']:.3f} -> {r['parse_failures_after']:.3f} | {r['seconds']:.0f} |")
    std = result["lift_std"]
    print(f"lift_mean={result['lift_mean']:.4f} lift_std={std if std is None else round(std, 4)} "
          f"lift_over_2std={None if not std else round(result['lift_mean'] / (2 * std), 2)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
