"""Completion-length metrics of the batch AGRL trains on (after the guide swap), as TRL's `_generate` logs them.

TRL's `GRPOTrainer._generate` logs `completions/*_length`, `completions/*_terminated_length`,
`completions/clipped_ratio` and adds the batch's tokens to `num_input_tokens_seen` before AGRL replaces rollouts by
guides, so those figures would describe the sampled rollouts, not the trained batch. `length_metrics` recomputes
them from the gathered lengths of the swapped batch; the trainer replaces TRL's last entries with them and corrects
the token count by the difference.
"""

from __future__ import annotations

import torch

LENGTH_KEYS = ("completions/mean_length", "completions/min_length", "completions/max_length",
               "completions/clipped_ratio", "completions/mean_terminated_length",
               "completions/min_terminated_length", "completions/max_terminated_length")


def length_metrics(lengths: torch.Tensor, truncated: torch.Tensor) -> dict[str, float]:
    """TRL's length metrics from gathered (B,) completion lengths and (B,) bool "did not end with EOS/pad"."""
    lengths = lengths.float()
    terminated = lengths[~truncated.bool()]
    if terminated.numel() == 0:  # TRL's convention: zeros when no completion terminated
        terminated = torch.zeros(1)
    return {
        "completions/mean_length": lengths.mean().item(), "completions/min_length": lengths.min().item(),
        "completions/max_length": lengths.max().item(),
        "completions/clipped_ratio": truncated.float().mean().item(),
        "completions/mean_terminated_length": terminated.mean().item(),
        "completions/min_terminated_length": terminated.min().item(),
        "completions/max_terminated_length": terminated.max().item(),
    }


def replace_last(metrics: dict[str, list], values: dict[str, float]) -> None:
    """Overwrite the entries TRL appended for this batch (append when a key has none yet)."""
    for key, value in values.items():
        if metrics[key]:
            metrics[key][-1] = value
        else:
            metrics[key].append(value)
