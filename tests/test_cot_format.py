"""The CoT format: render/parse round trips, character spans, and a golden table of parse errors."""

from __future__ import annotations

import pytest

from rules import ParsedCoT, ParseError, compile_rules, load_rules

CATALOG = "rules/catalog/ecommerce.yaml"
VERDICTS = dict(query="plain", product="clear", category="match", core_product="match", brand_model="match",
                attributes="partial")


@pytest.fixture(scope="module")
def rules():
    return compile_rules(CATALOG)


@pytest.fixture(scope="module")
def think_first():
    rs = load_rules(CATALOG)
    return compile_rules(rs.model_copy(update={"output": rs.output.model_copy(update={"order": "think_first"})}))


GOOD = """Label: 3
<think>
[query] Blue hoodie. Verdict: plain
[product] A navy hoodie,
with a zip. Verdict: clear
[category] Hoodies. Verdict: match
[core_product] A hoodie. Verdict: match
[brand_model] None named. Verdict: not_mentioned
[attributes] Navy for blue. Verdict: partial
[verdict] Close shade. Verdict: Related
</think>
"""


def test_render_then_parse_round_trips(rules, think_first):
    for compiled in (rules, think_first):
        text = compiled.render(3, VERDICTS, {"query": "The shopper wants a blue hoodie."})
        cot = compiled.parse(text)
        assert isinstance(cot, ParsedCoT), cot
        assert cot.label == 3
        assert cot.verdicts == dict(VERDICTS, verdict="Related")
    assert rules.render(3, VERDICTS).startswith("Label: 3\n<think>")
    assert think_first.render(3, VERDICTS).rstrip().endswith("</think>\nLabel: 3")


def test_spans_cover_each_step_from_header_to_verdict(rules):
    cot = rules.parse(GOOD)
    assert isinstance(cot, ParsedCoT)
    product = cot.steps[1]
    assert GOOD[product.start : product.end] == "[product] A navy hoodie,\nwith a zip. Verdict: clear"
    assert product.reasoning == "A navy hoodie,\nwith a zip."
    for step in cot.steps:
        assert GOOD[step.start : step.end].startswith(f"[{step.id}]")
        assert GOOD[step.start : step.end].endswith(step.verdict)
    assert GOOD[slice(*cot.label_span)] == "Label: 3"


def test_render_refuses_verdicts_outside_the_step(rules):
    with pytest.raises(ValueError, match="not one of"):
        rules.render(3, dict(VERDICTS, category="maybe"))
    with pytest.raises(ValueError, match="marker"):
        rules.render(3, VERDICTS, {"query": "fine. Verdict: plain"})


def _edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


# (completion, expected error code): one row per way a completion can be malformed.
PARSE_ERRORS = [
    ("", "think_open"),  # empty output
    (GOOD.replace("<think>\n", ""), "think_open"),  # reasoning block never opened
    (GOOD.replace("</think>", ""), "think_close"),  # reasoning never closed
    (GOOD + "<think>", "think_open"),  # a second reasoning block
    (GOOD.replace("Label: 3\n", ""), "missing_label"),  # no label line
    (GOOD.replace("Label: 3", "Label: 5"), "unknown_label"),  # a label outside the scale
    (GOOD.replace("Label: 3", "Label: 3 or 4"), "unknown_label"),  # two labels on one line
    (GOOD.replace("Label: 3", "Label: \uff13"), "unknown_label"),  # fullwidth digit three
    (GOOD.replace("Label: 3\n", "Label: 3\nActually 4.\n"), "label_line_text"),  # text between label and reasoning
    (GOOD + "Label: 4\n", "trailing_text"),  # a second label after the reasoning
    (_edit("[category] Hoodies.", "[category] Hoodies.\nLabel: 4"), "repeated_label"),  # a label line in reasoning
    (_edit("A navy hoodie,\n", "A navy hoodie,\n[Note] see photo\n"), "unknown_step"),  # a stray header
    (_edit("[query] Blue hoodie. Verdict: plain\n", ""), "step_order"),  # first step missing
    (_edit("[verdict] Close shade. Verdict: Related\n", ""), "missing_step"),  # last step missing
    (_edit("[category] Hoodies. Verdict: match\n", "[category] Hoodies. Verdict: match\n[category] x. Verdict: match\n"),
     "step_order"),  # a step repeated
    (_edit("[category]", "[colour]"), "unknown_step"),  # a step the rule set does not have
    (_edit("Verdict: match\n[core", "Verdict: match Verdict: mismatch\n[core"), "verdict_count"),  # two verdicts
    (_edit("[category] Hoodies. Verdict: match", "[category] Hoodies."), "verdict_count"),  # no verdict
    (_edit("Verdict: partial", "Verdict: partial|match"), "unknown_verdict"),  # every verdict at once
    (_edit("Verdict: partial", "Verdict: p\u0430rtial"), "unknown_verdict"),  # Cyrillic a in the verdict
    (_edit("Verdict: partial", "Verdict: partial\u200b"), "unknown_verdict"),  # zero-width space
    (_edit("[category] Hoodies. Verdict", "[category] Verdict"), "empty_step"),  # verdict without reasoning
    (_edit("<think>\n", "<think>\nLet me think.\n"), "text_before_steps"),  # prose before the first step
    (_edit("Verdict: Related", "Verdict: Excellent"), "conflicting_label"),  # conclusion disagrees with label
    ("Label: 3\n<think>\n" + "x" * 9000 + "\n</think>", "too_long"),  # over output.max_chars
]


@pytest.mark.parametrize("text,code", PARSE_ERRORS, ids=[f"{i:02d}_{c}" for i, (_, c) in enumerate(PARSE_ERRORS)])
def test_parse_errors_are_precise(rules, text, code):
    result = rules.parse(text)
    assert isinstance(result, ParseError), result
    assert result.code == code, result
    assert 0 <= result.position <= max(len(text), rules.ruleset.output.max_chars)
    assert result.message


def test_the_good_completion_parses_and_tolerates_surrounding_whitespace(rules):
    assert isinstance(rules.parse(GOOD), ParsedCoT)
    assert isinstance(rules.parse("\n  " + GOOD + "\n\n"), ParsedCoT)


def test_label_words_inside_reasoning_are_just_words(rules):
    text = _edit("A navy hoodie,", "A navy hoodie, Care Label: machine wash,")
    assert isinstance(rules.parse(text), ParsedCoT)


def test_headers_without_a_closing_suffix(think_first):
    rs = think_first.ruleset
    markdown = compile_rules(rs.model_copy(update={"output": rs.output.model_copy(update={"step_header": "## {step}"})}))
    text = markdown.render(3, VERDICTS)
    assert "\n## query " in text
    cot = markdown.parse(text.replace("## query ", "## query\n"))  # the id may end the line
    assert isinstance(cot, ParsedCoT) and cot.verdicts["query"] == "plain"


def test_parse_never_raises_on_non_text(rules):
    for value in (None, 3, b"Label: 3", ["Label: 3"]):
        assert isinstance(rules.parse(value), ParseError)  # type: ignore[arg-type]
