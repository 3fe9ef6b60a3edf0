"""Synthetic data sets generated on first use (like the tiny models): a folder name -> the generator's arguments.

    python -m rules.data generate --out data/synthetic_mini --train 8000 --eval 400 --seed 0   # the same, by hand

The miniature profile (`trainers/recipes/sft_mini_cpu.yaml`) trains on thousands of rows; shipping them would
bloat the repository, and the generator is deterministic (the same arguments give the same bytes) and takes a few
seconds, so a recipe that names `data/synthetic_mini/train.jsonl` gets the folder built when it is missing.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

# folder -> `python -m rules.data generate` arguments. eval 400: 400 balanced rows (100 per label) and 400 in the
# wild, enough for the >= 300-row evaluations of the miniature benchmark.
GENERATED_DATA = {
    "data/synthetic_mini": {"train": 8000, "eval": 400, "seed": 0},
}


def generated_spec(path: str | Path) -> tuple[Path, dict] | None:
    """(folder, arguments) when `path` is a file of a folder in GENERATED_DATA, else None."""
    folder = Path(path).parent
    return next(((folder, spec) for name, spec in GENERATED_DATA.items() if folder == Path(name)), None)


def ensure_generated(path: str | Path) -> bool:
    """Generate the folder of `path` if it is a GENERATED_DATA folder and the file is missing; True if built."""
    found = generated_spec(path)
    if found is None or Path(path).exists():
        return False
    folder, spec = found
    from rules import compile_rules
    from rules.data.synth.examples import DEFAULT_RULES, generate
    from rules.data.synth.stats import write_splits

    logger.info("generating %s (python -m rules.data generate --out %s --train %d --eval %d --seed %d)",
                folder, folder, spec["train"], spec["eval"], spec["seed"])
    rules = compile_rules(DEFAULT_RULES)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    write_splits(generate(spec["train"], spec["eval"], spec["seed"], rules), staging, rules)
    try:  # processes started together: the first rename wins, the others' (identical) copies are dropped
        os.rename(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not Path(path).exists():
            raise
    return True
