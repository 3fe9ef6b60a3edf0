"""`python -m trainers.teach --teacher URL_OR_MODEL_DIR --rules RULES --data IN --out OUT` (see `cli.py`)."""

from trainers.teach.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
