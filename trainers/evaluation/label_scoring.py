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


def top_k_label_probs(outputs: list[Any], tokens: LabelTokens) -> tuple[np.ndarray, list[list[int]]]:
    """Raw label-token probabilities found in the top-k of vLLM outputs (0 where absent), and per row the
    indices of the labels missing from its top-k."""
    raw = np.zeros((len(outputs), len(tokens.ids)))
    missing: list[list[int]] = []
    for i, out in enumerate(outputs):
        top = out.outputs[0].logprobs[0]  # {token_id: Logprob} at the first generated position
        missing.append([j for j, token in enumerate(tokens.ids) if token not in top])
        for j, token in enumerate(tokens.ids):
            if token in top:
                raw[i, j] = float(np.exp(top[token].logprob))
    return raw, missing


def vllm_label_probs(outputs: list[Any], tokens: LabelTokens) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """Label probabilities from vLLM outputs of `max_tokens=1, logprobs=k` requests.

    Returns (probs renormalised over the label tokens found, (N, L); the raw probability mass of the label tokens
    found in the top-k, (N,): a lower bound of the true mass; per row, the indices of the labels missing from the
    top-k). A row with no label token in its top-k is NaN (unknown, not a guess) with mass 0.
    """
    raw, missing = top_k_label_probs(outputs, tokens)
    return renormalise(raw), raw.sum(-1), missing


def renormalise(raw: np.ndarray) -> np.ndarray:
    total = raw.sum(-1, keepdims=True)
    return np.divide(raw, total, out=np.full_like(raw, np.nan), where=total > 0)


class VLLMLabelScorer:
    """The same scores from vLLM (GPU): one generated token with its top log-probabilities.

    vLLM returns the top-k log-probabilities (raw, before `allowed_token_ids` or any logits processor is applied:
    its sampler computes them first), so a label token outside the top-k is unknown from that request. With
    `exact_labels` (default) each such (row, label) is asked for exactly: the prompt + the label line's prefix +
    that label token, scored with `prompt_logprobs=0`, which returns the log-probability of every prompt token
    (the label token included) whatever its rank. After `score`, `last_incomplete` is the number of rows that had
    a label outside the top-k (all rescored exactly unless `exact_labels` is off; then their mass is the lower
    bound found in the top-k and labels outside it count 0).
    """

    def __init__(self, llm: Any, rules: CompiledRuleSet, top_logprobs: int = 20, exact_labels: bool = True):
        self.llm = llm
        self.tokenizer = llm.get_tokenizer()
        self.rules, self.top, self.exact_labels = rules, top_logprobs, exact_labels
        self.tokens = label_tokens(self.tokenizer, rules)
        self.last_incomplete = 0

    @classmethod
    def from_pretrained(cls, path: str, rules: CompiledRuleSet, top_logprobs: int = 20, exact_labels: bool = True,
                        **llm_kwargs: Any):
        from vllm import LLM  # GPU extra only

        return cls(LLM(model=path, **llm_kwargs), rules, top_logprobs, exact_labels)

    def score(self, prompts: list[Any], progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(probs over the label tokens, (N, L); probability mass on them, (N,): exact, or a lower bound)."""
        from vllm import SamplingParams

        rows = [ids + self.tokens.forced for ids in prompt_ids(self.tokenizer, prompts)]
        params = SamplingParams(max_tokens=1, temperature=0.0, logprobs=self.top)
        outputs = self.llm.generate([{"prompt_token_ids": r} for r in rows], params, use_tqdm=progress)
        raw, missing = top_k_label_probs(outputs, self.tokens)
        asks = [(i, j) for i, js in enumerate(missing) for j in js]  # (row, label) outside the top-k
        self.last_incomplete = sum(1 for m in missing if m)
        if asks and self.exact_labels:
            exact = SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0)
            requests = [{"prompt_token_ids": rows[i] + [self.tokens.ids[j]]} for i, j in asks]
            for (i, j), out in zip(asks, self.llm.generate(requests, exact, use_tqdm=progress)):
                raw[i, j] = float(np.exp(out.prompt_logprobs[-1][self.tokens.ids[j]].logprob))
            logger.info("%d of %d prompts had a label token outside the top-%d log-probabilities; %d label "
                        "probabilities asked for exactly (prompt_logprobs)", self.last_incomplete, len(rows),
                        self.top, len(asks))
        elif asks:
            logger.warning("%d of %d prompts have a label token outside the top-%d log-probabilities: those labels "
                           "count 0 and the mass reported is a lower bound (%d with no label token are unscored)",
                           self.last_incomplete, len(rows), self.top,
                           sum(1 for m in missing if len(m) == len(self.tokens.ids)))
        return renormalise(raw), raw.sum(-1)
