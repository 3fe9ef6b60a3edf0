"""The policy model of a training run: a local folder or hub id, or the tiny local model built on first use.

    >>> model, tokenizer = load_policy(ShelfArguments(model_name_or_path="models/tiny"), training_args)
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, PreTrainedModel, PreTrainedTokenizerBase

from trainers.common.arguments import TINY_MODEL, TINY_MODELS, ShelfArguments
from trainers.evaluation.lm import load_tokenizer  # noqa: F401  (re-exported for the trainers)

logger = logging.getLogger(__name__)


def tiny_sizes(path: str | Path) -> dict | None:
    """The sizes of a bundled tiny model path (`TINY_MODELS`), None for any other model."""
    return next((sizes for name, sizes in TINY_MODELS.items() if Path(path) == Path(name)), None)


def ensure_tiny_model(path: str | Path = TINY_MODEL, train_data: str | None = None) -> Path:
    """Build the tiny local model at `path` unless a model is already there (its tokenizer learns the data's text)."""
    path = Path(path)
    if (path / "config.json").is_file():
        return path
    sizes = tiny_sizes(path) or TINY_MODELS[TINY_MODEL]
    from trainers.common.data import bundled_path
    from trainers.common.tiny_model import build_tiny_lm

    train_data = bundled_path(train_data) if train_data else None
    texts = [Path(train_data).read_text(encoding="utf-8")] if train_data and Path(train_data).is_file() else []
    logger.info("building the tiny local model in %s (no such model yet)", path)
    model, tokenizer = build_tiny_lm(texts, **sizes)
    # Build beside the target and rename: processes started together (torchrun ranks, parallel runs) never read
    # a half-written folder; the first rename wins and the others use its (identical, seeded) model.
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    try:
        os.rename(staging, path)
    except OSError:  # another process finished first
        shutil.rmtree(staging, ignore_errors=True)
        if not (path / "config.json").is_file():
            raise
    return path


def policy_dtype(args: Any) -> torch.dtype:
    """fp32 master weights whatever `bf16` / `fp16` say: those flags drive autocast (as in TRL's own loading).

    A policy loaded in bf16 and trained with AdamW at the recipes' learning rates (1e-6, 5e-7) silently does not
    learn: most updates are below bf16's resolution (about 2% of the weights change per 10 steps at 1e-6).
    """
    return torch.float32


def load_policy(shelf: ShelfArguments, args: Any) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The model to train (fp32 master weights; `bf16: true` trains under bf16 autocast) and its tokenizer."""
    if tiny_sizes(shelf.model_name_or_path) is not None:
        ensure_tiny_model(shelf.model_name_or_path, shelf.train_data)
    tokenizer = load_tokenizer(shelf.model_name_or_path)
    model = AutoModelForCausalLM.from_pretrained(shelf.model_name_or_path, dtype=policy_dtype(args))
    if getattr(model.generation_config, "pad_token_id", None) is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer
