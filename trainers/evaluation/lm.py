"""Loading a causal LM from a local folder (or hub id) and turning prompts into token ids, for evaluation.

    >>> model, tokenizer = load_model("models/tiny")                # a folder written by save_pretrained
    >>> ids = prompt_ids(tokenizer, ["Query: ...", [{"role": "user", "content": "..."}]])

Prompts are TRL's two forms: a string (standard) or a list of messages (conversational, rendered with the
tokenizer's chat template and the generation prompt), exactly as the trainers feed them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from verifiers.lm_batch import left_pad  # noqa: F401  (re-exported: generation and label scoring use it)

logger = logging.getLogger(__name__)


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load_model(path: str | Path, device: torch.device | str | None = None,
               dtype: torch.dtype | None = None) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Model in eval mode on `device` (bf16 on a GPU, fp32 on a CPU by default) and its tokenizer."""
    device = torch.device(device) if device is not None else default_device()
    if dtype is None:
        dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    path = str(path)
    tokenizer = load_tokenizer(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(device)
    model.eval()
    return model, tokenizer


def load_tokenizer(path: str) -> PreTrainedTokenizerBase:
    """The tokenizer of a model folder (or hub id), with a pad token; a clear error for a missing folder."""
    # A hub id is "org/name" (one slash, no leading dot or slash); anything else is a local folder that must exist.
    looks_local = (path.startswith((".", "/", "~")) or path.count("/") != 1 or Path(path).exists()
                   or Path(path).parent.is_dir())
    if looks_local and not Path(path).expanduser().is_dir():
        raise FileNotFoundError(f"no model folder {path}; give a folder written by save_pretrained, or build a tiny "
                                f"one with `python -m trainers.tiny_model --out {path}`")
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
    except OSError as err:  # not a local folder, and the hub did not have it (or could not be reached)
        reason = str(err).splitlines()[0]
        raise FileNotFoundError(f"{path} is not a local model folder, and loading it as a hub id failed "
                                f"({reason}); download it first or give a local folder") from None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token  # generation and batching need a pad id; eos is the usual stand-in
    return tokenizer


def prompt_ids(tokenizer: PreTrainedTokenizerBase, prompts: list[Any]) -> list[list[int]]:
    """Token ids of each prompt: strings as they are, message lists through the chat template."""
    out = []
    for prompt in prompts:
        if isinstance(prompt, str):
            out.append(tokenizer(prompt, add_special_tokens=False)["input_ids"])
        else:
            if tokenizer.chat_template is None:
                raise ValueError("conversational prompts need a tokenizer with a chat template; "
                                 "build prompts as text (chat=False) for this model")
            ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True)
            out.append(list(ids["input_ids"] if hasattr(ids, "keys") else ids))
    return out
