"""`python -m trainers.tiny_model`: build a tiny local model; kept as a command, the code is
`trainers/common/tiny_model.py`.

    python -m trainers.tiny_model --out models/tiny
"""

from trainers.common.tiny_model import main

if __name__ == "__main__":
    main()
