"""Multi-stage curricula declared in the recipe (TaoSR-SHE's progressive difficulty): stages by pass-rate bucket
or by query type, trained one after the other.

    python -m trainers.srpo --config trainers/recipes/srpo_curriculum_cpu.yaml
    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --max_steps -1 \\
        --curriculum '[{name: plain, query_type: plain, steps: 4}, {name: hard, query_type: [negation, qa], steps: 4}]'

A recipe declares the stages as a list of mappings (a flag passes the same list as a YAML/JSON string, or the path
of a YAML file holding it):

    curriculum:
      - {name: easy, pass_rate: [0.5, 1.0], steps: 20}   # needs the offline pass@N pass: pass_rate_samples > 0
      - {name: hard, pass_rate: [0.0, 0.5], steps: 40}

How it works, and why it resumes mid-stage: the training order is written out in full before training, as the
concatenation of the stages, stage i holding exactly `steps_i x prompts per optimizer step` prompts drawn from its
pool by a seeded shuffle (repeated when the pool is smaller). TRL's sampler then reads the dataset in order
(`shuffle_dataset` is forced off) and `max_steps` is the sum of the stage steps, so optimizer step s always sees
the same prompts, in a fresh run or one resumed from a checkpoint. `CurriculumCallback` logs `curriculum/stage`
(the 0-based stage index) at every logging step and a line at every stage change.
"""

from __future__ import annotations

import bisect
import difflib
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from transformers import TrainerCallback

from rules import CompiledRuleSet
from rules.data import Example
from trainers.common.data import label_mix_cv
from trainers.common.recipe import RecipeError

logger = logging.getLogger(__name__)

# What a stage can select its examples by (a stage with neither takes the whole training set; with both, the
# examples that match both).
SELECTORS = {
    "pass_rate": "[low, high]: examples whose offline pass@N rate r has low <= r < high (high = 1.0 includes 1.0; "
                 "[x, x] means exactly x); needs the pass@N pass (pass_rate_samples > 0)",
    "query_type": "[type, ...]: examples tagged with any of these query types (plain, negation, alternative, qa, "
                  "knowledge, accessory, near_miss in the bundled data)",
}
STAGE_EXAMPLE = "{name: easy, pass_rate: [0.5, 1.0], steps: 20}"
OFF = ("", "none", "null", "off")


class Stage(BaseModel):
    """One curriculum stage: a pool of training examples and the optimizer steps spent on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    steps: int = Field(ge=1, description="optimizer steps of this stage")
    pass_rate: tuple[float, float] | None = Field(default=None, description=SELECTORS["pass_rate"])
    query_type: list[str] | None = Field(default=None, min_length=1, description=SELECTORS["query_type"])

    @field_validator("query_type", mode="before")
    @classmethod
    def _one_type(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value  # `query_type: plain` means [plain]

    @field_validator("pass_rate")
    @classmethod
    def _interval(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not 0.0 <= value[0] <= value[1] <= 1.0:
            raise ValueError(f"give [low, high] with 0 <= low <= high <= 1 (got {list(value)})")
        return value

    def takes_rate(self, rate: float) -> bool:
        low, high = self.pass_rate  # type: ignore[misc]
        if low == high:
            return rate == low
        return low <= rate < high or (high == 1.0 and rate == 1.0)

    def label(self, index: int) -> str:
        return f"curriculum[{index}] ({self.name})"


def _stage_error(index: int, err: ValidationError) -> RecipeError:
    """The first problem of stage `index` as one line: where, what, and the fix."""
    first = err.errors()[0]
    key = str(first["loc"][0]) if first["loc"] else "stage"
    if first["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, list(Stage.model_fields), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return RecipeError(f"curriculum[{index}]: unknown key {key!r}; {hint}a stage has the keys "
                           f"{', '.join(Stage.model_fields)}")
    if first["type"] == "missing" and len(first["loc"]) == 1:
        return RecipeError(f"curriculum[{index}]: {key!r} is missing; a stage looks like {STAGE_EXAMPLE}")
    if first["type"] == "value_error":  # our own validators' messages carry the value and the fix
        return RecipeError(f"curriculum[{index}].{key}: {first['msg'].removeprefix('Value error, ')}")
    if key == "pass_rate":
        return RecipeError(f"curriculum[{index}].pass_rate: give two numbers [low, high] between 0 and 1 (got "
                           f"{first.get('input')!r}); {SELECTORS['pass_rate']}")
    return RecipeError(f"curriculum[{index}].{key}: {first['msg']} (got {first.get('input')!r}); a stage looks "
                       f"like {STAGE_EXAMPLE}")


def _from_text(text: str) -> Any:
    """A flag's value: YAML/JSON text (JSON is YAML), or the path of a YAML/JSON file holding the list."""
    text = text.strip()
    if text.lower() in OFF:
        return None
    if text.endswith((".yaml", ".yml", ".json")) and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RecipeError(f"curriculum: not a YAML/JSON list of stages ({getattr(err, 'problem', None) or err}"
                          f"{where}); write e.g. --curriculum '[{STAGE_EXAMPLE}]'") from None


def parse_stages(value: Any) -> list[Stage]:
    """Stages from a recipe value (a list of mappings) or a flag (a YAML/JSON string, or a YAML file's path)."""
    if isinstance(value, str):
        value = _from_text(value)
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        raise RecipeError(f"curriculum: give a non-empty list of stages, e.g. [{STAGE_EXAMPLE}] (got {value!r}); "
                          "remove the key for no curriculum")
    stages = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not item:
            raise RecipeError(f"curriculum[{index}]: an empty or non-mapping stage ({item!r}); a stage looks like "
                              f"{STAGE_EXAMPLE}")
        try:
            stages.append(Stage.model_validate(item))
        except ValidationError as err:
            raise _stage_error(index, err) from None
    names = [s.name for s in stages]
    for index, name in enumerate(names):
        if names.index(name) != index:
            raise RecipeError(f"curriculum[{index}]: the stage name {name!r} is already used by "
                              f"curriculum[{names.index(name)}]; give every stage its own name")
    return stages


@dataclass
class CurriculumArguments:
    """Stages of a curriculum (none: the whole training set in one stage, in TRL's shuffled order)."""

    # `list[dict] | str`: HfArgumentParser gives the flag type `str` (a YAML/JSON string), while a recipe's list is
    # set as the argparse default and arrives untouched; `__post_init__` accepts both.
    curriculum: list[dict] | str | None = field(default=None, metadata={
        "help": "stages trained in order, each `{name, steps, selector...}`; selectors: "
                + "; ".join(f"{k}: {v}" for k, v in SELECTORS.items())
                + f". In a recipe a YAML list, on the command line a YAML/JSON string, e.g. '[{STAGE_EXAMPLE}]'; "
                  "max_steps becomes the sum of the stage steps"})

    def __post_init__(self):
        self.stages: list[Stage] = parse_stages(self.curriculum) if self.curriculum is not None else []
        if self.stages:  # keep the validated form (a flag's string becomes the list it stands for)
            self.curriculum = [s.model_dump(exclude_none=True) for s in self.stages]


@dataclass
class StagePlan:
    """What one stage got: its pool, its prompts and the optimizer steps (1-based, inclusive) it covers."""

    index: int
    name: str
    pool: int
    prompts: int
    first_step: int
    last_step: int


def batch_geometry(config: Any) -> tuple[int, int, int]:
    """(prompts per generation batch, micro-steps one generation batch lasts, micro-steps per optimizer step).

    TRL's RepeatSampler yields `generation_batch_size / num_generations` distinct prompts, each `num_generations`
    times, and repeats that block `num_iterations x steps_per_generation` times: one dataloader batch per
    micro-step; an optimizer step takes `gradient_accumulation_steps` of them. `generation_batch_size` already
    counts every process.
    """
    needed = ("generation_batch_size", "num_generations", "steps_per_generation", "num_iterations")
    missing = [name for name in needed if getattr(config, name, None) is None]
    if missing:
        raise RecipeError(f"curriculum: the config has no {', '.join(missing)}; curricula need a GRPO-family "
                          "trainer (grpo, agrl, srpo)")
    return (config.generation_batch_size // config.num_generations,
            config.num_iterations * config.steps_per_generation, config.gradient_accumulation_steps)


def stage_prompts(stages: list[Stage], config: Any) -> list[int]:
    """Prompts each stage needs to fill exactly its optimizer steps (whole generation batches only)."""
    per_batch, micro_per_batch, accumulation = batch_geometry(config)
    out = []
    for index, stage in enumerate(stages):
        micro = stage.steps * accumulation
        if micro % micro_per_batch:
            per = micro_per_batch / accumulation
            raise RecipeError(
                f"{stage.label(index)}: {stage.steps} steps do not fill whole generation batches: one batch of "
                f"{per_batch} prompts lasts {per:g} optimizer steps (num_iterations {config.num_iterations} x "
                f"steps_per_generation {config.steps_per_generation} / gradient_accumulation_steps {accumulation}); "
                f"make steps a multiple of {per:g}")
        out.append(micro // micro_per_batch * per_batch)
    return out


def check_schedule(stages: list[Stage], config: Any) -> None:
    """max_steps = the sum of the stage steps (set when unset), and TRL's sampler reads the dataset in order."""
    total = sum(s.steps for s in stages)
    if config.max_steps is None or config.max_steps <= 0:
        config.max_steps = total
        logger.info("curriculum: max_steps set to %d, the sum of the stage steps", total)
    elif config.max_steps != total:
        parts = " + ".join(f"{s.name} {s.steps}" for s in stages)
        raise RecipeError(f"max_steps ({config.max_steps}) differs from the curriculum's {total} steps ({parts}); "
                          f"remove max_steps from the recipe (pass --max_steps -1 to unset it) or set it to {total}")
    if getattr(config, "shuffle_dataset", False):
        logger.info("curriculum: shuffle_dataset set to false (the curriculum fixes the training order)")
    config.shuffle_dataset = False


def pass_rates(records: list | None, examples: list[Example], stages: list[Stage]) -> dict[str, float]:
    """Example id -> pass@N rate, for the pass-rate stages (an error when the pass was not run or is incomplete)."""
    users = [i for i, s in enumerate(stages) if s.pass_rate is not None]
    if not users:
        return {}
    first = stages[users[0]].label(users[0])
    if not records:
        raise RecipeError(f"{first}: a pass_rate stage needs the offline pass@N records; set pass_rate_samples "
                          "(e.g. 8) or pass_rate_file in the recipe, or select by query_type instead")
    rates = {r.id: r.pass_rate for r in records}
    missing = sorted({e.id for e in examples} - rates.keys())
    if missing:
        raise RecipeError(f"{first}: {len(missing)} training examples have no pass@N record (e.g. {missing[0]!r}); "
                          "the records must come from this run's training set: sample again with pass_rate_samples")
    return rates


def _check_query_types(index: int, stage: Stage, present: set[str]) -> None:
    for tag in stage.query_type or []:
        if tag not in present:
            close = difflib.get_close_matches(tag, sorted(present), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise RecipeError(f"{stage.label(index)}.query_type: no training example has the query type {tag!r}; "
                              f"{hint}the training set has {sorted(present)}")


def stage_pool(index: int, stage: Stage, examples: list[Example], rates: dict[str, float]) -> list[Example]:
    """The training examples stage `index` draws from (an error naming the stage when none match)."""
    _check_query_types(index, stage, {t for e in examples for t in e.query_type})
    wanted = set(stage.query_type or [])
    pool = [e for e in examples
            if (not wanted or wanted.intersection(e.query_type))
            and (stage.pass_rate is None or stage.takes_rate(rates[e.id]))]
    if not pool:
        what = f"pass_rate {list(stage.pass_rate)}" if stage.pass_rate else f"query_type {stage.query_type}"
        raise RecipeError(f"{stage.label(index)}: no training example matches {what}; widen the selector, or drop "
                          "the stage")
    return pool


def fill(pool: list[Example], n: int, rng: random.Random) -> list[Example]:
    """`n` examples from `pool`: successive seeded shuffles of the whole pool, cut at `n` (every example once per
    pass, so a small pool is repeated evenly rather than sampled with replacement)."""
    out: list[Example] = []
    while len(out) < n:
        order = list(pool)
        rng.shuffle(order)
        out.extend(order[: n - len(out)])
    return out


def build_order(stages: list[Stage], examples: list[Example], records: list | None, prompts: list[int],
                seed: int = 0, label_ids: list[int] | None = None) -> tuple[list[Example], list[StagePlan]]:
    """The full training order (stage after stage) and what each stage got; deterministic for a given seed."""
    rates = pass_rates(records, examples, stages)
    order: list[Example] = []
    plans: list[StagePlan] = []
    step = 0
    for index, (stage, n) in enumerate(zip(stages, prompts)):
        pool = stage_pool(index, stage, examples, rates)
        chosen = fill(pool, n, random.Random(seed * 1_000_003 + index))  # one stream per stage: stages independent
        order.extend(chosen)
        plans.append(StagePlan(index, stage.name, len(pool), n, step + 1, step + stage.steps))
        step += stage.steps
        labels = [e.label for e in chosen]
        logger.info("%s: %d examples in its pool, %d prompts over steps %d-%d (pool seen %.2fx), label mix %s "
                    "(coefficient of variation %.3f)", stage.label(index), len(pool), n, plans[-1].first_step,
                    plans[-1].last_step, n / len(pool), dict(sorted(Counter(labels).items())),
                    label_mix_cv(labels, label_ids))
    return order, plans


class CurriculumCallback(TrainerCallback):
    """Logs `curriculum/stage` at each logging step and a line at every stage change.

    With `cb.trainer = trainer` set, the value goes into the GRPO trainer's metric window, so it reaches every
    `report_to` target; without it, it is added to the logged dict, which the trainer's log history and the
    callbacks registered after this one see (not the reporting integrations, which run first).
    """

    def __init__(self, plans: list[StagePlan]):
        self.plans = plans
        self.ends = [p.last_step for p in plans]
        self.trainer: Any = None
        self.current: int | None = None

    def stage_at(self, step: int) -> int:
        """The stage index of optimizer step `step` (1-based; past the end: the last stage)."""
        return min(bisect.bisect_left(self.ends, step), len(self.plans) - 1)

    def _announce(self, step: int) -> None:
        index = self.stage_at(step)
        if index != self.current:
            plan = self.plans[index]
            logger.info("curriculum: stage %d/%d %r from step %d (steps %d-%d, %d prompts, pool of %d examples)",
                        index, len(self.plans) - 1, plan.name, step, plan.first_step, plan.last_step, plan.prompts,
                        plan.pool)
            self.current = index

    def on_train_begin(self, args, state, control, **kwargs):
        self._announce(state.global_step + 1)  # a resumed run names the stage it continues

    def on_step_begin(self, args, state, control, **kwargs):
        self._announce(state.global_step + 1)

    def on_step_end(self, args, state, control, **kwargs):
        metrics = getattr(self.trainer, "_metrics", None)
        if control.should_log and metrics is not None:  # DefaultFlowCallback (registered first) has decided
            metrics["train"]["curriculum/stage"].append(float(self.stage_at(state.global_step)))

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.trainer is None and logs is not None and "loss" in logs:  # training logs, not evaluations
            logs["curriculum/stage"] = float(self.stage_at(state.global_step))
            if state.log_history:
                state.log_history[-1]["curriculum/stage"] = logs["curriculum/stage"]


def check_curriculum(curriculum: CurriculumArguments, config: Any, records_expected: bool) -> None:
    """The checks that need no data, for a run to do before it loads a model or runs the pass@N pass: whole
    generation batches per stage, max_steps (set when unset), and records for pass-rate stages."""
    if curriculum.stages:
        stage_prompts(curriculum.stages, config)
        check_schedule(curriculum.stages, config)
        if not records_expected:
            pass_rates(None, [], curriculum.stages)


def apply_curriculum(curriculum: CurriculumArguments, config: Any, rules: CompiledRuleSet, examples: list[Example],
                     records: list | None) -> tuple[list[Example], list]:
    """The examples in training order and the callbacks the curriculum needs (none without stages).

    Sets `config.max_steps` (when unset) and `config.shuffle_dataset = False`; call before building the trainer.
    """
    stages = curriculum.stages
    if not stages:
        return examples, []
    prompts = stage_prompts(stages, config)
    check_schedule(stages, config)
    order, plans = build_order(stages, examples, records, prompts, seed=config.seed, label_ids=rules.label_ids)
    return order, [CurriculumCallback(plans)]
