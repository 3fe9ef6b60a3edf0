"""Token budgets are checked before training: rows that need more than max_length / max_completion_length stop
the run with the numbers and the flag to raise (or train cut, with one warning, under --allow_truncation).

    pytest -q tests/test_budgets.py
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from rules.data import load_examples
from rules.data.prompt import build_prompt
from trainers.common.arguments import ShelfArguments
from trainers.common.budgets import check_budget, completion_tokens, row_tokens, spread
from trainers.common.data import cot_target, load_rule_set
from trainers.common.model_setup import ensure_tiny_model
from trainers.common.recipe import RecipeError
from trainers.dpo import RelevanceDPOConfig, build_dpo_trainer
from trainers.evaluation.lm import load_tokenizer
from trainers.grpo import METHOD, RelevanceGRPOConfig
from trainers.grpo.cli import build_trainer
from trainers.sft import RelevanceSFTConfig, build_sft_trainer

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT / "data" / "synthetic" / "train.jsonl"
RULES = load_rule_set(ShelfArguments())
CPU = dict(use_cpu=True, bf16=False, activation_checkpointing=False, report_to=[], save_strategy="no", seed=0)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> str:
    return str(ensure_tiny_model(tmp_path_factory.mktemp("model") / "tiny", TRAIN))


def test_check_budget_names_the_numbers_and_the_flag(caplog):
    check_budget([100, 200, 300], "max_length", 300, "prompt + completion", False)  # fits: nothing
    check_budget([100, 900], "max_length", None, "prompt + completion", False)  # no limit: nothing to check
    with pytest.raises(RecipeError) as err:
        check_budget([100, 200, 310, 420], "max_length", 300, "prompt + completion", False)
    assert str(err.value) == ("--max_length 300: 2 of 4 training rows need more (prompt + completion: median 255, "
                              "longest 420 tokens) and would be cut; raise --max_length to at least 420, or pass "
                              "--allow_truncation true to train on cut rows")
    with caplog.at_level(logging.WARNING, logger="trainers.common.budgets"):
        check_budget([100, 420], "max_completion_length", 300, "gold CoT", True)
    assert "--max_completion_length 300: 1 of 2" in caplog.text


def test_spread_keeps_every_row_when_few_and_spans_the_set_when_many():
    assert spread(list(range(5)), 10) == list(range(5))
    picked = spread(list(range(1000)), 10)
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] >= 900


def test_row_lengths_count_prompt_completion_and_eos(tiny):
    tokenizer = load_tokenizer(tiny)
    example = load_examples(TRAIN).examples[0]
    prompt, cot = build_prompt(example, RULES), example.guide
    p = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    c = len(tokenizer(cot, add_special_tokens=False)["input_ids"])
    assert completion_tokens(tokenizer, [cot]) == [c + 1]
    assert row_tokens(tokenizer, [prompt], [cot]) == [p + c + 1]
    assert completion_tokens(tokenizer, [[{"role": "assistant", "content": cot}]]) == [c + 1]


def test_sft_stops_before_training_when_rows_do_not_fit(tiny, tmp_path):
    shelf = ShelfArguments(model_name_or_path=tiny, max_train_samples=8, eval_data=None)
    config = RelevanceSFTConfig(output_dir=str(tmp_path / "run"), max_steps=1, max_length=700, **CPU)
    with pytest.raises(RecipeError, match=r"^--max_length 700: \d of 8 training rows need more \(prompt \+ "
                                          r"completion: median \d+, longest \d+ tokens\)"):
        build_sft_trainer(shelf, config)
    cut = ShelfArguments(model_name_or_path=tiny, max_train_samples=8, eval_data=None, allow_truncation=True)
    trainer, _ = build_sft_trainer(cut, config)  # accepted: TRL cuts the rows
    assert max(len(ids) for ids in trainer.train_dataset["input_ids"]) <= 700


def test_rl_stops_when_a_gold_cot_cannot_fit_the_completion_budget(tiny, tmp_path):
    shelf = ShelfArguments(model_name_or_path=tiny, max_train_samples=8, eval_data=None)
    examples = load_examples(TRAIN).examples[:8]
    longest = max(len(load_tokenizer(tiny)(cot_target(e, RULES)[0])["input_ids"]) for e in examples) + 1
    small = RelevanceGRPOConfig(output_dir=str(tmp_path / "a"), max_steps=1, per_device_train_batch_size=4,
                                num_generations=4, max_completion_length=longest - 1, **CPU)
    with pytest.raises(RecipeError, match=rf"^--max_completion_length {longest - 1}: 1 of 8 training rows need "
                                          rf"more \(gold CoT: median \d+, longest {longest} tokens\)"):
        build_trainer(METHOD, shelf, small, RULES)
    fits = RelevanceGRPOConfig(output_dir=str(tmp_path / "b"), max_steps=1, per_device_train_batch_size=4,
                               num_generations=4, max_completion_length=longest, **CPU)
    trainer, _ = build_trainer(METHOD, shelf, fits, RULES)
    assert len(trainer.train_dataset) == 8


def test_rl_stops_when_the_rows_cannot_fill_one_batch_of_prompts(tiny, tmp_path):
    # TRL's RepeatSampler drops a short batch: 2 rows against 4 prompts per batch would train 0 steps silently
    shelf = ShelfArguments(model_name_or_path=tiny, max_train_samples=2, eval_data=None, balance="natural")
    config = RelevanceGRPOConfig(output_dir=str(tmp_path / "a"), max_steps=1, per_device_train_batch_size=8,
                                 num_generations=2, max_completion_length=400, **CPU)
    with pytest.raises(RecipeError, match=r"^2 training rows, but one generation batch takes 4 distinct prompts "
                                          r"\(generation_batch_size 8 / num_generations 2\)"):
        build_trainer(METHOD, shelf, config, RULES)
    enough = ShelfArguments(model_name_or_path=tiny, max_train_samples=4, eval_data=None, balance="natural")
    trainer, _ = build_trainer(METHOD, enough, config, RULES)
    assert len(trainer.train_dataset) == 4


def test_dpo_checks_both_sides_of_each_pair(tiny, tmp_path):
    examples = load_examples(TRAIN).examples[:4]
    rows = [{"prompt": build_prompt(e, RULES), "chosen": e.guide, "rejected": e.guide + " padding" * 300,
             "id": e.id, "case": "none_correct"} for e in examples]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    shelf = ShelfArguments(model_name_or_path=tiny, eval_data=None)
    config = RelevanceDPOConfig(output_dir=str(tmp_path / "run"), pairs=str(path), max_steps=1, max_length=1024,
                                **CPU)
    with pytest.raises(RecipeError, match=r"^--max_length 1024: 4 of 8 training rows need more \(prompt \+ "
                                          r"chosen / rejected"):
        build_dpo_trainer(shelf, config, RULES)
