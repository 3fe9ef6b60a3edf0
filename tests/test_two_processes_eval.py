"""The eval callback across 2 gloo processes on CPU: every rank decodes its shard, rank 0 logs the gathered result.

Before, rank 0 alone generated on the unwrapped model while rank 1 went on to TRL's next gather (a hang under
ZeRO-3 / FSDP, a stall under DDP). The run must finish, and the evaluations rank 0 writes must cover the whole eval
set: 5 rows split 3 + 2 (rank 1 pads with a repeat so both make the same generate calls).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.test_two_processes import SCRIPT, free_port

ROOT = Path(__file__).resolve().parent.parent


def test_evaluation_runs_on_both_processes_and_logs_once(tmp_path):
    torchrun = Path(sys.executable).parent / "torchrun"
    cmd = [str(torchrun), "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", str(free_port()),
           str(SCRIPT), "--trace", str(tmp_path), "--",
           "--config", "trainers/recipes/grpo_cpu.yaml", "--output_dir", str(tmp_path / "run"),
           "--eval_data", "data/synthetic/eval_balanced.jsonl", "--eval_limit", "5", "--eval_every", "1",
           "--eval_max_new_tokens", "8", "--allow_truncation", "true",
           "--max_completion_length", "16", "--max_steps", "2", "--save_steps", "100", "--report_to", "none",
           "--per_device_train_batch_size", "4", "--num_generations", "4"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    evaluations = json.loads((tmp_path / "run" / "shelfwise_eval.json").read_text())["evaluations"]
    assert [e["step"] for e in evaluations] == [0, 1, 2]  # before, after step 1, at the end
    assert all(e["eval/parse_failure_rate"] == 1.0 for e in evaluations)  # 8 tokens: nothing parses, all 5 rows
