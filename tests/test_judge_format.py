"""The judge's recorded prompt / CoT format: written with the model, read by `python -m trainers.evaluate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rules import compile_rules
from rules.data import build_prompt
from rules.data.loaders import load_examples
from trainers.evaluation.cli import parse_args
from trainers.evaluation.judge_format import (
    read_judge_format,
    with_judge_format,
    write_judge_format,
)

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "catalog" / "ecommerce.yaml"
WARM_START = ROOT / "data" / "warm_start" / "sft_mini"


@pytest.fixture(scope="module")
def rules():
    return compile_rules(RULES)


@pytest.fixture(scope="module")
def example():
    return load_examples(ROOT / "data" / "synthetic" / "eval_balanced.jsonl").examples[0]


def test_a_recorded_format_round_trips_and_changes_the_prompt(tmp_path, rules, example):
    bare = with_judge_format(rules, tmp_path, prompt_style="bare", cot_order="think_first")
    write_judge_format(tmp_path, bare)
    assert read_judge_format(tmp_path) == {"rules": "ecommerce", "prompt_style": "bare",
                                           "cot_order": "think_first", "cot_style": rules.ruleset.output.reasoning}
    asked = with_judge_format(rules, tmp_path)
    assert build_prompt(example, asked) == build_prompt(example, rules, style="bare")
    assert build_prompt(example, asked) != build_prompt(example, rules)  # the full prompt is the rule set's default
    assert asked.ruleset.output.order == "think_first"
    # a flag wins over the record
    assert build_prompt(example, with_judge_format(rules, tmp_path, prompt_style="compact")) == \
        build_prompt(example, rules, style="compact")


def test_no_record_or_a_broken_one_leaves_the_rules_as_they_are(tmp_path, rules):
    assert with_judge_format(rules, tmp_path / "missing") is rules
    assert with_judge_format(rules, "Qwen/Qwen2.5-0.5B-Instruct") is rules  # a hub id: nothing to read
    (tmp_path / "shelfwise_judge.json").write_text("{not json")
    assert read_judge_format(tmp_path) == {}
    (tmp_path / "shelfwise_judge.json").write_text(json.dumps(["bare"]))
    assert with_judge_format(rules, tmp_path) is rules


def test_the_shipped_warm_start_is_asked_with_the_miniature_prompt(rules, example):
    asked = with_judge_format(rules, WARM_START)
    assert asked.ruleset.prompt.style == "bare"
    assert asked.ruleset.output.reasoning == "terse"
    assert build_prompt(example, asked) == build_prompt(example, rules, style="bare")


def test_the_evaluator_takes_prompt_style_and_cot_order_flags(capsys):
    s = parse_args(["--model", "m", "--data", "d.jsonl", "--prompt-style", "bare", "--cot-order", "think_first"])
    assert (s.prompt_style, s.cot_order) == ("bare", "think_first")
    assert parse_args(["--model", "m", "--data", "d.jsonl"]).prompt_style is None
    with pytest.raises(SystemExit):
        parse_args(["--model", "m", "--data", "d.jsonl", "--prompt-style", "tiny"])
    assert "invalid choice" in capsys.readouterr().err


def test_a_judge_trained_on_another_rule_set_is_named(tmp_path, rules, caplog):
    (tmp_path / "shelfwise_judge.json").write_text(json.dumps({"rules": "apparel", "prompt_style": "bare"}))
    with caplog.at_level("WARNING"):
        with_judge_format(rules, tmp_path)
    assert "trained with rule set 'apparel'; evaluating it with 'ecommerce'" in caplog.text
