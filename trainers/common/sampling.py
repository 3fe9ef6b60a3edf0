"""Offline pass@N sampling: N sampled CoTs per training prompt, each graded by the rule-aware reward.

One pass feeds several users: DPO pairs (TaoSR1 stage 2), the pass-rate difficulty filter and the diversity
filter (GRPO, AGRL, SRPO) and pass-rate curricula. Records are saved as JSONL so a team can inspect them and a
later run can reuse them instead of sampling again.

    >>> records = sample_pass_at_n(generator, examples, rules, n=8, temperature=1.0)
    >>> save_records(records, "runs/samples.jsonl"); load_records("runs/samples.jsonl")[0].n_correct
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rewards import RuleAwareReward
from rules import CompiledRuleSet, ParseError
from rules.data import Example
from trainers.common.data import prompts_of


@dataclass
class SampleRecord:
    """The N samples of one example: texts, the labels they wrote (None: unparsable), rewards, correctness."""

    id: str
    label: int
    completions: list[str]
    labels: list[int | None]
    rewards: list[float | None]
    correct: list[bool]
    verdicts: list[dict[str, str] | None]  # each sample's step verdicts (None: unparsable)

    @property
    def n_correct(self) -> int:
        return sum(self.correct)

    @property
    def pass_rate(self) -> float:
        return self.n_correct / len(self.correct) if self.correct else 0.0


def grade(example: Example, completions: list[str], rules: CompiledRuleSet, reward: RuleAwareReward) -> SampleRecord:
    """Correct = the written label equals the gold label (what TaoSR1's pass@N counts)."""
    scored = reward.score_all(completions, [example.label] * len(completions),
                              [example.gold_steps] * len(completions), with_steps=False)
    verdicts = []
    for text in completions:
        cot = rules.parse(text)
        verdicts.append(None if isinstance(cot, ParseError) else cot.verdicts)
    labels = [s.label for s in scored]
    return SampleRecord(example.id, example.label, list(completions), labels, [s.total for s in scored],
                        [lab == example.label for lab in labels], verdicts)


def sample_pass_at_n(generator: Any, examples: list[Example], rules: CompiledRuleSet, n: int,
                     temperature: float = 1.0, chat: bool = False, progress: bool = True) -> list[SampleRecord]:
    """`generator` has `generate(prompts, samples, temperature, progress)` (trainers.evaluation.generation)."""
    if n < 1:
        raise ValueError(f"n: give at least one sample per prompt (got {n})")
    reward = RuleAwareReward(rules)
    rows = generator.generate(prompts_of(examples, rules, chat), samples=n, temperature=temperature,
                              progress=progress)
    return [grade(e, texts, rules, reward) for e, texts in zip(examples, rows)]


def save_records(records: list[SampleRecord], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
    return path


def load_records(path: str | Path) -> list[SampleRecord]:
    out = []
    with Path(path).open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.append(SampleRecord(**json.loads(line)))
            except (json.JSONDecodeError, TypeError) as err:
                raise ValueError(f"{path}:{line_no}: not a sample record ({err}); write it with "
                                 "trainers.common.sampling.save_records or sample again") from None
    return out
