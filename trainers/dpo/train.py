"""DPO on pass@N preference pairs (TaoSR1 stage 2), with the evaluator's metrics during training.

    python -m trainers.dpo_sample --config trainers/recipes/dpo_sample_cpu.yaml     # first: samples -> pairs.jsonl
    python -m trainers.dpo --config trainers/recipes/dpo_cpu.yaml                   # CPU demo, tiny local model
    python -m trainers.dpo --config trainers/recipes/dpo_cpu.yaml --resume_from_checkpoint latest
    accelerate launch --num_processes 8 -m trainers.dpo --config trainers/recipes/dpo_gpu.yaml

The trainer is TRL's `DPOTrainer`, unchanged; the reference model is a frozen copy of the starting policy
(`model_name_or_path`, normally the SFT output that sampled the pairs). The pairs file is the `pairs.jsonl` that
`trainers.dpo_sample` writes (`prompt`, `chosen`, `rejected`: text, or message lists for chat models); every row
is checked before training and a bad one is reported with its file, line, column and the fix. Of the shared
arguments, `model_name_or_path`, `rules`, `chat` and the eval ones apply; `max_train_samples` keeps the first N
pairs; `train_data` and `balance` were applied when the pairs were sampled.

    >>> run = run_dpo(ShelfArguments(...), RelevanceDPOConfig(output_dir="runs/dpo", pairs="runs/x/pairs.jsonl"))
    >>> run.callback.history[-1]["eval/macro_f1"]
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trl import DPOConfig, DPOTrainer

from rules import CompiledRuleSet
from rules.data.errors import DataError, RowProblem
from trainers.common.arguments import CurrentCheckpointingName, ShelfArguments
from trainers.common.budgets import check_rows
from trainers.common.checkpoints import resolve_resume
from trainers.common.data import load_rule_set, load_split
from trainers.common.eval_callback import RelevanceEvalCallback
from trainers.common.model_setup import load_policy
from trainers.common.recipe import RecipeError, parse_recipe
from trainers.common.report_targets import skip_undefined_in_writers
from trainers.common.run_end import finish, save_run, setup_logging

logger = logging.getLogger(__name__)

SAMPLE_FIRST = "run python -m trainers.dpo_sample first (it writes pairs.jsonl into its output_dir)"
REWRITE = "fix the row, or write the file again with python -m trainers.dpo_sample"
MAX_PROBLEMS = 10


@dataclass
class RelevanceDPOConfig(CurrentCheckpointingName, DPOConfig):
    """TRL's DPOConfig plus the pairs file; every other field is TRL's (see its documentation)."""

    pairs: str = field(default="runs/dpo_samples/pairs.jsonl", metadata={
        "help": "JSONL of preference pairs (prompt, chosen, rejected) written by python -m trainers.dpo_sample"})


@dataclass
class DPORun:
    """What `run_dpo` leaves: the trained trainer, its eval callback (history) and the summary file."""

    trainer: Any
    callback: RelevanceEvalCallback
    summary: Path | None


def _messages_problem(value: Any) -> str | None:
    """Why `value` is not a non-empty list of {role, content} messages with text content (None: it is)."""
    if not isinstance(value, list) or not value:
        return "expected a non-empty list of messages"
    for message in value:
        if not isinstance(message, dict) or not isinstance(message.get("role"), str) \
                or not isinstance(message.get("content"), str):
            return "every message needs a text `role` and `content`"
    return None


def row_problems(row: Any, conversational: bool) -> list[tuple[str, str, Any]]:
    """(column, what is wrong, value) for one pairs row; `conversational`: the format of the file's first row."""
    if not isinstance(row, dict):
        return [("", "a row is a JSON object with prompt, chosen and rejected", type(row).__name__)]
    out = [(col, "missing column", None) for col in ("prompt", "chosen", "rejected") if col not in row]
    if out:
        return out
    for col in ("prompt", "chosen", "rejected"):
        value = row[col]
        if conversational:
            why = _messages_problem(value)
            if why:
                out.append((col, why + " (the file's first row is conversational)", value))
        elif not isinstance(value, str) or (col != "prompt" and not value.strip()):
            out.append((col, "expected non-empty text (the file's first row is plain text)", value))
    if not out and row["chosen"] == row["rejected"]:
        out.append(("rejected", "identical to chosen: the pair prefers nothing", row["rejected"]))
    return out


def load_pairs(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a pairs file (prompt, chosen, rejected), or DataError listing the first bad rows."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"pairs: no file {path}; {SAMPLE_FIRST}")
    rows, problems, conversational = [], [], None
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                problems.append(RowProblem(str(path), line_no, "", f"not JSON ({err.msg})", None, REWRITE, line_no))
                continue
            if conversational is None and isinstance(row, dict):
                conversational = isinstance(row.get("prompt"), list)
            for column, what, got in row_problems(row, bool(conversational)):
                problems.append(RowProblem(str(path), line_no, column, what, got, REWRITE, line_no))
            rows.append(row)
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise DataError(problems, note=f"{path}: {len(problems)} problem(s) shown; nothing was trained")
    if not rows:
        raise DataError([RowProblem(str(path), 0, "", "no pairs in the file", None, SAMPLE_FIRST + "; a policy "
                                    "whose samples are all correct yields no pairs: sample more (n) or harder data")])
    return rows


def pairs_dataset(path: str | Path, chat: bool, limit: int | None = None) -> Any:
    """A `datasets.Dataset` of prompt/chosen/rejected (TRL's preference format), checked against `chat`."""
    from datasets import Dataset

    rows = load_pairs(path)[: limit or None]
    conversational = isinstance(rows[0]["prompt"], list)
    if conversational != chat:
        kind = "message lists" if conversational else "text"
        raise RecipeError(f"pairs: {path} holds {kind} prompts but chat is {str(chat).lower()}; evaluation would "
                          f"prompt differently from training: set chat: {str(conversational).lower()}, or sample "
                          "the pairs again with the same chat setting")
    cases = Counter(r.get("case", "unknown") for r in rows)
    logger.info("%d preference pairs from %s (%s)", len(rows), path, ", ".join(f"{k} {v}" for k, v in cases.items()))
    return Dataset.from_list([{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows])


def build_dpo_trainer(shelf: ShelfArguments, config: RelevanceDPOConfig,
                      rules: CompiledRuleSet) -> tuple[DPOTrainer, RelevanceEvalCallback]:
    """The DPO trainer of one run and its eval callback (separate from `run_dpo` for tests and benches)."""
    if shelf.balance != "natural":
        logger.warning("balance: %s is applied when sampling (python -m trainers.dpo_sample), not to the pairs",
                       shelf.balance)
    train = pairs_dataset(config.pairs, shelf.chat, shelf.max_train_samples)
    model, tokenizer = load_policy(shelf, config)
    check_rows(tokenizer, train.to_list(), "max_length", config.max_length, shelf.allow_truncation,
               ("chosen", "rejected"))
    eval_examples = load_split(shelf.eval_data, rules, shelf, shelf.eval_limit) if shelf.eval_data else []
    callback = RelevanceEvalCallback(eval_examples, rules, shelf.chat, shelf.eval_every, shelf.eval_max_new_tokens)
    trainer = DPOTrainer(model=model, args=config, train_dataset=train, processing_class=tokenizer,
                         callbacks=[callback])
    callback.trainer = trainer
    skip_undefined_in_writers(trainer)
    return trainer, callback


def run_dpo(shelf: ShelfArguments, config: RelevanceDPOConfig) -> DPORun:
    """Train, save the model and the eval summary (Python API, e.g. for the method comparison)."""
    rules = load_rule_set(shelf)
    trainer, callback = build_dpo_trainer(shelf, config, rules)
    trainer.train(resume_from_checkpoint=resolve_resume(config.resume_from_checkpoint, config.output_dir))
    return DPORun(trainer, callback, save_run(trainer, callback, config.output_dir))


def main(argv: list[str] | None = None) -> int:
    shelf, config = parse_recipe([ShelfArguments, RelevanceDPOConfig], argv, prog="python -m trainers.dpo",
                                 description=__doc__.split("\n\n")[0])
    setup_logging(config)
    run_dpo(shelf, config)
    return finish()
