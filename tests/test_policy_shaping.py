"""LUFFY policy shaping on guide tokens: the gradient against autograd, the normalisers against TRL's own loss.

    pytest -q tests/test_policy_shaping.py
"""

from __future__ import annotations

import pytest
import torch
from datasets import Dataset

from rewards import RuleAwareReward
from trainers.agrl import AGRLConfig, AGRLTrainer
from trainers.agrl.shaping import NORMALISERS, LossScale, normalised_sum, shaped_guide_loss, shaped_per_token_loss, \
    shaping_weight, zero_guide_advantages
from trainers.common.recipe import RecipeError
from trainers.grpo.trainer import RelevanceGRPOTrainer
from trainers.common.tiny_model import build_tiny_lm

GAMMA = 0.1


def test_shaping_weight_is_p_over_p_plus_gamma():
    p = torch.tensor([0.0, 0.1, 0.5, 1.0])
    assert torch.allclose(shaping_weight(p, GAMMA), torch.tensor([0.0, 0.5, 0.5 / 0.6, 1 / 1.1]))


@pytest.mark.parametrize("loss_type", sorted(NORMALISERS))
def test_shaped_gradient_equals_analytic_form(loss_type):
    """d loss / d logits = Σ_t c_t · γp/(p+γ)² · ∇log p, with c_t = -A·mask/normaliser and ∇log p = onehot - softmax."""
    torch.manual_seed(0)
    logits = torch.randn(3, 4, 6, dtype=torch.float64, requires_grad=True)
    tokens = torch.randint(0, 6, (3, 4))
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]])
    guided = torch.tensor([True, False, True])
    advantages = torch.tensor([1.5, -0.7, -0.4], dtype=torch.float64)
    scale = LossScale(loss_type, max_completion_length=5, accumulation_steps=2, steps_per_generation=2,
                      num_processes=1, num_items_in_batch=9.0)
    logps = torch.log_softmax(logits, -1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
    shaped_guide_loss(logps, advantages, mask, guided, GAMMA, scale).backward()

    # c_t from the normaliser alone: the loss of per-token value 1 is linear in it, so its gradient is c_t / (-A).
    ones = torch.ones(3, 4, dtype=torch.float64, requires_grad=True)
    normalised_sum(ones, mask, guided, scale).backward()
    coeff = -advantages.unsqueeze(1) * ones.grad
    p = logps.detach().exp()
    probs = torch.softmax(logits.detach(), -1)
    grad_logp = torch.nn.functional.one_hot(tokens, 6).double() - probs
    expected = (coeff * GAMMA * p / (p + GAMMA) ** 2).unsqueeze(-1) * grad_logp
    assert torch.allclose(logits.grad, expected, atol=1e-12)
    assert logits.grad[1].abs().sum() == 0  # an on-policy row gets nothing from the shaped term


def test_zero_guide_advantages_keeps_the_others():
    adv = torch.tensor([1.0, 2.0, 3.0])
    assert zero_guide_advantages(adv, torch.tensor([False, True, False])).tolist() == [1.0, 0.0, 3.0]
    adv2 = torch.ones(2, 3)
    assert zero_guide_advantages(adv2, torch.tensor([True, False])).tolist() == [[0, 0, 0], [1, 1, 1]]


def test_unsupported_loss_type_fails_clearly():
    with pytest.raises(ValueError, match="loss_type 'cispo' is not supported"):
        normalised_sum(torch.ones(1, 1), torch.ones(1, 1), torch.ones(1, dtype=torch.bool),
                       LossScale("cispo", 1, 1, 1))
    with pytest.raises(RecipeError, match="off_policy shaping supports loss_type"):
        AGRLConfig(output_dir="/tmp/x", use_cpu=True, bf16=False, loss_type="cispo", num_generations=4,
                   per_device_train_batch_size=4, report_to=[])


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    model, tokenizer = build_tiny_lm()
    rows = [{"prompt": "Query: shoes\n", "label": 4}] * 4
    args = AGRLConfig(output_dir=str(tmp_path_factory.mktemp("ps")), use_cpu=True, bf16=False,
                      activation_checkpointing=False, per_device_train_batch_size=4, num_generations=4,
                      max_completion_length=6, max_steps=1, report_to=[], save_strategy="no", beta=0.0)
    trainer = AGRLTrainer(model=model, reward_funcs=[RuleAwareReward("rules/catalog/ecommerce.yaml")], args=args,
                          train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    trainer.current_gradient_accumulation_steps = 2
    return trainer


def _inputs(guided: list[bool]) -> dict:
    torch.manual_seed(1)
    completion_mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0]])
    return {"prompt_ids": torch.randint(10, 200, (4, 3)), "prompt_mask": torch.ones(4, 3, dtype=torch.long),
            "completion_ids": torch.randint(10, 200, (4, 6)), "completion_mask": completion_mask,
            "advantages": torch.tensor([0.8, -0.3, 1.1, -1.6]), "num_items_in_batch": torch.tensor(30),
            "agrl_guided": torch.tensor(guided)}


@pytest.mark.parametrize("loss_type", sorted(NORMALISERS))
def test_total_loss_without_guides_is_trls_exactly(trainer, loss_type):
    trainer.loss_type = trainer.args.loss_type = loss_type
    inputs = _inputs([False] * 4)
    ours = trainer._compute_loss(trainer.model, inputs)
    trls = RelevanceGRPOTrainer._compute_loss(trainer, trainer.model, inputs)
    assert torch.equal(ours, trls)


@pytest.mark.parametrize("loss_type", sorted(NORMALISERS))
def test_normaliser_matches_trls(trainer, loss_type):
    """TRL's loss with A only on some rows (ratio 1: per-token value -A) equals normalised_sum(-A) on those rows."""
    trainer.loss_type = trainer.args.loss_type = loss_type
    inputs = _inputs([False] * 4)
    rows = torch.tensor([True, False, True, False])
    inputs["advantages"] = inputs["advantages"] * rows
    trls = RelevanceGRPOTrainer._compute_loss(trainer, trainer.model, inputs)
    per_token = -inputs["advantages"].unsqueeze(1).expand(4, 6)
    ours = normalised_sum(per_token, inputs["completion_mask"], rows, trainer._loss_scale(inputs))
    assert torch.allclose(trls, ours, atol=1e-7), (trls, ours)


@pytest.mark.parametrize("loss_type", sorted(NORMALISERS))
def test_guide_rows_get_the_shaped_term(trainer, loss_type):
    trainer.loss_type = trainer.args.loss_type = loss_type
    guided = [False, True, False, True]
    inputs = _inputs(guided)
    ours = trainer._compute_loss(trainer.model, inputs)
    zeroed = dict(inputs, advantages=zero_guide_advantages(inputs["advantages"], inputs["agrl_guided"]))
    base = RelevanceGRPOTrainer._compute_loss(trainer, trainer.model, zeroed)
    ids = torch.cat([inputs["prompt_ids"], inputs["completion_ids"]], 1)
    mask = torch.cat([inputs["prompt_mask"], inputs["completion_mask"]], 1)
    logps, _, _ = trainer._get_per_token_logps_and_entropies(trainer.model, ids, mask, 6)
    shaped = shaped_guide_loss(logps, inputs["advantages"], inputs["completion_mask"], inputs["agrl_guided"], GAMMA,
                               trainer._loss_scale(inputs))
    assert shaped.abs() > 0
    assert torch.allclose(ours, base + shaped, atol=1e-7)
    # off_policy none: the guide rows are ordinary rows, i.e. TRL's loss unchanged
    trainer.args.off_policy = "none"
    try:
        assert torch.equal(trainer._compute_loss(trainer.model, inputs),
                           RelevanceGRPOTrainer._compute_loss(trainer, trainer.model, inputs))
    finally:
        trainer.args.off_policy = "shaping"


def test_shaped_per_token_loss_accepts_token_advantages():
    logps = torch.log(torch.tensor([[0.5, 0.1]]))
    per_token = shaped_per_token_loss(logps, torch.tensor([[2.0, -1.0]]), GAMMA)
    assert torch.allclose(per_token, torch.tensor([[-2 * 0.5 / 0.6, 0.5]]))
