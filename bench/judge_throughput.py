"""Steps judged per second through an OpenAI-compatible server, at concurrency 1 and 8 in the same run.

    pip install "transformers[serving]"
    python bench/judge_throughput.py                                   # starts `transformers serve` on a tiny model
    python bench/judge_throughput.py --model models/judge              # a model folder of yours
    python bench/judge_throughput.py --url http://127.0.0.1:8000/v1 --served-model Qwen/Qwen3-8B   # a running server
    python bench/judge_throughput.py --serve-args=--continuous-batching

Each completion is a gold CoT from data/synthetic/eval_balanced.jsonl (7 steps); every prompt is distinct and no
cache is used, so every completion is one request. The clock covers `StepJudge.score_batch` (prompt building,
HTTP, answer parsing), after two warm-up requests. A random tiny model never follows the answer format and never
stops early, so each answer is `--max-tokens` long (96, about what 7 judged steps take) and every step comes
back None "unparseable": the numbers measure the request path, not judging quality. Last line: key=value.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import tempfile
import time
from pathlib import Path

from verifiers.judge import OpenAIBackend, StepJudge
from verifiers.judge.server import ServeProcess

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "synthetic" / "eval_balanced.jsonl"
RULES = ROOT / "rules" / "catalog" / "ecommerce.yaml"


def rows(n: int) -> list[dict]:
    with open(DATA, encoding="utf-8") as f:
        out = [json.loads(line) for _, line in zip(range(n), f)]
    if len(out) < n:
        raise SystemExit(f"{DATA} has only {len(out)} rows; ask for --completions {len(out)} or fewer")
    return out


def measure(url: str, model: str, data: list[dict], concurrency: int, max_tokens: int) -> dict[str, float]:
    backend = OpenAIBackend(url, model=model, concurrency=concurrency, max_tokens=max_tokens, timeout=120.0)
    judge = StepJudge(RULES, backend, log_every=0)
    judge.score_batch(["warm up"] * 2, [data[0]["product"]] * 2, [data[0]["guide"], data[1]["guide"]])
    start = time.perf_counter()
    results = judge.score_batch([r["query"] for r in data], [r["product"] for r in data], [r["guide"] for r in data])
    seconds = time.perf_counter() - start
    steps = sum(len(r) for r in results)
    stats = judge.stats()
    failed = stats["failures"]
    if failed:
        logging.warning("concurrency %d: %d requests failed; the numbers are not comparable", concurrency, failed)
    return {"steps": steps, "seconds": seconds, "steps_per_s": steps / seconds,
            "requests_per_s": len(data) / seconds, "failures": failed}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server's base URL (…/v1); default: start transformers serve")
    parser.add_argument("--served-model", help="the model name the running server expects (with --url)")
    parser.add_argument("--model", help="model folder for transformers serve (default: a tiny random Llama)")
    parser.add_argument("--serve-args", default="", help="extra transformers serve flags, space-separated")
    parser.add_argument("--completions", type=int, default=48)
    parser.add_argument("--max-tokens", type=int, default=96)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("verifiers.judge.http").setLevel(logging.ERROR)  # "no logprobs" is expected here
    data = rows(args.completions)
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        if args.url:
            url, model = args.url, args.served_model or args.model or "default"
        else:
            model = args.model or _tiny(Path(tmp) / "tiny")
            server = ServeProcess(model, extra_args=tuple(args.serve_args.split())).start()
            url = server.base_url
        try:
            results = {c: measure(url, model, data, c, args.max_tokens) for c in (1, 8)}
        finally:
            if server is not None:
                server.stop()
    where = "transformers serve (started here)" if server else url
    print(f"server: {where}; model: {model}; {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}")
    for c, r in results.items():
        print(f"concurrency {c}: {r['steps']} steps in {r['seconds']:.2f} s = {r['steps_per_s']:.1f} steps/s, "
              f"{r['requests_per_s']:.2f} requests/s, {r['failures']} failed")
    one, eight = results[1]["steps_per_s"], results[8]["steps_per_s"]
    print(f"steps_per_s_c1={one:.1f} steps_per_s_c8={eight:.1f} speedup_c8={eight / one:.2f} "
          f"completions={args.completions} max_tokens={args.max_tokens}")


def _tiny(folder: Path) -> str:
    from trainers.common.tiny_model import build_tiny_lm

    model, tokenizer = build_tiny_lm(seed=0)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


if __name__ == "__main__":
    main()
