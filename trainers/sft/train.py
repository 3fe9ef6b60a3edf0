"""SFT on gold chains of thought (TaoSR1 stage 1), or of the generative step judge, with TRL's `SFTTrainer`.

    python -m trainers.tiny_model --out models/tiny_l4 --layers 4 --text data/synthetic/train.jsonl
    python -m trainers.sft --config trainers/recipes/sft_cpu.yaml                 # 4-layer tiny model, CPU
    python -m trainers.sft --config trainers/recipes/sft_cpu.yaml --resume_from_checkpoint latest
    python -m trainers.sft --config trainers/recipes/sft_judge_cpu.yaml           # the step judge
    accelerate launch -m trainers.sft --config trainers/recipes/sft_gpu.yaml      # Qwen2.5-0.5B-Instruct, bf16

    >>> trainer, callback = run_sft(ShelfArguments(...), RelevanceSFTConfig(output_dir="runs/sft", ...))

Rows are prompt/completion pairs (`trainers.sft.rows`): the prompt the policy sees in RL and evaluation
(`build_prompt`, or chat messages with `--chat`) and the label-first gold CoT as completion, with EOS appended so
the model learns to stop. The loss covers completion tokens only (TRL's `completion_only_loss`). No trainer
subclass: TRL's `SFTTrainer` is used as is. The policy task is evaluated with the project's evaluator during
training (`RelevanceEvalCallback`: macro-F1, accuracy, parse failures); the model, tokenizer and evaluation
history (`shelfwise_eval.json`) are saved to `output_dir`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from datasets import Dataset
from trl import SFTConfig, SFTTrainer

from trainers.common.arguments import CurrentCheckpointingName, ShelfArguments
from trainers.common.budgets import check_rows
from trainers.common.checkpoints import resolve_resume
from trainers.common.data import load_rule_set, load_split, training_examples
from trainers.common.eval_callback import RelevanceEvalCallback
from trainers.common.model_setup import load_policy
from trainers.common.recipe import RecipeError, parse_recipe
from trainers.common.report_targets import skip_undefined_in_writers
from trainers.common.run_end import finish, save_run, setup_logging
from trainers.sft.rows import Rows, judge_rows, policy_rows

logger = logging.getLogger(__name__)

TASKS = {
    "policy": "the relevance policy: prompt -> label-first gold CoT (the `guide` column, or one rendered from "
              "complete gold steps), evaluated with the evaluator during training",
    "judge": "the generative step judge: judge prompt -> `[step] correct|incorrect: reason` lines, from the rows of "
             "`python -m verifiers.human build-judge` (judge_data)",
}


@dataclass
class RelevanceSFTConfig(CurrentCheckpointingName, SFTConfig):
    """TRL's SFTConfig plus what to train. Unless set, the loss covers completion tokens only."""

    task: str = field(default="policy", metadata={
        "help": "what to train: " + "; ".join(f"{k}: {v}" for k, v in TASKS.items())})
    judge_data: str | None = field(default=None, metadata={
        "help": "task judge: JSONL of `messages` rows written by `python -m verifiers.human build-judge`"})

    def __post_init__(self):
        if self.task not in TASKS:
            raise RecipeError(f"task: unknown value {self.task!r}; use one of {sorted(TASKS)}")
        if self.task == "judge" and not self.judge_data:
            raise RecipeError("task judge needs judge_data: a JSONL file from `python -m verifiers.human build-judge`")
        if self.completion_only_loss is None:
            self.completion_only_loss = True  # the prompt is ~70% of each row and identical in its instructions
        super().__post_init__()


def sft_rows(shelf: ShelfArguments, config: RelevanceSFTConfig, rules) -> Rows:
    if config.task == "judge":
        return judge_rows(config.judge_data)
    return policy_rows(training_examples(shelf, rules, seed=config.seed), rules, chat=shelf.chat)


def _check_rows_left(trainer: SFTTrainer, max_length: int | None) -> None:
    """Under --allow_truncation TRL drops rows whose prompt alone fills max_length: refuse a run with none left."""
    if not len(trainer.train_dataset):
        raise RecipeError(f"--max_length {max_length}: every training prompt fills it, so no completion token is "
                          "left to learn; raise --max_length")


def build_sft_trainer(shelf: ShelfArguments, config: RelevanceSFTConfig) -> tuple[SFTTrainer, RelevanceEvalCallback]:
    """The model, rows and trainer of one run, untrained (tests and benches drive it directly)."""
    rules = load_rule_set(shelf)
    model, tokenizer = load_policy(shelf, config)
    if config.task == "judge" and not tokenizer.chat_template:
        raise RecipeError(f"{shelf.model_name_or_path}: the judge's rows are chat messages and this tokenizer has "
                          "no chat template; use an instruct model or the tiny model (it has one)")
    rows = sft_rows(shelf, config, rules)
    check_rows(tokenizer, rows.rows, "max_length", config.max_length, shelf.allow_truncation)
    train = Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in rows.rows])
    policy_eval = config.task == "policy" and shelf.eval_data
    eval_examples = load_split(shelf.eval_data, rules, shelf, shelf.eval_limit) if policy_eval else []
    callback = RelevanceEvalCallback(eval_examples, rules, shelf.chat, shelf.eval_every, shelf.eval_max_new_tokens)
    trainer = SFTTrainer(model=model, args=config, train_dataset=train, processing_class=tokenizer,
                         callbacks=[callback])
    callback.trainer = trainer
    skip_undefined_in_writers(trainer)
    _check_rows_left(trainer, config.max_length)
    return trainer, callback


def run_sft(shelf: ShelfArguments, config: RelevanceSFTConfig) -> tuple[SFTTrainer, RelevanceEvalCallback]:
    """Train (resuming with `resume_from_checkpoint: latest`), then save the model, tokenizer and eval history."""
    trainer, callback = build_sft_trainer(shelf, config)
    trainer.train(resume_from_checkpoint=resolve_resume(config.resume_from_checkpoint, config.output_dir))
    save_run(trainer, callback, config.output_dir)
    return trainer, callback


def main(argv: list[str] | None = None) -> int:
    shelf, config = parse_recipe([ShelfArguments, RelevanceSFTConfig], argv, prog="python -m trainers.sft",
                                 description=__doc__.split("\n\n")[0])
    setup_logging(config)
    run_sft(shelf, config)
    return finish()
