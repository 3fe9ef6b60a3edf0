"""The GRPO trainer every shelfwise RL method builds on: TRL's `GRPOTrainer` plus the online group filter.

The only changes w.r.t. `trl.GRPOTrainer`:
- `_calculate_rewards` keeps the gathered reward matrix (all processes' completions, global order) so that
  subclasses decide on whole groups even when a group straddles processes;
- `_generate_and_score_completions` keeps the batch's dataset rows (`self.batch_inputs`), lets a subclass adjust
  the scored batch (`adjust_scored_batch`: SRPO's token advantages), then applies the **online filter**: groups
  whose rewards have no variance carry no GRPO signal; `zero_variance_groups="drop"` removes their tokens from the
  loss (and from its normaliser), `"zero_weight"` keeps TRL's behaviour (advantage 0, still counted). The
  fraction of such groups is logged as `filter/zero_variance_frac` either way.

    >>> trainer = RelevanceGRPOTrainer(model=model, reward_funcs=[reward], args=RelevanceGRPOConfig(...), ...)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from trl import GRPOConfig, GRPOTrainer

ZERO_VARIANCE = {
    "drop": "mask the group's completions out of the loss and its normaliser (DAPO-style dynamic sampling, "
            "without resampling)",
    "zero_weight": "keep them with advantage 0 (TRL's own behaviour; they still count in the normaliser and KL)",
}


@dataclass
class RelevanceGRPOConfig(GRPOConfig):
    """TRL's GRPOConfig plus the online filter; every other field is TRL's (see its documentation)."""

    zero_variance_groups: str = field(default="drop", metadata={
        "help": "online filter for groups whose rewards all agree: "
                + "; ".join(f"{k}: {v}" for k, v in ZERO_VARIANCE.items())})

    def __post_init__(self):
        super().__post_init__()
        if self.zero_variance_groups not in ZERO_VARIANCE:
            raise ValueError(f"zero_variance_groups: unknown value {self.zero_variance_groups!r}; use one of "
                             f"{sorted(ZERO_VARIANCE)}")


def group_size(trainer: GRPOTrainer) -> int:
    return trainer.num_generations if trainer.model.training else trainer.num_generations_eval


def total_rewards(rewards_per_func: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """TRL's weighted sum per completion; NaN where every reward function returned None."""
    total = (rewards_per_func * weights.to(rewards_per_func.device).unsqueeze(0)).nansum(dim=1)
    total[torch.isnan(rewards_per_func).all(dim=1)] = torch.nan
    return total


def zero_variance_groups(rewards: torch.Tensor, num_generations: int) -> torch.Tensor:
    """(groups,) bool: the group's scorable rewards are all equal (or fewer than two are scorable)."""
    grouped = rewards.view(-1, num_generations)
    finite = ~torch.isnan(grouped)
    low = torch.where(finite, grouped, torch.inf).min(dim=1).values
    high = torch.where(finite, grouped, -torch.inf).max(dim=1).values
    return (finite.sum(dim=1) < 2) | torch.isclose(low, high, atol=1e-6)


class RelevanceGRPOTrainer(GRPOTrainer):
    """GRPOTrainer + gathered rewards kept per batch + the online zero-variance filter."""

    gathered_rewards: torch.Tensor | None = None  # (global batch, reward funcs), set by each scoring call
    batch_inputs: list[dict] | None = None  # this process's dataset rows of the batch being scored

    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        rewards_per_func = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        self.gathered_rewards = rewards_per_func
        return rewards_per_func

    def _generate_and_score_completions(self, inputs):
        self.batch_inputs = inputs
        out = super()._generate_and_score_completions(inputs)
        out = self.adjust_scored_batch(inputs, out)
        return self._filter_zero_variance(inputs, out)

    def adjust_scored_batch(self, inputs: list[dict], out: dict[str, Any]) -> dict[str, Any]:
        """Subclass hook: change the scored batch (e.g. token-level advantages). Default: unchanged."""
        return out

    def local_slice(self, n_local: int) -> slice:
        """This process's rows in the gathered (global) order."""
        start = self.accelerator.process_index * n_local
        return slice(start, start + n_local)

    def rewards_total(self) -> torch.Tensor:
        return total_rewards(self.gathered_rewards, self.reward_weights)

    def _filter_zero_variance(self, inputs: list[dict], out: dict[str, Any]) -> dict[str, Any]:
        mode = "train" if self.model.training else "eval"
        num_generations = group_size(self)
        if self.gathered_rewards is None or num_generations < 2:
            return out
        flat = zero_variance_groups(self.rewards_total(), num_generations)
        self._metrics[mode]["filter/zero_variance_frac"].append(flat.float().mean().item())
        if self.args.zero_variance_groups != "drop" or not flat.any():
            return out
        rows = flat.repeat_interleave(num_generations)[self.local_slice(len(inputs))].to(out["completion_mask"].device)
        out["completion_mask"] = out["completion_mask"] * (~rows).unsqueeze(1).to(out["completion_mask"].dtype)
        # The token count TRL normalises some losses by (dapo, cispo) must not count the dropped tokens.
        loss_mask = out["completion_mask"] * out["tool_mask"] if "tool_mask" in out else out["completion_mask"]
        out["num_items_in_batch"] = self.accelerator.gather(loss_mask.sum()).sum()
        return out
