"""`python -m trainers.grpo` with probes, for the resume and two-process tests (test-only instrumentation).

    python tests/scripts/grpo_traced.py --trace OUT_DIR [--pause_after_save STEP] -- --config ... --max_steps 6
    torchrun --nproc_per_node 2 tests/scripts/grpo_traced.py --trace OUT_DIR -- --config ...

Runs the real command-line trainer (`trainers.grpo.cli.main`) with these changes, all in this script:
- every scored batch appends one JSON line to OUT_DIR/trace-<rank>.jsonl: the step it trains, the dataset ids of
  this process's rows, the gathered total rewards, this process's advantages and its rows' loss masks;
- on train end each rank writes OUT_DIR/weights-<rank>.txt, a SHA-256 of its parameters;
- the reward adds a small character-variety bonus to the rule-aware reward for gold labels 3 and 4, so that those
  groups of an untrained tiny model (all malformed, all -1) have reward variance and the weights move, while the
  groups of labels 1 and 2 stay flat for the zero-variance filter;
- `--pause_after_save STEP` sleeps after checkpoint-STEP is written, so a test can SIGKILL the run there.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

import torch
from transformers import TrainerCallback

from rewards import RuleAwareReward
from trainers.grpo import cli as rl_script
from trainers.grpo import METHOD
from trainers.common.recipe import run_cli
from trainers.grpo.trainer import RelevanceGRPOTrainer


class VariedReward(RuleAwareReward):
    def __call__(self, prompts=None, completions=None, label=None, **kwargs):
        values = super().__call__(prompts=prompts, completions=completions, label=label, **kwargs)
        return [None if v is None else v + (len(set(str(c))) / 10.0 if gold >= 3 else 0.0)
                for v, c, gold in zip(values, completions, label)]


def weights_digest(model: torch.nn.Module) -> str:
    digest = hashlib.sha256()
    for name, param in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(param.detach().cpu().float().numpy().tobytes())
    return digest.hexdigest()


class Probe(TrainerCallback):
    def __init__(self, trainer: RelevanceGRPOTrainer, out: Path, pause_after_save: int | None):
        self.trainer, self.out, self.pause = trainer, out, pause_after_save

    def on_save(self, args, state, control, **kwargs):
        if self.pause is not None and state.global_step == self.pause:
            time.sleep(600)  # the test kills the run here

    def on_train_end(self, args, state, control, **kwargs):
        rank = self.trainer.accelerator.process_index
        model = self.trainer.accelerator.unwrap_model(self.trainer.model)
        (self.out / f"weights-{rank}.txt").write_text(weights_digest(model), encoding="utf-8")


def install(out: Path, pause_after_save: int | None) -> None:
    original_score = RelevanceGRPOTrainer._generate_and_score_completions
    original_init = RelevanceGRPOTrainer.__init__

    def traced_score(self, inputs):
        result = original_score(self, inputs)
        row = {"step": self.state.global_step + 1, "rank": self.accelerator.process_index,
               "ids": [x["id"] for x in inputs], "gathered": self.rewards_total().tolist(),
               "advantages": result["advantages"].tolist(),
               "kept": (result["completion_mask"].sum(dim=1) > 0).tolist()}
        with (out / f"trace-{row['rank']}.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        return result

    def init_with_probe(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.add_callback(Probe(self, out, pause_after_save))

    RelevanceGRPOTrainer._generate_and_score_completions = traced_score
    RelevanceGRPOTrainer.__init__ = init_with_probe
    rl_script.RuleAwareReward = VariedReward


def main(argv: list[str]) -> int:
    split = argv.index("--")
    own, rest = argv[:split], argv[split + 1:]
    out = Path(own[own.index("--trace") + 1])
    pause = int(own[own.index("--pause_after_save") + 1]) if "--pause_after_save" in own else None
    out.mkdir(parents=True, exist_ok=True)
    install(out, pause)
    return run_cli(rl_script.main, METHOD, rest)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main(sys.argv[1:]))
