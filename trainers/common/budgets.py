"""Token budgets, checked before training: the run's prompts and gold CoTs must fit the recipe's lengths.

    python -m trainers.sft --config trainers/recipes/sft_cpu.yaml --max_length 2048      # the flag an error names
    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --max_completion_length 512

A rule set with more steps writes longer prompts (every step's question and verdicts) and longer CoTs: a 10-step
grocery file needs about 649 prompt + 418 CoT tokens with the tiny tokenizer. TRL cuts what does not fit without a
word: an SFT or DPO row loses the end of its CoT and its EOS (or the whole row when the prompt fills the limit),
and an RL rollout as long as a gold CoT is cut before its last steps and scores as malformed however good it is.
So the trainers measure the rows with the run's tokenizer before training and stop with one line: how many rows
need more, the longest, and the flag to raise. `--allow_truncation true` trains on cut rows with one warning.
"""

from __future__ import annotations

import logging
import statistics
from typing import Any, Sequence

from trainers.common.recipe import RecipeError
from trainers.evaluation.lm import prompt_ids

logger = logging.getLogger(__name__)
MAX_ROWS = 5000  # rows measured (spread over the set): enough to find long rows, seconds on any tokenizer


def spread(rows: Sequence[Any], limit: int = MAX_ROWS) -> list[Any]:
    """At most `limit` rows spread evenly over `rows` (all of them when fewer)."""
    if len(rows) <= limit:
        return list(rows)
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]


def completion_tokens(tokenizer: Any, completions: Sequence[Any]) -> list[int]:
    """Tokens of each completion plus its end of sequence; a message list counts its messages' contents."""
    texts = [c if isinstance(c, str) else "".join(m.get("content") or "" for m in c) for c in completions]
    if not texts:
        return []
    ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
    return [len(i) + 1 for i in ids]


def row_tokens(tokenizer: Any, prompts: Sequence[Any], completions: Sequence[Any]) -> list[int]:
    """Prompt + completion tokens of each row, as TRL's SFT and DPO trainers see them (chat template included)."""
    prompt_lengths = [len(ids) for ids in prompt_ids(tokenizer, list(prompts))]
    return [p + c for p, c in zip(prompt_lengths, completion_tokens(tokenizer, completions))]


def check_budget(needs: Sequence[int], flag: str, limit: int | None, what: str, allow_truncation: bool) -> None:
    """Stop (RecipeError) when a row needs more than `--flag limit`; with `allow_truncation` log it instead."""
    if not limit or not needs:
        return
    over = sum(n > limit for n in needs)
    longest, median = max(needs), int(statistics.median(needs))
    if not over:
        logger.info("--%s %d fits every row (%s: median %d, longest %d tokens)", flag, limit, what, median, longest)
        return
    message = (f"--{flag} {limit}: {over} of {len(needs)} training rows need more ({what}: median {median}, "
               f"longest {longest} tokens) and would be cut; raise --{flag} to at least {longest}, or pass "
               "--allow_truncation true to train on cut rows")
    if allow_truncation:
        logger.warning(message)
        return
    raise RecipeError(message)


def check_rows(tokenizer: Any, rows: Sequence[dict], flag: str, limit: int | None, allow_truncation: bool,
               completion_keys: tuple[str, ...] = ("completion",)) -> None:
    """SFT (`completion`) and DPO (`chosen`, `rejected`) rows against `--max_length`."""
    rows = spread(rows)
    needs = [n for key in completion_keys
             for n in row_tokens(tokenizer, [r["prompt"] for r in rows], [r[key] for r in rows])]
    check_budget(needs, flag, limit, "prompt + " + " / ".join(completion_keys), allow_truncation)


def check_completions(tokenizer: Any, gold_cots: Sequence[str], limit: int | None, allow_truncation: bool) -> None:
    """RL: a rollout as long as the gold CoT must fit `--max_completion_length`."""
    check_budget(completion_tokens(tokenizer, spread(gold_cots)), "max_completion_length", limit, "gold CoT",
                 allow_truncation)
