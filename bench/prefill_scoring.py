"""Pairs/second of label-first prefill scoring against generating the full CoT, same model and data, same run.

    python bench/prefill_scoring.py                          # tiny local model on the CPU
    python bench/prefill_scoring.py --size 0.5b-body --n 256 --batch-size 64   # 24 x 896 (random weights), GPU

Prefill: one forward pass over prompt + the label line's fixed prefix, label probabilities read at the last
position (trainers.evaluation.label_scoring). Generation: the same prompts, greedy, with exactly as many new tokens as
the gold CoTs of the data have on average (min = max new tokens), because a model with random weights does
not stop where a trained one would. Both batched the same way. Target: prefill >= 10x the pairs/s.
The last line prints key=value figures.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch
import transformers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing (the GPU machine has no pip installs)

from rules import compile_rules  # noqa: E402
from rules.data import Example, build_prompt, load_examples  # noqa: E402
from trainers.evaluation.generation import Generator  # noqa: E402
from trainers.evaluation.label_scoring import LabelScorer  # noqa: E402
from trainers.common.tiny_model import build_tiny_lm  # noqa: E402

# "0.5b-body": Qwen2.5-0.5B's width and depth (24 x 896); with the 1K-token tiny vocabulary it has 194M parameters.
SIZES = {"tiny": dict(hidden=64, layers=2), "small": dict(hidden=256, layers=4),
         "0.5b-body": dict(hidden=896, layers=24)}


def examples_for(path: str, n: int) -> list[Example]:
    """`n` examples from the file, repeated when it has fewer (throughput needs the count, not new pairs)."""
    rows = load_examples(path).examples
    return (rows * (n // max(len(rows), 1) + 1))[:n]


def model_for(size: str, device: str, dtype: torch.dtype, texts: list[str]):
    model, tokenizer = build_tiny_lm(texts, seed=0, **SIZES[size])
    with tempfile.TemporaryDirectory() as tmp:  # save and reload: the path a real checkpoint takes
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        model = transformers.AutoModelForCausalLM.from_pretrained(tmp, dtype=dtype).to(device).eval()
        tokenizer = transformers.AutoTokenizer.from_pretrained(tmp)
    return model, tokenizer


def timed(fn, repeats: int) -> float:
    fn()  # warm-up (kernels, allocator)
    best = float("inf")
    for _ in range(repeats):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=str(ROOT / "data" / "synthetic" / "eval_balanced.jsonl"))
    p.add_argument("--rules", default=str(ROOT / "rules" / "catalog" / "ecommerce.yaml"))
    p.add_argument("--size", choices=sorted(SIZES), default="tiny")
    p.add_argument("--n", type=int, default=64, help="pairs per measurement")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    rules, examples = compile_rules(args.rules), examples_for(args.data, args.n)
    model, tokenizer = model_for(args.size, device, dtype, [e.guide or "" for e in examples])
    prompts = [build_prompt(e, rules) for e in examples]
    cot_tokens = round(sum(len(tokenizer(e.guide or "")["input_ids"]) for e in examples) / len(examples))
    prompt_tokens = round(sum(len(tokenizer(p)["input_ids"]) for p in prompts) / len(prompts))
    scorer = LabelScorer(model, tokenizer, rules, batch_size=args.batch_size)
    gen = Generator(model, tokenizer, batch_size=args.batch_size, max_new_tokens=cot_tokens)
    model.generation_config.min_new_tokens = cot_tokens  # the full CoT length, even if EOS comes early
    prefill_s = timed(lambda: scorer.score(prompts), args.repeats)
    generate_s = timed(lambda: gen.generate(prompts), max(1, args.repeats - 2))
    name = torch.cuda.get_device_name() if device == "cuda" else platform.processor() or platform.machine()
    params = sum(x.numel() for x in model.parameters()) / 1e6
    print(f"# device {name}, torch {torch.__version__}, transformers {transformers.__version__}, {dtype}")
    print(f"# model {args.size} ({params:.1f}M params), {args.n} pairs, batch {args.batch_size}, "
          f"prompt ~{prompt_tokens} tokens, CoT {cot_tokens} tokens generated per pair")
    print(f"{'method':28} {'seconds':>10} {'pairs/s':>10}")
    rates = {"prefill": args.n / prefill_s, "generate": args.n / generate_s}
    for method, seconds in (("prefill label scoring", prefill_s), ("generate full CoT", generate_s)):
        print(f"{method:28} {seconds:10.3f} {args.n / seconds:10.1f}")
    ratio = rates["prefill"] / rates["generate"]
    print(f"# target: prefill >= 10x generation: {'met' if ratio >= 10 else 'MISSED'} ({ratio:.1f}x)")
    print(f"device={device} size={args.size} pairs={args.n} batch={args.batch_size} cot_tokens={cot_tokens} "
          f"prefill_pairs_per_s={rates['prefill']:.1f} generate_pairs_per_s={rates['generate']:.2f} "
          f"speedup={ratio:.1f}")


if __name__ == "__main__":
    main()
