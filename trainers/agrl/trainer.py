"""AGRL (TaoSR-AGRL): GRPO with the rule-aware reward plus adaptive guided replay.

    python -m trainers.agrl --config trainers/recipes/agrl_cpu.yaml          # CPU demo, tiny local model
    python -m trainers.agrl --config trainers/recipes/agrl_gpu.yaml          # 0.5-1.5B chat model, bf16, vLLM
    accelerate launch --num_processes 8 -m trainers.agrl --config trainers/recipes/agrl_gpu.yaml

When a group of rollouts is (nearly) all wrong, GRPO learns nothing from it. AGRL replaces `guides_per_group` of
such a group's wrong rollouts by a guide (the gold CoT, or a hinted generation: `trainers.agrl.guides`), scores it with
the same rule-aware reward so TRL normalises it with its group, and trains on its tokens with LUFFY's policy
shaping (`trainers.agrl.shaping`). Prompts that needed guidance can be queued and revisited
(`trainers.agrl.replay`). Logged: agrl/guided_fraction, agrl/trigger_rate, agrl/group_accuracy_mean,
agrl/guide_reward_mean, agrl/guide_token_prob_mean, agrl/replay_queue_size, agrl/replay_hits, agrl/replay_accuracy.

The replacement happens after `GRPOTrainer._generate` returns, so it is the same for every generation backend
(transformers, vLLM colocate or server): only ids, text and sampling log-probs of the chosen rows change, and a
guide's sampling log-probs are NaN, which TRL turns into an importance ratio of exactly 1.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import torch
from accelerate.utils import gather_object
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, get_last_checkpoint

from rules import CompiledRuleSet
from trainers.agrl import replay
from trainers.agrl.guides import GUIDE_SOURCES, gold_guide, hint_line, hint_prompt, written_label_correct
from trainers.agrl.lengths import length_metrics, replace_last
from trainers.agrl.shaping import NORMALISERS, OFF_POLICY, LossScale, shaped_guide_loss, zero_guide_advantages
from trainers.common.arguments import registry_help
from trainers.common.recipe import RecipeError
from trainers.grpo.cli import Method
from trainers.grpo.trainer import RelevanceGRPOConfig, RelevanceGRPOTrainer

logger = logging.getLogger(__name__)


@dataclass
class AGRLConfig(RelevanceGRPOConfig):
    """RelevanceGRPOConfig plus guided replay; every other field is TRL's (see its documentation)."""

    guide_threshold: float = field(default=0.0, metadata={
        "help": "τ: a group whose accuracy (share of completions whose written label is the gold label) is <= τ "
                "gets guides; 0.0 = only all-wrong groups"})
    guides_per_group: int = field(default=1, metadata={
        "help": "m: rollouts of a triggered group replaced by a guide (its last m wrong ones); < num_generations"})
    guide_source: str = field(default="gold", metadata={"help": "where guides come from: " + registry_help(GUIDE_SOURCES)})
    off_policy: str = field(default="shaping", metadata={
        "help": "how guide tokens enter the loss: " + registry_help(OFF_POLICY)})
    shaping_gamma: float = field(default=0.1, metadata={"help": "γ of the policy shaping f(p) = p/(p+γ)"})
    replay_queue_size: int = field(default=0, metadata={
        "help": "queue of prompts that triggered guidance, revisited in later batches (0 = off); see "
                "trainers/agrl/replay.py"})
    replay_share: float = field(default=0.25, metadata={
        "help": "at most this share of a batch's groups (rounded up) are queued prompts, replacing its last groups"})

    def __post_init__(self):
        super().__post_init__()
        checks = [
            (self.guide_source in GUIDE_SOURCES, f"guide_source: unknown value {self.guide_source!r}; use one of "
                                                  f"{sorted(GUIDE_SOURCES)}"),
            (self.off_policy in OFF_POLICY, f"off_policy: unknown value {self.off_policy!r}; use one of "
                                            f"{sorted(OFF_POLICY)}"),
            (0.0 <= self.guide_threshold < 1.0, f"guide_threshold: {self.guide_threshold} is not in [0, 1); 0 guides "
                                                "only all-wrong groups"),
            (1 <= self.guides_per_group < self.num_generations,
             f"guides_per_group: {self.guides_per_group} must be >= 1 and < num_generations "
             f"({self.num_generations}) so every group keeps a sampled rollout"),
            (self.shaping_gamma > 0, f"shaping_gamma: {self.shaping_gamma} must be > 0 (LUFFY uses 0.1)"),
            (self.replay_queue_size >= 0, f"replay_queue_size: {self.replay_queue_size} must be >= 0 (0 = off)"),
            (0.0 < self.replay_share <= 1.0, f"replay_share: {self.replay_share} is not in (0, 1]"),
            (self.off_policy != "shaping" or self.loss_type in NORMALISERS,
             f"off_policy shaping supports loss_type {sorted(NORMALISERS)} (got {self.loss_type!r}); change "
             "loss_type or set off_policy: none"),
        ]
        for ok, message in checks:
            if not ok:
                raise RecipeError(message)


def rules_of(reward_funcs: list) -> CompiledRuleSet:
    """The rule set of the first rule-aware reward: AGRL reads labels with the same rules the reward scores."""
    for func in reward_funcs:
        if isinstance(getattr(func, "rules", None), CompiledRuleSet):
            return func.rules
    raise ValueError("AGRLTrainer needs a rule set: pass rules=... or a rewards.RuleAwareReward in reward_funcs")


class AGRLTrainer(RelevanceGRPOTrainer):
    """RelevanceGRPOTrainer with guided replay.

    The only changes w.r.t. GRPOTrainer (beyond RelevanceGRPOTrainer's): `_generate` swaps the chosen rollouts for
    guides after generation; `_compute_loss` gives guide tokens the shaped objective; `_generate_and_score_completions`
    mixes queued prompts into the batch before generation; `_get_per_token_logps_and_entropies` lends its output to
    the shaped term; `_save_checkpoint` / `train` save and restore the replay queue. Completion lengths and token counts are relogged after the swap (`trainers.agrl.lengths`).
    """

    def __init__(self, *args, rules: CompiledRuleSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.tools or self.rollout_func is not None or self.environment_factories is not None:
            raise ValueError("AGRLTrainer's guides are plain CoTs: tools, rollout_func and environments are not "
                             "supported")
        self.rules = rules or rules_of(self.reward_funcs)
        self.replay_queue = replay.ReplayQueue(self.args.replay_queue_size) if self.args.replay_queue_size else None
        self.guided_global: torch.Tensor | None = None  # (global batch,) bool: guide rows of the last scored batch
        self.replayed_groups: list[int] = []
        self._captured_logps: list | None = None

    # ------------------------------------------------------------------ checkpoints

    def _save_checkpoint(self, model, trial):
        if self.replay_queue is not None and self.args.should_save:
            folder = Path(self._get_output_dir(trial=trial)) / f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
            self.replay_queue.save(folder)  # before TRL's trainer_state.json, which marks the checkpoint complete
        super()._save_checkpoint(model, trial)

    def train(self, resume_from_checkpoint=None, *args, **kwargs):
        checkpoint = get_last_checkpoint(self.args.output_dir) if resume_from_checkpoint is True else \
            resume_from_checkpoint
        if self.replay_queue is not None and checkpoint:
            if self.replay_queue.load(checkpoint):
                logger.info("AGRL: replay queue of %d prompts restored from %s", len(self.replay_queue), checkpoint)
            else:
                logger.warning("AGRL: %s holds no replay queue (%s): resuming with an empty one", checkpoint,
                               replay.QUEUE_FILE)
        return super().train(resume_from_checkpoint, *args, **kwargs)

    # ------------------------------------------------------------------ generation

    def _generate_and_score_completions(self, inputs):
        self.replayed_groups, self.guided_global = [], None
        if self.replay_queue is not None and self.model.training:
            inputs, self.replayed_groups = replay.mix_in_replays(
                inputs, self.replay_queue, self.args.replay_share, self.num_generations,
                self.accelerator.process_index, self.accelerator.num_processes)
            self._metrics["train"]["agrl/replay_hits"].append(float(len(self.replayed_groups)))
        return super()._generate_and_score_completions(inputs)

    def _generate(self, prompts: list):
        result = super()._generate(prompts)
        if not self.model.training:
            return result
        prompt_ids, completion_ids, tool_mask, completions, logprobs, extra, images, tool_images = result
        sampled = completion_ids
        completion_ids, completions, logprobs = self._guide_batch(prompts, completion_ids, completions, logprobs)
        self._relog_lengths(sampled, completion_ids)
        return prompt_ids, completion_ids, tool_mask, completions, logprobs, extra, images, tool_images

    def _relog_lengths(self, sampled: list, trained: list) -> None:
        """TRL logged lengths and counted tokens of the sampled rollouts: describe the trained (swapped) batch."""
        device = self.accelerator.device
        stops = [*self.eos_token_ids, self._tokenizer.pad_token_id]
        old = self.accelerator.gather(torch.tensor([len(ids) for ids in sampled], device=device)).cpu()
        new = self.accelerator.gather(torch.tensor([len(ids) for ids in trained], device=device)).cpu()
        cut = self.accelerator.gather(torch.tensor([not ids or ids[-1] not in stops for ids in trained],
                                                   device=device)).cpu()
        self.state.num_input_tokens_seen += int(new.sum() - old.sum())
        self._metrics["train"]["num_tokens"] = [self.state.num_input_tokens_seen]
        replace_last(self._metrics["train"], length_metrics(new, cut))

    def _guide_batch(self, prompts, completion_ids, completions, logprobs):
        rows, device, metrics = self.batch_inputs, self.accelerator.device, self._metrics["train"]
        if rows is None or len(rows) != len(prompts):
            raise RuntimeError("AGRLTrainer: batch_inputs do not match the generated batch; _generate must run "
                               "inside _generate_and_score_completions")
        n_local, size = len(rows), self.num_generations
        correct = torch.tensor([written_label_correct(c, r.get("label"), self.rules) for c, r in zip(completions, rows)],
                               device=device)
        correct = self.accelerator.gather(correct).cpu()
        triggered, guided = replay.select_guided_rows(correct, size, self.args.guide_threshold,
                                                      self.args.guides_per_group)
        accuracy = replay.group_accuracy(correct, size)
        metrics["agrl/group_accuracy_mean"].append(accuracy.mean().item())
        metrics["agrl/trigger_rate"].append(triggered.float().mean().item())
        if self.replayed_groups:
            metrics["agrl/replay_accuracy"].append(accuracy[self.replayed_groups].mean().item())
        local = guided[self.local_slice(n_local)].clone()
        guides = self._guide_ids(rows, prompts, local, guided.view(self.accelerator.num_processes, n_local))
        completion_ids, completions = list(completion_ids), list(completions)
        logprobs = list(logprobs) if logprobs is not None else None
        for i in range(n_local):
            if local[i] and guides.get(i) is None:
                local[i] = False  # no usable guide (incomplete gold data): the rollout stays
            elif local[i]:
                completion_ids[i] = guides[i]
                completions[i] = self._decode_like(guides[i], completions[i])
                if logprobs is not None:
                    logprobs[i] = [float("nan")] * len(guides[i])  # NaN: TRL's importance ratio 1 on guides
        self.guided_global = self.accelerator.gather(local.to(device)).cpu()
        metrics["agrl/guided_fraction"].append(self.guided_global.float().mean().item())
        metrics["agrl/guide_missing"].append(float((guided & ~self.guided_global).sum().item()))
        self._queue_triggered(rows, triggered)
        return completion_ids, completions, logprobs

    def _queue_triggered(self, rows: list[dict], triggered: torch.Tensor) -> None:
        if self.replay_queue is None:
            return
        mine = replay.rows_to_queue(rows, triggered, self.replayed_groups, self.num_generations,
                                    self.accelerator.process_index)
        self.replay_queue.push(replay.ordered_rows(gather_object(mine)))
        self._metrics["train"]["agrl/replay_queue_size"].append(float(len(self.replay_queue)))

    def _guide_ids(self, rows, prompts, local: torch.Tensor, per_process: torch.Tensor) -> dict[int, list[int]]:
        """Token ids (+ EOS) of each local guide row; hint generation is collective (same call count everywhere)."""
        wanted = torch.nonzero(local).flatten().tolist()
        hinted = self._hint_generations(rows, prompts, wanted, int(per_process.sum(1).max())) \
            if self.args.guide_source == "hint" else {}
        out, truncated = {}, 0
        for i in wanted:
            if i in hinted:
                out[i] = hinted[i]
                continue
            text = gold_guide(rows[i], self.rules)
            if text is None:
                continue
            ids = self._tokenizer(text, add_special_tokens=False)["input_ids"] + [self._eos_id()]
            if len(ids) > self.max_completion_length:
                truncated += 1
                ids = ids[: self.max_completion_length]
            out[i] = ids
        if truncated:
            logger.warning("AGRL: %d guide(s) longer than max_completion_length=%d were truncated (raise "
                           "max_completion_length: a cut guide loses its ending and may be masked or scored as "
                           "malformed)", truncated, self.max_completion_length)
        self._metrics["train"]["agrl/guide_truncated"].append(float(truncated))
        return out

    def _hint_generations(self, rows, prompts, wanted: list[int], calls: int) -> dict[int, list[int]]:
        """Policy generations from hinted prompts for the wanted rows whose written label comes out right.

        Every process generates `calls` completions (padding with a copy of a local hinted prompt): the vLLM server
        and colocate-TP paths gather prompts across processes and slice by equal counts, and sharded generation
        (DeepSpeed ZeRO-3, FSDP) is a collective too.
        """
        if calls == 0:
            return {}
        hinted = [hint_prompt(prompts[i], hint_line(rows[i], self.rules)) for i in wanted]
        filler = hinted[0] if hinted else hint_prompt(prompts[0], hint_line(rows[0], self.rules))
        prompt_ids, _, fields = self._tokenize_prompts(hinted + [filler] * (calls - len(hinted)))
        generated, _ = self._generate_single_turn(prompt_ids, None, fields, 1)
        out = {}
        for j, i in enumerate(wanted):
            text = self._tokenizer.decode(generated[j], skip_special_tokens=True)
            if written_label_correct(text, rows[i].get("label"), self.rules):
                out[i] = list(generated[j])
        if wanted:
            self._metrics["train"]["agrl/hint_fallback_rate"].append(1.0 - len(out) / len(wanted))
        return out

    def _eos_id(self) -> int:
        return self.eos_token_ids[0] if self.eos_token_ids else self._tokenizer.eos_token_id

    def _decode_like(self, ids: list[int], original):
        """Decoded guide in the batch's completion format (text, or one assistant message)."""
        text = self.processing_class.batch_decode([ids], skip_special_tokens=True)[0]
        return text if isinstance(original, str) else [{"role": "assistant", "content": text}]

    # ------------------------------------------------------------------ scoring and loss

    def adjust_scored_batch(self, inputs, out):
        n_local = out["completion_ids"].size(0)
        if self.guided_global is None:  # evaluation batches carry no guides
            out["agrl_guided"] = torch.zeros(n_local, dtype=torch.bool, device=out["completion_ids"].device)
            return out
        out["agrl_guided"] = self.guided_global[self.local_slice(n_local)].to(out["completion_ids"].device)
        if self.guided_global.any() and self.gathered_rewards is not None:
            rewards = self.rewards_total().cpu()[self.guided_global]
            self._metrics["train"]["agrl/guide_reward_mean"].append(torch.nanmean(rewards).item())
        return out

    def _get_per_token_logps_and_entropies(self, *args, **kwargs):
        result = super()._get_per_token_logps_and_entropies(*args, **kwargs)
        if self._captured_logps is not None:
            self._captured_logps.append(result[0])
        return result

    def _compute_loss(self, model, inputs):
        guided = inputs.get("agrl_guided")
        if self.args.off_policy != "shaping" or guided is None:
            return super()._compute_loss(model, inputs)
        shaped_inputs = dict(inputs, advantages=zero_guide_advantages(inputs["advantages"], guided))
        self._captured_logps = []
        try:
            loss = super()._compute_loss(model, shaped_inputs)
            logps = self._captured_logps[0]
        finally:
            self._captured_logps = None
        mask = inputs["completion_mask"] * inputs["tool_mask"] if "tool_mask" in inputs else inputs["completion_mask"]
        if guided.any():
            loss = loss + shaped_guide_loss(logps, inputs["advantages"], mask, guided, self.args.shaping_gamma,
                                            self._loss_scale(inputs))
        self._log_guide_probs(logps.detach(), mask, guided)
        return loss

    def _loss_scale(self, inputs) -> LossScale:
        train = self.model.training
        accumulation = getattr(self, "current_gradient_accumulation_steps", self.args.gradient_accumulation_steps)
        items = inputs.get("num_items_in_batch")
        return LossScale(self.loss_type, self.max_completion_length, accumulation if train else 1,
                         self.args.steps_per_generation if train else 1, self.accelerator.num_processes,
                         float(items) if items is not None else None)

    def _log_guide_probs(self, logps: torch.Tensor, mask: torch.Tensor, guided: torch.Tensor) -> None:
        """Mean π_θ over guide tokens, all processes (a collective every process calls each micro-batch)."""
        picked = mask.float() * guided.float().unsqueeze(1)
        stats = torch.stack([(torch.exp(logps) * picked).sum(), picked.sum()])
        total, count = self.accelerator.reduce(stats, reduction="sum").tolist()
        if count > 0:
            mode = "train" if self.model.training else "eval"
            self._metrics[mode]["agrl/guide_token_prob_mean"].append(total / count)


METHOD = Method("agrl", AGRLConfig, AGRLTrainer, __doc__.split("\n\n")[0])
