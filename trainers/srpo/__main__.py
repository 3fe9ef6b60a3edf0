"""`python -m trainers.srpo`: SRPO training with a recipe, or the project's demo with no arguments.

    python -m trainers.srpo                                                  # the demo (trainers/srpo/demo.py)
    python -m trainers.srpo --config trainers/recipes/srpo_cpu.yaml          # SRPO (trainers/srpo/trainer.py)
    python -m trainers.srpo --help                                           # every argument
"""

import sys

from trainers.common.recipe import run_cli
from trainers.srpo import demo
from trainers.srpo.trainer import main

if __name__ == "__main__":
    # no arguments: the demo, kept apart from the training CLI
    sys.exit((demo.main() or 0) if len(sys.argv) == 1 else run_cli(main, sys.argv[1:]))
