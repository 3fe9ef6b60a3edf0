"""bench/rl_fit.py: RL on a handful of prompts, scored on them (fit) and on dev rows (transfer)."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import rl_fit  # noqa: E402


def _pool(path: Path, per_label: dict[int, int]) -> Path:
    rows = [{"id": f"{lab}-{i}", "label": lab} for lab, n in per_label.items() for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_prompts_are_class_balanced_and_the_same_every_time(tmp_path):
    pool = _pool(tmp_path / "pool.jsonl", {4: 5, 3: 5, 2: 5, 1: 5})
    picked = rl_fit.balanced_prompts(pool, 8)
    assert [r["label"] for r in picked] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert [r["id"] for r in picked] == [r["id"] for r in rl_fit.balanced_prompts(pool, 8)]


def test_a_pool_short_of_one_label_is_a_clear_error(tmp_path):
    pool = _pool(tmp_path / "pool.jsonl", {4: 5, 3: 5, 2: 5, 1: 1})
    with pytest.raises(SystemExit, match="cannot give 2 rows of each"):
        rl_fit.balanced_prompts(pool, 8)


def test_training_and_evaluation_use_the_same_prompts(tmp_path):
    cmd = rl_fit.train_command(tmp_path / "p.jsonl", tmp_path / "out", 60, 3)
    flag = dict(itertools.pairwise(cmd))
    assert flag["--train_data"] == flag["--eval_data"] == str(tmp_path / "p.jsonl")
    assert flag["--max_steps"] == "60" and flag["--seed"] == "3" and flag["--eval_every"] == "20"
    assert Path(flag["--config"]).name == "srpo_mini_cpu.yaml"


@pytest.mark.slow
def test_one_step_end_to_end_writes_the_table_and_curve(tmp_path, capsys):
    out = tmp_path / "fit.json"
    assert rl_fit.main(["--prompts", "8", "--steps", "1", "--dev-rows", "4", "--work", str(tmp_path / "w"),
                        "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert [c["step"] for c in result["curve_on_prompts"]] == [0, 1]
    assert set(result["sets"]) == {"fit (the RL prompts)", "transfer (dev rows)"}
    assert result["sets"]["fit (the RL prompts)"]["rows"] == 8
    assert "| fit (the RL prompts) | 8 |" in capsys.readouterr().out
