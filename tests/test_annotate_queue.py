"""The annotation page's parts without a server: the queue (who gets which item) and the form (marks to store rows).

    pytest -q tests/test_annotate_queue.py
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import compile_rules
from rules.data import DataError, load_examples
from verifiers.human import LABEL, Annotation
from verifiers.human.candidates import read_candidates
from verifiers.human.web.forms import form_rows, item_view
from verifiers.human.web.queue import AnnotationQueue

ROOT = Path(__file__).resolve().parents[1]
RULES = compile_rules(ROOT / "rules/catalog/ecommerce.yaml")
EXAMPLES = {e.id: e for e in load_examples(ROOT / "data/synthetic/eval_balanced.jsonl").examples}
CANDIDATES = read_candidates(ROOT / "data/annotate/candidates.jsonl", EXAMPLES, RULES)
KEYS = [f"c.jsonl:{i}" for i in range(1, 11)]


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------------------------------------- the queue

def test_items_spread_over_annotators_and_claims_keep_them_apart():
    queue = AnnotationQueue(KEYS)
    assert [queue.next_for(a, {}) for a in ("ana", "bob", "cy")] == KEYS[:3]
    assert queue.next_for("ana", {}) == KEYS[0]  # asking again: the item ana holds
    done = {KEYS[0]: {"ana"}}
    assert queue.next_for("ana", done) == KEYS[3]
    assert queue.open_for("ana", done) == 9 and queue.open_for("bob", done) == 9  # KEYS[0] has its one annotator


def test_a_share_of_items_gets_a_second_annotator_fixed_by_the_seed():
    queue = AnnotationQueue([f"c:{i}" for i in range(1000)], double=0.2, seed=3)
    twice = {k for k, t in queue.target.items() if t == 2}
    assert 150 < len(twice) < 250
    assert twice == {k for k, t in AnnotationQueue(list(queue.target), double=0.2, seed=3).target.items() if t == 2}
    assert twice != {k for k, t in AnnotationQueue(list(queue.target), double=0.2, seed=4).target.items() if t == 2}
    both = AnnotationQueue(KEYS, double=1.0)
    assert both.next_for("ana", {}) == both.next_for("bob", {}) == KEYS[0]  # two may hold it
    assert both.next_for("cy", {}) == KEYS[1]  # a third may not
    assert both.complete({KEYS[0]: {"ana", "bob"}, KEYS[1]: {"ana"}}) == 1
    with pytest.raises(ValueError, match="between 0 and 1"):
        AnnotationQueue(KEYS, double=1.5)


def test_skipped_items_come_back_last_and_claims_expire():
    clock = Clock()
    queue = AnnotationQueue(KEYS[:3], lease_s=60, clock=clock)
    assert queue.next_for("ana", {}) == KEYS[0]
    queue.skip("ana", KEYS[0])
    assert queue.next_for("ana", {}) == KEYS[1]
    queue.release("ana", KEYS[1])
    assert queue.next_for("ana", {KEYS[1]: {"ana"}}) == KEYS[2]
    queue.release("ana", KEYS[2])
    assert queue.next_for("ana", {KEYS[1]: {"ana"}, KEYS[2]: {"ana"}}) == KEYS[0]  # the skipped one, at the end
    assert queue.next_for("bob", {KEYS[1]: {"ana"}, KEYS[2]: {"ana"}}) is None  # ana holds the last item
    clock.now = 61  # ana walked away: her claim lapses
    assert queue.next_for("bob", {KEYS[1]: {"ana"}, KEYS[2]: {"ana"}}) == KEYS[0]


# ---------------------------------------------------------------------------------------------------- the form

def parsed(index: int = 0):
    candidate = CANDIDATES[index]
    assert candidate.cot is not None
    return candidate, item_view(RULES, candidate, [])


def test_marks_become_verdicts_the_store_keeps():
    candidate, view = parsed()
    model = {s.id: s.model for s in view.steps}
    form = {"mark.query": "correct", "mark.product": "wrong", "mark.category": "wrong",
            "verdict.category": next(v for v in RULES.step_verdicts["category"] if v != model["category"]),
            "reason.category": " looks off ", "label": "2", "reason.label": "by the rules"}
    rows, problems = form_rows(view, form, "ana", "2026-11-20T09:30:00.000000Z")
    assert problems == []
    values = {r.field: (r.value, r.reason) for r in rows}
    assert values["query"] == (model["query"], None)
    assert values["product"][0] == next(v for v in ("clear", "vague") if v != model["product"])  # two verdicts
    assert values["category"] == (form["verdict.category"], "looks off")
    assert values[LABEL] == ("2", "by the rules") and "verdict" not in values  # the conclusion step is the label
    assert {(r.annotator, r.source, r.example_id) for r in rows} == {("ana", candidate.key, candidate.example.id)}


@pytest.mark.parametrize("form, says", [
    ({"mark.category": "wrong"}, "category: marked wrong; pick the right verdict"),
    ({"mark.query": "maybe"}, "mark 'maybe' is neither correct nor wrong"),
    ({"verdict.query": "odd"}, "'odd' is not a verdict of this step"),
    ({"label": "7"}, "label '7' is not a label of this rule file"),
    ({}, "nothing to save"),
])
def test_forms_that_cannot_be_stored_say_why_and_store_nothing(form, says):
    _, view = parsed()
    rows, problems = form_rows(view, form, "ana", "2026-11-20T09:30:00.000000Z")
    assert rows == [] and any(says in p for p in problems), problems


def test_saved_values_prefill_the_page_and_foreign_ones_are_listed():
    candidate, view = parsed()
    step = view.steps[2]
    wrong = next(v for v in step.verdicts if v != step.model)
    saved = [Annotation(candidate.example.id, step.id, step.model, "ana", "2026-11-20T09:00:00.000000Z"),
             Annotation(candidate.example.id, step.id, wrong, "ana", "2026-11-20T09:30:00.000000Z", "second look"),
             Annotation(candidate.example.id, LABEL, "3", "ana", "2026-11-20T09:30:00.000000Z"),
             Annotation(candidate.example.id, "fit", "tight", "ana", "2026-11-20T09:30:00.000000Z")]
    again = item_view(RULES, candidate, saved)
    row = again.steps[2]
    assert (row.mark, row.verdict, row.reason) == ("wrong", wrong, "second look")  # the latest value
    assert again.label == "3" and again.foreign == ["fit=tight"]


def test_unparsed_candidates_keep_their_text_error_and_label_line():
    broken = next(c for c in CANDIDATES if c.error is not None)
    view = item_view(RULES, broken, [])
    assert broken.cot is None and broken.error.code == "think_open" and view.model_label == 2
    assert all(s.model is None for s in view.steps)
    rows, problems = form_rows(view, {"label": "1"}, "ana", "2026-11-20T09:30:00.000000Z")
    assert problems == [] and [(r.field, r.value) for r in rows] == [(LABEL, "1")]


def test_candidates_file_lines_and_problems(tmp_path):
    assert [c.key for c in CANDIDATES[:2]] == ["candidates.jsonl:1", "candidates.jsonl:2"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('\n{"id": "eval_balanced-00000", "completion": [{"role": "assistant", "content": "Label: 4"}]}\n'
                   '{"id": "eval_balanced-00000", "completion": 7}\n[1]\n')
    with pytest.raises(DataError) as err:
        read_candidates(bad, EXAMPLES, RULES)
    lines = str(err.value).splitlines()
    assert "bad.jsonl:3" in lines[0] and "neither text nor chat messages" in lines[0]
    assert "bad.jsonl:4" in lines[1] and "not a JSON object" in lines[1]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(DataError, match="no candidates in the file"):
        read_candidates(empty, EXAMPLES, RULES)
    with pytest.raises(FileNotFoundError, match="no such candidates file"):
        read_candidates(tmp_path / "none.jsonl", EXAMPLES, RULES)


def test_bundled_candidates_are_what_the_command_writes(tmp_path):
    """data/annotate/candidates.jsonl is generated: `python -m verifiers.human.demo_candidates` (its docstring)."""
    from verifiers.human.demo_candidates import main

    out = tmp_path / "candidates.jsonl"
    assert main(["--examples", str(ROOT / "data/synthetic/eval_balanced.jsonl"), "--rules",
                 str(ROOT / "rules/catalog/ecommerce.yaml"), "--out", str(out), "--n", "24", "--seed", "0"]) == 0
    assert out.read_text() == (ROOT / "data/annotate/candidates.jsonl").read_text()
    kinds = [c.cot is None for c in CANDIDATES]
    assert len(CANDIDATES) == 24 and sum(kinds) == 2  # two that do not parse
