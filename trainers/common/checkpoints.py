"""Resuming: find the newest *complete* checkpoint of a run (a run killed mid-save leaves a half-written one).

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --resume_from_checkpoint latest
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

logger = logging.getLogger(__name__)

# What `Trainer._save_checkpoint` writes last is trainer_state.json; with it, the weights and optimizer are there.
REQUIRED = ("trainer_state.json",)
WEIGHTS = ("model.safetensors", "pytorch_model.bin", "adapter_model.safetensors", "model.safetensors.index.json")


def is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED) and any((folder / w).is_file() for w in WEIGHTS)


def newest_complete(output_dir: str | Path) -> Path | None:
    folders = [p for p in Path(output_dir).glob("checkpoint-*") if re.fullmatch(r"checkpoint-\d+", p.name)]
    for folder in sorted(folders, key=lambda p: int(p.name.split("-")[1]), reverse=True):
        if is_complete(folder):
            return folder
        logger.warning("skipping %s: incomplete (the run stopped while saving it)", folder)
    return None


def resolve_resume(value: str | bool | None, output_dir: str | Path) -> str | None:
    """`latest`/`true` -> the newest complete checkpoint under output_dir (None when there is none yet)."""
    if value in (None, False, "", "false", "False", "no"):
        return None
    if value in (True, "latest", "true", "True", "yes"):
        found = newest_complete(output_dir)
        if found is None:
            logger.warning("no complete checkpoint in %s yet: starting from scratch", output_dir)
        return str(found) if found else None
    path = Path(str(value))
    if not is_complete(path):
        raise FileNotFoundError(f"resume_from_checkpoint: {path} is not a complete checkpoint (it needs "
                                f"{', '.join(REQUIRED)} and model weights); pass `latest` to pick the newest one")
    return str(path)
