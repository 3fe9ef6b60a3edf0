"""bench/build_warm_start.py: the three SFT stages of the shipped warm start, chained and resumable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import build_warm_start  # noqa: E402


def _flag(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_each_stage_continues_the_one_before_with_a_new_seed(tmp_path):
    stages = build_warm_start.stage_commands(tmp_path / "out", tmp_path / "work", None)
    assert [folder for folder, _ in stages] == [tmp_path / "work/stage1", tmp_path / "work/stage2", tmp_path / "out"]
    first, second, third = (cmd for _, cmd in stages)
    assert Path(_flag(first, "--config")).name == "sft_mini_cpu.yaml" and "--model_name_or_path" not in first
    assert Path(_flag(second, "--config")).name == "sft_mini_continue_cpu.yaml"
    assert _flag(second, "--model_name_or_path") == str(tmp_path / "work/stage1")
    assert _flag(third, "--model_name_or_path") == str(tmp_path / "work/stage2")
    assert [_flag(cmd, "--seed") for cmd in (first, second, third)] == ["0", "1", "2"]
    assert "--max_steps" not in first  # the recipes' 4,000 steps unless asked
    assert _flag(build_warm_start.stage_commands(tmp_path, tmp_path, 20)[2][1], "--max_steps") == "20"


def test_a_built_stage_is_skipped_and_a_failed_one_stops_the_chain(tmp_path, monkeypatch, capsys):
    (tmp_path / "work/stage1").mkdir(parents=True)
    (tmp_path / "work/stage1/model.safetensors").write_bytes(b"")
    ran = []

    def fake_run(cmd, cwd, check):
        ran.append(cmd)
        return type("Done", (), {"returncode": 1 if len(ran) == 2 else 0})()

    monkeypatch.setattr(build_warm_start.subprocess, "run", fake_run)
    assert build_warm_start.main(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work")]) == 1
    out = capsys.readouterr().out
    assert "stage1: already built, skipped" in out and "failed; rerun this command to resume" in out
    assert len(ran) == 2 and "$ python -m trainers.sft --config" in out


def test_think_first_chain_trains_every_stage_think_first_and_never_overwrites_the_shipped_start(tmp_path, capsys):
    stages = build_warm_start.stage_commands(tmp_path / "out", tmp_path / "work", None, "think_first")
    assert [_flag(cmd, "--cot_order") for _, cmd in stages] == ["think_first"] * 3
    assert all("--cot_order" not in cmd for _, cmd in build_warm_start.stage_commands(tmp_path, tmp_path, None))
    with pytest.raises(SystemExit):
        build_warm_start.main(["--cot-order", "think_first"])
    assert "give --out" in capsys.readouterr().err


def test_flags_after_the_separator_reach_every_stage(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(build_warm_start.subprocess, "run",
                        lambda cmd, cwd, check: ran.append(cmd) or type("Done", (), {"returncode": 0})())
    assert build_warm_start.main(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), "--",
                                  "--train_data", "rows.jsonl"]) == 0
    assert len(ran) == 3 and all(_flag(cmd, "--train_data") == "rows.jsonl" for cmd in ran)
    assert all("--" not in cmd for cmd in ran)
