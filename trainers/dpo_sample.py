"""`python -m trainers.dpo_sample`: pass@N sampling -> DPO pairs; kept as a command, the code is
`trainers/dpo/sample.py`.

    python -m trainers.dpo_sample --config trainers/recipes/dpo_sample_cpu.yaml
"""

import sys

from trainers.common.recipe import run_cli
from trainers.dpo.sample import main

if __name__ == "__main__":
    sys.exit(run_cli(main))
