"""Evaluation during training with the project's evaluator metrics (decoded CoTs parsed by the rule set).

Every `eval_every` optimizer steps (and at the start and end of training) every process decodes greedy CoTs for
its shard of the eval examples inside TRL's `unwrap_model_for_generation` (`trainers.common.distributed_generation`:
required under DeepSpeed ZeRO-3 / FSDP, where generating on one rank hangs the others), the completions are
gathered, and the main process logs `eval/macro_f1`, `eval/accuracy`, `eval/f1_<label>`, `eval/parse_failure_rate`,
`eval/rule_adherence` and `eval/hallucination_rate` through the trainer's `log`, so they reach every `report_to`
target (TensorBoard, W&B, ...) next to TRL's own metrics. `history` keeps each evaluation for reports and plots.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from transformers import TrainerCallback

from rules import CompiledRuleSet
from rules.data import Example
from trainers.common.data import prompts_of
from trainers.common.distributed_generation import ShardedGenerator, generation_model
from trainers.evaluation.generation import Generator
from trainers.evaluation.parts import decoded

logger = logging.getLogger(__name__)


def flat_metrics(report: dict, prefix: str = "eval/") -> dict[str, float]:
    """The scalar metrics of a `decoded()` report, as logged."""
    classes, steps = report["decoded"], report["steps"]
    out = {"macro_f1": classes["macro_f1"], "accuracy": classes["accuracy"],
           "parse_failure_rate": classes["parse_failure_rate"],
           "rule_adherence": steps.get("rule_adherence"), "hallucination_rate": steps.get("hallucination_rate")}
    for label, row in classes["per_class"].items():
        out[f"f1_{label}"] = row["f1"]
    return {prefix + k: float(v) for k, v in out.items() if v is not None}


def evaluate_model(model: Any, tokenizer: Any, examples: list[Example], rules: CompiledRuleSet, chat: bool = False,
                   max_new_tokens: int = 320, batch_size: int = 16, accelerator: Any = None) -> dict:
    """Greedy decoding of the eval examples and the evaluator's decoded report (model left in its mode).

    With an `accelerator` of several processes, call it on every process: each decodes its shard.
    """
    was_training = model.training
    model.eval()
    try:
        gen = Generator(model, tokenizer, batch_size=batch_size, max_new_tokens=max_new_tokens)
        return decoded(ShardedGenerator(gen, accelerator), prompts_of(examples, rules, chat), examples, rules)
    finally:
        model.train(was_training)


class RelevanceEvalCallback(TrainerCallback):
    """Attach with `trainer.add_callback(cb)` and set `cb.trainer = trainer` (it logs through the trainer)."""

    def __init__(self, examples: list[Example], rules: CompiledRuleSet, chat: bool = False, every: int = 0,
                 max_new_tokens: int = 320, batch_size: int = 16):
        self.examples, self.rules, self.chat = examples, rules, chat
        self.every, self.max_new_tokens, self.batch_size = every, max_new_tokens, batch_size
        self.trainer: Any = None
        self.history: list[dict] = []  # {"step": n, **flat metrics}
        self.seconds = 0.0  # time spent evaluating
        self.reports: list[dict] = []  # the full decoded report of each evaluation (for tables and figures)

    def run(self, step: int) -> dict[str, float]:
        trainer = self.trainer
        if not self.examples or trainer is None:
            return {}
        started = time.perf_counter()
        with generation_model(trainer) as model:  # every rank, together
            report = evaluate_model(model, trainer.processing_class, self.examples, self.rules, self.chat,
                                    self.max_new_tokens, self.batch_size, trainer.accelerator)
        self.seconds += time.perf_counter() - started  # so benchmarks can take evaluation out of step times
        metrics = flat_metrics(report)
        main = trainer.is_world_process_zero()
        if main:
            self.history.append({"step": step, **metrics})
            self.reports.append(dict(report, step=step))
            logger.info("step %d: eval macro-F1 %.3f, accuracy %.3f, parse failures %.1f%%", step,
                        metrics.get("eval/macro_f1", 0.0), metrics.get("eval/accuracy", 0.0),
                        100 * metrics.get("eval/parse_failure_rate", 0.0))
        was_training = trainer.model.training
        trainer.model.eval()  # TRL's log() then flushes its (empty) eval metrics, not the training window
        try:
            # Every rank, as Trainer itself logs (report_to writers write on rank 0 only): log() clears
            # control.should_log, and a rank that skipped it would skip the step's loss gather the others make.
            trainer.log(dict(metrics))
        finally:
            trainer.model.train(was_training)
        return metrics if main else {}

    def on_train_begin(self, args, state, control, **kwargs):
        if state.global_step == 0:
            self.run(0)

    def on_step_end(self, args, state, control, **kwargs):
        if self.every and state.global_step % self.every == 0 and state.global_step < state.max_steps:
            self.run(state.global_step)

    def on_train_end(self, args, state, control, **kwargs):
        self.run(state.global_step)
