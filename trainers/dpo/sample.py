"""Pass@N sampling for DPO (TaoSR1 stage 2): N CoTs per training prompt, graded, paired, with the pass@k curve.

    python -m trainers.dpo_sample --config trainers/recipes/dpo_sample_cpu.yaml
    python -m trainers.dpo_sample --config trainers/recipes/dpo_sample_cpu.yaml --model_name_or_path runs/sft_cpu
    python -m trainers.dpo_sample --config trainers/recipes/dpo_sample_gpu.yaml         # vLLM on a GPU
    python -m trainers.dpo --config trainers/recipes/dpo_cpu.yaml                       # then train on the pairs

The policy is a model folder, typically the SFT output (stage 1); the CPU recipe uses the tiny local model so it
runs anywhere (an untrained model writes no valid CoT, so every pair then has the gold CoT as chosen); pass
`--model_name_or_path runs/sft_cpu` after the SFT demo for sample-vs-sample pairs. Writes to `output_dir`:
- `samples.jsonl`: one `trainers.common.sampling.SampleRecord` per prompt (texts, written labels, rewards, correctness);
- `pairs.jsonl`: TRL DPO rows (`prompt`, `chosen`, `rejected`; message lists with `--chat`) plus `id`, `case`,
  `chosen_source`, sample indices, rewards and the rejected sample's label (null: unparsable);
- `pass_at_n.json`: the pass@1..N curve (unbiased estimator), parse and truncation rates, pair statistics.
`--samples_from PATH/samples.jsonl` re-pairs saved samples (e.g. with another `max_pairs_per_prompt`) without
sampling again.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules import CompiledRuleSet
from rules.data import Example
from trainers.common.arguments import ShelfArguments
from trainers.common.data import load_rule_set, prompts_of, training_examples
from trainers.common.recipe import RecipeError, parse_recipe
from trainers.common.sampling import SampleRecord, load_records, sample_pass_at_n, save_records
from trainers.dpo.pairs import CASES, pair_records, pass_at_n_curve

logger = logging.getLogger(__name__)

BACKENDS = {
    "transformers": "batched `generate` on this machine's device (CPU or GPU)",
    "vllm": "vLLM offline engine (GPU only; install vLLM with TRL's `vllm` extra on a CUDA machine)",
}


@dataclass
class SamplingArguments:
    """The pass@N sampling pass and the pairing."""

    n: int = field(default=8, metadata={"help": "samples per training prompt (TaoSR1 reports pass@1..5)"})
    temperature: float = field(default=1.0, metadata={"help": "sampling temperature (> 0)"})
    max_new_tokens: int = field(default=320, metadata={"help": "token budget of one sampled CoT"})
    batch_size: int = field(default=16, metadata={"help": "prompts per generate call (transformers backend)"})
    backend: str = field(default="transformers", metadata={
        "help": "generation backend: " + "; ".join(f"{k}: {v}" for k, v in BACKENDS.items())})
    vllm_gpu_memory_utilization: float = field(default=0.85, metadata={
        "help": "share of GPU memory vLLM may take (backend vllm)"})
    max_pairs_per_prompt: int = field(default=2, metadata={
        "help": "most preference pairs per prompt (each wrong sample is used once before any is reused)"})
    seed: int = field(default=0, metadata={"help": "sampling seed: the same seed repeats the run on one machine"})
    output_dir: str = field(default="runs/dpo_samples", metadata={
        "help": "folder for samples.jsonl, pairs.jsonl and pass_at_n.json"})
    samples_from: str | None = field(default=None, metadata={
        "help": "pair the records of this samples.jsonl instead of sampling (same training data and rules)"})

    def __post_init__(self):  # RecipeError: the command shows it as one line
        if self.n < 1:
            raise RecipeError(f"n: give at least 1 sample per prompt (got {self.n})")
        if self.temperature <= 0:
            raise RecipeError(f"temperature: sampling needs a temperature above 0 (got {self.temperature})")
        if self.backend not in BACKENDS:
            raise RecipeError(f"backend: unknown value {self.backend!r}; use one of {sorted(BACKENDS)}")
        if self.max_pairs_per_prompt < 1:
            raise RecipeError(f"max_pairs_per_prompt: give at least 1 (got {self.max_pairs_per_prompt})")
        for name in ("max_new_tokens", "batch_size"):
            if getattr(self, name) < 1:
                raise RecipeError(f"{name}: give a positive number (got {getattr(self, name)})")


def make_generator(shelf: ShelfArguments, args: SamplingArguments) -> Any:
    """The generator of the chosen backend for the policy folder."""
    if args.backend == "vllm":
        if importlib.util.find_spec("vllm") is None:
            raise RecipeError("backend: vllm is not installed here; install it on a CUDA machine "
                              "(pip install 'trl[vllm]') or use --backend transformers")
        from trainers.evaluation.generation import VLLMGenerator

        return VLLMGenerator(shelf.model_name_or_path, max_new_tokens=args.max_new_tokens, seed=args.seed,
                             gpu_memory_utilization=args.vllm_gpu_memory_utilization)
    from trainers.common.model_setup import ensure_tiny_model, tiny_sizes
    from trainers.evaluation.generation import Generator
    from trainers.evaluation.lm import load_model

    if tiny_sizes(shelf.model_name_or_path) is not None:
        ensure_tiny_model(shelf.model_name_or_path, shelf.train_data)
    model, tokenizer = load_model(shelf.model_name_or_path)
    return Generator(model, tokenizer, batch_size=args.batch_size, max_new_tokens=args.max_new_tokens, seed=args.seed)


def distinct_examples(examples: list[Example]) -> list[Example]:
    """Each example once: `balance: class` repeats rare labels, and N samples of one prompt already cover it."""
    seen, out = set(), []
    for e in examples:
        if e.id not in seen:
            seen.add(e.id)
            out.append(e)
    if len(out) < len(examples):
        logger.info("sampling %d distinct examples (the balanced set repeats %d)", len(out), len(examples) - len(out))
    return out


def sample_records(shelf: ShelfArguments, args: SamplingArguments, rules: CompiledRuleSet,
                   examples: list[Example]) -> tuple[list[SampleRecord], float]:
    """N graded samples per example, and the share of samples cut at max_new_tokens."""
    generator = make_generator(shelf, args)
    records = sample_pass_at_n(generator, examples, rules, args.n, args.temperature, shelf.chat)
    cut = [c for row in getattr(generator, "last_truncated", []) for c in row]
    return records, (sum(cut) / len(cut) if cut else 0.0)


def saved_records(path: str, examples: list[Example]) -> list[SampleRecord]:
    """Records of an earlier run; each must belong to an example of this run's training data."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"samples_from: no file {path}; run python -m trainers.dpo_sample without "
                                "--samples_from first")
    records = load_records(path)
    known = {e.id for e in examples}
    stray = [r.id for r in records if r.id not in known]
    if stray:
        raise RecipeError(f"samples_from: {path} has {len(stray)} record(s) whose id is not in train_data "
                          f"(first: {stray[0]!r}); use the same train_data as the sampling run")
    return records


def write_outputs(out_dir: Path, records: list[SampleRecord], examples: list[Example], rules: CompiledRuleSet,
                  shelf: ShelfArguments, args: SamplingArguments, truncated: float | None) -> dict:
    """samples.jsonl, pairs.jsonl and pass_at_n.json; returns the report written to the last."""
    out_dir.mkdir(parents=True, exist_ok=True)
    save_records(records, out_dir / "samples.jsonl")
    by_id = {e.id: e for e in examples}
    pairs, stats = pair_records(records, by_id, rules, args.max_pairs_per_prompt)
    prompt_of = dict(zip(by_id, prompts_of(list(by_id.values()), rules, shelf.chat)))
    with (out_dir / "pairs.jsonl").open("w", encoding="utf-8") as f:
        for pair in pairs:
            row = pair.row(prompt_of[pair.id], shelf.chat)
            row["label"] = by_id[pair.id].label
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    samples = [lab for r in records for lab in r.labels]
    report = {
        "model": shelf.model_name_or_path, "train_data": shelf.train_data, "n": args.n,
        "temperature": args.temperature, "max_new_tokens": args.max_new_tokens, "seed": args.seed,
        "prompts": len(records), "samples": len(samples),
        "pass_at_k": {str(k): v for k, v in pass_at_n_curve(records).items()} if records else {},
        "unparsable_rate": sum(lab is None for lab in samples) / len(samples) if samples else 0.0,
        "truncated_rate": truncated,
        "pairing": stats.as_dict(), "cases_help": CASES,
    }
    (out_dir / "pass_at_n.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def table(report: dict) -> str:
    """The short text table the command prints."""
    ks = list(report["pass_at_k"])
    pairing = report["pairing"]
    lines = [f"{report['prompts']} prompts x {report['n']} samples, model {report['model']}",
             "pass@k   " + " ".join(f"{k:>6}" for k in ks),
             "         " + " ".join(f"{report['pass_at_k'][k]:6.3f}" for k in ks),
             "unparsable samples {:.1%}".format(report["unparsable_rate"])
             + ("" if report["truncated_rate"] is None else ", cut at max_new_tokens {:.1%}".format(
                 report["truncated_rate"])),
             "prompts: " + ", ".join(f"{k} {v}" for k, v in pairing["cases"].items()),
             "pairs: {} (chosen: {}), rejected unparsable {:.1%}".format(
                 pairing["pairs"], ", ".join(f"{k} {v}" for k, v in pairing["chosen_source"].items()),
                 pairing["rejected_unparsable_share"])]
    return "\n".join(lines)


def run_sampling(shelf: ShelfArguments, args: SamplingArguments) -> dict:
    """The whole pass (Python API): sample (or load) -> pair -> write; returns the pass_at_n.json report."""
    rules = load_rule_set(shelf)
    examples = distinct_examples(training_examples(shelf, rules, seed=args.seed))
    if not examples:
        raise RecipeError(f"train_data: {shelf.train_data} has no examples to sample")
    if args.samples_from:
        records, truncated = saved_records(args.samples_from, examples), None
    else:
        records, truncated = sample_records(shelf, args, rules, examples)
    report = write_outputs(Path(args.output_dir), records, examples, rules, shelf, args, truncated)
    logger.info("wrote samples.jsonl, pairs.jsonl and pass_at_n.json to %s", args.output_dir)
    return report


def main(argv: list[str] | None = None) -> int:
    shelf, args = parse_recipe([ShelfArguments, SamplingArguments], argv, prog="python -m trainers.dpo_sample",
                               description=__doc__.split("\n\n")[0])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    print(table(run_sampling(shelf, args)))
    return 0
