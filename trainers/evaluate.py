"""`python -m trainers.evaluate`: the evaluator; kept as a command, the code is `trainers/evaluation/cli.py`.

    python -m trainers.evaluate --model models/tiny --data data/synthetic/eval_balanced.jsonl
"""

from trainers.evaluation.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
