"""The evaluator end to end on a tiny local model, and its decoded path on known completions."""

from __future__ import annotations

import json

import pytest

from rules import compile_rules
from rules.data import build_prompt
from rules.data.loaders import load_examples
from trainers import evaluate as ev
from trainers.tiny_model import main as build_tiny

DATA = "data/synthetic/eval_balanced.jsonl"
DEV = "data/synthetic/eval_wild.jsonl"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    build_tiny(["--out", str(out), "--text", "data/synthetic/train.jsonl"])
    return out


def test_cli_writes_json_markdown_and_figures(tiny_dir, tmp_path, capsys):
    out = tmp_path / "eval"
    code = ev.main(["--model", str(tiny_dir), "--data", DATA, "--limit", "8", "--max-new-tokens", "8",
                    "--samples", "2", "--calibrate", DEV, "--out", str(out), "--no-progress"])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["n"] == 8
    decoded, cumpt = report["decoded"], report["cumpt"]
    # An untrained model writes no valid CoT: every decoded answer is a parse failure, counted, not dropped.
    assert decoded["n_unparsed"] == 8 and decoded["parse_failure_rate"] == 1.0
    assert sum(c["predicted"] for c in cumpt["per_class"].values()) == 8  # CumPT always yields a label
    assert 0 <= cumpt["calibration"]["beta"] <= 1 and cumpt["beta"] == cumpt["calibration"]["beta"]
    assert set(report["pass_at_k"]) == {"1", "2"}
    for name in ("confusion_decoded", "confusion_cumpt", "per_class_f1", "slices", "calibration"):
        assert (out / f"{name}.png").stat().st_size > 5000
    markdown = (out / "report.md").read_text()
    assert "cumpt" in markdown.lower() and "macro" in markdown.lower()
    assert "wrote" in capsys.readouterr().out


class ReplayGenerator:
    """Writes given completions in place of a model, to check what the evaluator does with them."""

    def __init__(self, completions):
        self.completions = completions

    def generate(self, prompts, samples=1, temperature=0.0, progress=False):
        return [[c] * samples for c in self.completions[: len(prompts)]]


def test_decoded_metrics_from_known_completions():
    rules = compile_rules(ev.DEFAULT_RULES)
    examples = load_examples(DATA).examples[:8]
    right = [e.guide for e in examples[:6]]
    verdicts = dict(examples[6].gold_steps)
    wrong_label = {4: 3, 3: 4, 2: 1, 1: 2}[examples[6].label]
    # Reasoning right, label wrong (and the conclusion says so too): a discriminative hallucination.
    hallucinated = rules.render(wrong_label, dict(verdicts, verdict=rules.labels[wrong_label].name))
    report = ev._decoded(ReplayGenerator(right + [hallucinated, "Label: 4"]), [build_prompt(e, rules) for e in examples],
                         examples, rules, ev.Settings(model="-", data=DATA, progress=False))
    decoded, steps = report["decoded"], report["steps"]
    assert decoded["accuracy"] == pytest.approx(6 / 8)
    assert decoded["n_unparsed"] == 1
    assert steps["rule_adherence"] == pytest.approx(6 / 7)  # the hallucinated label breaks its own rules
    assert steps["hallucination_rate"] == pytest.approx(1 / 7)
    assert report["samples"][7]["pred"] is None
