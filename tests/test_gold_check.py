"""Data that does not match the rule set (a grocery file run with `--rules ecommerce`, or the other way round) is
reported once per kind of mismatch, names the unknown steps, and suggests `--rules` when a bundled rule set fits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rules import compile_rules
from rules.data import DataError, Example, load_examples
from rules.data.gold import check_gold, gold_problems

ROOT = Path(__file__).parent.parent
ECOMMERCE = compile_rules(ROOT / "rules" / "catalog" / "ecommerce.yaml")
TRAIN = [Example.model_validate(json.loads(line)) for line in
         (ROOT / "data" / "synthetic" / "train.jsonl").read_text().splitlines()[:40]]

# A grocery rule set written from the README: ecommerce's steps plus two of its own, one verdict more.
GROCERY = """name: grocery
extends: ecommerce
steps:
  - id: freshness
    question: Is the product fresh enough for what the shopper asks (a best-before date, organic, chilled)?
    verdicts: [fresh, violated, not_mentioned]
    before: verdict
  - id: dietary
    question: Does the product meet the diet the query asks for (vegan, gluten-free, halal)?
    verdicts: [meets, violated, not_mentioned]
    before: verdict
"""


@pytest.fixture(scope="module")
def grocery(tmp_path_factory):
    path = tmp_path_factory.mktemp("grocery") / "grocery.yaml"
    path.write_text(GROCERY)
    return compile_rules(path)


def _with(examples, **steps):
    return [e.model_copy(update={"gold_steps": {**(e.gold_steps or {}), **steps}}) for e in examples]


def test_grocery_data_with_the_ecommerce_rules_says_it_once_and_names_the_steps():
    data = _with(TRAIN, freshness="violated", dietary="meets")
    with pytest.raises(DataError) as err:
        check_gold(data, ECOMMERCE, "grocery.jsonl")
    [problem] = err.value.problems  # 40 rows x 2 steps: one problem, not 80
    text = str(problem)
    assert text.startswith("grocery.jsonl row 1: gold_steps: steps rule set 'ecommerce' does not know: "
                           "'freshness', 'dietary' (all 40 examples, first example 'train-00000')"), text
    assert "violated" not in text  # the verdict is not the news; the step is
    assert "the steps of 'ecommerce' are: query, product" in text and "(--rules)" in text
    assert len(text) < 400 and "{" not in text  # no whole dictionaries


def test_a_misspelled_step_gets_did_you_mean():
    data = _with(TRAIN[:3], attribute="match")
    [problem] = gold_problems(data, ECOMMERCE, "f.jsonl")
    assert "'attribute'" in problem.message and "did you mean 'attribute' -> 'attributes'?" in problem.fix


def test_ecommerce_data_with_grocery_rules_fits_nothing_else_but_verdicts_are_grouped(grocery):
    data = _with(TRAIN, attributes="violated")  # a verdict of grocery's own steps, under an ecommerce step
    data[5] = data[5].model_copy(update={"gold_steps": {**data[5].gold_steps, "attributes": "meh"}})
    [problem] = gold_problems(data, grocery, "mixed.jsonl")
    assert problem.path == "gold_steps.attributes" and problem.row == 1
    assert "step 'attributes' has no verdict 'violated', 'meh' (all 40 examples" in problem.message


def test_data_that_fits_a_bundled_rule_set_suggests_it():
    # Plain ecommerce data run with a three-label rule set of other steps.
    threelabel = compile_rules(ROOT / "tests" / "fixtures" / "good_rules" / "minimal.yaml")
    problems = gold_problems(TRAIN, threelabel, "train.jsonl")
    # apparel (ecommerce plus a `fit` step) fits too; ecommerce, whose steps the data has all of, comes first.
    assert problems and all("the data fits bundled rule set 'ecommerce' and 'apparel'" in p.fix for p in problems)
    assert all("pass --rules ecommerce" in p.fix for p in problems)
    assert len(problems) <= 1 + len(threelabel.step_verdicts) + 4  # per kind, never per row


def test_labels_outside_the_rule_set_are_one_problem_per_label():
    data = [e.model_copy(update={"label": 7}) for e in TRAIN[:5]] + TRAIN[5:]
    [problem] = gold_problems(data, ECOMMERCE, "bad.jsonl")
    assert str(problem).startswith("bad.jsonl row 1: label: example 'train-00000' and 4 more: not a label of rule "
                                   "set 'ecommerce' (got 7); use one of [4, 3, 2, 1]")


def test_matching_data_is_fine(grocery):
    check_gold(TRAIN, ECOMMERCE, "train.jsonl")
    check_gold(_with(TRAIN, freshness="fresh"), grocery, "train.jsonl")


def test_the_trainers_use_this_check():
    from trainers import evaluation

    assert evaluation.check_gold is check_gold
    with pytest.raises(DataError, match="does not know: 'freshness'"):
        evaluation.check_gold(_with(load_examples(ROOT / "tests/fixtures/data/examples.jsonl").examples,
                                    freshness="fresh"), ECOMMERCE, "x.jsonl")
