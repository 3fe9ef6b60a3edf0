"""Batched generation of completions for evaluation (transformers on any device; vLLM on GPUs when installed).

    >>> gen = Generator.from_pretrained("models/tiny", max_new_tokens=256)
    >>> texts = gen.generate(prompts, samples=4, temperature=1.0)   # N lists of 4 completions

Greedy when `samples == 1` and `temperature == 0`; otherwise sampling with a fixed seed, so an evaluation
repeats exactly on the same machine. After each call, `last_truncated[i][j]` says whether completion j of prompt
i stopped at `max_new_tokens` rather than at end-of-sequence. Both backends stop on the same ids
(`stop_token_ids`: the tokenizer's EOS and the model's generation-config EOS ids, which vLLM stops on by default),
so a decoded evaluation agrees between them.
"""

from __future__ import annotations

from typing import Any

import torch
from tqdm.auto import tqdm

from trainers.evaluation.lm import left_pad, load_model, prompt_ids


def stop_token_ids(tokenizer: Any, generation_config: Any = None) -> list[int]:
    """The tokenizer's EOS followed by the generation config's EOS id(s), without repeats (TRL's own stop set)."""
    extra = getattr(generation_config, "eos_token_id", None)
    extra = [] if extra is None else [extra] if isinstance(extra, int) else list(extra)
    ids = ([tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []) + extra
    return list(dict.fromkeys(int(i) for i in ids))


class Generator:
    """transformers `generate`, left-padded batches sorted by length."""

    def __init__(self, model: Any, tokenizer: Any, batch_size: int = 16, max_new_tokens: int = 512, seed: int = 0):
        self.model, self.tokenizer = model, tokenizer
        self.batch_size, self.max_new_tokens, self.seed = batch_size, max_new_tokens, seed

    @classmethod
    def from_pretrained(cls, path: str, device: str | None = None, **kwargs: Any) -> "Generator":
        model, tokenizer = load_model(path, device)
        return cls(model, tokenizer, **kwargs)

    @torch.inference_mode()
    def generate(self, prompts: list[Any], samples: int = 1, temperature: float = 0.0,
                 progress: bool = False) -> list[list[str]]:
        rows = prompt_ids(self.tokenizer, prompts)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        out: list[list[str]] = [[] for _ in rows]
        self.last_truncated: list[list[bool]] = [[] for _ in rows]
        device = next(self.model.parameters()).device
        stops = stop_token_ids(self.tokenizer, getattr(self.model, "generation_config", None))
        torch.manual_seed(self.seed)
        sample = samples > 1 or temperature > 0
        for start in tqdm(range(0, len(order), self.batch_size), desc="generating", disable=not progress):
            batch = order[start : start + self.batch_size]
            ids, mask, _ = left_pad([rows[i] for i in batch], self.tokenizer.pad_token_id, device)
            generated = self.model.generate(
                input_ids=ids, attention_mask=mask, max_new_tokens=self.max_new_tokens, do_sample=sample,
                temperature=temperature if sample else None, top_p=1.0 if sample else None, top_k=0 if sample else None,
                num_return_sequences=samples, pad_token_id=self.tokenizer.pad_token_id,
                eos_token_id=stops,
            )
            new_tokens = generated[:, ids.shape[1]:]
            texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
            # Cut at the limit: no end-of-sequence token among the new ones.
            cut = (~torch.isin(new_tokens, torch.tensor(stops, device=new_tokens.device)).any(-1)).tolist()
            for j, i in enumerate(batch):
                out[i] = texts[j * samples : (j + 1) * samples]
                self.last_truncated[i] = cut[j * samples : (j + 1) * samples]
        return out


class VLLMGenerator:
    """The same interface on vLLM (GPU extra): all prompts in one `LLM.generate` call, `n` samples per prompt.

    Give a model folder to start an engine, or an engine already running (`llm`: e.g. the one TRL colocates with
    training, `trainer.vllm_generation.llm`) with the policy's `tokenizer` and `generation_config` (its EOS ids).
    """

    def __init__(self, path: str | None = None, max_new_tokens: int = 512, seed: int = 0, llm: Any = None,
                 tokenizer: Any = None, generation_config: Any = None, **llm_kwargs: Any):
        if llm is None:
            from vllm import LLM

            llm = LLM(model=path, seed=seed, **llm_kwargs)
            generation_config = generation_config_of(path)
        self.llm = llm
        self.tokenizer = tokenizer if tokenizer is not None else llm.get_tokenizer()
        self.generation_config = generation_config
        self.max_new_tokens, self.seed = max_new_tokens, seed

    def generate(self, prompts: list[Any], samples: int = 1, temperature: float = 0.0,
                 progress: bool = False) -> list[list[str]]:
        from vllm import SamplingParams

        rows = [{"prompt_token_ids": ids} for ids in prompt_ids(self.tokenizer, prompts)]
        stops = stop_token_ids(self.tokenizer, self.generation_config)
        params = SamplingParams(n=samples, temperature=temperature, max_tokens=self.max_new_tokens, seed=self.seed,
                                stop_token_ids=stops)
        outputs = self.llm.generate(rows, params, use_tqdm=progress)
        self.last_truncated = [[c.finish_reason == "length" for c in o.outputs] for o in outputs]
        return [[c.text for c in o.outputs] for o in outputs]


def generation_config_of(path: str) -> Any:
    """The model folder's generation config (its EOS ids), None when it has none."""
    from transformers import GenerationConfig

    try:
        return GenerationConfig.from_pretrained(path)
    except OSError:  # no generation_config.json
        return None
