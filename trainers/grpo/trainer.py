"""The GRPO trainer every shelfwise RL method builds on: TRL's `GRPOTrainer` plus the online group filters.

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --near_duplicate_rollouts identical

The only changes w.r.t. `trl.GRPOTrainer`:
- `_calculate_rewards` keeps the gathered reward matrix (all processes' completions, global order), and the
  gathered completion ids when the near-duplicate filter is on, so decisions are made on whole groups even when a
  group straddles processes;
- `_generate_and_score_completions` keeps the batch's dataset rows (`self.batch_inputs`), lets a subclass adjust
  the scored batch (`adjust_scored_batch`: SRPO's token advantages), then applies the **online filters**:
  * groups whose rewards have no variance carry no GRPO signal; `zero_variance_groups="drop"` removes their tokens
    from the loss (and from its normaliser), `"zero_weight"` keeps TRL's behaviour (advantage 0, still counted);
  * `near_duplicate_rollouts` (off by default) masks rollouts that repeat an earlier rollout of their group with
    the same reward (TaoSR-SHE's diversity against entropy collapse; `trainers.grpo.diversity`).
  Logged: `filter/zero_variance_frac` (share of groups), `filter/near_duplicate_frac` and `filter/masked_frac`
  (shares of rollouts);
- `_compute_loss` only marks TRL's token-averaged metrics (`entropy`, `clip_ratio/*`, `kl`) as missing (NaN, skipped
  by TRL's `log`) for a micro-batch whose tokens were all masked: TRL would report 0, which reads as an entropy
  collapse. `entropy` is the policy entropy over the tokens the loss trains on;
- `train` does not train a run that a checkpoint already shows finished (`global_step >= max_steps`; Trainer
  would train one step more), and logs the label mix of the training set at the start (`data/label_mix_cv`).

    >>> trainer = RelevanceGRPOTrainer(model=model, reward_funcs=[reward], args=RelevanceGRPOConfig(...), ...)
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from accelerate.utils import gather_object
from transformers import TrainerCallback, TrainerState
from transformers.trainer_utils import TrainOutput
from trl import GRPOConfig, GRPOTrainer

from trainers.common.arguments import CurrentCheckpointingName, registry_help
from trainers.common.data import label_mix_cv
from trainers.common.recipe import RecipeError
from trainers.common.report_targets import skip_undefined_in_writers
from trainers.grpo.cli import Method
from trainers.grpo.diversity import NEAR_DUPLICATE, near_duplicate_rows

logger = logging.getLogger(__name__)

ZERO_VARIANCE = {
    "drop": "mask the group's completions out of the loss and its normaliser (DAPO-style dynamic sampling, "
            "without resampling)",
    "zero_weight": "keep them with advantage 0 (TRL's own behaviour; they still count in the normaliser and KL)",
}
# TRL metrics averaged over the loss mask: meaningless (TRL logs 0) for a micro-batch with no unmasked token.
MASKED_MEAN_METRICS = ("entropy", "kl", "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean",
                       "cispo_clip_ratio", "vespo/phi_seq_mean")


@dataclass
class RelevanceGRPOConfig(CurrentCheckpointingName, GRPOConfig):
    """TRL's GRPOConfig plus the online filters; every other field is TRL's (see its documentation)."""

    zero_variance_groups: str = field(default="drop", metadata={
        "help": "online filter for groups whose rewards all agree: "
                + registry_help(ZERO_VARIANCE)})
    near_duplicate_rollouts: str = field(default="off", metadata={
        "help": "online filter for repeated rollouts within a group: "
                + "; ".join(f"{k}: {v}" for k, v in NEAR_DUPLICATE.items())})
    near_duplicate_threshold: float = field(default=0.9, metadata={
        "help": "token-bigram Jaccard similarity from which two rollouts count as near-duplicates "
                "(near_duplicate_rollouts: jaccard)"})

    def __post_init__(self):
        super().__post_init__()
        if self.zero_variance_groups not in ZERO_VARIANCE:
            raise RecipeError(f"zero_variance_groups: unknown value {self.zero_variance_groups!r}; use one of "
                              f"{sorted(ZERO_VARIANCE)}")
        if self.near_duplicate_rollouts not in NEAR_DUPLICATE:
            raise RecipeError(f"near_duplicate_rollouts: unknown value {self.near_duplicate_rollouts!r}; use one of "
                              f"{sorted(NEAR_DUPLICATE)}")
        if not 0.0 < self.near_duplicate_threshold <= 1.0:
            raise RecipeError(f"near_duplicate_threshold: a similarity in (0, 1] (got {self.near_duplicate_threshold})")


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


class LabelMixLogger(TrainerCallback):
    """Logs the training set's label mix at train start (TaoSR1: its coefficient of variation predicts quality)."""

    def __init__(self, trainer: "RelevanceGRPOTrainer"):
        self.trainer = trainer

    def on_train_begin(self, args, state, control, **kwargs):
        metrics = self.trainer.label_mix_metrics()
        if metrics:
            self.trainer.log(metrics)  # on every process, like Trainer's own log calls


class RelevanceGRPOTrainer(GRPOTrainer):
    """GRPOTrainer + gathered rewards kept per batch + the online zero-variance and near-duplicate filters."""

    gathered_rewards: torch.Tensor | None = None  # (global batch, reward funcs), set by each scoring call
    gathered_completion_ids: list[list[int]] | None = None  # global order; only with near_duplicate_rollouts
    batch_inputs: list[dict] | None = None  # this process's dataset rows of the batch being scored
    group_signal: torch.Tensor | None = None  # groups a subclass's adjustment gives a signal (adjust_scored_batch)
    rows_masked: bool = False  # the last scored batch had rows masked by a filter (same on every process)
    masked_global: torch.Tensor | None = None  # (global batch,) bool: rows the filters masked in the last batch

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.add_callback(LabelMixLogger(self))
        skip_undefined_in_writers(self)  # undefined metrics (None) reach the console, not the writers

    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        rewards_per_func = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        self.gathered_rewards = rewards_per_func
        if getattr(self.args, "near_duplicate_rollouts", "off") != "off":
            self.gathered_completion_ids = [list(ids) for ids in gather_object([list(c) for c in completion_ids_list])]
        return rewards_per_func

    def _generate_and_score_completions(self, inputs):
        self.batch_inputs = inputs
        out = super()._generate_and_score_completions(inputs)
        out = self.adjust_scored_batch(inputs, out)
        self.rows_masked, self.masked_global = False, None
        out = self._filter_zero_variance(inputs, out)
        out = self._filter_near_duplicates(inputs, out)
        if self.gathered_rewards is not None and group_size(self) >= 2:
            mode = "train" if self.model.training else "eval"
            share = self.masked_global.float().mean().item() if self.masked_global is not None else 0.0
            self._metrics[mode]["filter/masked_frac"].append(share)
        return out

    def adjust_scored_batch(self, inputs: list[dict], out: dict[str, Any]) -> dict[str, Any]:
        """Subclass hook: change the scored batch (e.g. token-level advantages). Default: unchanged.

        A subclass whose adjustment gives a group a learning signal its flat rewards lack sets `self.group_signal`
        ((groups,) bool, global order, the same on every process): the zero-variance filter then keeps those groups.
        """
        return out

    def local_slice(self, n_local: int) -> slice:
        """This process's rows in the gathered (global) order."""
        start = self.accelerator.process_index * n_local
        return slice(start, start + n_local)

    def rewards_total(self) -> torch.Tensor:
        return total_rewards(self.gathered_rewards, self.reward_weights)

    def mask_rows(self, out: dict[str, Any], drop_global: torch.Tensor, n_local: int) -> dict[str, Any]:
        """Mask the rows flagged in `drop_global` (global order) out of the loss and of the token normaliser."""
        rows = drop_global[self.local_slice(n_local)].to(out["completion_mask"].device)
        out["completion_mask"] = out["completion_mask"] * (~rows).unsqueeze(1).to(out["completion_mask"].dtype)
        # The token count TRL normalises some losses by (dapo, cispo) must not count the dropped tokens.
        loss_mask = out["completion_mask"] * out["tool_mask"] if "tool_mask" in out else out["completion_mask"]
        out["num_items_in_batch"] = self.accelerator.gather(loss_mask.sum()).sum()
        self.rows_masked = True
        drop_global = drop_global.bool().cpu()
        self.masked_global = drop_global if self.masked_global is None else self.masked_global | drop_global
        return out

    def _filter_zero_variance(self, inputs: list[dict], out: dict[str, Any]) -> dict[str, Any]:
        mode = "train" if self.model.training else "eval"
        num_generations = group_size(self)
        signal, self.group_signal = self.group_signal, None  # set per batch by a subclass; never carried over
        if self.gathered_rewards is None or num_generations < 2:
            return out
        flat = zero_variance_groups(self.rewards_total(), num_generations)
        self._metrics[mode]["filter/zero_variance_frac"].append(flat.float().mean().item())
        if signal is not None:  # e.g. SRPO's step terms: a flat outcome, yet something to learn
            flat = flat & ~signal.to(flat.device)
        if self.args.zero_variance_groups != "drop" or not flat.any():
            return out
        return self.mask_rows(out, flat.repeat_interleave(num_generations), len(inputs))

    def _filter_near_duplicates(self, inputs: list[dict], out: dict[str, Any]) -> dict[str, Any]:
        mode = "train" if self.model.training else "eval"
        method, num_generations = getattr(self.args, "near_duplicate_rollouts", "off"), group_size(self)
        if method == "off" or self.gathered_rewards is None or self.gathered_completion_ids is None:
            return out
        drop = torch.tensor(near_duplicate_rows(self.gathered_completion_ids, self.rewards_total().tolist(),
                                                num_generations, method, self.args.near_duplicate_threshold))
        self._metrics[mode]["filter/near_duplicate_frac"].append(drop.float().mean().item())
        return self.mask_rows(out, drop, len(inputs)) if drop.any() else out

    def _compute_loss(self, model, inputs):
        """The only change w.r.t. GRPOTrainer._compute_loss: token-averaged metrics of an all-masked micro-batch are
        NaN (skipped by `log`), not TRL's 0."""
        if not self.rows_masked:
            return super()._compute_loss(model, inputs)
        mode = "train" if self.model.training else "eval"
        before = {k: len(self._metrics[mode].get(k, ())) for k in MASKED_MEAN_METRICS}
        loss = super()._compute_loss(model, inputs)
        mask = inputs["completion_mask"]
        mask = mask * inputs["tool_mask"] if "tool_mask" in inputs else mask
        if self.accelerator.reduce(mask.sum().float(), reduction="sum").item() == 0:
            for key in MASKED_MEAN_METRICS:
                values = self._metrics[mode].get(key)
                if values is not None and len(values) > before[key]:
                    values[-1] = math.nan
        return loss

    def label_mix_metrics(self) -> dict[str, float]:
        """`data/label_mix_cv` and `data/train_rows` of the training set (empty without a `label` column)."""
        dataset = self.train_dataset
        if dataset is None or "label" not in getattr(dataset, "column_names", ()):
            return {}
        labels = list(dataset["label"])
        rules = next((getattr(f, "rules", None) for f in self.reward_funcs if hasattr(f, "rules")), None)
        label_ids = list(rules.label_ids) if rules is not None else None
        return {"data/label_mix_cv": label_mix_cv(labels, label_ids), "data/train_rows": float(len(labels))}

    def train(self, resume_from_checkpoint: str | bool | None = None, trial: Any = None,
              ignore_keys_for_eval: list[str] | None = None) -> TrainOutput:
        """Trainer.train, except that resuming a finished run (checkpoint at max_steps) loads it and stops."""
        finished = self._finished_checkpoint(resume_from_checkpoint)
        if finished is None:
            return super().train(resume_from_checkpoint, trial, ignore_keys_for_eval)
        state = TrainerState.load_from_json(str(finished / "trainer_state.json"))
        logger.warning("%s is already at step %d of max_steps %d: nothing to train (Trainer would train one step "
                       "more); loading its weights", finished, state.global_step, self.args.max_steps)
        self._load_from_checkpoint(str(finished))
        self.state = state
        return TrainOutput(state.global_step, 0.0, {})

    def _finished_checkpoint(self, resume_from_checkpoint: str | bool | None) -> Path | None:
        if resume_from_checkpoint in (None, False) or self.args.max_steps <= 0:
            return None
        if resume_from_checkpoint is True:
            from trainers.common.checkpoints import newest_complete

            folder = newest_complete(self.args.output_dir)
        else:
            folder = Path(resume_from_checkpoint)
        state_file = folder / "trainer_state.json" if folder is not None else None
        if state_file is None or not state_file.is_file():
            return None
        done = TrainerState.load_from_json(str(state_file)).global_step >= self.args.max_steps
        return folder if done else None


# `python -m trainers.grpo` (trainers/grpo/__main__.py); AGRL and SRPO declare their own Method.
METHOD = Method("grpo", RelevanceGRPOConfig, RelevanceGRPOTrainer,
                "GRPO with the rule-aware reward and difficulty-based dynamic sampling (TaoSR1 stage 3).")
