"""Preference pairs from pass@N samples, as in TaoSR1 stage 2, and the statistics a team reads before training.

    python -m trainers.dpo_sample --config trainers/recipes/dpo_sample_cpu.yaml    # samples, pairs, pass@N curve

    >>> pairs, stats = pair_records(records, examples, rules, max_pairs_per_prompt=2)
    >>> stats.as_dict()["cases"], pass_at_n_curve(records)

Per prompt (its N graded samples, `trainers.common.sampling.SampleRecord`):
- some samples correct (written label == gold label), some wrong: chosen = a correct sample, rejected = a wrong
  one (wrong label, or unparsable). Correct samples are taken highest reward first, wrong ones lowest reward
  first (the most harmful), cycling so every wrong sample is used once before any is reused;
- no sample correct: chosen = the gold CoT (the example's `guide`; else the rule set's rendering of complete gold
  steps; a guide that does not parse to the gold label is not used), rejected = the wrong samples in that order;
  without a usable gold CoT the prompt is skipped and counted;
- every sample correct: nothing to prefer, no pair (counted).
At most `max_pairs_per_prompt` pairs per prompt, no (chosen, rejected) pair twice, never two identical texts.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from rules import CompiledRuleSet, ParseError
from rules.data import Example
from trainers.common.sampling import SampleRecord
from trainers.evaluation.metrics import pass_at_k_report

logger = logging.getLogger(__name__)

# What happened to each prompt; a pair's `case` column is one of the first two.
CASES = {
    "mixed": "some samples correct, some wrong: chosen = a correct sample, rejected = a wrong one",
    "none_correct": "no sample correct: chosen = the gold CoT, rejected = a wrong sample",
    "all_correct": "every sample correct: nothing to prefer, no pair",
    "no_gold": "no sample correct and no usable gold CoT (no guide that parses to the gold label, gold steps "
               "incomplete): skipped",
}
CHOSEN_SOURCES = {"sample": "a correct pass@N sample", "gold": "the example's gold CoT (guide or rendered steps)"}


@dataclass(frozen=True)
class Pair:
    """One preference pair of one prompt; indices point into the record's samples (None: the gold CoT)."""

    id: str
    chosen: str
    rejected: str
    case: str  # a key of CASES
    chosen_source: str  # a key of CHOSEN_SOURCES
    chosen_index: int | None
    rejected_index: int
    chosen_reward: float | None
    rejected_reward: float | None
    rejected_label: int | None  # None: the rejected sample does not parse

    def row(self, prompt: Any, chat: bool) -> dict[str, Any]:
        """A TRL DPO row (prompt/chosen/rejected; message lists in chat mode) with the pair's own columns."""
        def wrap(text: str) -> Any:
            return [{"role": "assistant", "content": text}] if chat else text

        return {"prompt": prompt, **asdict(self), "chosen": wrap(self.chosen), "rejected": wrap(self.rejected)}


@dataclass
class PairStats:
    """Counts over a whole pairing run (see CASES and CHOSEN_SOURCES)."""

    prompts: int = 0
    cases: Counter = field(default_factory=Counter)
    pairs_per_prompt: Counter = field(default_factory=Counter)  # number of pairs -> prompts with that many
    chosen_source: Counter = field(default_factory=Counter)
    rejected_unparsable: int = 0
    identical_skipped: int = 0  # candidate pairs dropped because chosen and rejected were the same text
    bad_guides: int = 0  # guides that did not parse to the gold label (the rendered gold steps were used, or none)

    @property
    def pairs(self) -> int:
        return sum(self.chosen_source.values())

    def as_dict(self) -> dict[str, Any]:
        paired = sum(n for k, n in self.pairs_per_prompt.items() if k > 0)
        return {
            "prompts": self.prompts, "pairs": self.pairs,
            "cases": {name: self.cases.get(name, 0) for name in CASES},
            "pairs_per_prompt": {str(k): n for k, n in sorted(self.pairs_per_prompt.items())},
            "mean_pairs_per_paired_prompt": self.pairs / paired if paired else 0.0,
            "chosen_source": {name: self.chosen_source.get(name, 0) for name in CHOSEN_SOURCES},
            "rejected_unparsable": self.rejected_unparsable,
            "rejected_unparsable_share": self.rejected_unparsable / self.pairs if self.pairs else 0.0,
            "identical_skipped": self.identical_skipped, "bad_guides": self.bad_guides,
        }


def _rank(indices: list[int], rewards: list[float | None], best_first: bool) -> list[int]:
    """Indices by reward (None counts as the worst), ties by sample index: deterministic."""
    def key(i: int) -> tuple[float, int]:
        value = rewards[i] if rewards[i] is not None else float("-inf")
        return (-value if best_first else value, i)

    return sorted(indices, key=key)


def _distinct(indices: list[int], texts: list[str]) -> list[int]:
    """The first index of each distinct text, order kept (N samples often repeat each other)."""
    seen: set[str] = set()
    out = []
    for i in indices:
        if texts[i] not in seen:
            seen.add(texts[i])
            out.append(i)
    return out


def pairing_order(n_chosen: int, n_rejected: int) -> list[tuple[int, int]]:
    """Every (chosen rank, rejected rank) once: first a cycle pairing rank k with rank k (wrapping the shorter
    list) until each of the longer list is used, then the remaining combinations by rank sum.

    >>> pairing_order(2, 3)
    [(0, 0), (1, 1), (0, 2), (0, 1), (1, 0), (1, 2)]
    """
    first = [(k % n_chosen, k % n_rejected) for k in range(max(n_chosen, n_rejected))] if n_chosen and n_rejected \
        else []
    taken = set(first)
    rest = sorted(((i, j) for i in range(n_chosen) for j in range(n_rejected) if (i, j) not in taken),
                  key=lambda ij: (ij[0] + ij[1], ij[0]))
    return first + rest


def gold_text(example: Example | None, rules: CompiledRuleSet, stats: PairStats | None = None) -> str | None:
    """The gold CoT: the guide when it parses to the gold label, else the rendering of complete gold steps."""
    if example is None:
        return None
    if example.guide:
        cot = rules.parse(example.guide)
        if not isinstance(cot, ParseError) and cot.label == example.label:
            return example.guide
        if stats is not None:
            stats.bad_guides += 1
        logger.debug("%s: the guide does not parse to the gold label; trying the gold steps", example.id)
    if example.gold_steps:
        try:
            return rules.render(example.label, example.gold_steps)
        except (ValueError, KeyError):  # a step without a (valid) gold verdict: the steps are incomplete
            return None
    return None


def pairs_of(record: SampleRecord, max_pairs: int, gold: str | None = None,
             stats: PairStats | None = None) -> tuple[str, list[Pair]]:
    """The case of one record and its pairs (see the module docstring)."""
    texts, rewards, labels = record.completions, record.rewards, record.labels
    good = _distinct(_rank([i for i, ok in enumerate(record.correct) if ok], rewards, best_first=True), texts)
    bad = _distinct(_rank([i for i, ok in enumerate(record.correct) if not ok], rewards, best_first=False), texts)
    if not bad:
        return "all_correct", []
    if good:
        case, chosen = "mixed", [(texts[i], i, rewards[i]) for i in good]
    elif gold is not None:
        case, chosen = "none_correct", [(gold, None, None)]
    else:
        return "no_gold", []
    pairs: list[Pair] = []
    seen: set[tuple[str, str]] = set()
    for ci, ri in pairing_order(len(chosen), len(bad)):
        if len(pairs) >= max_pairs:
            break
        text, index, reward = chosen[ci]
        rejected = bad[ri]
        if text == texts[rejected]:
            if stats is not None:
                stats.identical_skipped += 1
            continue
        if (text, texts[rejected]) in seen:
            continue
        seen.add((text, texts[rejected]))
        pairs.append(Pair(record.id, text, texts[rejected], case, "sample" if index is not None else "gold", index,
                          rejected, reward, rewards[rejected], labels[rejected]))
    return case, pairs


def pair_records(records: list[SampleRecord], examples: list[Example] | dict[str, Example], rules: CompiledRuleSet,
                 max_pairs_per_prompt: int = 2) -> tuple[list[Pair], PairStats]:
    """All pairs of a sampling run and their statistics; `examples` supply the gold CoTs (by id)."""
    if max_pairs_per_prompt < 1:
        raise ValueError(f"max_pairs_per_prompt: give at least 1 (got {max_pairs_per_prompt})")
    by_id = examples if isinstance(examples, dict) else {e.id: e for e in examples}
    stats, pairs = PairStats(), []
    for record in records:
        stats.prompts += 1
        gold = gold_text(by_id.get(record.id), rules, stats) if not any(record.correct) else None
        case, found = pairs_of(record, max_pairs_per_prompt, gold, stats)
        stats.cases[case] += 1
        stats.pairs_per_prompt[len(found)] += 1
        for pair in found:
            stats.chosen_source[pair.chosen_source] += 1
            stats.rejected_unparsable += pair.rejected_label is None
        pairs.extend(found)
    return pairs, stats


def pass_at_n_curve(records: list[SampleRecord]) -> dict[int, float]:
    """Unbiased pass@1..N over the records (N = the fewest samples any record has)."""
    rows = [r.correct for r in records]
    n = min((len(r) for r in rows), default=0)
    if n == 0:
        raise ValueError("no samples to compute pass@k from: every record needs at least one sample")
    return pass_at_k_report(rows, ks=range(1, n + 1))
