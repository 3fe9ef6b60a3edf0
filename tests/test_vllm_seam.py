"""The TRL side of the vLLM path on CPU (issue 15, item 4): importance-sampling ratios and NaN log-probs of guides.

A stand-in plugs in where TRL 1.16's vLLM generation does (`trainer.vllm_generation`, used by
`GRPOTrainer._generate_single_turn` when `use_vllm` is set: the narrowest seam, below our own `_generate`
overrides), samples with the trainer's model and returns per-token log-probs as vLLM would. Everything above it
is the real TRL code: weight sync, `old_per_token_logps`, the IS ratio, its clipping, the loss, our AGRL guide swap.
"""

from __future__ import annotations

import math

import pytest
import torch
from datasets import Dataset

from rewards import RuleAwareReward
from tests.test_agrl import RULES, _short_rows
from tests.vllm_standin import plug_into
from trainers.agrl import AGRLConfig, AGRLTrainer
from trainers.common.tiny_model import build_tiny_lm
from trainers.grpo import RelevanceGRPOConfig, RelevanceGRPOTrainer

SHIFT = 0.5  # the stand-in's sampler puts 0.5 nats less on each token than the trained model: ratio exp(0.5)


@pytest.fixture(scope="module")
def tiny():
    return build_tiny_lm([open("data/synthetic/train.jsonl", encoding="utf-8").read()])


def _settings(tmp_path, **more):
    return dict(output_dir=str(tmp_path), use_cpu=True, bf16=False, activation_checkpointing=False,
                per_device_train_batch_size=8, num_generations=4, max_completion_length=96, max_steps=1,
                learning_rate=1e-3, logging_steps=1, report_to=[], save_strategy="no", seed=0, beta=0.0,
                vllm_importance_sampling_mode="token_truncate", **more)


def _rows(n_prompts):
    return [r for r in _short_rows(n_prompts) for _ in range(4)]


def test_grpo_importance_ratios_from_vllm_logprobs(tiny, tmp_path):
    model, tokenizer = tiny
    trainer = RelevanceGRPOTrainer(model=model, reward_funcs=[RuleAwareReward(RULES)],
                                   args=RelevanceGRPOConfig(**_settings(tmp_path)),
                                   train_dataset=Dataset.from_list(_short_rows(8)), processing_class=tokenizer)
    standin = plug_into(trainer)
    trainer.model.train()
    out = trainer._generate_and_score_completions(_rows(2))
    mask = out["completion_mask"].bool()
    assert standin.synced == 1  # TRL synced the weights before generating
    # same model, same temperature: the sampler's log-probs are the trainer's, ratio 1 on every token
    assert torch.allclose(out["importance_sampling_ratio"][mask], torch.ones(int(mask.sum())), atol=1e-4)
    standin.shift = SHIFT
    out = trainer._generate_and_score_completions(_rows(2))
    mask = out["completion_mask"].bool()
    ratio = out["importance_sampling_ratio"][mask]
    assert torch.allclose(ratio, torch.full_like(ratio, math.exp(SHIFT)), atol=1e-3)
    trainer._metrics["train"].clear()  # the calls above logged nothing yet: keep the step's own metrics
    trainer.train()  # a whole step through TRL's loss with the ratios
    logged = next(h for h in trainer.state.log_history if "loss" in h)
    assert logged["sampling/importance_sampling_ratio/mean"] == pytest.approx(math.exp(SHIFT), abs=1e-3)
    assert math.isfinite(logged["loss"])


def test_agrl_guides_get_nan_logprobs_and_a_ratio_of_one(tiny, tmp_path):
    model, tokenizer = tiny
    trainer = AGRLTrainer(model=model, reward_funcs=[RuleAwareReward(RULES)],
                          args=AGRLConfig(**_settings(tmp_path, replay_queue_size=4)),
                          train_dataset=Dataset.from_list(_short_rows(8)), processing_class=tokenizer)
    plug_into(trainer, shift=SHIFT)
    trainer.model.train()
    out = trainer._generate_and_score_completions(_rows(2))
    guided, mask = out["agrl_guided"], out["completion_mask"].bool()
    assert guided.tolist() == [False, False, False, True] * 2  # untrained: every group all wrong
    ratio = out["importance_sampling_ratio"]
    assert torch.isnan(out["sampling_per_token_logps"][guided][mask[guided]]).all()
    assert (ratio[guided][mask[guided]] == 1.0).all()  # NaN sampling log-probs: no correction on guides
    sampled = ratio[~guided][mask[~guided]]
    assert torch.allclose(sampled, torch.full_like(sampled, math.exp(SHIFT)), atol=1e-3)
    assert torch.isfinite(ratio).all()
    trainer.train()
    assert math.isfinite(next(h for h in trainer.state.log_history if "loss" in h)["loss"])
