"""Rebuild the miniature's shipped SFT warm start (data/warm_start/sft_mini): three SFT stages, 12,000 steps.

    python bench/build_warm_start.py                        # 107 min at 1 thread on a shared 2-core machine
    python bench/build_warm_start.py --out /tmp/ws --work /tmp/ws_stages --steps 20   # the same chain, short
    python bench/record_warm_start.py                       # then record what it scores (tests/test_warm_start.py)
    python bench/build_warm_start.py --cot-order think_first --out bench_out/compare_mini_12k/sft_think_first
                                                            # the think-first ablation's start, same chain
    python bench/build_warm_start.py --out /tmp/ws96k -- --train_data data/mini96k/train.jsonl   # flags for each stage

Stage 1 is `trainers/recipes/sft_mini_cpu.yaml` from the from-scratch model (4,000 steps, learning rate 1e-3
cosine, seed 0); stages 2 and 3 are `trainers/recipes/sft_mini_continue_cpu.yaml` from the stage before (4,000
steps each, 5e-4 cosine, seeds 1 and 2: a new data order each). Each stage is the printed `python -m trainers.sft`
command; a stage whose folder already holds a model is not run again, so an interrupted build resumes. Measured on
400 balanced rows: 0.403, 0.490, 0.544 macro-F1 after the stages (bench/results/mini_profile/RESULTS.md).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ROOT / "trainers" / "recipes"


def stage_commands(out: Path, work: Path, steps: int | None, cot_order: str | None = None,
                   flags: list[str] | None = None) -> list[tuple[Path, list[str]]]:
    """(output folder, command) of each stage, in order; `cot_order` overrides the recipes' (label-first), `flags`
    (`python -m trainers.sft` flags) are added to every stage."""
    folders = [work / "stage1", work / "stage2", out]
    commands = []
    for i, folder in enumerate(folders):
        recipe = "sft_mini_cpu" if i == 0 else "sft_mini_continue_cpu"
        cmd = [sys.executable, "-m", "trainers.sft", "--config", str(RECIPES / f"{recipe}.yaml"),
               "--output_dir", str(folder), "--seed", str(i), "--report_to", "none"]
        if i:
            cmd += ["--model_name_or_path", str(folders[i - 1])]
        if steps is not None:
            cmd += ["--max_steps", str(steps)]
        if cot_order is not None:
            cmd += ["--cot_order", cot_order]
        commands.append((folder, cmd + list(flags or [])))
    return commands


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "data" / "warm_start" / "sft_mini"))
    p.add_argument("--work", default="runs/warm_start_stages", help="folder for stages 1 and 2")
    p.add_argument("--steps", type=int, default=None, help="steps per stage (default: the recipes' 4,000)")
    p.add_argument("--cot-order", choices=["label_first", "think_first"], default=None,
                   help="the CoT order every stage trains (default: the recipes', label-first); think_first builds "
                        "the start of bench/compare_methods.py's grpo_think_first arm")
    p.add_argument("flags", nargs=argparse.REMAINDER, help="after --: more `python -m trainers.sft` flags for every "
                   "stage (e.g. -- --train_data FILE)")
    args = p.parse_args(argv)
    flags = args.flags[1:] if args.flags[:1] == ["--"] else args.flags
    if args.cot_order == "think_first" and Path(args.out).resolve() == (ROOT / "data/warm_start/sft_mini").resolve():
        p.error("--cot-order think_first: give --out (the shipped warm start data/warm_start/sft_mini is label-first)")
    for folder, cmd in stage_commands(Path(args.out).resolve(), Path(args.work).resolve(), args.steps,
                                      args.cot_order, flags):
        if (folder / "model.safetensors").is_file():
            print(f"{folder}: already built, skipped")
            continue
        print("$ python " + shlex.join(cmd[1:]), flush=True)
        started = time.time()
        if subprocess.run(cmd, cwd=ROOT, check=False).returncode:
            print(f"stage {folder} failed; rerun this command to resume from it")
            return 1
        print(f"{folder}: {time.time() - started:.0f} s", flush=True)
    shipped = Path(args.out).resolve() == (ROOT / "data" / "warm_start" / "sft_mini").resolve()
    print(f"warm start in {args.out}" + ("; record its scores: python bench/record_warm_start.py" if shipped else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
