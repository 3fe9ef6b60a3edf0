"""Every bundled recipe parses with its trainer's dataclasses (GPU recipes with CPU overrides), and the demo runs.

A recipe added under trainers/recipes/ without a row in RECIPE_PARSERS fails here, so none can rot unparsed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainers.common.arguments import ShelfArguments
from trainers.common.recipe import parse_recipe

RECIPES = sorted((Path(__file__).resolve().parent.parent / "trainers" / "recipes").glob("*.yaml"))
CPU = ["--bf16", "false", "--use_cpu", "true", "--activation_checkpointing", "false"]


def _parse(name: str, flags: list[str]):
    if name.startswith("sft"):
        from trainers.sft import RelevanceSFTConfig
        return parse_recipe([ShelfArguments, RelevanceSFTConfig], flags)
    if name.startswith("dpo_sample"):
        from trainers.dpo.sample import SamplingArguments
        return parse_recipe([ShelfArguments, SamplingArguments], flags)
    if name.startswith("dpo"):
        from trainers.dpo import RelevanceDPOConfig
        return parse_recipe([ShelfArguments, RelevanceDPOConfig], flags)
    module = name.split("_")[0]
    if module not in ("grpo", "agrl", "srpo"):
        raise AssertionError(f"recipe {name}: no parser known for it; add its trainer here")
    import importlib

    from trainers.grpo.cli import parse_method
    return parse_method(importlib.import_module(f"trainers.{module}").METHOD, flags)


@pytest.mark.parametrize("path", RECIPES, ids=[p.stem for p in RECIPES])
def test_every_recipe_parses(path, tmp_path):
    flags = ["--config", str(path), "--output_dir", str(tmp_path)]
    if "_gpu" in path.stem and not path.stem.startswith("dpo_sample"):  # sampling has no training precision
        flags += CPU + (["--use_vllm", "false"] if path.stem.split("_")[0] in ("grpo", "agrl", "srpo") else [])
    parsed = _parse(path.stem, flags)
    assert isinstance(parsed[0], ShelfArguments)


def test_a_misspelled_flag_names_the_closest_argument():
    from trainers.common.recipe import RecipeError

    with pytest.raises(RecipeError, match=r"unknown argument --lerning_rate; did you mean --learning_rate\?"):
        _parse("grpo", ["--lerning_rate", "1"])


def test_a_missing_model_folder_is_one_clear_error(tmp_path):
    from trainers.common.model_setup import load_tokenizer

    with pytest.raises(FileNotFoundError, match="no model folder .*python -m trainers.tiny_model"):
        load_tokenizer(str(tmp_path / "missing"))


def test_a_gpu_recipe_on_a_machine_without_cuda_is_one_line(monkeypatch):
    import torch

    from trainers.common.recipe import RecipeError

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    gpu = next(p for p in RECIPES if p.stem == "grpo_gpu")
    with pytest.raises(RecipeError, match=r"no GPU \(CUDA\) and the recipe asks for bf16, use_vllm"):
        _parse("grpo", ["--config", str(gpu)])


def test_a_value_of_the_wrong_type_is_one_line_not_the_usage():
    from trainers.common.recipe import RecipeError

    with pytest.raises(RecipeError, match=r"--num_generations.*invalid int value: 'four'"):
        _parse("grpo", ["--num_generations", "four"])


def test_a_label_outside_the_rule_set_is_a_located_error(tmp_path):
    from rules.data.errors import DataError
    from trainers.common.data import load_rule_set, load_split

    row = json.loads(Path("data/synthetic/train.jsonl").read_text().splitlines()[0])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(dict(row, label=7)) + "\n")
    shelf = ShelfArguments(train_data=str(bad))
    with pytest.raises(DataError, match=r"bad.jsonl row 1: label: .*not a label of rule set 'ecommerce' \(got 7\)"):
        load_split(str(bad), load_rule_set(shelf), shelf)


def test_a_resumed_run_keeps_the_evaluations_made_before(tmp_path):
    from types import SimpleNamespace

    from trainers.common.run_end import write_summary

    trainer = SimpleNamespace(state=SimpleNamespace(global_step=4))
    write_summary(str(tmp_path), SimpleNamespace(history=[{"step": 0}, {"step": 2}, {"step": 4}]), trainer)
    write_summary(str(tmp_path), SimpleNamespace(history=[{"step": 2, "again": 1}, {"step": 4}]), trainer)
    saved = json.loads((tmp_path / "shelfwise_eval.json").read_text())["evaluations"]
    assert saved == [{"step": 0}, {"step": 2, "again": 1}, {"step": 4}]
    write_summary(str(tmp_path), SimpleNamespace(history=[]), trainer)  # resuming a finished run evaluates nothing
    assert json.loads((tmp_path / "shelfwise_eval.json").read_text())["evaluations"] == saved


def test_flags_without_a_recipe_say_the_defaults_apply_and_name_the_recipe_to_add(capsys):
    """`python -m trainers.srpo --max_steps 5` is the demo's command plus one flag, yet runs the built-in defaults
    (tiny model, data/synthetic), not the demo's recipe: legal, but never silent. With a recipe nothing is said."""
    from trainers.grpo.cli import parse_method
    from trainers.srpo import METHOD

    parse_method(METHOD, ["--max_steps", "5"])
    note = capsys.readouterr().err
    assert "no --config" in note and "built-in default" in note
    assert "--config trainers/recipes/srpo_mini_cpu.yaml --max_steps 5" in note  # the command to run instead
    parse_method(METHOD, ["--config", "trainers/recipes/srpo_mini_cpu.yaml", "--max_steps", "5"])
    assert "no --config" not in capsys.readouterr().err
    from trainers.sft import RelevanceSFTConfig

    parse_recipe([ShelfArguments, RelevanceSFTConfig], ["--max_steps", "5"], prog="python -m trainers.sft")
    assert "--config trainers/recipes/sft_mini_cpu.yaml --max_steps 5" in capsys.readouterr().err
