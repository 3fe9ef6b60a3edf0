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
    assert problems[0].fix == "the data fits bundled rule set 'ecommerce' and 'apparel': pass --rules ecommerce"
    assert not any("--rules ecommerce" in p.fix for p in problems[1:])  # said once
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
    from trainers.common.data import load_split
    from trainers.evaluation import cli

    assert cli.check_gold is check_gold  # the evaluator's check; the trainers' goes through load_split
    assert "check_gold" in load_split.__code__.co_names
    with pytest.raises(DataError, match="does not know: 'freshness'"):
        cli.check_gold(_with(load_examples(ROOT / "tests/fixtures/data/examples.jsonl").examples,
                                    freshness="fresh"), ECOMMERCE, "x.jsonl")


# ------------------------------------------------------------------------------- python -m rules.data show

SHOWN = ROOT / "data" / "synthetic" / "eval_wild.jsonl"


def _show(capsys, *args):
    from rules.data.__main__ import main

    code = main(["show", str(SHOWN), "-n", "3", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_show_says_which_rule_set_it_uses(capsys):
    code, out, err = _show(capsys)
    assert code == 0 and out.splitlines()[0].startswith("rule set 'ecommerce' from ") and "the default" in out
    assert err == "" and out.count("  rule ") == 3
    code, out, _ = _show(capsys, "--rules", "apparel")  # a bundled name, not only a path
    assert code == 0 and out.splitlines()[0].startswith("rule set 'apparel' from ") and "the default" not in out


def test_show_warns_once_per_kind_on_steps_it_does_not_know_and_names_no_rule(capsys, tmp_path):
    code, out, err = _show(capsys, "--rules", str(ROOT / "tests" / "fixtures" / "good_rules" / "minimal.yaml"))
    assert code == 0 and "rule set 'minimal'" in out
    warnings = err.splitlines()
    assert warnings[0].startswith("warning: ") and "does not know: 'query', 'product'" in warnings[0]
    assert "pass --rules ecommerce" in warnings[0]
    assert len(warnings) <= 6  # per kind of mismatch, not per row (100 rows)
    assert "  rule " not in out  # a deciding rule computed without the rows' steps would mislead


def test_show_with_grocery_rules_on_ecommerce_data(capsys, grocery):
    code, out, err = _show(capsys, "--rules", grocery.source)
    # ecommerce data lacks grocery's steps: not an error (gold steps may be partial), and rules still decide.
    assert code == 0 and err == "" and "rule set 'grocery'" in out


def test_show_called_in_process_leaves_sigpipe_alone(tmp_path):
    # main() ran inside pytest and set SIGPIPE to its default: a later test writing to a closed pipe killed the
    # whole test run (exit 141). Only the command (`python -m rules.data`) may change the process's signals.
    import signal

    from rules.data.__main__ import main as data_main

    before = signal.getsignal(signal.SIGPIPE)
    data_main(["show", str(ROOT / "data" / "synthetic" / "eval_balanced.jsonl"), "-n", "1"])
    assert signal.getsignal(signal.SIGPIPE) == before
