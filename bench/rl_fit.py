"""Does RL optimise the miniature at all? The demo's SRPO on a handful of prompts, scored on them and on new rows.

    python bench/rl_fit.py                       # 32 prompts, 60 steps: 8 min of training at one thread, + scoring
    python bench/rl_fit.py --prompts 16 --steps 20 --dev-rows 100

Draws `--prompts` class-balanced rows from the RL prompt pool (`data/synthetic_mini_rl`, never seen in SFT), trains
the demo's recipe (`trainers/recipes/srpo_mini_cpu.yaml`, warm start `data/warm_start/sft_mini`) on them alone,
with the trainer's evaluation on the same rows, then scores the warm start and the trained model greedily on those
prompts ("fit": RL as an optimiser) and on the dev rows (`data/synthetic_mini_dev`, "transfer": what reaches rows
RL never saw). A lift on the prompts with none on the dev rows means the trainer works and the model learns
per-prompt answers rather than relevance. Prints a table; writes `--out` (JSON) with the training curve.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from record_warm_start import WARM_START  # noqa: E402
from seen_rows import score_set  # noqa: E402

from trainers.common.generated_data import ensure_generated  # noqa: E402

POOL = "data/synthetic_mini_rl/train.jsonl"
DEV = "data/synthetic_mini_dev/eval_balanced.jsonl"
RECIPE = ROOT / "trainers" / "recipes" / "srpo_mini_cpu.yaml"


def balanced_prompts(pool: Path, n: int) -> list[dict]:
    """The first n // 4 rows of each label, in file order (deterministic)."""
    by_label: dict[int, list[dict]] = defaultdict(list)
    with pool.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            by_label[row["label"]].append(row)
    labels = sorted(by_label)
    per = n // len(labels)
    if per < 1 or any(len(by_label[lab]) < per for lab in labels):
        raise SystemExit(f"error: --prompts {n}: {pool} cannot give {per} rows of each of the labels {labels}")
    return [row for lab in labels for row in by_label[lab][:per]]


def train_command(prompts: Path, out: Path, steps: int, seed: int) -> list[str]:
    return [sys.executable, "-m", "trainers.srpo", "--config", str(RECIPE), "--train_data", str(prompts),
            "--eval_data", str(prompts), "--eval_limit", "100000", "--eval_every", str(max(steps // 3, 1)),
            "--max_steps", str(steps), "--seed", str(seed), "--output_dir", str(out), "--report_to", "none"]


def curve(out: Path) -> list[dict]:
    evals = json.loads((out / "shelfwise_eval.json").read_text(encoding="utf-8"))["evaluations"]
    return [{"step": e["step"], "macro_f1": e.get("eval/macro_f1"), "accuracy": e.get("eval/accuracy")}
            for e in evals]


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--prompts", type=int, default=32,
                   help="class-balanced RL prompts (a multiple of 4; at least the recipe's 8 per step)")
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dev-rows", type=int, default=400)
    p.add_argument("--work", default="bench_out/rl_fit", help="prompts file and trained model")
    p.add_argument("--out", default="bench_out/rl_fit.json")
    args = p.parse_args(argv)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    prompts = work / f"prompts_{args.prompts}.jsonl"
    ensure_generated(ROOT / POOL)  # a fresh clone has no pool yet: the generator builds it (deterministic)
    prompts.write_text("".join(json.dumps(r) + "\n" for r in balanced_prompts(ROOT / POOL, args.prompts)),
                       encoding="utf-8")
    trained = work / f"srpo_{args.prompts}p_{args.steps}s_seed{args.seed}"
    cmd = train_command(prompts, trained, args.steps, args.seed)
    print("$ OMP_NUM_THREADS=1 python " + shlex.join(cmd[1:]), flush=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode:
        print("error: the SRPO run failed (its log is above)")
        return 1
    import torch

    torch.set_num_threads(1)
    sets = {"fit (the RL prompts)": (str(prompts), None), "transfer (dev rows)": (DEV, args.dev_rows)}
    rows = {}
    for name, (path, limit) in sets.items():
        before = score_set(WARM_START, path, limit)
        after = score_set(trained, path, limit)
        for scored in (before, after):  # the results file names repository paths relative to it
            scored["file"] = _shown(Path(scored["file"]))
        rows[name] = {"rows": after["rows"], "before": before, "after": after}
    print(f"\n| rows ({args.prompts} prompts, {args.steps} steps, seed {args.seed}) | n | macro-F1 before | after | lift "
          "| accuracy before | after | parse failures after |\n| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in rows.items():
        b, a = r["before"], r["after"]
        print(f"| {name} | {r['rows']} | {b['macro_f1']:.3f} | {a['macro_f1']:.3f} | "
              f"{a['macro_f1'] - b['macro_f1']:+.3f} | {b['accuracy']:.3f} | {a['accuracy']:.3f} | "
              f"{a['parse_failure_rate']:.1%} |")
    result = {"prompts": args.prompts, "steps": args.steps, "seed": args.seed,
              "command": f"python bench/rl_fit.py --prompts {args.prompts} --steps {args.steps} --seed {args.seed}",
              "curve_on_prompts": curve(trained), "sets": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
