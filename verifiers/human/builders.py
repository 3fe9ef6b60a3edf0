"""Training data from annotations: SFT rows for the generative step judge, and DPO pairs for the policy.

    python -m verifiers.human build-judge --db annotations.db --rules rules/catalog/ecommerce.yaml \\
        --examples data/train.jsonl --candidates samples.jsonl --out judge_sft.jsonl
    python -m verifiers.human build-dpo --db annotations.db --rules rules/catalog/ecommerce.yaml \\
        --examples data/train.jsonl --candidates samples.jsonl --out dpo.jsonl [--pairs 2] [--oracle]

    >>> rows = judge_sft_rows(human, [(example, completion), ...])     # Built: rows + counts
    >>> write_jsonl(rows, "judge_sft.jsonl")                           # TRL SFT reads `messages`
    >>> write_jsonl(dpo_pairs(human, candidates), "dpo.jsonl")         # TRL DPO reads prompt/chosen/rejected

Candidates are (example, completion) pairs, e.g. pass@N samples of the policy. A judge row shows the judge the
example and one candidate's steps, and answers per step whether the step agrees with the annotation: the prompt
comes from `prompt_fn(example, parsed_cot, completion, steps) -> messages` and the answer from
`answer_fn(step_judgements) -> str`; the defaults are the generative judge's own prompt and strict answer format
(`[step] correct|incorrect: reason`, see `verifiers.judge`), so a judge trained on these rows can be parsed. A DPO pair needs, for one example, a correct candidate (label annotated and
right, every annotated step right) and an incorrect one (something annotated is wrong, or the completion is
malformed); with `oracle=True` an example with no correct candidate takes its gold CoT (`Example.guide`) or, when
every step and the label are annotated, a CoT rendered from the annotations (TaoSR1's fallback for all-wrong groups).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rewards.scoring import completion_text
from rules import ParsedCoT
from rules.data.example import Example
from rules.data.prompt import build_prompt
from verifiers.judge.answer import render_answer
from verifiers.judge.prompt import build_judge_messages
from verifiers.human.store import LABEL
from verifiers.human.verifier import HumanVerifier, Judged, StepJudgement

logger = logging.getLogger(__name__)

Messages = list[dict[str, str]]


@dataclass
class Built:
    """Rows for TRL, and why candidates or examples gave none (`counts`)."""

    rows: list[dict[str, Any]]
    counts: Counter = field(default_factory=Counter)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)


class JudgePrompt:
    """The judge's own prompt (`verifiers.judge.build_judge_messages`), so a judge trained on these rows answers
    in the format `verifiers.judge` parses."""

    def __init__(self, rules: Any):
        self.rules = rules

    def __call__(self, example: Example, cot: ParsedCoT, completion: str, steps: Sequence[str]) -> Messages:
        return build_judge_messages(self.rules, example.query, example.product, completion, cot, steps)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def default_answer(judgements: Sequence[StepJudgement]) -> str:
    """The judge's answer format (`verifiers.judge.render_answer`): `[step] correct|incorrect: reason` per step."""
    rows = []
    for j in judgements:
        note = j.resolution.annotation.reason if j.resolution is not None else None
        why = (note or f"{j.expected} is right") if j.correct else \
            f"it is {j.expected}, not {j.verdict}" + (f": {note}" if note else "")
        rows.append((j.step, bool(j.correct), _one_line(why)))
    return render_answer(rows)


def _judge_all(verifier: HumanVerifier, candidates: list[tuple[Example, Any]]) -> list[Judged]:
    return verifier.judge_batch([c for _, c in candidates], [e.id for e, _ in candidates])


def judge_sft_rows(verifier: HumanVerifier, candidates: Iterable[tuple[Example, Any]], *,
                   prompt_fn: Callable[[Example, ParsedCoT, str, Sequence[str]], Messages] | None = None,
                   answer_fn: Callable[[Sequence[StepJudgement]], str] = default_answer,
                   complete_only: bool = True) -> Built:
    """One `messages` row per candidate whose steps are annotated (all of them, unless `complete_only=False`:
    then the answer covers the annotated steps only)."""
    candidates = list(candidates)
    prompt_fn = prompt_fn or JudgePrompt(verifier.rules)
    built = Built([])
    for (example, completion), judged in zip(candidates, _judge_all(verifier, candidates)):
        if judged.cot is None:
            built.counts["malformed"] += 1
            continue
        steps = [j for j in judged.steps if j.correct is not None]
        if not steps or (complete_only and len(steps) < len(judged.steps)):
            built.counts["not_annotated" if not steps else "partly_annotated"] += 1
            continue
        prompt = prompt_fn(example, judged.cot, _text(completion), [j.step for j in steps])
        messages = prompt + [{"role": "assistant", "content": answer_fn(steps)}]
        built.rows.append({"messages": messages, "id": example.id})
        built.counts["rows"] += 1
    logger.info("judge SFT rows: %s", dict(built.counts))
    return built


def dpo_pairs(verifier: HumanVerifier, candidates: Iterable[tuple[Example, Any]], *,
              prompt_fn: Callable[[Example], str | Messages] | None = None, pairs_per_example: int = 1,
              chat: bool = True, oracle: bool = False) -> Built:
    """prompt/chosen/rejected rows: up to `pairs_per_example` per example, each rejected candidate used once."""
    if pairs_per_example < 1:
        raise ValueError(f"pairs_per_example must be at least 1 (got {pairs_per_example})")
    candidates = [(e, _text(c)) for e, c in candidates]
    prompt_fn = prompt_fn or (lambda example: build_prompt(example, verifier.rules, chat=chat))
    groups: dict[str, tuple[Example, list[str], list[tuple[int, str]]]] = {}
    for (example, text), judged in zip(candidates, _judge_all(verifier, candidates)):
        _, right, wrong = groups.setdefault(example.id, (example, [], []))
        if judged.correct is True and text not in right:
            right.append(text)
        elif judged.correct is False and text not in [t for _, t in wrong]:
            # The most useful rejections first: a wrong label, then a wrong step, then a malformed completion.
            wrong.append((2 if judged.error else 0 if judged.label_correct is False else 1, text))
    wrap = (lambda t: [{"role": "assistant", "content": t}]) if chat else (lambda t: t)
    built = Built([])
    for example, right, wrong in groups.values():
        source = "sample"
        if not right and oracle:
            gold = example.guide or _from_annotations(verifier, example.id)
            right, source = ([gold], "guide" if example.guide else "annotations") if gold else ([], source)
        if not right or not wrong:
            built.counts["no_correct" if not right else "no_incorrect"] += 1
            continue
        wrong = [t for _, t in sorted(wrong, key=lambda w: w[0])]
        for k in range(min(pairs_per_example, len(wrong))):
            built.rows.append({"prompt": prompt_fn(example), "chosen": wrap(right[k % len(right)]),
                               "rejected": wrap(wrong[k]), "id": example.id, "chosen_source": source})
        built.counts["examples_paired"] += 1
    built.counts["pairs"] = len(built.rows)
    logger.info("DPO pairs: %s", dict(built.counts))
    return built


def _text(completion: Any) -> str:
    text = completion_text(completion)
    if text is None:
        raise ValueError(f"a DPO candidate must be text or chat messages, not {type(completion).__name__}")
    return text


def _from_annotations(verifier: HumanVerifier, example_id: str) -> str | None:
    """The CoT the annotations spell out, when they cover every step and the label; else None."""
    current = verifier.annotations([example_id]).get(example_id, {})
    rules, conclusion = verifier.rules, verifier.conclusion
    label = current.get(LABEL)
    steps = {s: current[s].value for s in rules.step_verdicts if s != conclusion and s in current}
    if label is None or len(steps) < len(rules.step_verdicts) - (conclusion is not None):
        return None
    reasons = {s: current[s].annotation.reason for s in steps if current[s].annotation.reason}
    try:
        return rules.render(int(label.value), steps, reasons)
    except (ValueError, KeyError) as err:  # a value this rule file lacks, or a reason holding a CoT marker
        logger.warning("cannot render the annotated CoT of %s: %s", example_id, err)
        return None


def write_jsonl(rows: Iterable[dict[str, Any]], path: str | Path) -> int:
    """One JSON object per line (what `datasets.load_dataset("json", ...)` and TRL read); returns the count."""
    rows = list(rows)
    Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)
