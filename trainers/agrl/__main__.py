"""`python -m trainers.agrl --config trainers/recipes/agrl_cpu.yaml`: AGRL training (`trainers/agrl/trainer.py`)."""

import sys

from trainers.agrl.trainer import METHOD
from trainers.common.recipe import run_cli
from trainers.grpo.cli import main

if __name__ == "__main__":
    sys.exit(run_cli(main, METHOD))
