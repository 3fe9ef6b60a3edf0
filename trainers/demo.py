"""`python -m trainers.demo`: the demo with its own flags (`python -m trainers.srpo` alone runs it with the
defaults); the code is `trainers/srpo/demo.py`.

    python -m trainers.demo --srpo-steps 4 --eval-limit 8
"""

from trainers.srpo.demo import main

if __name__ == "__main__":
    raise SystemExit(main())
