"""SRPO's character -> token alignment (trainers/srpo/step_tokens.py): the linear stream against the prefix reference.

    python bench/step_alignment.py            # about a minute on 2 CPU cores (the reference is quadratic)

Completions of 128 / 512 / 1,024 / 2,048 tokens: gold CoTs of data/synthetic/train.jsonl joined until long
enough, tokenized by the tiny model's tokenizer (`trainers.common.tiny_model.build_tokenizer`, trained here). Per
length: ms per completion of `prefix_starts` (the reference: decode every prefix) and of `decode_with_starts` (the
linear path), the best of several repeats, measured in the same run, with their ratio; both must give the same
starts. Target: < 1 ms per 1,024-token completion.
"""

import json
import platform
import time
from pathlib import Path

from trainers.common.tiny_model import build_tokenizer
from trainers.srpo.step_tokens import decode_with_starts, prefix_starts, stream_starts

ROOT = Path(__file__).resolve().parent.parent
LENGTHS, TARGET_MS = (128, 512, 1024, 2048), 1.0


def best_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1e3 * min(times)


def main() -> None:
    guides = [json.loads(line)["guide"] for line in (ROOT / "data/synthetic/train.jsonl").read_text().splitlines()]
    tokenizer = build_tokenizer([p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules/catalog").glob("*.yaml"))]
                                + guides[:100])
    ids = tokenizer.encode("\n".join(guides[100:140]), add_special_tokens=False)
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}; tiny tokenizer "
          f"(byte-level BPE, vocabulary {len(tokenizer)})")
    print("| tokens | reference (prefix decode) ms | linear (decode stream) ms | speed-up | same starts | linear path |")
    print("| --- | --- | --- | --- | --- | --- |")
    figures = {}
    for n in LENGTHS:
        row = ids[:n]
        reference = prefix_starts(tokenizer, row)
        same = decode_with_starts(tokenizer, row) == reference
        linear = stream_starts(tokenizer, row, reference[0]) is not None
        old = best_ms(lambda: prefix_starts(tokenizer, row), 3 if n >= 1024 else 10)
        new = best_ms(lambda: decode_with_starts(tokenizer, row), 50)
        figures[n] = new
        print(f"| {n} | {old:.2f} | {new:.3f} | {old / new:.0f}x | {same} | {linear} |")
    verdict = "met" if figures[1024] < TARGET_MS else "MISSED"
    print(f"\nlinear_ms_1024={figures[1024]:.3f} target_ms={TARGET_MS} ({verdict})")


if __name__ == "__main__":
    main()
