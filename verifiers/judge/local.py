"""A judge model run in this process with transformers: batched greedy generation with left padding.

    python -m trainers.tiny_model --out models/tiny             # a tiny local model for trying it out
    >>> backend = LocalBackend("models/judge", batch_size=8)    # a folder written by save_pretrained (or a hub id)
    >>> backend.complete_batch([messages])                      # [Completion | Failure], with log-probabilities
    >>> backend.force([messages], ["[query] correct: ..."])     # teacher-forced: log-probabilities of a given answer

Log-probabilities come from the logits at each generated position (`output_logits`), so P(correct) needs no second
pass; the top `top_k` alternatives per position are kept, like an OpenAI server's `top_logprobs`. Small judges run
on the CPU; on a GPU the model runs in bf16. torch and transformers are imported on first use, so importing the
judge package stays light. One batch at a time per backend (a lock): the model is not re-entrant.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verifiers.judge.base import Completion, Counters, Failure, Messages, TokenLogprob
from verifiers.lm_batch import left_pad

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)


class LocalBackend:
    def __init__(self, model: Any, tokenizer: Any = None, *, device: str | None = None, dtype: Any = None,
                 max_new_tokens: int = 384, batch_size: int = 8, top_k: int = 10):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if batch_size < 1 or max_new_tokens < 1 or top_k < 1:
            raise ValueError(f"LocalBackend: batch_size ({batch_size}), max_new_tokens ({max_new_tokens}) and top_k "
                             f"({top_k}) must be >= 1")
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        if isinstance(model, (str, Path)):
            path = str(model)
            tokenizer = tokenizer or AutoTokenizer.from_pretrained(path)
            if dtype is None:
                dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
            model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
        if tokenizer is None:
            raise ValueError("LocalBackend: give the tokenizer with a model object (or a model folder path)")
        self.model, self.tokenizer = model.to(self.device).eval(), tokenizer
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        eos = model.generation_config.eos_token_id if model.generation_config.eos_token_id is not None \
            else tokenizer.eos_token_id
        self.eos_ids = frozenset(eos if isinstance(eos, (list, tuple)) else [eos])
        self.max_new_tokens, self.batch_size, self.top_k = max_new_tokens, batch_size, top_k
        name = getattr(model.config, "name_or_path", "") or type(model).__name__
        self.cache_id = "local:" + json.dumps({"model": name, "max_new_tokens": max_new_tokens, "top_k": top_k},
                                              sort_keys=True)
        self.counters = Counters("calls", "failures", "prompt_tokens", "completion_tokens")
        self._lock = threading.Lock()
        self._piece = functools.lru_cache(maxsize=65536)(self._decode_one)
        if tokenizer.chat_template is None:
            logger.warning("judge tokenizer has no chat template; prompts are the message texts joined")

    # ------------------------------------------------------------------ public

    def complete_batch(self, prompts: list[Messages]) -> list[Completion | Failure]:
        out: list[Completion | Failure] = []
        for i in range(0, len(prompts), self.batch_size):
            chunk = prompts[i:i + self.batch_size]
            self.counters.add("calls", len(chunk))
            try:
                with self._lock:
                    out.extend(self._generate(chunk))
            except Exception as exc:  # out of memory, a bad checkpoint: this batch fails, training goes on
                logger.warning("local judge failed on a batch of %d: %s: %s", len(chunk), type(exc).__name__, exc)
                self.counters.add("failures", len(chunk))
                out.extend([Failure("error", f"local judge failed: {type(exc).__name__}: {exc}")] * len(chunk))
        return out

    async def acomplete_batch(self, prompts: list[Messages]) -> list[Completion | Failure]:
        return await asyncio.to_thread(self.complete_batch, prompts)

    def force(self, prompts: list[Messages], answers: list[str]) -> list[Completion]:
        """Teacher-force `answers` after `prompts`: the Completion the model would give with those exact tokens."""
        import torch

        rows, lengths = [], []
        for messages, answer in zip(prompts, answers, strict=True):
            answer_ids = self.tokenizer(answer, add_special_tokens=False)["input_ids"]
            rows.append(self._prompt_ids(messages) + answer_ids)
            lengths.append(len(answer_ids))
        ids, mask, _ = left_pad(rows, self.pad_id, self.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding must not shift the real positions
        with self._lock, torch.inference_mode():
            logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions).logits
        width = ids.shape[1]
        return [self._completion(ids[i, width - n:].tolist(), logits[i, width - n - 1:width - 1])
                for i, n in enumerate(lengths)]

    # ------------------------------------------------------------------ internals

    def _prompt_ids(self, messages: Messages) -> list[int]:
        if self.tokenizer.chat_template is None:
            text = "\n\n".join(m["content"] for m in messages) + "\n\n"
        else:
            text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _generate(self, chunk: list[Messages]) -> list[Completion]:
        import torch
        from transformers import GenerationConfig

        ids, mask, _ = left_pad([self._prompt_ids(m) for m in chunk], self.pad_id, self.device)
        config = GenerationConfig(max_new_tokens=self.max_new_tokens, do_sample=False, output_logits=True,
                                  return_dict_in_generate=True, pad_token_id=self.pad_id,
                                  eos_token_id=sorted(self.eos_ids))
        with torch.inference_mode():
            out = self.model.generate(input_ids=ids, attention_mask=mask, generation_config=config)
        new = out.sequences[:, ids.shape[1]:].tolist()
        logits = torch.stack(out.logits, dim=1)  # (batch, new tokens, vocabulary): raw, before any processor
        completions = []
        for i, row in enumerate(new):
            n = next((k for k, t in enumerate(row) if t in self.eos_ids), len(row))  # cut at the first EOS
            completions.append(self._completion(row[:n], logits[i, :n]))
            self.counters.add("completion_tokens", n)
        self.counters.add("prompt_tokens", int(mask.sum()))
        return completions

    def _completion(self, ids: list[int], logits: torch.Tensor) -> Completion:
        import torch

        if not ids:
            return Completion("", ())
        logp = torch.log_softmax(logits.float(), dim=-1)
        chosen = logp.gather(-1, torch.tensor(ids, device=logp.device)[:, None])[:, 0].tolist()
        top_lp, top_ids = (t.tolist() for t in logp.topk(min(self.top_k, logp.shape[-1]), dim=-1))
        # Each token's text is what it adds to the decoded prefix, so the pieces line up with the decoded answer
        # (decoding tokens one by one drops sentencepiece's leading spaces and splits multi-byte characters).
        prefixes = [self.tokenizer.decode(ids[:k + 1], skip_special_tokens=True) for k in range(len(ids))]
        tokens, before = [], ""
        for k, prefix in enumerate(prefixes):
            top = tuple((self._piece(a), lp) for a, lp in zip(top_ids[k], top_lp[k]))
            tokens.append(TokenLogprob(prefix[len(before):], chosen[k], top))
            before = prefix
        return Completion(prefixes[-1], tuple(tokens))

    def _decode_one(self, token_id: int) -> str:
        return self.tokenizer.decode([token_id], skip_special_tokens=False)
