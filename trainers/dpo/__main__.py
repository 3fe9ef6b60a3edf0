"""`python -m trainers.dpo --config trainers/recipes/dpo_cpu.yaml`: DPO on pass@N pairs (`trainers/dpo/train.py`)."""

import sys

from trainers.common.recipe import run_cli
from trainers.dpo.train import main

if __name__ == "__main__":
    sys.exit(run_cli(main))
