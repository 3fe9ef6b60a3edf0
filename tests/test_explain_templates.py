"""Per step and verdict explanation templates in rule files (`steps[].explain`): checks and the template CoT.

    python -m pytest tests/test_explain_templates.py -q
"""

from __future__ import annotations

import pytest
import yaml

from rules import RuleFileError, compile_rules
from rules.data import load_examples
from rules.data.explain import template_reasons
from trainers.common.data import cot_target

BASE = yaml.safe_load(open("rules/catalog/ecommerce.yaml", encoding="utf-8"))
ROW = load_examples("data/synthetic/eval_balanced.jsonl").examples[0].model_copy(update={"guide": None})


def with_explain(tmp_path, step: int, explain: dict) -> str:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data["steps"][step]["explain"] = explain
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("explain, message", [
    ({"matchh": "x"}, "step 'category' has no verdict 'matchh'"),        # a typo in a verdict: did you mean
    ({"match": "in {categry}"}, "unknown placeholder {categry}"),         # a typo in a placeholder
    ({"match": "in {category"}, "not a valid template"),                  # an unclosed brace
    ({"match": "Verdict: match"}, "contains the output marker 'Verdict:'"),  # the CoT would not parse
])
def test_bad_templates_are_located_errors_with_the_fix(tmp_path, explain, message):
    with pytest.raises(RuleFileError) as err:
        compile_rules(with_explain(tmp_path, 2, explain))
    text = str(err.value)
    assert message in text and "explain" in text
    if "matchh" in explain or "{categry}" in str(explain):
        assert "did you mean" in text


def test_the_template_cot_fills_templates_with_facts_and_falls_back_to_the_question(tmp_path):
    rules = compile_rules(with_explain(tmp_path, 2, {"match": "Listed under {leaf_category} ({brand}, {price})."}))
    rules = compile_rules(rules.ruleset.model_copy(update={"steps": [
        s.model_copy(update={"explain": {}}) if s.id == "query" else s for s in rules.ruleset.steps]}))
    reasons = template_reasons(ROW, rules)
    assert reasons["category"] == "Listed under Dog Harness (PetSafe, 39.99)."
    assert "query" not in reasons  # no template: the renderer writes the step's question
    cot, source = cot_target(ROW, rules)
    assert source == "rendered" and "[category] Listed under Dog Harness (PetSafe, 39.99). Verdict: match" in cot
    question = " ".join(rules.ruleset.steps[0].question.split())
    assert f"[query] {question} Verdict: plain" in cot
    assert "[verdict] core_product_partial: A product that covers only part" in cot  # the deciding rule's message
    assert rules.parse(cot).verdicts == ROW.gold_steps
