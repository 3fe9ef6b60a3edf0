"""RuleAwareReward under TRL's contract: values, components, logging, step scores, pickling, bad inputs."""

from __future__ import annotations

import logging
import pickle

import pytest

from rewards import ComponentReward, RuleAwareReward, component_rewards
from rules import compile_rules, load_rules

CATALOG = "rules/catalog/ecommerce.yaml"
GOLD = dict(query="plain", product="clear", category="match", core_product="match", brand_model="not_mentioned",
            attributes="partial")


@pytest.fixture(scope="module")
def reward():
    return RuleAwareReward.from_yaml(CATALOG)


def cot(reward, label, **changes):
    return reward.rules.render(label, dict(GOLD, **changes))


def test_scores_follow_the_rule_file_weights(reward):
    right, wrong = cot(reward, 3), cot(reward, 4, attributes="match")
    values = reward(prompts=["p"] * 3, completions=[right, wrong, "nonsense"], label=[3, 3, 3], gold_steps=[GOLD] * 3)
    assert values[0] == pytest.approx(1.0)
    assert values[1] == pytest.approx((0.1 + 0.3 + 0.5 * 5 / 6 + 0.3) / 1.9)
    assert values[2] == -1.0


def test_label_column_accepts_id_name_and_token(reward):
    text = cot(reward, 3)
    assert reward(completions=[text] * 4, label=[3, "3", "Related", 3.0]) == [1.0] * 4


def test_conversational_completions_are_read_like_text(reward):
    text = cot(reward, 3)
    message = [{"role": "assistant", "content": text}]
    assert reward(completions=[message], label=[3]) == reward(completions=[text], label=[3])
    assert reward(completions=[[{"role": "assistant", "content": None}]], label=[3]) == [-1.0]


def test_logs_every_component_and_the_malformed_reason(reward):
    metrics, extra = {}, {}
    reward(completions=[cot(reward, 3), "oops"], label=[3, 3], gold_steps=[GOLD, GOLD],
           log_metric=metrics.__setitem__, log_extra=extra.__setitem__)
    assert metrics == {"rule_aware/malformed_rate": 0.5, "rule_aware/gated_rate": 0.0, "rule_aware/format": 1.0,
                       "rule_aware/label": 1.0, "rule_aware/steps": 1.0, "rule_aware/consistency": 1.0}
    assert extra["rule_aware/why"][0] == ""
    assert extra["rule_aware/why"][1].startswith("malformed: think_open")


def test_name_is_stable_and_pickling_keeps_behaviour(reward):
    assert reward.__name__ == "rule_aware"
    clone = pickle.loads(pickle.dumps(reward))
    assert clone.__name__ == "rule_aware"
    text = cot(reward, 4, attributes="match")
    assert clone(completions=[text], label=[3], gold_steps=[GOLD]) == reward(completions=[text], label=[3], gold_steps=[GOLD])
    named = RuleAwareReward.from_yaml(CATALOG, name="relevance")
    assert pickle.loads(pickle.dumps(named)).__name__ == "relevance"


def test_step_scores_carry_spans_scores_and_sources(reward):
    text = cot(reward, 4, attributes="match")
    steps = reward.step_scores([text, "broken"], label=[3, 3], gold_steps=[{"attributes": "partial"}, None])
    assert steps[1] == []
    by_id = {s.step: s for s in steps[0]}
    assert by_id["attributes"].score == -1.0 and by_id["attributes"].source == "gold_steps"
    assert by_id["attributes"].reason == "gold says partial, not match"
    assert by_id["query"].score is None and by_id["query"].source == "none"
    assert by_id["verdict"].score == -1.0 and by_id["verdict"].source == "gold_label"
    for s in steps[0]:
        assert text[s.start : s.end].startswith(f"[{s.step}]") and text[s.start : s.end].endswith(s.verdict)


def test_component_rewards_stand_alone(reward):
    text = cot(reward, 4, attributes="match")
    by_name = {c.__name__: c for c in component_rewards(CATALOG)}
    assert set(by_name) == {"rule_aware_format", "rule_aware_label", "rule_aware_steps", "rule_aware_consistency"}
    assert by_name["rule_aware_label"](completions=[text, "x"], label=[3, 3]) == [0.3, 0.0]
    assert by_name["rule_aware_steps"](completions=[text], label=[3]) == [None]  # no gold steps: not applicable
    clone = pickle.loads(pickle.dumps(by_name["rule_aware_consistency"]))
    assert clone(completions=[text], label=[3]) == [1.0]
    with pytest.raises(ValueError, match="use one of: format, label, steps, consistency"):
        ComponentReward.from_yaml(CATALOG, component="fluency")


def test_bad_gold_steps_warn_once_and_skip_the_component(reward, caplog):
    # Bad gold labels raise (tests/test_gold_labels.py); bad gold steps are skipped with one warning each.
    fresh = RuleAwareReward.from_yaml(CATALOG)
    text = cot(fresh, 3)
    with caplog.at_level(logging.WARNING):
        values = fresh(completions=[text, text], label=[3, 3], gold_steps=[{"category": "kinda"}, "not a mapping"])
    assert values == [1.0, 1.0]  # steps not applicable; format, label and consistency remain
    warnings = [r.getMessage() for r in caplog.records]
    assert any("'kinda' for step 'category'" in w for w in warnings)
    assert any("gold_steps must map" in w for w in warnings)


def test_column_length_mismatch_is_a_clear_error(reward):
    with pytest.raises(ValueError, match="2 values for 1 completions"):
        reward(completions=["x"], label=[3, 3])


def test_think_first_rule_set_scores_think_first_completions():
    rs = load_rules(CATALOG)
    think_first = RuleAwareReward(compile_rules(rs.model_copy(update={"output": rs.output.model_copy(update={"order": "think_first"})})))
    label_first = RuleAwareReward.from_yaml(CATALOG)
    text = think_first.rules.render(3, GOLD)
    assert think_first(completions=[text], label=[3]) == [1.0]
    assert label_first(completions=[text], label=[3]) == [-1.0]


def test_partial_gold_steps_still_gate_a_hard_rule_they_decide(reward):
    # Gold leaves product and attributes open, but what it knows decides brand_mismatch whatever they are:
    # misreporting the evidence must not pay.
    honest = cot(reward, 4, brand_model="mismatch", attributes="not_mentioned")
    misreported = cot(reward, 4, brand_model="match", attributes="not_mentioned")
    gold = [dict(query="plain", category="match", core_product="match", brand_model="mismatch")] * 2
    scored = reward.score_all([honest, misreported], label=[2, 2], gold_steps=gold)
    assert [s.total for s in scored] == [0.0, 0.0]
    assert scored[1].violated == ("brand_mismatch (gold)",)
    # A partial gold that surely decides a hard rule gates even without a gold label.
    alone = reward.score_all([cot(reward, 4)], label=[None], gold_steps=[{"category": "mismatch"}])[0]
    assert alone.violated == ("category_mismatch (gold)",) and alone.total == 0.0
    # Too little gold to know (the query type could make it an alternative query): no gate, no guess.
    unsure = reward.score_all([misreported], label=[2], gold_steps=[{"brand_model": "mismatch"}])[0]
    assert unsure.violated == ()


def _variant(**reward_changes):
    rs = load_rules(CATALOG)
    return RuleAwareReward(compile_rules(rs.model_copy(update={"reward": rs.reward.model_copy(update=reward_changes)})))


def test_each_gate_caps_only_for_the_violations_it_checks():
    from rules.model import HardRuleGate

    two = _variant(gates=[HardRuleGate(reward=0.0, check=["own"]), HardRuleGate(reward=-0.5, check=["gold"])])
    own_only = cot(two, 4, brand_model="mismatch", attributes="not_mentioned")  # own steps say brand_mismatch
    assert two(completions=[own_only], label=[2]) == [0.0]  # the gold gate (-0.5) did not fire
    gold_steps = dict(query="plain", category="match", core_product="match", brand_model="mismatch")
    gold_too = two(completions=[own_only], label=[2], gold_steps=[gold_steps])
    assert gold_too == [-0.5]


def test_no_applicable_component_is_none_not_zero():
    from rules.model import LabelComponent

    label_only = _variant(components=[LabelComponent(type="label")], gates=[])
    text = cot(label_only, 3)
    assert label_only(completions=[text, text], label=[None, 3]) == [None, 1.0]


def test_strange_dataset_values_never_raise_on_a_completion(reward):
    text = cot(reward, 3)
    assert reward(completions=[text], label=[3], gold_steps=[{"attributes": ["partial"], 7: "x"}]) == [1.0]
    assert reward(completions=[None, 3, {"x": 1}, [{"role": "user"}]], label=[3] * 4) == [-1.0] * 4
    with pytest.raises(ValueError, match="column 'label' must hold one value per completion"):
        reward(completions=[text], label=3)
    with pytest.raises(ValueError, match="column 'label'"):
        reward(completions=[text, text], label="34")
