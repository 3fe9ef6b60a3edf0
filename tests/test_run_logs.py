"""What a training run writes to its logs: undefined metrics reach the console but not the report targets, and no
deprecation warning of our own making at start.

    pytest -q tests/test_run_logs.py
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from transformers.integrations import integration_utils

from rewards import RuleAwareReward
from rules import compile_rules
from rules.data import load_examples
from rules.data.loaders import to_dataset
from trainers.agrl import AGRLConfig
from trainers.common.recipe import parse_recipe
from trainers.common.tiny_model import build_tiny_lm
from trainers.dpo import RelevanceDPOConfig
from trainers.grpo import RelevanceGRPOConfig, RelevanceGRPOTrainer
from trainers.sft import RelevanceSFTConfig
from trainers.srpo import SRPOConfig

ROOT = Path(__file__).resolve().parent.parent
RULES = compile_rules(ROOT / "rules" / "catalog" / "ecommerce.yaml")
EXAMPLES = load_examples(ROOT / "data" / "synthetic" / "train.jsonl").examples[:4]


def scalar_tags(log_dir: Path) -> set[str]:
    tags: set[str] = set()
    for events in log_dir.rglob("events.out.tfevents.*"):
        acc = EventAccumulator(str(events))
        acc.Reload()
        tags |= set(acc.Tags()["scalars"])
    return tags


def test_undefined_metrics_reach_the_console_not_tensorboard(tmp_path, monkeypatch):
    # A batch whose rollouts are all malformed: every group is flat, all tokens masked, so TRL logs entropy and the
    # clip ratios as None. Before: transformers' TensorBoard callback warned once per such key and step.
    warned: list[str] = []
    monkeypatch.setattr(integration_utils.logger, "warning", lambda msg, *a, **k: warned.append(str(msg)))
    model, tokenizer = build_tiny_lm()
    args = RelevanceGRPOConfig(output_dir=str(tmp_path / "run"), use_cpu=True, bf16=False,
                               activation_checkpointing=False, per_device_train_batch_size=4, num_generations=4,
                               max_completion_length=8, max_steps=1, logging_steps=1, report_to=["tensorboard"],
                               save_strategy="no", seed=0)
    trainer = RelevanceGRPOTrainer(model=model, reward_funcs=[RuleAwareReward(RULES)], args=args,
                                   train_dataset=to_dataset(EXAMPLES, RULES), processing_class=tokenizer)
    trainer.train()
    entry = next(e for e in trainer.state.log_history if "loss" in e)
    assert entry["entropy"] is None and entry["clip_ratio/low_mean"] is None  # the console still says "undefined"
    assert not [w for w in warned if "attempting to log" in w], warned
    tags = scalar_tags(tmp_path / "run")  # TensorBoard writes under output_dir/runs/
    assert "train/loss" in tags and "train/filter/masked_frac" in tags  # defined values are written
    assert "train/entropy" not in tags and not any(t.startswith("train/clip_ratio") for t in tags)


@pytest.mark.parametrize("config_cls", [RelevanceSFTConfig, RelevanceDPOConfig, RelevanceGRPOConfig, AGRLConfig,
                                        SRPOConfig])
def test_configs_start_without_the_checkpointing_deprecation(config_cls, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        on = config_cls(output_dir=str(tmp_path), use_cpu=True, bf16=False)
        off = config_cls(output_dir=str(tmp_path), use_cpu=True, bf16=False, activation_checkpointing=False)
    assert on.activation_checkpointing is True and on.gradient_checkpointing is True  # TRL's default, kept
    assert off.activation_checkpointing is False and off.gradient_checkpointing is False
    # the old name still works (with transformers' own deprecation warning: the user chose it)
    with pytest.warns(FutureWarning, match="gradient_checkpointing"):
        old = config_cls(output_dir=str(tmp_path), use_cpu=True, bf16=False, gradient_checkpointing=False)
    assert old.activation_checkpointing is False


@pytest.mark.parametrize("recipe", sorted((ROOT / "trainers" / "recipes").glob("*_cpu.yaml")), ids=lambda p: p.stem)
def test_bundled_cpu_recipes_parse_without_future_warnings(recipe):
    import importlib

    from trainers.common.arguments import ShelfArguments
    from trainers.dpo.sample import SamplingArguments
    from trainers.grpo.cli import parse_method

    argv = ["--config", str(recipe)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        if recipe.stem.startswith("dpo_sample"):
            parsed = parse_recipe([ShelfArguments, SamplingArguments], argv)
        elif recipe.stem.startswith(("grpo", "agrl", "srpo")):
            method = importlib.import_module(f"trainers.{recipe.stem.split('_')[0]}").METHOD
            parsed = parse_method(method, argv)
        else:
            config = RelevanceSFTConfig if recipe.stem.startswith("sft") else RelevanceDPOConfig
            parsed = parse_recipe([ShelfArguments, config], argv)
    assert isinstance(parsed[0], ShelfArguments)
    assert all(getattr(c, "activation_checkpointing", False) is False for c in parsed[1:2])  # CPU recipes: off
