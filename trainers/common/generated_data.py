"""Synthetic data sets generated on first use (like the tiny models): a folder name -> the generator's arguments.

    python -m rules.data generate --out data/synthetic_mini --train 8000 --eval 400 --seed 0   # the same, by hand
    python -m rules.data generate --out data/synthetic_mini_rl --train 8000 --eval 4 --seed 2 \
        --exclude data/synthetic_mini/*.jsonl data/synthetic_mini_dev/eval_*.jsonl         # fresh RL prompts

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
_REPO = Path(__file__).resolve().parents[2]

# folder -> `python -m rules.data generate` arguments. eval 400: 400 balanced rows (100 per label) and 400 in the
# wild, enough for the >= 300-row evaluations of the miniature benchmark. One generator seed per job, and `exclude`
# keeps a set's (query, product title) pairs out of the next (seeds alone do not: a seed-2 draw repeated 15 of the
# 400 balanced eval pairs): seed 0 the SFT rows and the eval sets, seed 1 the dev rows settings are chosen on, seed 2
# a pool of RL prompts the SFT warm start never saw. The pool is an option (`--train_data
# data/synthetic_mini_rl/train.jsonl`), not the RL recipes' default: the warm start is right far more often on its
# own training rows than on new ones (bench/seen_rows.py), yet 60 SRPO steps on the pool lost macro-F1 where 60 on
# the SFT rows did not (README, "Training").
_MINI_SFT = ["data/synthetic_mini/train.jsonl", "data/synthetic_mini/eval_balanced.jsonl",
             "data/synthetic_mini/eval_wild.jsonl"]
_MINI_DEV = ["data/synthetic_mini_dev/eval_balanced.jsonl", "data/synthetic_mini_dev/eval_wild.jsonl"]
GENERATED_DATA = {
    "data/synthetic_mini": {"train": 8000, "eval": 400, "seed": 0},
    "data/synthetic_mini_dev": {"train": 4, "eval": 400, "seed": 1, "exclude": _MINI_SFT},
    "data/synthetic_mini_rl": {"train": 8000, "eval": 4, "seed": 2, "exclude": _MINI_SFT + _MINI_DEV},
}


def generate_command(folder: str | Path, spec: dict) -> str:
    """The `python -m rules.data generate` command that writes `folder` by hand."""
    exclude = f" --exclude {' '.join(spec['exclude'])}" if spec.get("exclude") else ""
    return (f"python -m rules.data generate --out {folder} --train {spec['train']} --eval {spec['eval']} "
            f"--seed {spec['seed']}{exclude}")


def generated_spec(path: str | Path) -> tuple[Path, dict] | None:
    """(folder, arguments) when `path` is a file of a folder in GENERATED_DATA, else None."""
    folder = Path(path).parent
    here = folder.resolve()
    for name, spec in GENERATED_DATA.items():
        if here == Path(name).resolve():  # relative to the working directory, as recipes name them
            return folder, spec
        if here == (_REPO / name).resolve():  # the repository's own folder, from anywhere (bench scripts)
            return folder, {**spec, "exclude": [str(_REPO / other) for other in spec.get("exclude", [])]}
    return None


def ensure_generated(path: str | Path) -> bool:
    """Generate the folder of `path` if it is a GENERATED_DATA folder and the file is missing; True if built."""
    found = generated_spec(path)
    if found is None or Path(path).exists():
        return False
    folder, spec = found
    from rules import compile_rules
    from rules.data import load_examples
    from rules.data.synth.examples import DEFAULT_RULES, generate
    from rules.data.synth.stats import write_splits

    exclude = []
    for other in spec.get("exclude", []):  # the sets this one must not repeat, built first when missing
        ensure_generated(other)
        exclude += load_examples(other).examples
    logger.info("generating %s (%s)", folder, generate_command(folder, spec))
    rules = compile_rules(DEFAULT_RULES)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    write_splits(generate(spec["train"], spec["eval"], spec["seed"], rules, exclude), staging, rules)
    try:  # processes started together: the first rename wins, the others' (identical) copies are dropped
        os.rename(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not Path(path).exists():
            raise
    return True
