"""The hybrid step verifier: priority between sources, one scale, failure fallback, critical steps."""

from __future__ import annotations

import pytest

from rewards import RuleAwareReward, StepScore
from rules import compile_rules
from verifiers.hybrid import HybridVerifier, Source

RULES = compile_rules("rules/catalog/ecommerce.yaml")
GOLD = dict(query="plain", product="clear", category="match", core_product="match", brand_model="not_mentioned",
            attributes="partial")


class Table:
    """A source answering from a fixed table {step: score}, the way the human verifier answers for annotated steps."""

    def __init__(self, scores: dict[str, float]):
        self.scores = scores

    def step_scores(self, completions, **columns):
        return [[StepScore(step, 0, 0, "", score, "table", f"table says {score}") for step, score in self.scores.items()]
                for _ in completions]


class Broken:
    def step_scores(self, completions, **columns):
        raise ConnectionError("judge server unreachable")


def wrong_attributes() -> str:
    return RULES.render(4, dict(GOLD, attributes="match"))  # navy read as blue: attributes wrong, label one too high


def test_first_source_that_can_judge_a_step_wins_and_says_so():
    hybrid = HybridVerifier(RULES, [Source("human", Table({"attributes": -1.0})),
                                    Source("judge", Table({"category": 0.9, "attributes": 0.8}), probability=True),
                                    Source("facts", RuleAwareReward(RULES))])
    [steps] = hybrid.step_scores([wrong_attributes()], label=[3], gold_steps=[{"query": "plain"}])
    by_id = {s.step: s for s in steps}
    assert (by_id["attributes"].source, by_id["attributes"].score) == ("human", -1.0)
    assert by_id["category"].source == "judge" and by_id["category"].score == pytest.approx(0.8)  # 2 * 0.9 - 1
    assert (by_id["query"].source, by_id["query"].score) == ("facts", 1.0)
    assert (by_id["verdict"].source, by_id["verdict"].score) == ("facts", -1.0)  # gold label 3, wrote 4
    assert (by_id["brand_model"].source, by_id["brand_model"].score) == ("none", None)
    text = wrong_attributes()
    assert all(text[s.start : s.end].startswith(f"[{s.step}]") for s in steps)  # spans from the completion itself
    assert hybrid.counts["human"] == 1 and hybrid.counts["judge"] == 1 and hybrid.counts["none"] == 3  # product, core, brand


def test_critical_steps_are_the_first_error_and_disagreements_with_the_outcome():
    hybrid = HybridVerifier(RULES, [Source("facts", RuleAwareReward(RULES))])
    [steps] = hybrid.step_scores([wrong_attributes()], label=[3], gold_steps=[GOLD])
    critical = {s.step for s in steps if s.critical}
    # Label wrong: every right step disagrees with the outcome; attributes is the first wrong step.
    assert critical == {"query", "product", "category", "core_product", "brand_model", "attributes"}
    [right] = hybrid.step_scores([RULES.render(3, GOLD)], label=[3], gold_steps=[GOLD])
    assert not any(s.critical for s in right)


def test_a_failing_source_is_counted_and_the_next_one_takes_over():
    hybrid = HybridVerifier(RULES, [Source("judge", Broken()), Source("facts", RuleAwareReward(RULES))])
    [steps] = hybrid.step_scores([wrong_attributes()], label=[3], gold_steps=[GOLD])
    assert {s.source for s in steps} == {"facts"}
    assert hybrid.counts["judge_failed"] == 1


def test_malformed_completions_get_no_steps_and_bad_configs_are_refused():
    hybrid = HybridVerifier(RULES, [Source("facts", RuleAwareReward(RULES))])
    assert hybrid.step_scores(["Label: 3", None], label=[3, 3]) == [[], []]
    with pytest.raises(ValueError, match="at least one source"):
        HybridVerifier(RULES, [])
    with pytest.raises(ValueError, match="must differ"):
        HybridVerifier(RULES, [Source("a", Table({})), Source("a", Table({}))])
