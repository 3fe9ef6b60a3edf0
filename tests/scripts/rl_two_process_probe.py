"""SRPO or AGRL under torchrun with probes, for tests/test_two_processes_srpo_agrl.py (test-only instrumentation).

    torchrun --nproc_per_node 2 tests/scripts/rl_two_process_probe.py {srpo|agrl} MODEL_DIR OUT_DIR

Trains the real `SRPOTrainer` / `AGRLTrainer` for 2 steps on 8 synthetic rows, 6 rows per process and 4 rollouts
per prompt (the global batch of 12 holds 3 groups; group 1 is split 2 + 2 between the processes). The only things
replaced, all in this script:
- sampling: an untrained tiny model writes no parseable CoT, so `_generate_single_turn` returns gold CoTs of other
  data rows (as tests/test_srpo.py does with `rollout_func`, which AGRL refuses). Whether rollout k of global
  group g at step s has the right label follows a fixed pattern, (g + s) % 3: 0 = all wrong, 1 = only k = 3
  right, 2 = k = 0 and 2 right; so some groups trigger AGRL's guides and the guided rows straddle the processes;
- every scored batch appends a JSON line to OUT_DIR/trace-<rank>.jsonl (SRPO: this process's rows, completion ids
  and masks, the outcome advantages TRL computed and the (B, T) advantages SRPO made of them; AGRL: rows, the
  sampled texts before guides, the gathered `guided_global` and the local `agrl_guided`);
- OUT_DIR/weights-<rank>.txt (after training) and weights-init-<rank>.txt: SHA-256 of the parameters.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback

from grpo_traced import weights_digest  # same folder: run as a script, so it is on sys.path
from rewards import RuleAwareReward
from rules import compile_rules
from rules.data.loaders import load_examples, to_dataset
from trainers.agrl import AGRLConfig, AGRLTrainer
from trainers.srpo import SRPOConfig, SRPOTrainer

ROOT = Path(__file__).resolve().parents[2]
RULES = compile_rules(ROOT / "rules" / "catalog" / "ecommerce.yaml")
EXAMPLES = load_examples(ROOT / "data" / "synthetic" / "train.jsonl").examples[:32]
PER_PROCESS, GENERATIONS, MAX_LEN = 6, 4, 320
RIGHT = {0: (), 1: (3,), 2: (0, 2)}  # pattern -> rollouts k with the right label


def pick_guide(label: int, right: bool, salt: int) -> str:
    """A gold CoT of another row: with the same label when `right`, with another label otherwise."""
    pool = [e.guide for e in EXAMPLES if (e.label == label) == right]
    return pool[salt % len(pool)]


class GoldRollouts:
    """Mixin: `_generate_single_turn` returns gold CoTs (fixed right/wrong pattern) instead of sampling."""

    def _generate_single_turn(self, prompt_ids, images, multimodal_fields, num_generations, has_tool_images=False):
        rows, step, rank = self.batch_inputs, self.state.global_step, self.accelerator.process_index
        tok, out = self.processing_class, []
        for i, row in enumerate(rows):
            position = rank * len(rows) + i
            group, k = divmod(position, num_generations)
            right = k in RIGHT[(group + step) % 3]
            text = pick_guide(row["label"], right, group + k + step)
            out.append((tok(text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id])[:MAX_LEN])
        return out, None


def _rows(inputs: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "prompt"} for row in inputs]


def _append(out_dir: Path, rank: int, record: dict) -> None:
    with (out_dir / f"trace-{rank}.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


class ProbedSRPO(GoldRollouts, SRPOTrainer):
    trace_dir: Path

    def adjust_scored_batch(self, inputs, out):
        outcome = out["advantages"].clone()
        out = super().adjust_scored_batch(inputs, out)
        _append(self.trace_dir, self.accelerator.process_index, {
            "step": self.state.global_step + 1, "rows": _rows(inputs),
            "gathered": self.rewards_total().tolist(),
            "completion_ids": out["completion_ids"].tolist(), "completion_mask": out["completion_mask"].tolist(),
            "outcome": outcome.tolist(), "advantages": out["advantages"].tolist()})
        return out


class ProbedAGRL(GoldRollouts, AGRLTrainer):
    trace_dir: Path

    def _guide_batch(self, prompts, completion_ids, completions, logprobs):
        sampled = list(completions)
        result = super()._guide_batch(prompts, completion_ids, completions, logprobs)
        self._probe = {"step": self.state.global_step + 1, "rows": _rows(self.batch_inputs), "sampled": sampled,
                       "guided_global": self.guided_global.tolist(), "final": list(result[1])}
        return result

    def adjust_scored_batch(self, inputs, out):
        out = super().adjust_scored_batch(inputs, out)
        _append(self.trace_dir, self.accelerator.process_index,
                {**self._probe, "agrl_guided": out["agrl_guided"].tolist()})
        return out


class Digest(TrainerCallback):
    def __init__(self, trainer, out_dir: Path):
        self.trainer, self.out_dir = trainer, out_dir

    def on_train_end(self, args, state, control, **kwargs):
        rank = self.trainer.accelerator.process_index
        model = self.trainer.accelerator.unwrap_model(self.trainer.model)
        (self.out_dir / f"weights-{rank}.txt").write_text(weights_digest(model), encoding="utf-8")


def main(method: str, model_dir: str, out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    rank = int(os.environ.get("RANK", "0"))
    (out / f"weights-init-{rank}.txt").write_text(weights_digest(model), encoding="utf-8")
    # Short prompts keep it fast; the columns (label, gold_steps, guide, ...) are the real ones.
    dataset = to_dataset(EXAMPLES[:8], RULES).map(lambda row: {"prompt": f"Query: {row['query']}\n"})
    common = dict(output_dir=str(out / "run"), use_cpu=True, bf16=False, activation_checkpointing=False,
                  per_device_train_batch_size=PER_PROCESS, num_generations=GENERATIONS, learning_rate=1e-2,
                  max_steps=2, max_completion_length=MAX_LEN, logging_steps=1, report_to=[], save_strategy="no",
                  seed=0)
    if method == "srpo":
        cls, args = ProbedSRPO, SRPOConfig(**common, step_coef=0.5, critical_steps="all")
    else:
        cls, args = ProbedAGRL, AGRLConfig(**common, guide_threshold=0.3, guides_per_group=2)
    cls.trace_dir = out
    trainer = cls(model=model, reward_funcs=[RuleAwareReward(RULES)], args=args, train_dataset=dataset,
                  processing_class=tokenizer)
    trainer.add_callback(Digest(trainer, out))
    trainer.train()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main(*sys.argv[1:4]))
