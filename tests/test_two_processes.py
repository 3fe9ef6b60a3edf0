"""Two gloo processes on CPU (torchrun): GRPO groups straddle the processes; advantages and weights must agree.

    pytest -q tests/test_two_processes.py

6 rows per process and 4 rollouts per prompt: the global batch of 12 holds 3 groups and group 1 (rows 4-7) is
split 2 + 2 between the processes. Each process must use the advantages of the whole group, normalised as one,
and mask exactly the globally flat groups (the helper's reward is flat for gold labels 1-2, varied for 3-4;
over 3 steps both kinds must occur); after training both hold the same weights. The run is the real
command line (`trainers.grpo` through tests/scripts/grpo_traced.py, which records what each rank used).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "scripts" / "grpo_traced.py"
PER_PROCESS, GENERATIONS = 6, 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_advantages(rewards: torch.Tensor, g: int) -> torch.Tensor:
    """TRL's group normalisation written out: (r - group mean) / (unbiased group std + 1e-4)."""
    grouped = rewards.view(-1, g)
    mean = grouped.mean(dim=1, keepdim=True)
    std = grouped.std(dim=1, unbiased=True, keepdim=True)
    return ((grouped - mean) / (std + 1e-4)).view(-1)


def test_groups_straddling_two_processes(tmp_path):
    torchrun = Path(sys.executable).parent / "torchrun"
    cmd = [str(torchrun), "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", str(free_port()),
           str(SCRIPT), "--trace", str(tmp_path), "--",
           "--config", "trainers/recipes/grpo_cpu.yaml", "--output_dir", str(tmp_path / "run"), "--eval_data", "",
           "--max_completion_length", "16", "--allow_truncation", "true", "--max_steps", "3", "--save_steps", "100", "--report_to", "none",
           "--per_device_train_batch_size", str(PER_PROCESS), "--num_generations", str(GENERATIONS),
           "--near_duplicate_rollouts", "identical"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]

    traces = {rank: [json.loads(line) for line in (tmp_path / f"trace-{rank}.jsonl").read_text().splitlines()]
              for rank in (0, 1)}
    assert [t["step"] for t in traces[0]] == [t["step"] for t in traces[1]] == [1, 2, 3]
    n_flat = 0
    for step0, step1 in zip(traces[0], traces[1]):
        assert step0["gathered"] == step1["gathered"]  # both processes decide on the same global rewards
        # the straddling group: the same prompt at the end of rank 0 and the start of rank 1
        assert step0["ids"][4:] == step1["ids"][:2] and len(set(step0["ids"][4:] + step1["ids"][:2])) == 1
        rewards = torch.tensor(step0["gathered"])
        expected = group_advantages(rewards, GENERATIONS)
        used = torch.tensor(step0["advantages"] + step1["advantages"])
        torch.testing.assert_close(used, expected, rtol=1e-4, atol=1e-5)
        flat = torch.isclose(rewards.view(-1, GENERATIONS).min(1).values, rewards.view(-1, GENERATIONS).max(1).values,
                             atol=1e-6).repeat_interleave(GENERATIONS)
        kept = torch.tensor(step0["kept"] + step1["kept"])
        # a flat group is masked; a kept row is either in a varied group or a masked near-duplicate (none expected
        # from a sampling policy over 16 tokens)
        assert not (kept & flat).any() and kept[~flat].all()
        n_flat += int(flat.sum()) // GENERATIONS
    # the helper's reward is flat for gold labels 1-2 and varied for 3-4: both kinds of group must have occurred
    assert 0 < n_flat < 9, f"{n_flat} of 9 groups were flat: the run did not exercise both paths"
    digests = {(tmp_path / f"weights-{rank}.txt").read_text() for rank in (0, 1)}
    assert len(digests) == 1, "the two processes ended with different weights"
