"""bench/sampling_headroom.py counts what it says: majority vote, pass@k and malformed rollouts of k samples.

    pytest -q tests/test_sampling_headroom.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from sampling_headroom import headroom, majority  # noqa: E402

from trainers.common.arguments import ShelfArguments  # noqa: E402
from trainers.common.data import cot_target, load_rule_set, load_split  # noqa: E402
from trainers.evaluation.parts import classes  # noqa: E402


def test_majority_takes_the_most_frequent_parsed_label_and_breaks_ties_by_first_seen():
    assert majority([2, None, 3, 3, 2, None, None, 3]) == 3
    assert majority([2, 3, 3, 2]) == 2 and majority([3, 2, 2, 3]) == 3
    assert majority([None, None]) is None


class Scripted:
    """A generator that answers each prompt with the completions given for it (no model)."""

    def __init__(self, rows):
        self.rows = rows

    def generate(self, prompts, samples=1, temperature=0.0):
        assert len(prompts) == len(self.rows) and all(len(r) == samples for r in self.rows)
        return self.rows


@pytest.fixture(scope="module")
def setting():
    shelf = ShelfArguments(cot_style="terse", prompt_style="bare")
    rules = load_rule_set(shelf)
    examples = load_split("data/synthetic/eval_balanced.jsonl", rules, shelf, 8)
    return rules, examples


def test_headroom_reads_labels_from_whole_completions(setting):
    rules, examples = setting
    gold = [e.label for e in examples]
    right = [cot_target(e, rules)[0] for e in examples]
    assert len(set(gold)) > 1
    other = [cot_target(next(x for x in examples if x.label != e.label), rules)[0] for e in examples]
    # per prompt: right, another example's CoT (a wrong label), a malformed answer, and right again
    rows = [[r, o, "no label here", r] for r, o in zip(right, other)]
    found = headroom(Scripted(rows), [None] * len(rows), gold, rules, samples=4, temperature=1.0)
    assert found["pass_at_k"] == 1.0 and found["malformed"] == 0.25
    assert found["majority_macro_f1"] == classes(gold, gold, rules)["macro_f1"]
    per_sample = [1.0, classes(gold, [rules.parse(o).label for o in other], rules)["macro_f1"], 0.0, 1.0]
    assert found["sampled_macro_f1"] == pytest.approx(sum(per_sample) / 4)
    assert found["distinct_labels"] == 2.0
