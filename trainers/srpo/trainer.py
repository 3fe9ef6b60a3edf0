"""SRPO (TaoSR-SHE): GRPO whose advantages add step-level credit from a hybrid step verifier, token by token.

    python -m trainers.srpo --config trainers/recipes/srpo_cpu.yaml          # CPU demo, tiny local model
    python -m trainers.srpo --config trainers/recipes/srpo_gpu.yaml          # 0.5-1.5B chat model, bf16, vLLM
    accelerate launch --num_processes 8 -m trainers.srpo --config trainers/recipes/srpo_gpu.yaml
    python -m trainers.srpo --config trainers/recipes/srpo_cpu.yaml --critical_steps process --step_coef 0.3

Advantage of token t of completion i: A[i, t] = A_outcome[i] + step_coef * Â_step[i, step(t)], where A_outcome is
TRL's group-normalised advantage of the rule-aware reward (always kept: step-only advantages collapse toward
truncated outputs, PRPO arXiv 2601.07182), Â_step the step's score from the hybrid verifier normalised within
its group per step id (`trainers/srpo/step_advantages.py`), carried by the steps `critical_steps` picks, and step(t)
the step whose character span holds the token's first character (`trainers/srpo/step_tokens.py`). The step scores
come from `step_sources` in priority order (`trainers/srpo/step_sources.py`): human annotations, a generative judge,
the gold-step facts. A completion that does not parse has no steps: outcome advantage only.

Groups whose outcome rewards all agree still carry step credit (an all-wrong group whose first errors differ):
the base trainer's zero-variance filter (`zero_variance_groups: drop`) keeps a group whose completions carry a
step term and drops only groups with neither outcome nor step signal. Logged: `srpo/source_<name>` (steps scored per source, per batch), `srpo/critical_steps`
(per parsed completion), `srpo/step_adv_{mean,std,abs_max}` (the added term, over tokens that get one),
`srpo/step_token_frac` (share of completion tokens with a step term), `srpo/unparsed_frac`.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import torch
from accelerate.utils import gather_object

from trainers.common.arguments import registry_help
from trainers.common.recipe import RecipeError
from trainers.grpo.cli import Method
from trainers.grpo.cli import main as run_method
from trainers.grpo.trainer import RelevanceGRPOConfig, RelevanceGRPOTrainer, group_size
from trainers.srpo.step_advantages import CRITICAL_STEPS, STEP_SCALE, compact, normalise_steps, token_step_term
from trainers.srpo.step_sources import StepSourceOptions, build_hybrid, describe, parse_step_sources, sources_help
from trainers.srpo.step_tokens import completion_length, decode_with_starts

logger = logging.getLogger(__name__)


@dataclass
class SRPOConfig(RelevanceGRPOConfig):
    """RelevanceGRPOConfig plus SRPO's step-level advantages; every other field is TRL's or the base trainer's."""

    step_coef: float = field(default=0.5, metadata={
        "help": "λ: weight of the group-normalised step term added to the outcome advantage (0 = GRPO)"})
    critical_steps: str = field(default="critical", metadata={
        "help": "which steps carry their step term: " + registry_help(CRITICAL_STEPS)})
    step_scale: str = field(default="group", metadata={
        "help": "normalisation of step scores within a group: " + registry_help(STEP_SCALE)})
    step_sources: str = field(default="facts", metadata={
        "help": "step scorers in priority order, comma-separated (or a YAML list): " + sources_help()})
    step_judge_model: str | None = field(default=None, metadata={
        "help": "judge:<URL> only: the model name the OpenAI-compatible server serves"})
    step_judge_timeout: float = field(default=30.0, metadata={"help": "judge: seconds per request"})
    step_judge_cache: str | None = field(default=None, metadata={
        "help": "judge: SQLite file caching its answers (shared by processes and runs)"})
    step_human_policy: str = field(default="latest", metadata={
        "help": "human: how conflicting annotations resolve: latest | majority | priority:ana,bob"})

    def __post_init__(self):
        super().__post_init__()
        for name, value, registry in (("critical_steps", self.critical_steps, CRITICAL_STEPS),
                                      ("step_scale", self.step_scale, STEP_SCALE)):
            if value not in registry:
                raise RecipeError(f"{name}: unknown value {value!r}; use one of {sorted(registry)}")
        if not math.isfinite(self.step_coef) or self.step_coef < 0:
            raise RecipeError(f"step_coef: must be a finite number >= 0 (got {self.step_coef}); 0 trains plain GRPO")
        parse_step_sources(self.step_sources)  # a misspelled source fails here, before any model loads

    def source_options(self) -> StepSourceOptions:
        return StepSourceOptions(judge_model=self.step_judge_model, judge_timeout=self.step_judge_timeout,
                                 judge_cache=self.step_judge_cache, human_policy=self.step_human_policy)


class SRPOTrainer(RelevanceGRPOTrainer):
    """The only change w.r.t. GRPOTrainer is the advantages: (B, T) = outcome + λ · step term (module docstring).

    `step_verifier` (optional): anything with the hybrid's `step_scores(completions, **columns)`; by default a
    `HybridVerifier` built from `args.step_sources` and the rule set of the first reward function.

    The verifier scores the text TRL's reward got, decoded again from `out["completion_ids"]` the same way
    (`batch_decode(..., skip_special_tokens=True)`). Not covered: tokenizers with a `response_schema` under
    conversational prompts, for which TRL parses the response (tool calls) instead; the step spans then refer
    to the raw decoded text, which is still the text the tokens make up.
    """

    def __init__(self, *args: Any, step_verifier: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not isinstance(self.args, SRPOConfig):
            raise TypeError(f"SRPOTrainer needs an SRPOConfig (got {type(self.args).__name__})")
        self.step_verifier = step_verifier if step_verifier is not None else self._build_step_verifier()
        self._source_names = [s.name for s in getattr(self.step_verifier, "sources", [])]
        logger.info("SRPO: step sources %s, critical_steps=%s, step_coef=%s", describe(self.step_verifier),
                    self.args.critical_steps, self.args.step_coef)

    def _build_step_verifier(self) -> Any:
        rules = getattr(self.reward_funcs[0], "rules", None)
        if rules is None:
            raise ValueError("SRPO builds its step sources from the rule set of the first reward function: make it "
                             "a rewards.RuleAwareReward, or pass step_verifier=HybridVerifier(...)")
        return build_hybrid(parse_step_sources(self.args.step_sources), rules, self.args.source_options())

    def adjust_scored_batch(self, inputs: list[dict], out: dict[str, Any]) -> dict[str, Any]:
        texts, starts = self._decode(out["completion_ids"], out["completion_mask"])
        before = Counter(getattr(self.step_verifier, "counts", {}))
        local = self._step_values(inputs, texts)
        counted = Counter(getattr(self.step_verifier, "counts", {}))
        counted.subtract(before)
        everyone = gather_object(local) if self.accelerator.num_processes > 1 else local
        norm = normalise_steps(everyone, group_size(self), self.args.step_scale)[self.local_slice(len(inputs))]
        mask = out["completion_mask"]
        term = torch.zeros(mask.shape, dtype=torch.float32)
        for i, (steps, values) in enumerate(zip(local, norm)):
            row = token_step_term(starts[i], steps, values, self.args.critical_steps)
            term[i, :len(row)] = torch.tensor(row, dtype=torch.float32)
        term = term.to(mask.device) * mask.to(torch.float32)
        outcome = out["advantages"]
        outcome = outcome.unsqueeze(1) if outcome.dim() == 1 else outcome
        out["advantages"] = outcome + self.args.step_coef * term.to(outcome.dtype)
        # Groups whose outcome rewards agree can still differ in their steps: the zero-variance filter keeps them.
        has_term = ((term != 0).any(dim=1) & (self.args.step_coef != 0)).to(torch.long)  # gloo gathers no bools
        self.group_signal = self.accelerator.gather(has_term).view(-1, group_size(self)).any(dim=1)
        self._log_steps(everyone, counted, term, mask)
        return out

    def _decode(self, completion_ids: torch.Tensor, mask: torch.Tensor) -> tuple[list[str], list[list[int | None]]]:
        """Each row's text as TRL decoded it for the reward (skip_special_tokens=True) and its tokens' offsets."""
        pad_id = getattr(self.processing_class, "pad_token_id", None)
        texts, starts = [], []
        for ids, row_mask in zip(completion_ids.tolist(), mask.tolist()):
            text, row = decode_with_starts(self.processing_class, ids[:completion_length(ids, row_mask, pad_id)])
            texts.append(text)
            starts.append(row)
        return texts, starts

    def _step_values(self, inputs: list[dict], texts: list[str]) -> list[list]:
        """Per local completion, its steps (span, signed score, critical flag); [] when it has none."""
        keys = sorted({k for row in inputs for k in row if k != "prompt"})
        columns = {k: [row.get(k) for row in inputs] for k in keys}
        try:
            scores = self.step_verifier.step_scores(texts, **columns)
            if len(scores) != len(texts):
                raise ValueError(f"{len(scores)} step-score lists for {len(texts)} completions")
            steps = [compact(s) for s in scores]
        except Exception as err:  # an external verifier must not end a training run: outcome advantage only
            logger.warning("SRPO: the step verifier failed on this batch (%s); outcome advantages only", err)
            return [[] for _ in texts]
        return [s if _spans_fit(s, len(t)) else [] for s, t in zip(steps, texts)]

    def _log_steps(self, everyone: list[list], counted: Counter, term: torch.Tensor, mask: torch.Tensor) -> None:
        metrics = self._metrics["train" if self.model.training else "eval"]
        per_process = gather_object([dict(counted)]) if self.accelerator.num_processes > 1 else [dict(counted)]
        totals: Counter = Counter()
        for counts in per_process:
            totals.update({k: v for k, v in counts.items() if v > 0})
        for name in sorted(set(self._source_names + ["none"]) | set(totals)):
            metrics[f"srpo/source_{name}"].append(float(totals.get(name, 0)))
        parsed = [steps for steps in everyone if steps]
        metrics["srpo/unparsed_frac"].append(1.0 - len(parsed) / max(len(everyone), 1))
        metrics["srpo/critical_steps"].append(
            sum(sum(s.critical for s in steps) for steps in parsed) / len(parsed) if parsed else 0.0)
        with_term = (term != 0) & mask.bool()
        added = self.args.step_coef * term[with_term]
        local = torch.tensor([mask.sum().item(), with_term.sum().item(), added.sum().item(),
                              (added ** 2).sum().item(), added.abs().max().item() if added.numel() else 0.0],
                             dtype=torch.float64, device=mask.device)
        gathered = self.accelerator.gather(local).view(-1, 5)
        tokens, n, total, squares, _ = gathered.sum(dim=0).tolist()
        abs_max = gathered[:, 4].max().item()
        mean = total / n if n else 0.0
        metrics["srpo/step_token_frac"].append(n / tokens if tokens else 0.0)
        metrics["srpo/step_adv_mean"].append(mean)
        metrics["srpo/step_adv_std"].append(math.sqrt(max(squares / n - mean ** 2, 0.0)) if n else 0.0)
        metrics["srpo/step_adv_abs_max"].append(abs_max)


def _spans_fit(steps: list, n_chars: int) -> bool:
    """Step spans sorted, disjoint and inside the text (a parsed CoT's are; a custom verifier's might not be)."""
    ok = all(0 <= s.start <= s.end <= n_chars for s in steps) and all(
        a.end <= b.start for a, b in zip(steps, steps[1:]))
    if not ok:
        logger.warning("SRPO: step spans %s do not fit a %d-character completion; its step terms are dropped",
                       [(s.start, s.end) for s in steps], n_chars)
    return ok


METHOD = Method("srpo", SRPOConfig, SRPOTrainer, __doc__.split("\n\n")[0])


def main(argv: list[str] | None = None) -> int:
    """`python -m trainers.srpo --config RECIPE [--flag value ...]`."""
    return run_method(METHOD, argv)
