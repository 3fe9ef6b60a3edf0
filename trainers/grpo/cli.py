"""The command-line run shared by the RL trainers (GRPO, AGRL, SRPO): recipe -> data -> reward -> train -> eval.

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml
    python -m trainers.srpo --config trainers/recipes/srpo_cpu.yaml --resume_from_checkpoint latest

Each RL method declares a `Method` (its config class, trainer class and further argument dataclasses) and calls
`main(method)`: the recipe is parsed with the offline difficulty selection (`trainers.grpo.selection`) and the
curriculum (`trainers.grpo.curriculum`), the run trains and ends through `trainers.common.run_end`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from rewards import RuleAwareReward
from rules import CompiledRuleSet
from trainers.common.arguments import ShelfArguments
from trainers.common.budgets import check_completions, spread
from trainers.common.checkpoints import resolve_resume
from trainers.common.data import cot_target, load_rule_set, load_split, training_examples
from trainers.common.eval_callback import RelevanceEvalCallback
from trainers.common.model_setup import load_policy
from trainers.common.recipe import RecipeError, parse_recipe
from trainers.common.run_end import finish, save_run, setup_logging
from trainers.grpo.curriculum import CurriculumArguments, apply_curriculum, check_curriculum
from trainers.grpo.selection import SelectionArguments, prepare_examples

logger = logging.getLogger(__name__)


@dataclass
class Method:
    name: str  # module name: python -m trainers.<name>
    config_cls: type
    trainer_cls: type
    doc: str
    extra_args: tuple[type, ...] = field(default_factory=tuple)  # further argument dataclasses of this method


def reward_registry_help() -> str:
    """The `--help` epilog: the reward components a rule file can weight, from the rule language's registry."""
    from rules.model import REWARD_COMPONENTS, REWARD_GATES

    lines = "\n".join(f"  {name}: {text}" for name, text in REWARD_COMPONENTS.items())
    gates = "\n".join(f"  {name}: {text}" for name, text in REWARD_GATES.items())
    return ("Reward components (weighted in the rule file's `reward.components`):\n" + lines +
            "\nGates (caps in the rule file's `reward.gates`):\n" + gates +
            "\nRecipes: trainers/recipes/*.yaml; every key is an argument listed above.")


def build_trainer(method: Method, shelf: ShelfArguments, config: Any, rules: CompiledRuleSet,
                  selection: SelectionArguments | None = None, curriculum: CurriculumArguments | None = None,
                  extra: tuple = ()) -> tuple[Any, RelevanceEvalCallback]:
    """Model, rows and the trainer of one run (separate from `main` so tests and benches can drive it).

    `extra` holds the parsed instances of `method.extra_args`; a trainer class that takes them defines
    `from_method_args(extra)` returning keyword arguments for its constructor.
    """
    from rules.data.loaders import to_dataset

    model, tokenizer = load_policy(shelf, config)
    examples = training_examples(shelf, rules, seed=config.seed)
    gold_cots = [cot for cot, _ in (cot_target(e, rules) for e in spread(examples)) if cot]  # the rows measured
    check_completions(tokenizer, gold_cots, config.max_completion_length, shelf.allow_truncation)
    reward = RuleAwareReward(rules)
    eval_examples = load_split(shelf.eval_data, rules, shelf, shelf.eval_limit) if shelf.eval_data else []
    callback = RelevanceEvalCallback(eval_examples, rules, shelf.chat, shelf.eval_every, shelf.eval_max_new_tokens)
    kwargs = method.trainer_cls.from_method_args(extra) if hasattr(method.trainer_cls, "from_method_args") else {}
    # The trainer first (DeepSpeed / FSDP set up), then the pass@N selection through its model on every rank, then
    # the selected rows in curriculum order replace the training set (the dataloader is built by train()).
    trainer = method.trainer_cls(model=model, reward_funcs=[reward], args=config,
                                 train_dataset=to_dataset(examples, rules, chat=shelf.chat),
                                 processing_class=tokenizer, callbacks=[callback], **kwargs)
    examples, records = prepare_examples(shelf, config, selection or SelectionArguments(), rules, examples, model,
                                         tokenizer, trainer=trainer)
    examples, stage_callbacks = apply_curriculum(curriculum or CurriculumArguments(), config, rules, examples,
                                                 records)
    check_prompts_per_batch(config, len(examples))
    trainer.train_dataset = to_dataset(examples, rules, chat=shelf.chat)
    if hasattr(trainer, "shuffle_dataset"):  # TRL copies it at construction; a curriculum turns it off
        trainer.shuffle_dataset = config.shuffle_dataset
    for cb in (callback, *stage_callbacks):
        if cb is not callback:
            trainer.add_callback(cb)
        cb.trainer = trainer  # they log through the trainer, so their values reach every report_to target
    return trainer, callback


def check_prompts_per_batch(config: Any, rows: int) -> None:
    """RecipeError when the training set cannot fill one generation batch of distinct prompts: TRL's RepeatSampler
    drops a short last batch, so such a run would end at step 0 with nothing trained and no error."""
    per_batch = config.generation_batch_size // config.num_generations
    if rows < per_batch:
        raise RecipeError(
            f"{rows} training rows, but one generation batch takes {per_batch} distinct prompts "
            f"(generation_batch_size {config.generation_batch_size} / num_generations {config.num_generations}): "
            f"TRL would train no step. Give at least {per_batch} rows, or lower --per_device_train_batch_size "
            f"(prompts per step x num_generations)")


def parse_method(method: Method, argv: list[str] | None = None) -> tuple[Any, ...]:
    """(shelf, config, selection, curriculum, *extra) from `--config recipe.yaml` and flags."""
    return parse_recipe([ShelfArguments, method.config_cls, SelectionArguments, CurriculumArguments,
                         *method.extra_args], argv, prog=f"python -m trainers.{method.name}", description=method.doc,
                        epilog=reward_registry_help())


def run_method(method: Method, shelf: ShelfArguments, config: Any, selection: SelectionArguments | None = None,
               curriculum: CurriculumArguments | None = None, extra: tuple = ()) -> tuple[Any, Any]:
    """Train one run (resuming when asked), save the model and the eval history; returns (trainer, eval callback)."""
    selection, curriculum = selection or SelectionArguments(), curriculum or CurriculumArguments()
    # Fail on a bad schedule before loading a model or running a pass@N pass.
    check_curriculum(curriculum, config, records_expected=selection.active)
    rules = load_rule_set(shelf)
    trainer, callback = build_trainer(method, shelf, config, rules, selection, curriculum, tuple(extra))
    trainer.train(resume_from_checkpoint=resolve_resume(config.resume_from_checkpoint, config.output_dir))
    save_run(trainer, callback, config.output_dir)
    return trainer, callback


def main(method: Method, argv: list[str] | None = None) -> int:
    shelf, config, selection, curriculum, *extra = parse_method(method, argv)
    setup_logging(config)
    run_method(method, shelf, config, selection, curriculum, tuple(extra))
    return finish()
