"""Gold labels as loaders hand them over: any integral number type is a label; anything else is a data error.

Issue 11: `label=[np.int64(3)]` and `np.array([3, 3])` silently skipped the label component (a wrong answer
scored 0.907 instead of 0.588), and a misspelled name, NaN or 3.5 did the same with one log line.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from rewards import RuleAwareReward
from rewards.gold import GoldLabelError
from rules.data.errors import DataError

CATALOG = "rules/catalog/ecommerce.yaml"
GOLD = dict(query="plain", product="clear", category="match", core_product="match", brand_model="not_mentioned",
            attributes="partial")
WRONG = (0.1 + 0.3 + 0.5 * 5 / 6 + 0.3) / 1.9  # off by one, consistent: 0.588


@pytest.fixture(scope="module")
def reward():
    return RuleAwareReward.from_yaml(CATALOG)


@pytest.fixture(scope="module")
def wrong(reward):
    return reward.rules.render(4, dict(GOLD, attributes="match"))


# One row per way a loader can spell the gold label 3 (Related).
INTEGRAL = [
    3, 3.0, "3", "Related", " Related ",
    np.int64(3), np.int32(3), np.uint8(3), np.int8(3),  # numpy integer scalars (pandas / datasets columns)
    np.float64(3.0), np.float32(3.0),  # an int column with a gap becomes float in pandas
    np.array(3), np.array(3.0),  # 0-d arrays
    np.str_("Related"),
    Decimal(3), Fraction(3, 1),  # other numbers.Real with an integral value
]


@pytest.mark.parametrize("label", INTEGRAL, ids=[f"{type(v).__name__}:{v!r}" for v in INTEGRAL])
def test_every_integral_label_type_scores_the_label(reward, wrong, label):
    assert reward(completions=[wrong], label=[label], gold_steps=[GOLD]) == [pytest.approx(WRONG)]


@pytest.mark.parametrize("column", [np.array([3, 3]), np.array([3.0, 3.0]), [np.int64(3)] * 2, (3, 3),
                                    np.array(["Related", "3"])], ids=["int_array", "float_array", "np_ints", "tuple",
                                                                     "str_array"])
def test_array_columns_give_one_label_per_row(reward, wrong, column):
    assert reward(completions=[wrong, wrong], label=column, gold_steps=[GOLD, GOLD]) == [pytest.approx(WRONG)] * 2


# One row per kind of gold label that is not a label of the rule set: (value, what the error must say).
NOT_LABELS = [
    ("Irrelevent", "did you mean 'Irrelevant'?"),  # misspelled name
    ("Very good", "not a label name"),
    (float("nan"), "whole number"), (np.nan, "whole number"), (np.float32("nan"), "whole number"),
    (3.5, "whole number"), (np.float64(2.5), "whole number"), (float("inf"), "whole number"),
    (7, "no label with id 7"), (np.int64(0), "no label with id 0"), (-3, "no label with id -3"),
    (True, "boolean"), (np.bool_(True), "boolean"),
    ([3], "list is not a label"), ({"id": 3}, "dict is not a label"), (b"3", "bytes is not a label"),
    (np.array([3]), "ndarray is not a label"),  # a 1-d array as one row's label
]


@pytest.mark.parametrize("value,says", NOT_LABELS, ids=[f"{type(v).__name__}:{v!r}" for v, _ in NOT_LABELS])
def test_a_gold_label_outside_the_rule_set_is_a_data_error_naming_the_row(reward, wrong, value, says):
    with pytest.raises(GoldLabelError) as caught:
        reward(completions=[wrong, wrong, wrong], label=[3, 3, value], gold_steps=[GOLD] * 3)
    text = str(caught.value)
    assert text.startswith("label[2]: ") and says in text, text
    assert "fix the row's `label`" in text and "Excellent" in text  # the fix lists the valid labels
    assert caught.value.row == 2 and isinstance(caught.value, DataError)


def test_none_still_means_no_gold_label(reward, wrong):
    # (0.1 + 0.3) / 0.4: format and consistency only; the label component does not apply.
    assert reward(completions=[wrong], label=[None]) == [1.0]


def test_a_completion_never_raises_whatever_the_label_column_holds_when_valid(reward):
    junk = [None, 3, "", "Label: 3", {"role": "x"}, [{"content": 3}], "\x00" * 10]
    assert reward(completions=junk, label=[np.int64(3)] * len(junk)) == [-1.0] * len(junk)


def test_a_case_with_a_bad_gold_label_fails_that_case_not_the_run(tmp_path):
    from pathlib import Path

    from rewards.cases import run_case_file

    catalog = Path(CATALOG).resolve()
    cases = tmp_path / "typo.cases.yaml"
    cases.write_text(f"rules: {catalog}\ncases:\n"
                     "  - id: typo\n    example: {label: Irrelevent}\n    completion: 'Label: 1'\n"
                     "    expect: {reward: -1.0}\n")
    [result] = run_case_file(cases).results
    assert not result.ok and "did you mean 'Irrelevant'?" in result.differences[0]
