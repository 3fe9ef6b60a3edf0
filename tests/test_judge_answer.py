"""The judge's prompt (from the rule file), strict parsing of its answer, and P(correct) from token log-probs.

    python -m pytest tests/test_judge_answer.py -q
"""

from __future__ import annotations

import math

import pytest

from rules import compile_rules
from rules.data.example import Product
from verifiers.judge import (AnswerError, TokenLogprob, build_judge_messages, decision_probability, parse_answer,
                             render_answer)
from verifiers.judge.prompt import answer_steps

RULES = compile_rules("rules/catalog/ecommerce.yaml")
STEPS = [s.id for s in RULES.ruleset.steps]
GOLD = dict(query="negation", product="clear", category="match", core_product="match", brand_model="not_mentioned",
            attributes="not_mentioned")
PRODUCT = Product(title="Pegasus 40 Mesh Running Shoe", category=["Shoes", "Running"], brand="Nike",
                  attributes={"material": "mesh"})
GOOD = "\n".join(f"[{s}] correct: fine" for s in STEPS)


def policy_cot() -> str:
    return RULES.render(3, GOLD, {"query": "Running shoes,\nbut not leather."})  # a two-line step


# ------------------------------------------------------------------ the prompt


def test_prompt_carries_each_step_question_and_verdicts_the_pair_and_the_policy_steps():
    text = policy_cot()
    cot = RULES.parse(text)
    [message] = build_judge_messages(RULES, "running shoes not leather", PRODUCT, text, cot)
    content = message["content"]
    assert message["role"] == "user"
    for step in RULES.ruleset.steps:
        assert " ".join(step.question.split()) in content
        assert " | ".join(step.verdicts) in content
        assert f"[{step.id}] correct: <short reason>" in content
    assert "Query: running shoes not leather" in content and "Title: Pegasus 40 Mesh Running Shoe" in content
    assert "[query] Running shoes, but not leather. Verdict: negation" in content  # its span, joined onto one line
    assert "The model's label: Related (3)" in content
    assert content.index("Steps:") < content.index("Query:")  # the rule-file part first (prefix caching)


def test_product_may_be_a_dataset_dict_or_text_and_steps_a_subset():
    text = policy_cot()
    cot = RULES.parse(text)
    as_dict = build_judge_messages(RULES, "q", PRODUCT.model_dump(), text, cot)
    assert as_dict == build_judge_messages(RULES, "q", PRODUCT, text, cot)
    sub = build_judge_messages(RULES, "q", "Title: x", text, cot, steps=["attributes", "query"])[0]["content"]
    assert answer_steps(RULES, ["attributes", "query"]) == ("query", "attributes")  # rule-file order
    assert "[category]" not in sub and "exactly 2 lines" in sub
    with pytest.raises(ValueError, match="its steps are"):
        answer_steps(RULES, ["colour"])


# ------------------------------------------------------------------ parsing the answer


def test_a_well_formed_answer_parses_with_decisions_reasons_and_offsets():
    answer = GOOD.replace("[category] correct: fine", "[category] incorrect: a case is an accessory")
    judged = parse_answer(answer, STEPS)
    assert [j.step for j in judged] == STEPS
    assert [j.correct for j in judged] == [s != "category" for s in STEPS]
    assert judged[2].reason == "a case is an accessory"
    assert all(answer[j.decision_at:].startswith("correct" if j.correct else "incorrect") for j in judged)


@pytest.mark.parametrize("answer, code", [
    ("", "empty"),
    ("   \n\n", "empty"),
    ("Here is my judgement:\n" + GOOD, "wrong_step"),                       # a preamble
    (GOOD + "\nOverall the reasoning is sound.", "extra_text"),             # a summary after the steps
    (GOOD.replace("[product] correct: fine\n", ""), "wrong_step"),          # a step skipped
    (GOOD.rsplit("\n", 1)[0], "missing_step"),                              # the last step missing
    (GOOD.replace("[product]", "[category]", 1), "wrong_step"),             # repeated / out of order
    (GOOD.replace("[query] correct", "[query] Correct"), "bad_decision"),   # case matters
    (GOOD.replace("[query] correct", "[query] partly correct"), "bad_decision"),
    (GOOD.replace("[query] correct: fine", "[query] correct"), "bad_decision"),  # no colon
    (GOOD.replace("[query] correct: fine", "[query] correct:  "), "no_reason"),
    (GOOD.replace("[query] correct", "[query]correct"), "wrong_step"),     # the space after the header
    ("<think>hmm</think>\n" + GOOD, "wrong_step"),
])
def test_anything_but_the_strict_format_is_an_error_with_a_code(answer, code):
    result = parse_answer(answer, STEPS)
    assert isinstance(result, AnswerError) and result.code == code, result


def test_rendered_answers_parse_back_so_sft_targets_match_the_parser():
    judgements = [(s, s != "brand_model", f"reason for {s}\nover two lines") for s in STEPS]
    judged = parse_answer(render_answer(judgements), STEPS)
    assert [(j.step, j.correct, j.reason) for j in judged] == [(s, c, " ".join(r.split())) for s, c, r in judgements]
    with pytest.raises(ValueError, match="needs a reason"):
        render_answer([("query", True, "  ")])


def test_blank_lines_indentation_and_crlf_carry_nothing():
    answer = "\n\n  " + GOOD.replace("\n", "\r\n\r\n") + "\n"
    judged = parse_answer(answer, STEPS)
    assert not isinstance(judged, AnswerError)
    assert all(answer[j.decision_at:].startswith("correct") for j in judged)


# ------------------------------------------------------------------ P(correct) from log-probabilities


def tokens(*pieces: tuple[str, dict[str, float]]) -> list[TokenLogprob]:
    return [TokenLogprob(tok, math.log(alts.get(tok, 0.5)), tuple((a, math.log(p)) for a, p in alts.items()))
            for tok, alts in pieces]


def test_probability_sums_every_spelling_of_each_side_at_the_decision_token():
    text = "[query] correct: ok"
    toks = tokens(("[", {}), ("query", {}), ("]", {}), (" correct", {" correct": 0.6, " Correct": 0.1,
                                                                          " incorrect": 0.2, "\n": 0.1}),
                  (":", {}), (" ok", {}))
    p, why = decision_probability(text, toks, text.index("correct"))
    assert p == pytest.approx(0.7 / 0.9) and why == "logprobs"


def test_a_decision_split_over_tokens_is_read_from_its_first_token():
    text = "[query] incorrect: no"
    toks = tokens(("[query]", {}), (" in", {" in": 0.7, " correct": 0.2, " c": 0.05}), ("correct", {}), (": no", {}))
    p, _ = decision_probability(text, toks, text.index("incorrect"))
    assert p == pytest.approx(0.25 / 0.95)


@pytest.mark.parametrize("pieces, why", [
    ([("[query] correct: ok", {})], "shares a token"),                       # decision glued to the header
    ([("[query]", {}), (" cor rect", {}), (": ok", {})], "do not line up"),  # tokens that are not the text
    ([("[query]", {})], "end before the decision"),
    ([("[query]", {}), (" correct", {"\n": 0.9}), (": ok", {})], None),      # the chosen token still counts
])
def test_misaligned_or_missing_tokens_say_why(pieces, why):
    text = "[query] correct: ok"
    p, reason = decision_probability(text, tokens(*pieces), text.index("correct"))
    if why is None:
        assert p == 1.0
    else:
        assert p is None and why in reason
