"""The off-policy correction of AGRL's guide tokens: LUFFY-style policy shaping (arXiv 2504.14945).

    python -m trainers.agrl --config trainers/recipes/agrl_cpu.yaml --off_policy shaping --shaping_gamma 0.1

A guide was not sampled from the policy, so the PPO ratio π_θ/π_old (and its clip) means nothing on its tokens.
LUFFY replaces the clipped ratio on off-policy tokens by f(π_θ) = π_θ/(π_θ+γ), unclipped: the per-token objective
is A·f(π_θ(t)), whose gradient γ·π/(π+γ)²·∇log π boosts low-probability guide tokens (where the policy has most
to learn) instead of letting them vanish like π·∇log π would.

How it joins TRL's loss without copying it (`shaped_guide_loss`): the trainer calls TRL's `_compute_loss` with
the guide rows' advantages set to 0, so their PPO term is exactly 0 while they stay in every normaliser (row count,
token count, `num_items_in_batch`) and in the KL term; then it adds Σ_t -A·f(π_θ(t)) over the guide tokens,
divided by the normaliser TRL's `loss_type` uses (`NORMALISERS`). The log-probabilities come from TRL's own
forward pass (captured, not recomputed), so every process runs one forward per micro-batch as DeepSpeed/FSDP need.
`top_entropy_quantile` masks and vLLM importance ratios (1 on guide tokens: their sampling log-probs are NaN) do
not apply to the shaped term.

    >>> per_token = shaped_per_token_loss(logps, advantages, gamma=0.1)   # -A * p / (p + 0.1), p = exp(logps)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

OFF_POLICY = {
    "shaping": "LUFFY policy shaping on guide tokens: objective A*f(p), f(p) = p/(p+shaping_gamma), no ratio, no "
               "clip (loss types: grpo, bnpo, dr_grpo, dapo)",
    "none": "treat guide tokens like sampled ones (PPO ratio against the current policy, i.e. plain policy gradient)",
}

NORMALISERS = {
    "grpo": "per-sequence token mean, averaged over the micro-batch's sequences",
    "bnpo": "sum over the micro-batch's tokens / their count",
    "dr_grpo": "sum over the micro-batch's tokens / (sequences x max_completion_length)",
    "dapo": "sum over tokens / the generation batch's token count per process and accumulation step",
}


def shaping_weight(probs: torch.Tensor, gamma: float) -> torch.Tensor:
    """f(p) = p / (p + γ): near 1 for confident tokens, ~p/γ for unlikely ones."""
    return probs / (probs + gamma)


def shaped_per_token_loss(logps: torch.Tensor, advantages: torch.Tensor, gamma: float) -> torch.Tensor:
    """-A·f(exp(logps)) per token; advantages (B,) or (B, T)."""
    if advantages.dim() == 1:
        advantages = advantages.unsqueeze(1)
    return -advantages * shaping_weight(torch.exp(logps), gamma)


@dataclass(frozen=True)
class LossScale:
    """What TRL's normalisers read besides the mask (the trainer's state at this micro-batch)."""

    loss_type: str
    max_completion_length: int
    accumulation_steps: int  # current_gradient_accumulation_steps in training, 1 in eval
    steps_per_generation: int  # 1 in eval
    num_processes: int = 1
    num_items_in_batch: float | None = None  # dapo: tokens of the whole generation batch, all processes


def normalised_sum(per_token_loss: torch.Tensor, mask: torch.Tensor, rows: torch.Tensor, scale: LossScale) -> torch.Tensor:
    """The contribution of `rows` (a (B,) bool) to the micro-batch loss, with TRL's normaliser for `loss_type`.

    Matches `GRPOTrainer._compute_loss` term by term: the normaliser counts every row and token of the micro-batch
    (masked by `mask`), the sum only the given rows.
    """
    mask = mask.to(per_token_loss.dtype)
    picked = per_token_loss * mask * rows.to(per_token_loss.dtype).unsqueeze(1)
    if scale.loss_type == "grpo":
        per_row = picked.sum(-1) / mask.sum(-1).clamp(min=1.0)
        return per_row.sum() / per_token_loss.size(0) / scale.accumulation_steps
    if scale.loss_type == "bnpo":
        return picked.sum() / mask.sum().clamp(min=1.0) / scale.accumulation_steps
    if scale.loss_type == "dr_grpo":
        return picked.sum() / (per_token_loss.size(0) * scale.max_completion_length) / scale.accumulation_steps
    if scale.loss_type == "dapo":
        if scale.num_items_in_batch is None:
            raise ValueError("loss_type dapo normalises by num_items_in_batch; the scored batch has none")
        normaliser = max(float(scale.num_items_in_batch), 1.0) / scale.num_processes
        normaliser = normaliser * scale.accumulation_steps / scale.steps_per_generation
        return picked.sum() / normaliser
    raise ValueError(f"off_policy shaping: loss_type {scale.loss_type!r} is not supported; use one of "
                     f"{sorted(NORMALISERS)} or off_policy: none")


def shaped_guide_loss(logps: torch.Tensor, advantages: torch.Tensor, mask: torch.Tensor, guided: torch.Tensor,
                      gamma: float, scale: LossScale) -> torch.Tensor:
    """The guide rows' shaped term of the micro-batch loss (add it to TRL's loss computed with their A = 0)."""
    return normalised_sum(shaped_per_token_loss(logps, advantages, gamma), mask, guided, scale)


def zero_guide_advantages(advantages: torch.Tensor, guided: torch.Tensor) -> torch.Tensor:
    """Advantages with the guide rows' set to 0, so TRL's PPO term ignores them but still counts them."""
    keep = (~guided).to(advantages.dtype)
    return advantages * (keep if advantages.dim() == 1 else keep.unsqueeze(1))
