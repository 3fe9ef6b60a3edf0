"""How much an RL method could gain by sharpening alone: a model's greedy labels against its own samples.

    python bench/sampling_headroom.py                          # the miniature warm start, 200 balanced rows
    python bench/sampling_headroom.py --model runs/demo/srpo --samples 8 --temperatures 1.0 1.3

RL on a policy's own rollouts can make greedy decoding pick what the policy already samples when it is right;
it cannot teach a verdict the policy never samples. So the room for a lift without new knowledge is visible
before any training: per temperature, k samples per prompt give the mean sampled macro-F1 (what a rollout scores),
the majority vote of the k labels (a sharpened policy), pass@k (the share of prompts where some sample is right:
the ceiling of reward-driven selection), and the malformed rate (rollouts that earn the -1 format penalty and
carry no label signal). Prints a table beside greedy decoding; `--out` also writes it as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from trainers.common.arguments import ShelfArguments  # noqa: E402
from trainers.common.data import load_rule_set, load_split, prompts_of  # noqa: E402
from trainers.evaluation.generation import Generator  # noqa: E402
from trainers.evaluation.lm import load_model  # noqa: E402
from trainers.evaluation.metrics import pass_at_k_report  # noqa: E402
from trainers.evaluation.parts import classes  # noqa: E402


def labels_of(texts: list[str], rules) -> list[int | None]:
    """The label of each completion that parses (None for a malformed one: no label credit)."""
    return [getattr(rules.parse(t), "label", None) for t in texts]


def majority(labels: list[int | None]) -> int | None:
    """The most frequent parsed label; ties go to the label sampled first (deterministic)."""
    counts = Counter(x for x in labels if x is not None)
    return max(counts, key=lambda x: (counts[x], -labels.index(x))) if counts else None


def headroom(gen: Generator, prompts: list, gold: list[int], rules, samples: int, temperature: float) -> dict:
    rows = [labels_of(texts, rules) for texts in gen.generate(prompts, samples=samples, temperature=temperature)]
    per_sample = [classes(gold, [r[j] for r in rows], rules)["macro_f1"] for j in range(samples)]
    return {"temperature": temperature, "samples": samples,
            "sampled_macro_f1": statistics.mean(per_sample),
            "majority_macro_f1": classes(gold, [majority(r) for r in rows], rules)["macro_f1"],
            "pass_at_k": pass_at_k_report([[x == g for x in r] for g, r in zip(gold, rows)], [samples])[samples],
            "malformed": sum(x is None for r in rows for x in r) / (len(rows) * samples),
            "distinct_labels": statistics.mean(len({x for x in r if x is not None}) for r in rows)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="data/warm_start/sft_mini")
    p.add_argument("--data", default="data/synthetic_mini/eval_balanced.jsonl")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--samples", type=int, default=8)
    p.add_argument("--temperatures", type=float, nargs="*", default=[0.7, 1.0, 1.3])
    p.add_argument("--cot-style", default="terse")
    p.add_argument("--prompt-style", default="bare")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", help="write the rows as JSON here too")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    shelf = ShelfArguments(cot_style=args.cot_style, prompt_style=args.prompt_style)
    rules = load_rule_set(shelf)
    examples = load_split(args.data, rules, shelf, args.limit)
    prompts, gold = prompts_of(examples, rules, False), [e.label for e in examples]
    model, tokenizer = load_model(args.model, "cpu")
    gen = Generator(model, tokenizer, batch_size=32, max_new_tokens=96)
    greedy = labels_of([t[0] for t in gen.generate(prompts)], rules)
    rows = [{"temperature": 0.0, "samples": 1, "sampled_macro_f1": classes(gold, greedy, rules)["macro_f1"],
             "majority_macro_f1": None, "pass_at_k": sum(g == x for g, x in zip(gold, greedy)) / len(gold),
             "malformed": sum(x is None for x in greedy) / len(greedy), "distinct_labels": 1.0}]
    rows += [headroom(gen, prompts, gold, rules, args.samples, t) for t in args.temperatures]
    print(f"{args.model}: {len(examples)} rows of {args.data}")
    print("| temperature | k | sampled macro-F1 | majority-of-k macro-F1 | pass@k | malformed | distinct labels |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        vote = "-" if r["majority_macro_f1"] is None else f"{r['majority_macro_f1']:.3f}"
        print(f"| {r['temperature']:g} | {r['samples']} | {r['sampled_macro_f1']:.3f} | {vote} | {r['pass_at_k']:.3f} "
              f"| {100 * r['malformed']:.1f}% | {r['distinct_labels']:.2f} |")
    if args.out:
        Path(args.out).write_text(json.dumps({"model": args.model, "rows": len(examples), "table": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
