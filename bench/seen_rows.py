"""How much of the miniature warm start's accuracy is memorisation: greedy decoding of rows it trained on against
rows it never saw (the RL prompt pool, the dev rows, the balanced eval rows).

    python bench/seen_rows.py                       # 400 rows of each set, about 2 minutes at one thread
    python bench/seen_rows.py --rows 40 --model runs/my_sft

Why it matters: an RL recipe's group of rollouts only teaches relevance where the model is unsure; on rows it
memorised during 12 passes of SFT it is right far more often than on new ones. (Fresh RL prompts,
`data/synthetic_mini_rl`, were tried and lost macro-F1: README, "Training".) Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from record_warm_start import WARM_START, greedy_predictions

SETS = {  # name -> (file, seen in SFT)
    "SFT training rows": ("data/synthetic_mini/train.jsonl", True),
    "RL prompt pool": ("data/synthetic_mini_rl/train.jsonl", False),
    "dev rows (balanced)": ("data/synthetic_mini_dev/eval_balanced.jsonl", False),
    "eval rows (balanced)": ("data/synthetic_mini/eval_balanced.jsonl", False),
}


def score_set(model: str | Path, path: str, rows: int | None) -> dict:
    """Greedy accuracy, macro-F1 and parse failures of `model` on the first `rows` of the data file `path`, asked
    the miniature's way (bare prompt, terse CoT). Shared with bench/rl_fit.py."""
    from trainers.common.arguments import ShelfArguments
    from trainers.common.recipe import parse_recipe
    from trainers.evaluation import parts
    from trainers.sft import RelevanceSFTConfig

    shelf = parse_recipe([ShelfArguments, RelevanceSFTConfig], [
        "--config", str(ROOT / "trainers" / "recipes" / "sft_mini_cpu.yaml"), "--eval_data", path])[0]
    gold, pred, rules = greedy_predictions(model, shelf, rows)
    report = parts.classes(gold, pred, rules)
    return {"file": path, "rows": len(gold), "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(gold),
            "macro_f1": report["macro_f1"], "parse_failure_rate": report["parse_failure_rate"]}


def measure(model: str, rows: int) -> dict[str, dict]:
    import torch

    torch.set_num_threads(1)
    results = {}
    for name, (path, seen) in SETS.items():
        scored = score_set(model, path, rows)
        results[name] = {"file": scored.pop("file"), "seen_in_sft": seen, **scored}
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=str(WARM_START))
    p.add_argument("--rows", type=int, default=400)
    p.add_argument("--out", default="bench_out/seen_rows.json")
    args = p.parse_args()
    results = measure(args.model, args.rows)
    print("| rows | seen in SFT | n | accuracy | macro-F1 | parse failures |\n| --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        print(f"| {name} | {'yes' if r['seen_in_sft'] else 'no'} | {r['rows']} | {r['accuracy']:.3f} | "
              f"{r['macro_f1']:.3f} | {r['parse_failure_rate']:.1%} |")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    model = Path(args.model).resolve()  # recorded relative to the repository when it is in it
    shown = str(model.relative_to(ROOT)) if model.is_relative_to(ROOT) else args.model
    Path(args.out).write_text(json.dumps({"model": shown, "sets": results}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
