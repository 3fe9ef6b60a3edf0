"""Label-first ("post-CoT") scoring: the label distribution from one forward pass, no CoT decoded.

A label-first completion starts with the label line (`Label: 3`). The scorer feeds the prompt plus the fixed
text of the label line up to the label token, runs one forward pass, and reads the next-token probabilities
of the label tokens at the last position. That is what TaoSR1 deploys online (800 ms -> 286 ms); CumPT
(`trainers.evaluation.cumpt`) then turns the distribution into a label with one threshold.

    >>> scorer = LabelScorer.from_pretrained("models/tiny", compile_rules("rules/catalog/ecommerce.yaml"))
    >>> probs = scorer.score(prompts)          # (N, L) over labels ordered from the highest id down

Which token carries each label is read from the tokenizer, not assumed: each label line is tokenized whole,
the longest token prefix shared by all labels is forced, and the next token must differ between labels.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from rules import CompiledRuleSet
from trainers.evaluation.lm import left_pad, load_model, prompt_ids

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelTokens:
    forced: list[int]  # tokens appended to every prompt (the label line's fixed text)
    ids: list[int]  # per label, highest id first: the token that decides it
    labels: list[int]


def label_tokens(tokenizer: Any, rules: CompiledRuleSet) -> LabelTokens:
    """The forced prefix and the deciding token of each label, from how the tokenizer splits each label line."""
    fmt = rules.ruleset.output
    if fmt.order != "label_first":
        raise ValueError(f"rule set {rules.name!r} writes the label last (output.order: {fmt.order}); "
                         "prefill scoring needs label_first")
    labels = rules.label_ids
    lines = [fmt.label_line.format(label=rules.labels[lab].token) for lab in labels]
    encoded = [tokenizer(line, add_special_tokens=False)["input_ids"] for line in lines]
    shared = 0
    while all(len(e) > shared for e in encoded) and len({e[shared] for e in encoded}) == 1:
        shared += 1
    if any(len(e) <= shared for e in encoded):
        raise ValueError(f"the label lines {lines} cannot be told apart by the tokenizer")
    ids = [e[shared] for e in encoded]
    if len(set(ids)) != len(ids):
        raise ValueError(f"labels share their first distinct token ({ids}); use label tokens that the tokenizer "
                         "splits into different first tokens")
    for lab, e in zip(labels, encoded):
        if len(e) > shared + 1:
            logger.info("label %s spans %d tokens after the shared prefix; its first one is scored", lab, len(e) - shared)
    return LabelTokens(encoded[0][:shared], ids, labels)


class LabelScorer:
    """Batched prefill-only label probabilities for any causal LM (transformers backend)."""

    def __init__(self, model: Any, tokenizer: Any, rules: CompiledRuleSet, batch_size: int = 16):
        self.model, self.tokenizer, self.rules = model, tokenizer, rules
        self.batch_size = batch_size
        self.tokens = label_tokens(tokenizer, rules)

    @classmethod
    def from_pretrained(cls, path: str, rules: CompiledRuleSet, batch_size: int = 16, device: str | None = None):
        model, tokenizer = load_model(path, device)
        return cls(model, tokenizer, rules, batch_size)

    @torch.inference_mode()
    def score(self, prompts: list[Any], progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(probs renormalised over the label tokens, (N, L); raw probability mass on the label tokens, (N,))."""
        rows = [ids + self.tokens.forced for ids in prompt_ids(self.tokenizer, prompts)]
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))  # similar lengths per batch: less padding
        probs = np.zeros((len(rows), len(self.tokens.ids)))
        mass = np.zeros(len(rows))
        device = next(self.model.parameters()).device
        label_ids = torch.tensor(self.tokens.ids, device=device)
        starts = range(0, len(order), self.batch_size)
        for start in tqdm(starts, desc="prefill scoring", disable=not progress):
            batch = order[start : start + self.batch_size]
            ids, mask, positions = left_pad([rows[i] for i in batch], self.tokenizer.pad_token_id, device)
            logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions).logits[:, -1, :]
            full = torch.softmax(logits.float(), dim=-1)[:, label_ids]
            probs[batch] = (full / full.sum(-1, keepdim=True).clamp(min=1e-30)).cpu().numpy()
            mass[batch] = full.sum(-1).cpu().numpy()
        return probs, mass


def vllm_label_probs(outputs: list[Any], tokens: LabelTokens) -> np.ndarray:
    """Label probabilities from vLLM outputs of `max_tokens=1, logprobs=k` requests.

    Labels outside the top-k get 0; a row with no label token in its top-k is NaN (unknown, not a guess).
    """
    probs = np.zeros((len(outputs), len(tokens.ids)))
    for i, out in enumerate(outputs):
        top = out.outputs[0].logprobs[0]  # {token_id: Logprob} at the first generated position
        for j, token in enumerate(tokens.ids):
            if token in top:
                probs[i, j] = float(np.exp(top[token].logprob))
    total = probs.sum(-1, keepdims=True)
    if (total == 0).any():
        logger.warning("%d prompts have no label token in their top log-probabilities; scored NaN",
                       int((total == 0).sum()))
    return np.divide(probs, total, out=np.full_like(probs, np.nan), where=total > 0)


class VLLMLabelScorer:
    """The same scores from vLLM (GPU): one generated token with its top log-probabilities."""

    def __init__(self, llm: Any, rules: CompiledRuleSet, top_logprobs: int = 20):
        self.llm = llm
        self.tokenizer = llm.get_tokenizer()
        self.rules, self.top = rules, top_logprobs
        self.tokens = label_tokens(self.tokenizer, rules)

    @classmethod
    def from_pretrained(cls, path: str, rules: CompiledRuleSet, top_logprobs: int = 20, **llm_kwargs: Any):
        from vllm import LLM  # GPU extra only

        return cls(LLM(model=path, **llm_kwargs), rules, top_logprobs)

    def score(self, prompts: list[Any], progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        from vllm import SamplingParams

        rows = [{"prompt_token_ids": ids + self.tokens.forced} for ids in prompt_ids(self.tokenizer, prompts)]
        params = SamplingParams(max_tokens=1, temperature=0.0, logprobs=self.top)
        outputs = self.llm.generate(rows, params, use_tqdm=progress)
        probs = vllm_label_probs(outputs, self.tokens)
        return probs, np.full(len(rows), np.nan)  # the raw mass is unknown from top-k alone
