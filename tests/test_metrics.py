"""Metrics against hand-computed tables (the arithmetic is in the comments)."""

import json
from fractions import Fraction
from math import comb

import pytest

from trainers.evaluation.metrics import (StepRecord, classification_report, pass_at_k, pass_at_k_report, slice_report,
                              step_report, to_markdown)

LABELS = [4, 3, 2, 1]
TIERS = {"Good": [4, 3], "Mid": [2], "Bad": [1]}
NAMES = {4: "Excellent", 3: "Related", 2: "Mismatch", 1: "Irrelevant"}
# One table with every phenomenon: two parse failures (None), class 3 never predicted, class 1 without support.
GOLD = [4, 4, 4, 3, 3, 2, 2, 2]
PRED = [4, 4, None, 4, 2, 2, 1, None]


@pytest.fixture
def report():
    return classification_report(GOLD, PRED, LABELS, tiers=TIERS, label_names=NAMES)


def test_confusion_matrix_has_an_unparsed_column(report):
    assert report["confusion"]["cols"] == [4, 3, 2, 1, "unparsed"]
    assert report["confusion"]["matrix"] == [
        [2, 0, 0, 0, 1],  # gold 4: 4,4,None
        [1, 0, 1, 0, 0],  # gold 3: 4,2
        [0, 0, 1, 1, 1],  # gold 2: 2,1,None
        [0, 0, 0, 0, 0],  # gold 1: no support
    ]


def test_per_class_precision_recall_f1(report):
    pc = report["per_class"]
    # class 4: tp 2, fp 1 (gold 3 -> 4), fn 1 (unparsed) -> P 2/3, R 2/3, F1 4/6
    assert pc["4"] == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "support": 3, "predicted": 3})
    # class 3: never predicted -> P 0 (zero_division=0); tp 0, fn 2 -> R 0, F1 0
    assert pc["3"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2, "predicted": 0}
    # class 2: tp 1, fp 1 (gold 3 -> 2), fn 2 (-> 1, unparsed) -> P 1/2, R 1/3, F1 2/(2+1+2) = 0.4
    assert pc["2"] == pytest.approx({"precision": 0.5, "recall": 1 / 3, "f1": 0.4, "support": 3, "predicted": 2})
    # class 1: no support, predicted once -> P 0/1 = 0, R 0 (zero_division=0), F1 0
    assert pc["1"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "predicted": 1}


def test_headline_numbers(report):
    assert report["macro_f1"] == pytest.approx((2 / 3 + 0 + 0.4 + 0) / 4)  # = 4/15, absent class 1 counts 0
    assert report["accuracy"] == pytest.approx(3 / 8)  # diagonal 2+0+1+0; unparsed rows are wrong
    assert report["n_unparsed"] == 2 and report["parse_failure_rate"] == 0.25
    # Good = {4,3}: (4,4) tp, (4,4) tp, (4,None) fn, (3,4) tp, (3,2) fn, the three gold-2 rows are negatives
    # -> tp 3, fp 0, fn 2 -> P 1, R 3/5, F1 6/8
    assert report["good_f1"] == pytest.approx(0.75)
    assert (report["good_precision"], report["good_recall"]) == pytest.approx((1.0, 0.6))
    # same tier: (4,4) (4,4) (3,4) (2,2) -> 4/8; (4,None) (3,2) (2,1) (2,None) differ
    assert report["tier_accuracy"] == 0.5
    assert report["label_names"]["4"] == "Excellent"


def test_class_with_neither_support_nor_predictions_counts_zero_in_macro():
    rep = classification_report([4, 2], [4, 2], LABELS)
    assert rep["per_class"]["3"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "predicted": 0}
    assert rep["macro_f1"] == 0.5  # (1 + 0 + 1 + 0) / 4, as scikit-learn with labels=[4,3,2,1], zero_division=0
    assert rep["good_f1"] is None and rep["tier_accuracy"] is None  # no tiers: not measured, not 0


def test_numpy_inputs_give_a_json_ready_report():
    import numpy as np

    rep = classification_report(np.array(GOLD), PRED, np.array(LABELS), tiers=TIERS)
    assert json.loads(json.dumps(rep))["macro_f1"] == pytest.approx(4 / 15)


def test_all_unparsed_is_zero_not_an_error():
    rep = classification_report([4, 3], [None, None], LABELS, tiers=TIERS)
    assert rep["accuracy"] == 0 and rep["parse_failure_rate"] == 1 and rep["good_f1"] == 0


@pytest.mark.parametrize("gold,pred,kw,match", [
    ([4, 3], [4], {}, "one prediction per example"),
    ([], [], {}, "empty"),
    ([4], [5], {}, r"pred\[0\] = 5 is not in labels"),
    ([9], [4], {}, r"gold\[0\] = 9"),
    ([4], [4], {"tiers": {"Good": [4, 3], "Bad": [1]}}, r"labels \[2\] are in no tier"),
    ([4], [4], {"tiers": TIERS, "good_tier": "Top"}, "good_tier 'Top' is not a tier"),
    ([4], [4], {"tiers": {**TIERS, "Mid": [2, 3]}}, "label 3 is in tiers 'Good' and 'Mid'"),
])
def test_bad_input_names_the_problem(gold, pred, kw, match):
    with pytest.raises(ValueError, match=match):
        classification_report(gold, pred, LABELS, **kw)
    with pytest.raises(ValueError, match="repeat a label"):
        classification_report([4], [4], [4, 3, 4])


def _records():
    right = {"category": "match", "brand": "match"}
    return [
        StepRecord(4, 4, 4, dict(right), dict(right)),  # adherent, reasoning right, label right
        StepRecord(3, 4, 4, {"category": "match", "brand": "match"}, dict(right)),  # reasoning right, label wrong
        StepRecord(2, 2, None, None, {"category": "match"}),  # steps unparsed: own decision undecidable
        StepRecord(None, 4, None, None, {"category": "mismatch", "brand": "match"}),  # label unparsed
        StepRecord(2, 4, 2, {"category": "mismatch", "brand": "match"}, dict(right)),  # wrong step, adherent
        StepRecord(4, 4, 4, {"category": "match"}, None),  # no gold steps
        {"pred_label": 4, "gold_label": 4, "own_decision": 4, "pred_steps": {"category": "match"},
         "gold_steps": {}},  # a plain dict works; empty gold steps: not "reasoning right"
        StepRecord(3, 3, 3, {"category": "match"}, {"category": "match", "brand": "partial"}),  # brand missing
    ]


def test_step_report_rates_and_counts():
    st = step_report(_records())
    assert (st["n"], st["n_parsed"], st["n_undecided"]) == (8, 7, 1)
    # parsed: records 1,2,3,5,6,7,8; pred == own_decision on 1,5,6,7,8 -> 5/7 (record 3's None counts against)
    assert (st["adherent"], st["rule_adherence"]) == (5, pytest.approx(5 / 7))
    # reasoning right (all gold steps matched): records 1 and 2; record 2's label is wrong -> 1/2
    assert (st["n_reasoning_right"], st["hallucinated"], st["hallucination_rate"]) == (2, 1, 0.5)
    # category gold on 1,2,3,4,5,8: right on 1,2,8; 3 and 4 have no predicted steps, 5 says mismatch -> 3/6
    assert st["per_step"]["category"] == {"correct": 3, "total": 6, "accuracy": 0.5}
    # brand gold on 1,2,4,5,8: right on 1,2,5; 4 unparsed, 8 missing -> 3/5
    assert st["per_step"]["brand"] == {"correct": 3, "total": 5, "accuracy": 0.6}


def test_step_report_with_nothing_measurable_says_none():
    st = step_report([StepRecord(None, 4)])
    assert st["rule_adherence"] is None and st["hallucination_rate"] is None and st["per_step"] == {}


def test_slice_report():
    gold, pred = [4, 3, 2, 4], [4, 4, 2, None]
    slices = [["negation"], ["negation", "qa"], [], ["qa", "qa"]]  # untagged row 3; repeated tag counts once
    sl = slice_report(gold, pred, slices, LABELS)
    assert list(sl) == ["negation", "qa"]
    # negation = rows 1,2: gold [4,3], pred [4,4] -> acc 1/2; F1(4) = 2/(2+1+0) = 2/3, F1(3) = 0 -> macro 1/3
    assert sl["negation"] == pytest.approx({"n": 2, "accuracy": 0.5, "n_unparsed": 0, "macro_f1": 1 / 3})
    # qa = rows 2,4: gold [3,4], pred [4,None] -> acc 0, F1(4) = 0, F1(3) = 0
    assert sl["qa"] == {"n": 2, "accuracy": 0.0, "n_unparsed": 1, "macro_f1": 0.0}
    # over all four labels instead: (2/3 + 0 + 0 + 0) / 4
    assert slice_report(gold, pred, slices, LABELS, present_only=False)["negation"]["macro_f1"] == pytest.approx(1 / 6)
    with pytest.raises(ValueError, match="one tag list per example"):
        slice_report(gold, pred, slices[:2], LABELS)


@pytest.mark.parametrize("n", range(1, 11))
def test_pass_at_k_matches_exact_combinatorics(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            exact = 1 - Fraction(comb(n - c, k), comb(n, k))  # comb(a, k) = 0 when k > a
            assert pass_at_k(n, c, k) == float(exact)


def test_pass_at_k_edges():
    assert pass_at_k(5, 0, 3) == 0.0  # no correct sample
    assert pass_at_k(5, 5, 1) == 1.0  # all correct
    assert pass_at_k(5, 3, 3) == 1.0  # k > n - c: any 3 of 5 include one of the 3 correct
    assert pass_at_k(5, 1, 1) == 0.2  # c/n exactly, no 0.19999999999999996
    assert pass_at_k(1000, 1, 1) == 0.001
    assert pass_at_k(2000, 3, 100) == pytest.approx(1 - (1900 * 1899 * 1898) / (2000 * 1999 * 1998))
    for n, c, k in [(5, 6, 1), (5, -1, 1), (5, 1, 0), (5, 1, 6)]:
        with pytest.raises(ValueError):
            pass_at_k(n, c, k)


def test_pass_at_k_report():
    matrix = [[True, False, False, False], [False] * 4, [True] * 4]
    # pass@1: (1/4 + 0 + 1)/3; pass@2: row 1 = 1 - C(3,2)/C(4,2) = 1 - 3/6 -> (1/2 + 0 + 1)/3
    assert pass_at_k_report(matrix, [1, 2]) == pytest.approx({1: 1.25 / 3, 2: 0.5})
    with pytest.raises(ValueError, match="example 1 has only 2 samples"):
        pass_at_k_report([[True] * 3, [True, False]], [3])
    with pytest.raises(ValueError, match="empty"):
        pass_at_k_report([], [1])


def test_to_markdown_is_re_exported_from_trainers_report():
    import trainers.evaluation.report

    assert to_markdown is trainers.evaluation.report.to_markdown  # the rendering moved; old imports keep working


def test_docstring_examples_hold():
    import doctest

    import trainers.evaluation.metrics

    assert doctest.testmod(trainers.evaluation.metrics).failed == 0
