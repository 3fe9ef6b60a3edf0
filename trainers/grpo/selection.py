"""Which training prompts an RL run uses: offline pass@N sampling and the filters built on it (TaoSR1, TaoSR-SHE).

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --pass_rate_samples 8               # gamma = N
    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --pass_rate_samples 8 --max_correct 6
    python -m trainers.grpo --config recipe.yaml --pass_rate_file runs/grpo/pass_rates.jsonl --diverse_only true

Nothing is filtered unless the recipe asks (all fields below default to off). With `pass_rate_samples` N, the
policy samples N CoTs per distinct training prompt before training (`trainers.common.sampling.sample_pass_at_n`, sharded
over the processes and gathered; the RL command line runs it after the trainer is built, through the trainer's model
inside TRL's `unwrap_model_for_generation`, so it works under DeepSpeed ZeRO-3 / FSDP; with `use_vllm` in colocate
mode through TRL's vLLM engine instead, every prompt of a process in one batched call), the records are written to `output_dir/pass_rates.jsonl` (reused when the run
resumes, or from `pass_rate_file`), and a prompt is kept when 0 < #correct < max_correct (`trainers.grpo.difficulty`)
and, with `diverse_only`, when its rollouts disagree on a label or a verdict (`trainers.grpo.diversity`). With
`balance: class` the kept prompts are balanced again, since the filter changes the label mix. The records go
back to the caller for pass-rate curricula.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules import CompiledRuleSet
from rules.data import Example
from trainers.common.arguments import ShelfArguments
from trainers.common.data import class_balanced, label_mix_cv
from trainers.common.recipe import RecipeError
from trainers.common.sampling import SampleRecord, load_records, sample_pass_at_n, save_records
from trainers.grpo.difficulty import DROP_REASONS, select_by_difficulty
from trainers.grpo.diversity import select_diverse

logger = logging.getLogger(__name__)
RECORDS_NAME = "pass_rates.jsonl"
# What to change when a drop reason empties the training set (keys of trainers.grpo.difficulty.DROP_REASONS).
FIXES = {
    "all_wrong": "the policy solves none of these prompts: start from an SFT checkpoint of your CoT data, or raise "
                 "pass_rate_samples",
    "too_easy": "the policy solves them all: raise max_correct, or train on harder data",
    "not_diverse": "the rollouts all agree: raise pass_rate_temperature or drop diverse_only",
}


class SelectionError(RecipeError):
    """The offline selection cannot give a usable training set (a user error: one line, exit 2)."""


@dataclass
class SelectionArguments:
    """Offline selection of training prompts (difficulty, diversity)."""

    pass_rate_samples: int = field(default=0, metadata={
        "help": "N pass@N samples per training prompt before training, for the difficulty filter (0 = off)"})
    pass_rate_file: str | None = field(default=None, metadata={
        "help": "pass@N records (JSONL of trainers.common.sampling.SampleRecord) to reuse instead of sampling; when "
                f"missing and pass_rate_samples > 0, sampled and written there (default: output_dir/{RECORDS_NAME})"})
    max_correct: int | None = field(default=None, metadata={
        "help": "gamma: keep prompts with 0 < #correct < gamma (default: N, i.e. drop all-correct and all-wrong)"})
    pass_rate_temperature: float = field(default=1.0, metadata={"help": "sampling temperature of the pass"})
    pass_rate_max_new_tokens: int = field(default=320, metadata={"help": "token budget of a sampled CoT"})
    pass_rate_batch_size: int = field(default=16, metadata={"help": "prompts per generate call in the pass"})
    diverse_only: bool = field(default=False, metadata={
        "help": "keep only prompts whose N rollouts show >= 2 distinct labels or verdict patterns (TaoSR-SHE)"})

    def __post_init__(self):
        for name in ("pass_rate_samples", "pass_rate_batch_size", "pass_rate_max_new_tokens"):
            if getattr(self, name) < (0 if name == "pass_rate_samples" else 1):
                raise SelectionError(f"{name}: must be a positive number (got {getattr(self, name)})")
        if self.max_correct is not None and self.max_correct < 2:
            raise SelectionError(f"max_correct: gamma must be >= 2, since a prompt is kept when 0 < #correct < gamma "
                                 f"(got {self.max_correct})")
        if not self.active and (self.max_correct is not None or self.diverse_only):
            raise SelectionError("max_correct / diverse_only need pass@N records: set pass_rate_samples (e.g. 8) "
                                 "or pass_rate_file")

    @property
    def active(self) -> bool:
        return self.pass_rate_samples > 0 or bool(self.pass_rate_file)


def records_path(selection: SelectionArguments, config: Any) -> Path:
    return Path(selection.pass_rate_file) if selection.pass_rate_file else Path(config.output_dir) / RECORDS_NAME


def make_generator(model: Any, tokenizer: Any, selection: SelectionArguments, config: Any) -> Any:
    """The policy's generator for the pass (a seam for tests)."""
    from trainers.evaluation.generation import Generator

    return Generator(model, tokenizer, batch_size=selection.pass_rate_batch_size,
                     max_new_tokens=selection.pass_rate_max_new_tokens, seed=config.seed)


def vllm_engine(trainer: Any, config: Any) -> Any:
    """TRL's colocated vLLM engine when the run uses one and the pass can share it, else None (with the reason).

    The engine holds the policy's starting weights (TRL loads it from the same folder and syncs before the first
    rollout). Server mode (the engine is another process, reached through TRL's client), tensor parallelism
    (ranks share an engine) and sleep mode (weights dropped between rollouts) keep the transformers pass.
    """
    if not getattr(config, "use_vllm", False) or not getattr(trainer, "use_vllm", False):
        return None
    why = ("vllm_mode is server" if getattr(config, "vllm_mode", "colocate") != "colocate" else
           "vllm_tensor_parallel_size > 1" if getattr(config, "vllm_tensor_parallel_size", 1) > 1 else
           "vllm_enable_sleep_mode is on" if getattr(config, "vllm_enable_sleep_mode", False) else None)
    llm = getattr(getattr(trainer, "vllm_generation", None), "llm", None)
    if why or llm is None:
        logger.info("pass@N through transformers generation, not vLLM (%s)", why or "no colocated engine")
        return None
    return llm


def sample_records(selection: SelectionArguments, config: Any, rules: CompiledRuleSet, examples: list[Example],
                   model: Any, tokenizer: Any, chat: bool, trainer: Any = None) -> list[SampleRecord]:
    """Each process samples its share of the prompts on its device; every process gets all records, in order.

    With the `trainer` (the RL command line): through TRL's colocated vLLM engine when `use_vllm` is set (all of
    the process's prompts in one batched call, n samples each), else through its model inside TRL's
    `unwrap_model_for_generation` on every rank (`trainers.common.distributed_generation`): under ZeRO-3 the plain
    model's parameters are empty partitions. Without it, the plain `model` (tests, tools).
    """
    from accelerate.utils import gather_object

    if trainer is not None:
        from trainers.common.distributed_generation import ShardedGenerator, generation_model

        llm = vllm_engine(trainer, config)
        if llm is not None:
            from trainers.evaluation.generation import VLLMGenerator

            inner = VLLMGenerator(llm=llm, tokenizer=tokenizer, max_new_tokens=selection.pass_rate_max_new_tokens,
                                  seed=config.seed, generation_config=getattr(model, "generation_config", None))
            generator = ShardedGenerator(inner, trainer.accelerator)
            logger.info("pass@N through the colocated vLLM engine")
            return sample_pass_at_n(generator, examples, rules, selection.pass_rate_samples,
                                    selection.pass_rate_temperature, chat,
                                    progress=trainer.accelerator.process_index == 0)
        with generation_model(trainer) as unwrapped:
            was_training = unwrapped.training
            unwrapped.eval()
            try:
                generator = ShardedGenerator(make_generator(unwrapped, tokenizer, selection, config),
                                             trainer.accelerator)
                return sample_pass_at_n(generator, examples, rules, selection.pass_rate_samples,
                                        selection.pass_rate_temperature, chat,
                                        progress=trainer.accelerator.process_index == 0)
            finally:
                unwrapped.train(was_training)
    rank, world = getattr(config, "process_index", 0), max(getattr(config, "world_size", 1), 1)
    was_training = model.training
    model.to(config.device).eval()
    try:
        generator = make_generator(model, tokenizer, selection, config)
        local = sample_pass_at_n(generator, examples[rank::world], rules, selection.pass_rate_samples,
                                 selection.pass_rate_temperature, chat, progress=rank == 0)
    finally:
        model.train(was_training)
    by_id = {r.id: r for r in (gather_object(local) if world > 1 else local)}
    return [by_id[e.id] for e in examples]


def obtain_records(selection: SelectionArguments, config: Any, rules: CompiledRuleSet, examples: list[Example],
                   model: Any, tokenizer: Any, chat: bool, trainer: Any = None) -> list[SampleRecord]:
    """Records of `examples` (distinct ids): loaded when a file is given or the run resumes, else sampled."""
    path = records_path(selection, config)
    resuming = getattr(config, "resume_from_checkpoint", None) not in (None, False, "", "false", "no")
    if path.is_file() and (selection.pass_rate_file or resuming):
        records = load_records(path)
        logger.info("pass@N records: loaded %d from %s", len(records), path)
    elif selection.pass_rate_samples > 0:
        logger.info("pass@N: sampling %d CoTs for each of %d prompts", selection.pass_rate_samples, len(examples))
        records = sample_records(selection, config, rules, examples, model, tokenizer, chat, trainer)
        if getattr(config, "process_index", 0) == 0:
            save_records(records, path)
            logger.info("pass@N records written to %s (reuse them with --pass_rate_file %s)", path, path)
    else:
        raise SelectionError(f"pass_rate_file: no such file {path}; give a file written by an earlier run, or set "
                             "pass_rate_samples to sample one")
    have = {r.id for r in records}
    missing = [e.id for e in examples if e.id not in have]
    if missing:
        raise SelectionError(f"{path}: no pass@N record for {len(missing)} of {len(examples)} training prompts (e.g. "
                             f"{missing[0]!r}); it was written for other data: remove it or set pass_rate_samples "
                             "to sample again")
    wanted = {e.id for e in examples}
    return [r for r in records if r.id in wanted]


def filter_records(selection: SelectionArguments, records: list[SampleRecord]) -> tuple[set[str], Counter]:
    """Ids kept by the difficulty rule (and the diversity rule when asked), with drop counts by first reason."""
    kept, dropped = select_by_difficulty(records, selection.max_correct)
    if selection.diverse_only:
        diverse, not_diverse = select_diverse(r for r in records if r.id in kept)
        kept, dropped = diverse, dropped + not_diverse
    return kept, dropped


def prepare_examples(shelf: ShelfArguments, config: Any, selection: SelectionArguments, rules: CompiledRuleSet,
                     examples: list[Example], model: Any, tokenizer: Any,
                     trainer: Any = None) -> tuple[list[Example], list | None]:
    """The examples to train on, and the pass@N records when a pass was run or loaded (for curricula), else None.

    Give the built `trainer` to sample through its (possibly sharded) model; `model` is then unused.
    """
    if not selection.active:
        return examples, None
    distinct = list({e.id: e for e in examples}.values())  # class balancing repeats examples: sample each once
    records = obtain_records(selection, config, rules, distinct, model, tokenizer, shelf.chat, trainer)
    kept, dropped = filter_records(selection, records)
    reasons = ", ".join(f"{k} {dropped[k]}" for k in DROP_REASONS if dropped[k]) or "none"
    logger.info("offline selection: kept %d of %d prompts (dropped: %s); mean pass rate %.3f", len(kept),
                len(records), reasons, sum(r.pass_rate for r in records) / max(len(records), 1))
    if not kept:
        fixes = "; ".join(FIXES[k] for k in DROP_REASONS if dropped[k])
        raise SelectionError(f"offline selection kept none of {len(records)} training prompts (dropped: {reasons}; "
                             f"gamma={selection.max_correct or 'N'}, diverse_only={selection.diverse_only}): {fixes}")
    out = [e for e in distinct if e.id in kept]
    if shelf.balance == "class":
        out = class_balanced(out, config.seed)
    logger.info("training set after selection: %d rows, label mix %s, coefficient of variation %.3f", len(out),
                dict(sorted(Counter(e.label for e in out).items())), label_mix_cv([e.label for e in out],
                                                                                  rules.label_ids))
    return out, records
