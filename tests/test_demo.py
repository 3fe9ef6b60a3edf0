"""The demo (`python -m trainers.srpo` alone): it runs SRPO from a warm start, reports before/after with the lift,
and a rerun gives the same numbers.

    pytest -q tests/test_demo.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainers.common.model_setup import ensure_tiny_model
from trainers.common.recipe import RecipeError
from trainers.srpo import demo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def warm_start(tmp_path_factory) -> str:
    """A miniature-shaped model (untrained): the demo's mechanics, not its numbers (test_warm_start.py checks those)."""
    return str(ensure_tiny_model(tmp_path_factory.mktemp("warm") / "tiny", "data/synthetic_mini/train.jsonl"))


def run(tmp_path: Path, warm: str, name: str, monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)  # the recipe names data/ relative to the repository
    out = tmp_path / name
    assert demo.main(["--out", str(out), "--warm-start", warm, "--steps", "1", "--eval-limit", "2"]) == 0
    return json.loads((out / "demo.json").read_text())


@pytest.mark.slow
def test_demo_reports_before_and_after_srpo_and_repeats_exactly(tmp_path, warm_start, monkeypatch):
    first = run(tmp_path, warm_start, "a", monkeypatch)
    assert first["steps"] == 1 and first["before"]["step"] == 0 and first["after"]["step"] == 1
    report = (tmp_path / "a" / "report.md").read_text()
    assert "| macro-F1 |" in report and "after SRPO" in report and "macro-F1 lift:" in report
    assert (tmp_path / "a" / "figures" / "per_class_f1.png").is_file()
    second = run(tmp_path, warm_start, "b", monkeypatch)  # fixed threads and seeds: the same numbers...
    assert first == second
    weights = [(tmp_path / n / "srpo" / "model.safetensors").read_bytes() for n in ("a", "b")]
    assert weights[0] == weights[1]  # ...and the same trained weights, bit for bit


def test_lift_line_compares_with_twice_the_noise_band():
    before, after = {"eval/macro_f1": 0.40}, {"eval/macro_f1": 0.50}
    noise = {"lift_std": 0.02, "lift_mean": 0.09, "seeds": [0, 1, 2]}
    assert "lift: +0.100" in demo.lift_line(before, after, noise) and "is above twice" in demo.lift_line(
        before, after, noise)
    assert "NOT above" in demo.lift_line(before, after, dict(noise, lift_std=0.06))
    assert demo.lift_line(before, after, None) == "macro-F1 lift: +0.100"
    assert "[-0.010, +0.030]: it includes 0" in demo.lift_line(before, after, dict(noise, lift_ci95=[-0.01, 0.03]))
    assert demo.lift_line(before, after, dict(noise, lift_ci95=[0.01, 0.03])).endswith("[+0.010, +0.030]")
    assert demo.lift_line(before, after, dict(noise, lift_ci95=[-0.03, -0.01])).endswith("[-0.030, -0.010]")


def test_a_missing_warm_start_names_the_command_that_builds_it(tmp_path):
    with pytest.raises(RecipeError, match="python bench/build_warm_start.py --out "):
        demo.run_srpo(demo._args(["--warm-start", str(tmp_path / "none")]), tmp_path)
