"""A CPU stand-in for vLLM's offline `LLM` (and a fake `vllm` module) over a transformers model, for tests.

It keeps vLLM's interface where shelfwise touches it: `LLM.generate(requests, sampling_params, use_tqdm=...)` with
requests `{"prompt_token_ids": [...]}` returns one object per request with `.prompt_token_ids`, `.outputs[i]`
(`.text`, `.token_ids`, `.finish_reason`, `.logprobs`: per generated position a dict {token_id: Logprob} of the
top-`logprobs` tokens plus the sampled one) and `.prompt_logprobs` (per prompt position a dict holding the prompt
token, None for the first, as vLLM returns them). `install(monkeypatch)` puts a `vllm` module exposing
`SamplingParams` into `sys.modules`, so code that does `from vllm import SamplingParams` runs unchanged.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from types import SimpleNamespace

import torch


@dataclass
class SamplingParams:
    """The fields of vLLM's SamplingParams that shelfwise sets."""

    n: int = 1
    temperature: float = 1.0
    max_tokens: int | None = 16
    seed: int | None = None
    stop_token_ids: list[int] | None = None
    logprobs: int | None = None
    prompt_logprobs: int | None = None
    extra: dict = field(default_factory=dict)


def logprob(value: float) -> SimpleNamespace:
    return SimpleNamespace(logprob=float(value))


class StandInLLM:
    """vLLM's `LLM.generate` on a transformers model; records every call in `calls` (requests, params)."""

    def __init__(self, model, tokenizer):
        self.model, self.tokenizer = model.eval(), tokenizer
        self.calls: list[tuple[list, SamplingParams]] = []

    def get_tokenizer(self):
        return self.tokenizer

    @torch.inference_mode()
    def _logps(self, ids: list[int]) -> torch.Tensor:
        return torch.log_softmax(self.model(torch.tensor([ids])).logits[0].float(), -1)

    @torch.inference_mode()
    def generate(self, requests, sampling_params, use_tqdm: bool = False):
        self.calls.append((list(requests), sampling_params))
        gen = torch.Generator().manual_seed(sampling_params.seed or 0)
        stops = set(sampling_params.stop_token_ids or []) | {self.tokenizer.eos_token_id}
        out = []
        for request in requests:
            prompt = list(request["prompt_token_ids"])
            prompt_lp = None
            if sampling_params.prompt_logprobs is not None:
                full = self._logps(prompt)
                prompt_lp = [None] + [{t: logprob(full[k, t])} for k, t in enumerate(prompt[1:])]
            outputs = [self._one(prompt, sampling_params, gen, stops) for _ in range(sampling_params.n)]
            out.append(SimpleNamespace(prompt_token_ids=prompt, outputs=outputs, prompt_logprobs=prompt_lp))
        return out

    def _one(self, prompt, params, gen, stops):
        ids, tokens, lps, reason = list(prompt), [], [], "length"
        for _ in range(params.max_tokens or 16):
            logps = self._logps(ids)[-1]
            if params.temperature and params.temperature > 0:
                token = int(torch.multinomial(torch.softmax(logps / params.temperature, -1), 1, generator=gen))
            else:
                token = int(logps.argmax())
            top = {}
            if params.logprobs is not None:
                values, idx = logps.topk(params.logprobs) if params.logprobs > 0 else (logps[:0], [])
                top = {int(i): logprob(v) for v, i in zip(values.tolist(), list(idx))}
            top[token] = logprob(logps[token])  # vLLM always adds the sampled token
            lps.append(top)
            tokens.append(token)
            ids.append(token)
            if token in stops:
                reason = "stop"
                break
        text = self.tokenizer.decode(tokens, skip_special_tokens=True)
        return SimpleNamespace(text=text, token_ids=tokens, finish_reason=reason,
                               logprobs=lps if params.logprobs is not None else None)


def install(monkeypatch) -> types.ModuleType:
    """A `vllm` module with `SamplingParams` (and `LLM` = the stand-in) in sys.modules for this test."""
    module = types.ModuleType("vllm")
    module.SamplingParams = SamplingParams
    module.LLM = StandInLLM
    monkeypatch.setitem(sys.modules, "vllm", module)
    return module


class StandInVLLMGeneration:
    """Plugs in where TRL 1.16's `VLLMGeneration` does (`trainer.vllm_generation` with `use_vllm`): colocate mode,
    one completion per (already repeated) prompt, per-token log-probs after temperature (TRL asks vLLM for
    `logprobs_mode="processed_logprobs"`) from the trainer's own model, minus `shift` (a sampler that disagrees with
    the trained model by `shift` nats per token: an importance ratio of exp(shift))."""

    def __init__(self, trainer, max_tokens: int = 12, shift: float = 0.0):
        self.trainer, self.max_tokens, self.shift = trainer, max_tokens, shift
        self.synced = 0

    def sync_weights(self):
        self.synced += 1

    @torch.inference_mode()
    def generate(self, prompts, images, num_generations, profiler=None):
        model, temperature = self.trainer.model, self.trainer.temperature
        stops = set(self.trainer.eos_token_ids)
        gen = torch.Generator().manual_seed(0)
        completion_ids, logprobs = [], []
        for prompt in prompts:
            ids, tokens, lps = list(prompt), [], []
            for _ in range(self.max_tokens):
                logits = model(torch.tensor([ids], device=model.device)).logits[0, -1].float().cpu()
                logps = torch.log_softmax(logits / temperature, -1)
                token = int(torch.multinomial(logps.exp(), 1, generator=gen))
                tokens.append(token)
                lps.append([float(logps[token]) - self.shift])
                ids.append(token)
                if token in stops:
                    break
            completion_ids.append(tokens)
            logprobs.append(lps)
        return [list(p) for p in prompts], completion_ids, logprobs, None


def plug_into(trainer, **kwargs) -> StandInVLLMGeneration:
    """Turn a trainer built without vLLM into a `use_vllm` (colocate) one whose generation is the stand-in."""
    standin = StandInVLLMGeneration(trainer, **kwargs)
    trainer.use_vllm, trainer.vllm_mode, trainer.vllm_generation = True, "colocate", standin
    trainer.vllm_importance_sampling_correction, trainer._last_loaded_step = True, -1
    return standin
