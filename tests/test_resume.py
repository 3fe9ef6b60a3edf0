"""Resume after SIGKILL: same steps, same data order, same final weights as an uninterrupted run.

    pytest -q tests/test_resume.py

Two runs of `python -m trainers.grpo` (through tests/scripts/grpo_traced.py, which records the dataset ids each
step consumed and makes the reward vary so the weights move) start together: one runs 6 steps, the other is
killed with SIGKILL right after checkpoint-4 is written. A half-written checkpoint-5 is then left in its folder
(weights, no trainer_state.json), and the killed run resumes with `--resume_from_checkpoint latest`: it must skip
checkpoint-5, resume at step 4 and end exactly like the uninterrupted run. Resuming a run already at max_steps
must not train one step more (Trainer alone does).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from rewards import RuleAwareReward
from rules import compile_rules
from rules.data import load_examples
from rules.data.loaders import to_dataset
from trainers.grpo.trainer import RelevanceGRPOConfig, RelevanceGRPOTrainer
from trainers.common.tiny_model import build_tiny_lm

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "scripts" / "grpo_traced.py"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


def command(trace: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(SCRIPT), "--trace", str(trace), *extra, "--",
            "--config", "trainers/recipes/grpo_cpu.yaml", "--output_dir", str(out), "--eval_data", "",
            "--max_completion_length", "16", "--allow_truncation", "true", "--max_steps", "6", "--save_steps", "2",
            "--report_to", "none"]


def ids_by_step(trace: Path) -> dict[int, list[str]]:
    rows = [json.loads(line) for line in (trace / "trace-0.jsonl").read_text().splitlines()]
    return {row["step"]: row["ids"] for row in rows}  # a resumed step overwrites what the killed run recorded


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not path.is_file():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended (rc {proc.returncode}) before {path} appeared: "
                                 f"{proc.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"{path} did not appear in {timeout} s")
        time.sleep(0.2)


@pytest.mark.slow  # three trainer processes (about 30 s on an idle 2-core machine): unavoidable for a real SIGKILL
def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path):
    full, killed = tmp_path / "full", tmp_path / "killed"
    ref = subprocess.Popen(command(full, full / "run"), cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    victim = subprocess.Popen(command(killed, killed / "run", "--pause_after_save", "4"), cwd=ROOT, env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(killed / "run" / "checkpoint-4" / "trainer_state.json", victim)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        assert victim.returncode == -signal.SIGKILL
        _, ref_err = ref.communicate(timeout=240)
        assert ref.returncode == 0, ref_err[-3000:]
    finally:
        for proc in (ref, victim):
            if proc.poll() is None:
                proc.kill()
    assert not (killed / "run" / "checkpoint-6").exists() and not (killed / "run" / "model.safetensors").exists()
    # A checkpoint the kill cut short: weights written, trainer_state.json (written last) missing.
    half = killed / "run" / "checkpoint-5"
    half.mkdir()
    shutil.copy(killed / "run" / "checkpoint-4" / "model.safetensors", half / "model.safetensors")

    resumed = subprocess.run(command(killed, killed / "run") + ["--resume_from_checkpoint", "latest"], cwd=ROOT,
                             env=ENV, capture_output=True, text=True, timeout=240)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "skipping" in resumed.stderr and "checkpoint-5: incomplete" in resumed.stderr

    state = json.loads((killed / "run" / "checkpoint-6" / "trainer_state.json").read_text())
    assert state["global_step"] == 6
    assert sorted(ids_by_step(killed)) == sorted(ids_by_step(full)) == [1, 2, 3, 4, 5, 6]
    assert ids_by_step(killed) == ids_by_step(full), "the resumed run consumed the data in another order"
    expected, got = load_file(full / "run" / "model.safetensors"), load_file(killed / "run" / "model.safetensors")
    initial = load_file(killed / "run" / "checkpoint-2" / "model.safetensors")
    assert any(not torch.equal(initial[k], expected[k]) for k in expected), "the weights never moved: vacuous test"
    assert expected.keys() == got.keys() and all(torch.equal(expected[k], got[k]) for k in expected)


def test_resuming_a_finished_run_trains_no_further_step(tmp_path):
    rules = compile_rules("rules/catalog/ecommerce.yaml")
    rows = to_dataset(load_examples("data/synthetic/train.jsonl").examples[:8], rules)

    def variety(completions, **_):
        return [len(set(c)) / 10.0 for c in completions]

    def trainer(model, tokenizer):
        args = RelevanceGRPOConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, activation_checkpointing=False,
                                   per_device_train_batch_size=4, num_generations=4, max_completion_length=8,
                                   max_steps=2, save_steps=2, learning_rate=1e-2, report_to=[], seed=0)
        return RelevanceGRPOTrainer(model=model, reward_funcs=[RuleAwareReward(rules), variety], args=args,
                                    train_dataset=rows, processing_class=tokenizer)

    first = trainer(*build_tiny_lm())
    first.train()
    trained = {k: v.detach().clone() for k, v in first.model.state_dict().items()}
    model, tokenizer = build_tiny_lm()  # fresh weights: resuming must load the checkpoint's
    again = trainer(model, tokenizer)
    output = again.train(resume_from_checkpoint=str(tmp_path / "checkpoint-2"))
    assert output.global_step == again.state.global_step == 2
    assert not (tmp_path / "checkpoint-3").exists()
    assert all(torch.equal(trained[k], v) for k, v in model.state_dict().items())
