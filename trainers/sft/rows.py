"""SFT rows: prompt/completion pairs for TRL's `SFTTrainer`, for the policy (gold CoTs) and the step judge.

    python -m trainers.sft --config trainers/recipes/sft_cpu.yaml            # policy rows from the training data
    python -m trainers.sft --config trainers/recipes/sft_judge_cpu.yaml      # judge rows from `build-judge`

    >>> rows = policy_rows(examples, rules, chat=False)      # Rows: .rows (prompt, completion, id, label) + .counts
    >>> rows = judge_rows("judge_sft.jsonl")                 # from `python -m verifiers.human build-judge`

Policy: the completion is the example's gold CoT (`guide`, in the rule set's format); an example without one gets
`rules.render(label, gold_steps)` when its gold steps name a verdict for every step, else it is skipped and counted.
Judge: each `messages` row of `verifiers.human.builders.judge_sft_rows` becomes prompt = every message but the
last, completion = the last (assistant) message, so the loss covers the judge's answer only.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules import CompiledRuleSet
from rules.data import Example
from rules.data.errors import DataError, RowProblem
from rules.data.prompt import build_prompt
from trainers.common.data import cot_target

logger = logging.getLogger(__name__)

ROLES = ("system", "user", "assistant")


@dataclass
class Rows:
    """Rows for TRL and why examples gave none (`counts`: guide, rendered, no_gold_steps, ...)."""

    rows: list[dict[str, Any]]
    counts: Counter = field(default_factory=Counter)

    def __len__(self) -> int:
        return len(self.rows)


def policy_rows(examples: list[Example], rules: CompiledRuleSet, chat: bool = False) -> Rows:
    """prompt/completion rows of the policy (conversational with `chat`); EOS is appended by TRL (text) or the
    chat template (messages), so the model learns to stop after `</think>`."""
    out = Rows([])
    for example in examples:
        target, source = cot_target(example, rules)
        out.counts[source] += 1
        if target is None:
            continue
        prompt = build_prompt(example, rules, chat)
        completion = [{"role": "assistant", "content": target}] if chat else target
        out.rows.append({"prompt": prompt, "completion": completion, "id": example.id, "label": example.label})
    skipped = {k: v for k, v in out.counts.items() if k not in ("guide", "rendered")}
    logger.info("SFT rows: %d (%d gold CoTs, %d rendered from gold steps), skipped %d %s", len(out),
                out.counts["guide"], out.counts["rendered"], sum(skipped.values()), skipped or "")
    if not out.rows:
        raise DataError([RowProblem("<training data>", 0, "guide", "no example has a gold CoT or complete gold "
                                    "steps", None, "add a `guide` column or gold verdicts for every step")])
    return out


def _judge_row(row: Any, file: str, line: int) -> dict[str, Any]:
    """One `build-judge` row as prompt/completion messages, or DataError naming the line and field."""
    def bad(path: str, message: str, got: Any, fix: str) -> DataError:
        return DataError([RowProblem(file, line, path, message, got, fix, row=line)])

    fix = "write rows with `python -m verifiers.human build-judge`"
    if not isinstance(row, dict) or not isinstance(row.get("messages"), list):
        raise bad("messages", "a judge row needs a `messages` list", type(row).__name__, fix)
    messages = row["messages"]
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise bad(f"messages[{i}]", f"each message needs a role ({'/'.join(ROLES)}) and a text content", m, fix)
    if len(messages) < 2 or messages[-1]["role"] != "assistant":
        raise bad("messages", "the last message must be the judge's (assistant) answer, after the prompt",
                  [m["role"] for m in messages], fix)
    return {"prompt": messages[:-1], "completion": messages[-1:], "id": str(row.get("id", f"line-{line}"))}


def judge_rows(path: str | Path) -> Rows:
    """The step judge's training rows from a JSONL file written by `python -m verifiers.human build-judge`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"judge_data: no file {path}; write it with `python -m verifiers.human build-judge "
                                "--db ANNOTATIONS.db --rules RULES --examples DATA --candidates SAMPLES --out FILE`")
    out = Rows([])
    for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataError([RowProblem(str(path), line, "", f"not valid JSON ({err.msg})", None,
                                        "write one JSON object per line")]) from None
        out.rows.append(_judge_row(row, str(path), line))
    out.counts["judge"] = len(out.rows)
    if not out.rows:
        raise DataError([RowProblem(str(path), 0, "", "no judge rows", None, "build them with `python -m "
                                    "verifiers.human build-judge` from annotated candidates")])
    logger.info("judge SFT rows: %d from %s", len(out), path)
    return out
