"""Step-time overhead of shelfwise's GRPO trainer against plain TRL: RelevanceGRPOTrainer with the rule-aware
reward and both online filters vs trl.GRPOTrainer with a trivial length reward.

    python bench/trainer_overhead.py [--repeats 6] [--steps 6] [--max-completion-length 64]

Same tiny local model (built once, weights reloaded before every run), same prompts, same batch (8 = 2 prompts x 4
rollouts), same seed; learning rate 0 so every run samples the same completions from the same weights and does
the same forward/backward work. The two trainers run interleaved (A B, B A, ...) on one process, so load on a
shared machine hits both alike. Per run the first step is a warm-up; the rest give TRL's own `step_time`
(generation + rewards + filters + loss + backward). Printed: a table, then one `key=value` line with the ratio of
medians (target <= 1.05).
"""

from __future__ import annotations

import argparse
import copy
import logging
import platform
import statistics
import time
import warnings

import torch
import trl
from transformers import PrinterCallback, TrainerCallback
from trl import GRPOConfig, GRPOTrainer

from rewards import RuleAwareReward
from rules import compile_rules
from rules.data import load_examples
from rules.data.loaders import to_dataset
from trainers.grpo.trainer import RelevanceGRPOConfig, RelevanceGRPOTrainer
from trainers.common.tiny_model import build_tiny_lm

TARGET = 1.05


def length_reward(completions, **_):
    """The trivial baseline reward: longer is better."""
    return [len(c) / 100.0 for c in completions]


def config_kwargs(steps: int, max_completion_length: int, output_dir: str) -> dict:
    return dict(output_dir=output_dir, use_cpu=True, bf16=False, activation_checkpointing=False,
                per_device_train_batch_size=8, num_generations=4, max_completion_length=max_completion_length,
                max_steps=steps, learning_rate=0.0, logging_steps=1, report_to=[], save_strategy="no", seed=0,
                disable_tqdm=True)


def build(kind: str, model, tokenizer, dataset, rules, args: argparse.Namespace):
    if kind == "shelfwise":
        config = RelevanceGRPOConfig(**config_kwargs(args.steps, args.max_completion_length, "/tmp/bench_shelf"),
                                     zero_variance_groups="drop", near_duplicate_rollouts="identical")
        return RelevanceGRPOTrainer(model=model, reward_funcs=[RuleAwareReward(rules)], args=config,
                                    train_dataset=dataset, processing_class=tokenizer)
    config = GRPOConfig(**config_kwargs(args.steps, args.max_completion_length, "/tmp/bench_trl"))
    return GRPOTrainer(model=model, reward_funcs=[length_reward], args=config, train_dataset=dataset,
                       processing_class=tokenizer)


class CpuClock(TrainerCallback):
    """CPU seconds of this process per optimizer step: what other jobs on a shared machine disturb least."""

    def __init__(self):
        self.start, self.steps = 0.0, []

    def on_step_begin(self, args, state, control, **kwargs):
        self.start = time.process_time()

    def on_step_end(self, args, state, control, **kwargs):
        self.steps.append(time.process_time() - self.start)


def one_run(kind: str, initial: dict, base_model, tokenizer, dataset, rules, args) -> dict[str, list[float]]:
    model = copy.deepcopy(base_model)
    model.load_state_dict(initial)
    trainer = build(kind, model, tokenizer, dataset, rules, args)
    trainer.remove_callback(PrinterCallback)  # no per-step log lines in the bench output
    clock = CpuClock()
    trainer.add_callback(clock)
    torch.manual_seed(0)  # the same sampling stream for both trainers: the same completions
    trainer.train()
    history = trainer.state.log_history
    return {"wall": [e["step_time"] for e in history if "step_time" in e][1:],  # step 1 is the warm-up
            "cpu": clock.steps[1:],
            "tokens": [e["completions/mean_length"] for e in history if "completions/mean_length" in e]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=6, help="runs per trainer, interleaved")
    parser.add_argument("--steps", type=int, default=6, help="optimizer steps per run (the first is a warm-up)")
    parser.add_argument("--max-completion-length", type=int, default=64)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)  # steadier timings on a shared machine; both trainers get the same

    rules = compile_rules("rules/catalog/ecommerce.yaml")
    dataset = to_dataset(load_examples("data/synthetic/train.jsonl").examples[:32], rules)
    base_model, tokenizer = build_tiny_lm()
    initial = copy.deepcopy(base_model.state_dict())
    runs: dict[str, list[dict[str, list[float]]]] = {"trl": [], "shelfwise": []}
    started = time.perf_counter()
    for repeat in range(args.repeats):
        order = ("trl", "shelfwise") if repeat % 2 == 0 else ("shelfwise", "trl")
        for kind in order:
            runs[kind].append(one_run(kind, initial, base_model, tokenizer, dataset, rules, args))
    report(runs, args, time.perf_counter() - started)


def report(runs: dict[str, list[dict[str, list[float]]]], args: argparse.Namespace, seconds: float) -> None:
    def flat(kind: str, key: str) -> list[float]:
        return [v for run in runs[kind] for v in run[key]]

    print(f"# {platform.processor() or platform.machine()}, torch {torch.__version__}, trl {trl.__version__}, "
          f"{args.repeats} interleaved runs x {args.steps - 1} timed steps, batch 8 (2 prompts x 4), "
          f"max_completion_length {args.max_completion_length}, 1 thread, {seconds:.0f} s in all")
    print(f"{'trainer':<44} {'wall median':>12} {'wall best':>10} {'cpu median':>11} {'cpu best':>9} "
          f"{'tokens/compl.':>14}")
    names = {"trl": "trl.GRPOTrainer + length reward",
             "shelfwise": "RelevanceGRPOTrainer + rule-aware + filters"}
    for kind in ("trl", "shelfwise"):
        wall, cpu = flat(kind, "wall"), flat(kind, "cpu")
        print(f"{names[kind]:<44} {statistics.median(wall):>12.4f} {min(wall):>10.4f} {statistics.median(cpu):>11.4f} "
              f"{min(cpu):>9.4f} {statistics.mean(flat(kind, 'tokens')):>14.1f}")
    # Paired: each repeat ran both trainers back to back; the median of the per-repeat ratios resists drift in load.
    paired = [statistics.median(s["cpu"]) / statistics.median(t["cpu"]) for s, t in zip(runs["shelfwise"], runs["trl"])]
    wall = statistics.median(flat("shelfwise", "wall")) / statistics.median(flat("trl", "wall"))
    cpu = statistics.median(paired)
    print(f"ratio_cpu={cpu:.3f} ratio_wall={wall:.3f} target={TARGET} within_target={str(cpu <= TARGET).lower()} "
          f"steps_timed={len(flat('trl', 'wall'))}")


if __name__ == "__main__":
    main()
