"""Everything in one GRPO / AGRL / SRPO step that is not the model, at GPU-like batch sizes, on one process.

    python bench/step_overhead.py                                  # 256 completions x 1,024 and 2,048 tokens
    python bench/step_overhead.py --completions 256 --tokens 1536 --model-step-s 30

Completions: gold CoTs of data/synthetic/train.jsonl rendered by the rule set (label first, every step), each
step's reasoning padded with product-fact text until the completion has the target length in tokens of the
project's tokenizer; in each group of 4, one completion writes a label that its own verdict step contradicts
(scored malformed: groups have reward variance, as in training). Parts, each timed as the trainers call them (best of `--repeats`):

- reward: `RuleAwareReward` over the batch (parses every completion, decides, scores the components);
- parse: `CompiledRuleSet.parse` alone (already inside reward; shown for scale);
- step scores: SRPO's hybrid verifier with the `facts` source (`step_scores`, as SRPO calls it);
- alignment: SRPO's char->token map of every completion (`decode_with_starts`: decode + token starts);
- step advantages: group normalisation per step and each row's token term (`normalise_steps`, `token_step_term`);
- filters: the zero-variance group filter and the near-duplicate filter (jaccard, the costlier mode); AGRL's
  written-label check and guided-row choice;
- gathers: `accelerate`'s `gather` / `gather_object` as the trainers call them, on ONE process (no
  communication: a multi-GPU run adds the collective's latency, about the same per step whatever the batch).

The share of a step assumes a model step (vLLM generation of the batch + reference/old log-probs + forward and
backward) of `--model-step-s` seconds. Default 30 s: our assumption, not a measurement, for a 1.5B policy on one
H200 at 256 x 1-2k tokens (vLLM decoding ~0.25-0.5M tokens at ~20-40k tokens/s, plus ~6 x 1.5e9 x tokens FLOPs of
training at ~40% of the chip's bf16 peak); a smaller or faster setup makes the share larger. Goal: < 2%.
The last line prints key=value figures.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from rewards import RuleAwareReward  # noqa: E402
from rules import ParseError, compile_rules  # noqa: E402
from rules.data import load_examples  # noqa: E402
from trainers.agrl.guides import written_label_correct  # noqa: E402
from trainers.agrl.replay import select_guided_rows  # noqa: E402
from trainers.common.tiny_model import build_tokenizer  # noqa: E402
from trainers.grpo.diversity import near_duplicate_rows  # noqa: E402
from trainers.grpo.trainer import zero_variance_groups  # noqa: E402
from trainers.srpo.step_advantages import compact, normalise_steps, token_step_term  # noqa: E402
from trainers.srpo.step_sources import build_hybrid, parse_step_sources  # noqa: E402
from trainers.srpo.step_tokens import decode_with_starts  # noqa: E402

GROUP = 4


def best_ms(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def batch(rules, tokenizer, examples, n: int, tokens: int) -> tuple[list[str], list[list[int]], dict]:
    """n completions of about `tokens` tokens: rendered gold CoTs whose step reasons are padded with fact text."""
    texts, columns = [], {"label": [], "gold_steps": [], "id": [], "query_type": []}
    usable = [e for e in examples if e.gold_steps and all(s in e.gold_steps for s in rules.step_verdicts
                                                          if s != rules.ruleset.output.conclusion_step)]
    labels = rules.label_ids
    for i in range(n):
        e = usable[(i // GROUP) % len(usable)]
        label = e.label if i % GROUP else labels[(labels.index(e.label) + 1) % len(labels)]  # 1 in 4 wrong
        facts = f"The query asks for {e.query}; the product is {e.product.title} by {e.product.brand}. "
        steps = {s: v for s, v in e.gold_steps.items() if s in rules.step_verdicts}
        base = len(tokenizer.encode(rules.render(label, steps, {s: "" for s in steps}), add_special_tokens=False))
        one = len(tokenizer.encode(rules.render(label, steps, {s: facts for s in steps}), add_special_tokens=False))
        k = max(1, round((tokens - base) / max(one - base, 1)))
        text = rules.render(label, steps, {s: facts * k for s in steps})
        texts.append(text)
        for key, value in (("label", e.label), ("gold_steps", e.gold_steps), ("id", e.id),
                           ("query_type", e.query_type)):
            columns[key].append(value)
    ids = [tokenizer.encode(t, add_special_tokens=False) for t in texts]  # whole CoTs: they must parse
    return texts, ids, columns


def measure(rules, tokenizer, examples, n: int, tokens: int, repeats: int) -> dict[str, float]:
    from accelerate import Accelerator
    from accelerate.utils import gather_object

    texts, ids, columns = batch(rules, tokenizer, examples, n, tokens)
    texts = [tokenizer.decode(row, skip_special_tokens=True) for row in ids]  # what TRL hands the reward
    reward = RuleAwareReward(rules)
    hybrid = build_hybrid(parse_step_sources("facts"), rules)
    accelerator = Accelerator(cpu=True)
    rewards = reward(prompts=[""] * n, completions=texts, **columns)
    scores = [compact(s) for s in hybrid.step_scores(texts, **columns)]
    starts = [decode_with_starts(tokenizer, row)[1] for row in ids]
    reward_t = torch.tensor([float("nan") if r is None else r for r in rewards])
    correct = torch.tensor([written_label_correct(t, lab, rules) for t, lab in zip(texts, columns["label"])])

    def advantages():
        norm = normalise_steps(scores, GROUP)
        for s, v, st in zip(scores, norm, starts):
            token_step_term(st, s, v, "critical")

    def gathers():  # SRPO's step values, rewards, AGRL's correct flags, SRPO's metrics, as the trainers gather
        gather_object(scores) if accelerator.num_processes > 1 else scores
        accelerator.gather(reward_t)
        accelerator.gather(correct.long())
        accelerator.gather(torch.zeros(5, dtype=torch.float64))

    parts = {
        "reward": lambda: reward(prompts=[""] * n, completions=texts, **columns),
        "parse (inside reward)": lambda: [rules.parse(t) for t in texts],
        "step scores (facts)": lambda: hybrid.step_scores(texts, **columns),
        "alignment (char->token)": lambda: [decode_with_starts(tokenizer, row) for row in ids],
        "step advantages": advantages,
        "filters (zero-variance, near-duplicate)": lambda: (zero_variance_groups(reward_t, GROUP),
                                                            near_duplicate_rows(ids, reward_t.tolist(), GROUP,
                                                                                "jaccard")),
        "AGRL guide choice": lambda: select_guided_rows(
            torch.tensor([written_label_correct(t, lab, rules) for t, lab in zip(texts, columns["label"])]),
            GROUP, 0.25, 1),
        "gathers (one process)": gathers,
    }
    out = {name: best_ms(fn, repeats) for name, fn in parts.items()}
    out["_tokens_mean"] = sum(len(r) for r in ids) / len(ids)
    out["_parsed"] = sum(not isinstance(rules.parse(t), ParseError) for t in texts) / len(texts)
    return out


METHODS = {  # the parts each method pays per step (parse is inside reward)
    "GRPO": ["reward", "filters (zero-variance, near-duplicate)", "gathers (one process)"],
    "AGRL": ["reward", "filters (zero-variance, near-duplicate)", "gathers (one process)", "AGRL guide choice"],
    "SRPO": ["reward", "filters (zero-variance, near-duplicate)", "gathers (one process)", "step scores (facts)",
             "alignment (char->token)", "step advantages"],
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--completions", type=int, default=256)
    p.add_argument("--tokens", type=int, nargs="*", default=[1024, 2048])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--model-step-s", type=float, default=30.0, help="assumed model step (see the docstring)")
    args = p.parse_args()
    rules = compile_rules(str(ROOT / "rules" / "catalog" / "ecommerce.yaml"))
    data = ROOT / "data" / "synthetic" / "train.jsonl"
    tokenizer = build_tokenizer([data.read_text(encoding="utf-8")] +
                                [f.read_text(encoding="utf-8") for f in sorted((ROOT / "rules/catalog").glob("*.yaml"))])
    examples = load_examples(str(data)).examples
    results = {t: measure(rules, tokenizer, examples, args.completions, t, args.repeats) for t in args.tokens}
    print(f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads; "
          f"{args.completions} completions; assumed model step {args.model_step_s:.0f} s\n")
    head = " | ".join(f"{t} tokens (mean {results[t]['_tokens_mean']:.0f}, {100 * results[t]['_parsed']:.0f}% "
                      "parse) ms" for t in args.tokens)
    print(f"| part | {head} |\n|---|" + "---|" * len(args.tokens))
    for name in next(iter(results.values())):
        if not name.startswith("_"):
            print(f"| {name} | " + " | ".join(f"{results[t][name]:.1f}" for t in args.tokens) + " |")
    figures = {}
    for method, names in METHODS.items():
        cells = []
        for t in args.tokens:
            total = sum(results[t][n] for n in names)
            share = 100 * total / (args.model_step_s * 1000)
            cells.append(f"**{total:.1f} ms = {share:.2f}%**")
            figures[f"{method.lower()}_{t}_ms"], figures[f"{method.lower()}_{t}_share_pct"] = round(total, 1), round(share, 3)
        print(f"| {method} step total (share of a {args.model_step_s:.0f} s step; goal < 2%) | " + " | ".join(cells) + " |")
    print("\n" + " ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
