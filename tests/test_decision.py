"""Decision tables: first match wins, the fast lookup agrees with direct evaluation, explanations, pickling."""

from __future__ import annotations

import itertools
import pickle

import pytest

from rules import compile_rules
from rules.decision import analyse, holds

CATALOG = "rules/catalog/ecommerce.yaml"


@pytest.fixture(scope="module")
def rules():
    return compile_rules(CATALOG)


def base(**changes):
    verdicts = dict(query="plain", product="clear", category="match", core_product="match",
                    brand_model="not_mentioned", attributes="match")
    verdicts.update(changes)
    return verdicts


# (verdict changes, expected rule, expected label): hand-derived from the catalog's table.
TABLE = [
    ({}, "full_match", 4),
    (dict(category="mismatch", brand_model="mismatch"), "category_mismatch", 1),  # category beats brand
    (dict(category="accessory"), "accessory_for_product", 2),
    (dict(query="negation", attributes="excluded_present"), "negation_violated", 2),
    (dict(query="plain", attributes="excluded_present"), "attribute_mismatch", 2),  # no negation: plain mismatch
    (dict(query="alternative", brand_model="match"), "alternative_gets_original", 3),
    (dict(query="alternative", brand_model="mismatch"), "alternative_fulfilled", 4),
    (dict(query="alternative", brand_model="mismatch", attributes="mismatch"), "attribute_mismatch", 2),
    (dict(brand_model="mismatch"), "brand_mismatch", 2),
    (dict(query="negation", attributes="not_mentioned"), "negation_unconfirmed", 3),
    (dict(product="vague"), "vague_listing", 3),
    (dict(product="vague", attributes="partial"), "attribute_partial", 3),
]


@pytest.mark.parametrize("changes,rule,label", TABLE)
def test_first_matching_rule_decides(rules, changes, rule, label):
    decision = rules.decide(base(**changes))
    assert (decision.rule_id, decision.label) == (rule, label)
    assert decision.matched[0] == rule


def test_lookup_agrees_with_direct_evaluation_on_every_combination(rules):
    steps = list(rules.analysis.steps)
    for combo in itertools.product(*(rules.step_verdicts[s] for s in steps)):
        verdicts = dict(zip(steps, combo))
        fast = rules.decide(verdicts)
        slow = rules._decide_directly(verdicts)
        assert (fast.label, fast.rule_id, fast.matched) == (slow.label, slow.rule_id, slow.matched)
        assert fast.matched == tuple(r.id for r in rules.rules if holds(r.when, verdicts))


def test_analysis_counts_every_combination_once(rules):
    a = rules.analysis
    assert a.grid_size == 5 * 2 * 4 * 3 * 3 * 5
    assert sum(a.decided_by) + a.uncovered == a.grid_size
    assert a.unreachable == {} and a.uncovered == 0


def test_analysis_finds_shadowed_and_contradictory_rules(rules):
    by_id = {r.id: r for r in rules.rules}
    shadowed = [by_id["full_match"], by_id["attribute_partial"].model_copy(update={"id": "x"}), by_id["attribute_partial"]]
    a = analyse(shadowed, rules.step_verdicts)
    assert a.unreachable == {2: (1,)}  # the copy under another id covers it


def test_missing_or_invalid_verdicts_are_a_clear_error(rules):
    with pytest.raises(ValueError, match="'category'"):
        rules.decide({k: v for k, v in base().items() if k != "category"})
    with pytest.raises(ValueError, match="not one of"):
        rules.decide(base(category="kind of"))
    assert rules.try_decide({"category": "match"}) is None


def test_explanations_name_the_rule_and_its_message(rules):
    text = rules.explain_decision(base(query="negation", attributes="excluded_present"))
    assert text.startswith("rule negation_violated (hard rule) decides 2 Mismatch")
    assert "also matching but later: attribute_mismatch" in text
    table = rules.explain()
    assert "14. full_match -> 4 Excellent" in table and "no default" in table


def test_compiled_rules_pickle_and_decide_the_same(rules):
    clone = pickle.loads(pickle.dumps(rules))
    assert clone.decide(base(brand_model="mismatch")).rule_id == "brand_mismatch"
    assert clone.parse(rules.render(4, base())).label == 4


def test_extends_merges_in_place_and_before():
    apparel = compile_rules("rules/catalog/apparel.yaml")
    ids = [r.id for r in apparel.rules]
    assert "vague_listing" not in ids  # removed by the child
    assert ids.index("fit_mismatch") == ids.index("brand_mismatch") - 1  # inserted before
    assert ids.index("attribute_partial") == 10  # replaced in place
    assert apparel.rule_labels[ids.index("attribute_partial")] == 2
    assert [s.id for s in apparel.ruleset.steps][-2:] == ["fit", "verdict"]
