"""Every GPU code path on one GPU in a few minutes, on a model built locally (no hub): the GPU smoke run.

    python bench/gpu_smoke.py                      # GPU: ~0.17B-parameter Llama, bf16 autocast, activation checkpointing
    python bench/gpu_smoke.py --device cpu         # CPU: tiny sizes, fp32 (what tests/test_gpu_smoke.py runs)
    python bench/gpu_smoke.py --paths sft grpo     # a subset

Paths: SFT, DPO (pass@N sampling then DPO), GRPO (with evaluation during training), AGRL and SRPO a few steps each
through the same Python entry points as `python -m trainers.<name>` (the CPU recipes with the GPU's precision
flags: `bf16`, `activation_checkpointing`, transformers generation, no vLLM); the evaluator (decoded CoTs and
CumPT); prefill label scoring; the generative judge's local backend. The model is a from-scratch Llama with the
project's tokenizer and a head size of 64 (32 on CPU), so vLLM's FlashAttention could load it too. Each path runs
on its own (a failure is reported and the next path runs), with the GPU's peak memory reset before it. Output: one
table (path, ok/failed, step time: the median of TRL's `step_time` for the trainers, one call for the
evaluator, prefill scoring and the judge; peak GPU memory), then one line of `key=value` figures; exit 1 if a path
failed.

The GPU machine has torch and transformers but not trl, datasets or vLLM, and no network: carry the wheels of
`trl==1.16.0`, `datasets` and their small pure-Python dependencies that the machine lacks (typically `dill`,
`multiprocess`, `xxhash`, `pyarrow`, `fsspec`, `pydantic`, `jsonschema`, `accelerate`, `tensorboard` when absent)
and install them with `pip install --no-index --no-deps --target DIR wheels/*.whl`, then `PYTHONPATH=DIR`. A
missing one stops the script at once with one line naming it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing (the GPU machine has no pip installs)

NEEDED = ["torch", "transformers", "tokenizers", "trl", "datasets", "accelerate", "pydantic", "yaml", "jsonschema",
          "numpy", "tqdm"]
PATHS = ["sft", "dpo", "grpo", "agrl", "srpo", "evaluate", "prefill", "judge"]
# GPU: 16 x 1024 (head size 64), ~0.17B parameters (by arithmetic) with the 1K-token vocabulary; CPU: 2 x 64 (head size 32).
SIZES = {"cuda": dict(hidden=1024, layers=16, head_dim=64), "cpu": dict(hidden=64, layers=2, head_dim=32)}
# per device: RL rollout / eval / judge token budgets, training steps, RL batch (prompts x rollouts)
BUDGET = {"cuda": dict(tokens=256, steps=3, batch=16, generations=4, rows=32),
          "cpu": dict(tokens=16, steps=2, batch=4, generations=2, rows=4)}


def missing_packages() -> list[str]:
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


class Smoke:
    def __init__(self, device: str, out: Path):
        import torch

        self.device, self.out, self.cuda = device, out, device == "cuda"
        self.budget = BUDGET[device]
        self.torch = torch

    def precision(self) -> list[str]:
        if self.cuda:
            return ["--use_cpu", "false", "--bf16", "true", "--activation_checkpointing", "true"]
        return ["--use_cpu", "true", "--bf16", "false", "--activation_checkpointing", "false"]

    def flags(self, name: str, steps: bool = True) -> list[str]:
        b = self.budget
        out = ["--model_name_or_path", str(self.model), "--output_dir", str(self.out / name), "--report_to", "none",
               "--save_strategy", "no", "--seed", "0", "--eval_data", "", "--max_train_samples", str(b["rows"] * 2)]
        return out + (["--max_steps", str(b["steps"]), "--logging_steps", "1"] if steps else []) + self.precision()

    def build_model(self) -> Path:
        from trainers.common.tiny_model import build_tiny_lm

        data = (ROOT / "data" / "synthetic" / "train.jsonl").read_text(encoding="utf-8")
        model, tokenizer = build_tiny_lm([data], seed=0, **SIZES[self.device])
        self.model = self.out / "model"
        model.save_pretrained(self.model)
        tokenizer.save_pretrained(self.model)
        self.params = sum(p.numel() for p in model.parameters())
        return self.model

    # ------------------------------------------------------------------ paths (each returns seconds per step)

    def sft(self) -> float:
        from trainers.common.arguments import ShelfArguments
        from trainers.common.recipe import parse_recipe
        from trainers.sft import RelevanceSFTConfig, run_sft

        trainer, _ = run_sft(*parse_recipe([ShelfArguments, RelevanceSFTConfig], [
            "--config", str(ROOT / "trainers/recipes/sft_cpu.yaml"), *self.flags("sft"),
            "--per_device_train_batch_size", str(self.budget["batch"])]))
        return step_seconds(trainer)

    def dpo(self) -> float:
        from trainers.common.arguments import ShelfArguments
        from trainers.common.recipe import parse_recipe
        from trainers.dpo import RelevanceDPOConfig, run_dpo
        from trainers.dpo.sample import SamplingArguments, run_sampling

        samples = self.out / "dpo_samples"
        run_sampling(*parse_recipe([ShelfArguments, SamplingArguments], [
            "--config", str(ROOT / "trainers/recipes/dpo_sample_cpu.yaml"), "--model_name_or_path", str(self.model),
            "--output_dir", str(samples), "--max_train_samples", str(self.budget["rows"]), "--n", "2",
            "--max_new_tokens", str(self.budget["tokens"])]))
        done = run_dpo(*parse_recipe([ShelfArguments, RelevanceDPOConfig], [
            "--config", str(ROOT / "trainers/recipes/dpo_cpu.yaml"), *self.flags("dpo"),
            "--pairs", str(samples / "pairs.jsonl"), "--per_device_train_batch_size", str(self.budget["batch"])]))
        return step_seconds(done.trainer)

    def rl(self, name: str, extra: list[str] = ()) -> float:
        import importlib

        from trainers.grpo.cli import parse_method, run_method

        method = importlib.import_module(f"trainers.{name}").METHOD
        b = self.budget
        argv = ["--config", str(ROOT / f"trainers/recipes/{name}_cpu.yaml"), *self.flags(name),
                "--per_device_train_batch_size", str(b["batch"]), "--num_generations", str(b["generations"]),
                "--max_completion_length", str(b["tokens"]), "--allow_truncation", "true", *extra]
        trainer, _ = run_method(method, *parse_method(method, argv))
        return step_seconds(trainer)

    def grpo(self) -> float:  # evaluation during training too (every rank decodes inside TRL's unwrap)
        rows = self.budget["rows"]
        return self.rl("grpo", ["--eval_data", "data/synthetic/eval_balanced.jsonl", "--eval_limit", str(rows),
                                "--eval_every", "2", "--eval_max_new_tokens", str(self.budget["tokens"])])

    def agrl(self) -> float:
        return self.rl("agrl")

    def srpo(self) -> float:
        return self.rl("srpo")

    def evaluate(self) -> float:
        from trainers.evaluation.cli import main

        started = time.perf_counter()
        code = main(["--model", str(self.model), "--data", str(ROOT / "data/synthetic/eval_balanced.jsonl"),
                     "--limit", str(self.budget["rows"]), "--max-new-tokens", str(self.budget["tokens"]),
                     "--out", str(self.out / "evaluate"), "--no-progress"])
        if code not in (0, None):
            raise RuntimeError(f"the evaluator exited with {code}")
        report = json.loads((self.out / "evaluate" / "report.json").read_text(encoding="utf-8"))
        if "cumpt" not in json.dumps(report):
            raise RuntimeError("report.json has no CumPT metrics")
        return time.perf_counter() - started

    def prefill(self) -> float:
        import numpy as np

        from rules import compile_rules
        from rules.data import load_examples
        from trainers.common.data import prompts_of
        from trainers.evaluation.label_scoring import LabelScorer
        from trainers.evaluation.lm import load_model

        rules = compile_rules(str(ROOT / "rules/catalog/ecommerce.yaml"))
        examples = load_examples(str(ROOT / "data/synthetic/eval_balanced.jsonl")).examples[:self.budget["rows"] * 4]
        model, tokenizer = load_model(str(self.model), self.device)
        scorer = LabelScorer(model, tokenizer, rules, batch_size=self.budget["rows"])
        prompts = prompts_of(examples, rules, False)
        scorer.score(prompts)  # warm-up
        started = time.perf_counter()
        probs, mass = scorer.score(prompts)
        if not np.isfinite(probs).all() or not np.allclose(probs.sum(-1), 1.0, atol=1e-3):
            raise RuntimeError("label probabilities are not finite distributions")
        return time.perf_counter() - started

    def judge(self) -> float:
        from verifiers.judge.local import LocalBackend

        backend = LocalBackend(str(self.model), device=self.device, max_new_tokens=self.budget["tokens"],
                               batch_size=self.budget["rows"])
        messages = [[{"role": "user", "content": f"Is step {i} correct? Answer: correct or wrong."}]
                    for i in range(self.budget["rows"])]
        started = time.perf_counter()
        results = backend.complete_batch(messages)
        failed = [r for r in results if not hasattr(r, "text")]
        if failed:
            raise RuntimeError(f"{len(failed)} judge calls failed: {failed[0]}")
        return time.perf_counter() - started

    # ------------------------------------------------------------------ running

    def run(self, name: str) -> dict:
        torch = self.torch
        if self.cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        try:
            step = getattr(self, name)()
            status, error = "ok", ""
        except BaseException as err:  # noqa: BLE001  (one path's failure must not stop the others)
            if isinstance(err, KeyboardInterrupt):
                raise
            step, status = None, "failed"
            error = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"[:200]
            traceback.print_exc()
        peak = torch.cuda.max_memory_allocated() / 2**30 if self.cuda else None
        return {"path": name, "status": status, "step_s": step, "peak_gib": peak,
                "wall_s": time.perf_counter() - started, "error": error}


def step_seconds(trainer) -> float:
    """Median `step_time` TRL logged (RL trainers), else the training runtime per step."""
    history = trainer.state.log_history
    steps = [float(h["step_time"]) for h in history if h.get("step_time") is not None]
    if steps:
        return statistics.median(steps[1:] or steps)  # the first step pays warm-up
    runtime = next((h["train_runtime"] for h in reversed(history) if "train_runtime" in h), None)
    return runtime / max(trainer.state.global_step, 1) if runtime is not None else float("nan")


def table(rows: list[dict]) -> str:
    lines = ["| path | result | step time (s) | peak GPU memory (GiB) | wall (s) |", "| --- | --- | --- | --- | --- |"]
    for r in rows:
        step = f"{r['step_s']:.3f}" if r["step_s"] is not None else "-"
        peak = f"{r['peak_gib']:.2f}" if r["peak_gib"] is not None else "n/a (cpu)"
        result = r["status"] + (f": {r['error']}" if r["error"] else "")
        lines.append(f"| {r['path']} | {result} | {step} | {peak} | {r['wall_s']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto")
    p.add_argument("--paths", nargs="*", choices=PATHS, default=PATHS)
    p.add_argument("--out", default=None, help="working folder (default: a temporary one)")
    args = p.parse_args(argv)
    missing = missing_packages()
    if missing:
        print(f"gpu_smoke: missing Python packages: {', '.join(missing)}; carry their wheels (see this script's "
              "docstring) and put them on PYTHONPATH", file=sys.stderr)
        return 2
    import torch

    device = args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        print("gpu_smoke: --device cuda but torch sees no GPU; use --device cpu", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="gpu_smoke_") as tmp:
        out = Path(args.out or tmp)
        out.mkdir(parents=True, exist_ok=True)
        smoke = Smoke(device, out)
        began = time.perf_counter()
        smoke.build_model()
        rows = [smoke.run(name) for name in args.paths]
        total = time.perf_counter() - began
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    print(f"\nGPU smoke on {name}: {smoke.params / 1e6:.1f}M-parameter Llama "
          f"({SIZES[device]['layers']} x {SIZES[device]['hidden']}, head size {SIZES[device]['head_dim']}), "
          f"{'bf16 autocast + activation checkpointing' if device == 'cuda' else 'fp32'}\n")
    print(table(rows))
    figures = {"device": device, "params_m": round(smoke.params / 1e6, 1), "total_s": round(total, 1),
               "ok": sum(r["status"] == "ok" for r in rows), "failed": sum(r["status"] != "ok" for r in rows)}
    for r in rows:
        figures[f"{r['path']}_step_s"] = round(r["step_s"], 4) if r["step_s"] is not None else "nan"
        if r["peak_gib"] is not None:
            figures[f"{r['path']}_peak_gib"] = round(r["peak_gib"], 2)
    print("\n" + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 1 if figures["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
