"""Markdown rendering of evaluation reports: tables side by side and the notes that qualify them."""

import json

import pytest

from trainers.evaluation.metrics import StepRecord, classification_report, slice_report, step_report
from trainers.evaluation.report import to_markdown

LABELS = [4, 3, 2, 1]
TIERS = {"Good": [4, 3], "Mid": [2], "Bad": [1]}
NAMES = {4: "Excellent", 3: "Related", 2: "Mismatch", 1: "Irrelevant"}
GOLD = [4, 4, 4, 3, 3, 2, 2, 2]
PRED = [4, 4, None, 4, 2, 2, 1, None]  # two parse failures: decoded macro-F1 4/15, accuracy 3/8
LINE = [4, 4, 4, 4, 2, 2, 1, None]  # the first line alone reads one more label: accuracy 4/8
CUMPT = [4, 4, 4, 4, 2, 2, 1, 2]


@pytest.fixture
def decoded():
    return classification_report(GOLD, PRED, LABELS, tiers=TIERS, label_names=NAMES)


def _records():
    right = {"category": "match", "brand": "match"}
    return [
        StepRecord(4, 4, 4, dict(right), dict(right)),
        StepRecord(3, 4, 4, dict(right), dict(right)),  # reasoning right, label wrong
        StepRecord(None, 4, None, None, {"category": "mismatch", "brand": "match"}),
        StepRecord(2, 4, 2, {"category": "mismatch", "brand": "match"}, dict(right)),
    ]


def _cumpt(**extra):
    return dict(classification_report(GOLD, CUMPT, LABELS, tiers=TIERS), beta=0.55, **extra)


def test_decoded_and_cumpt_side_by_side(decoded):
    full = {"decoded": decoded, "cumpt": _cumpt(), "steps": step_report(_records()),
            "slices": slice_report(GOLD, PRED, [["qa"]] * 8, LABELS), "pass_at_k": {1: 0.5, 2: 0.75}}
    md = to_markdown(full)
    assert "| metric | decoded | cumpt (beta=0.55) |" in md
    assert "| macro-F1 | 26.67 | " in md  # 4/15
    assert "| Good-F1 | 75.00 | " in md and "| parse failures | 25.00 | 0.00 |" in md
    assert "| 2 Mismatch | 0 | 0 | 1 | 1 | 1 |" in md  # confusion row with the unparsed column
    # steps: parsed 1, 2, 4; adherent 1 and 4 -> 2/3; reasoning right 1, 2, label wrong on 2 -> 1/2
    assert "| rule adherence | 66.67 | 2/3 |" in md and "| discriminative hallucination | 50.00 | 1/2 |" in md
    assert "| qa | 8 | 37.50 |" in md and "| pass@k | 50.00 | 75.00 |" in md
    assert "label line only" not in md and "truncated" not in md and "label mass" not in md  # keys absent
    assert "CumPT beta = 0.55 given, not calibrated" in md
    assert to_markdown(json.loads(json.dumps(full))) == md  # a report read back from JSON renders the same
    assert to_markdown(decoded).startswith("# Evaluation report")  # a bare classification report works too


def test_label_line_column_and_truncation_note(decoded):
    line = classification_report(GOLD, LINE, LABELS, tiers=TIERS)
    md = to_markdown({"decoded": decoded, "label_line": line, "cumpt": _cumpt(), "decoded_truncated": 3})
    assert "| metric | decoded | label line only | cumpt (beta=0.55) |" in md  # next to decoded and CumPT
    assert "| accuracy | 37.50 | 50.00 | 62.50 |" in md  # 3/8, 4/8, 5/8
    # label line: F1(4) = 2*3/(6+1) = 6/7, F1(2) = 2/(2+1+2) = 0.4 -> macro (6/7 + 0.4) / 4 = 0.3143
    assert "| macro-F1 | 26.67 | 31.43 | " in md
    assert "| parse failures | 25.00 | 12.50 | 0.00 |" in md
    assert "- truncated at max_new_tokens: 3 of 8 decoded answers (37.50%)" in md
    assert "## Per class: label line only (%; n = 8, unparsed = 1)" in md
    summary = md.split("## Per class")[0]  # the notes sit under the summary table
    assert "truncated at max_new_tokens" in summary
    assert "- label line only: the label read from the first line" in summary


def test_zero_truncated_is_still_reported(decoded):
    assert "truncated at max_new_tokens: 0 of 8" in to_markdown({"decoded": decoded, "decoded_truncated": 0})


def test_calibration_note_names_the_dev_set_objective_and_score(decoded):
    cal = {"beta": 0.55, "dev": "data/synthetic/eval_wild.jsonl", "objective": "good_f1", "score": 0.8125,
           "n": 40, "curve": [[0.5, 0.8], [0.55, 0.8125]]}
    md = to_markdown({"decoded": decoded, "cumpt": _cumpt(calibration=cal)})
    assert "- CumPT beta = 0.55 calibrated on data/synthetic/eval_wild.jsonl (Good-F1, 81.25%, n = 40)" in md
    assert "given, not calibrated" not in md
    del cal["n"]
    cal["objective"] = "macro_f1"
    assert "calibrated on data/synthetic/eval_wild.jsonl (macro-F1, 81.25%)\n" in to_markdown(
        {"cumpt": _cumpt(calibration=cal)})
    # an older calibration dict without dev/score still says calibrated, with what it holds
    assert "- CumPT beta = 0.55 calibrated (macro-F1)\n" in to_markdown(
        {"cumpt": _cumpt(calibration={"beta": 0.55, "objective": "macro_f1"})})
    # calibration None (as the evaluator writes when beta is given): the given beta is stated instead
    assert "- CumPT beta = 0.55 given, not calibrated" in to_markdown({"cumpt": _cumpt(calibration=None)})


@pytest.mark.parametrize("mass,low", [(0.42, True), (0.5, False), (0.93, False)])
def test_label_mass_with_a_warning_below_half(decoded, mass, low):
    md = to_markdown({"decoded": decoded, "cumpt": _cumpt(label_mass=mass)})
    assert f"- CumPT label mass: {100 * mass:.2f}% (mean probability on the label tokens" in md
    assert ("below 50%" in md) is low


@pytest.mark.parametrize("mass", [None, float("nan")])
def test_label_mass_not_measured(decoded, mass):
    md = to_markdown(json.loads(json.dumps({"cumpt": _cumpt(label_mass=mass)})))  # NaN survives json as NaN
    assert "- CumPT label mass: n/a (mean probability on the label tokens" in md
    assert "not measured by this scorer" in md and "below 50%" not in md


def test_unscored_count_is_shown_even_when_zero(decoded):
    assert "- CumPT unscored: 2 of 8 examples" in to_markdown({"decoded": decoded, "cumpt": _cumpt(n_unscored=2)})
    assert "- CumPT unscored: 0 of 8 examples" in to_markdown({"cumpt": _cumpt(n_unscored=0), "n": 8})  # top-level n
    assert "- CumPT unscored: 0 examples" in to_markdown({"cumpt": _cumpt(n_unscored=0)})  # no total to give
    assert "unscored" not in to_markdown({"cumpt": _cumpt()})


def test_notes_without_any_classification_report():
    md = to_markdown({"title": "partial run", "decoded_truncated": 4})
    assert md.startswith("# partial run") and "## Summary" in md and "- truncated at max_new_tokens: 4" in md


def test_docstring_examples_hold():
    import doctest

    import trainers.evaluation.report

    assert doctest.testmod(trainers.evaluation.report).failed == 0
