"""`python -m trainers.sft --config trainers/recipes/sft_cpu.yaml`: CoT SFT (`trainers/sft/train.py`)."""

import sys

from trainers.common.recipe import run_cli
from trainers.sft.train import main

if __name__ == "__main__":
    sys.exit(run_cli(main))
