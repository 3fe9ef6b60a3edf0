"""The evaluator end to end on a tiny local model, and its decoded path on known completions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rules import compile_rules
from rules.data import build_prompt
from rules.data.loaders import load_examples
from trainers.evaluation import cli as ev
from trainers.evaluation import parts as evaluation
from trainers.common.tiny_model import main as build_tiny

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
    report = evaluation.decoded(ReplayGenerator(right + [hallucinated, "Label: 4"]),
                                [build_prompt(e, rules) for e in examples], examples, rules)
    decoded, steps = report["decoded"], report["steps"]
    assert decoded["accuracy"] == pytest.approx(6 / 8)
    assert decoded["n_unparsed"] == 1
    assert steps["rule_adherence"] == pytest.approx(6 / 7)  # the hallucinated label breaks its own rules
    assert steps["hallucination_rate"] == pytest.approx(1 / 7)
    assert report["samples"][7]["pred"] is None
    # "Label: 4" alone does not parse as a CoT, but its label line is readable.
    assert report["label_line"]["n_unparsed"] == 0


def _run(capsys, *args):
    code = ev.main(["--no-progress", "--max-new-tokens", "4", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("args,expected", [
    (["--model", "./models_nowhere/tiny"], "no model folder ./models_nowhere/tiny"),
    (["--data", "data/nope.jsonl"], "data/nope.jsonl"),
    (["--rules", "/tmp/no_such_rules.yaml"], "/tmp/no_such_rules.yaml: file not found"),
])
def test_bad_paths_are_one_line_errors(tiny_dir, capsys, args, expected):
    base = {"--model": str(tiny_dir), "--data": DATA}
    base.update(dict(zip(args[::2], args[1::2])))
    code, out = _run(capsys, *[x for kv in base.items() for x in kv])
    assert code == 2 and out.startswith("error: ") and expected in out and "Traceback" not in out


def test_gold_outside_the_rule_set_is_caught_before_generation(tiny_dir, tmp_path, capsys):
    rows = open(DATA).read().splitlines()[:3]
    rows[1] = rows[1].replace('"label":2', '"label":7').replace('"label":3', '"label":7').replace('"label":4', '"label":7')
    rows[1] = rows[1].replace('"label":1,', '"label":7,')
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(rows) + "\n")
    code, out = _run(capsys, "--model", str(tiny_dir), "--data", str(bad))
    assert code == 2 and "row 2: label: example" in out and "not a label of rule set" in out


@pytest.mark.parametrize("args", [["--limit", "0"], ["--batch-size", "0"], ["--samples", "3", "--temperature", "0"],
                                  ["--beta", "2"]])
def test_bad_numbers_are_refused_up_front(args):
    with pytest.raises(SystemExit) as exit_info:
        ev.parse_args(["--model", "m", "--data", DATA, *args])
    assert exit_info.value.code == 2


class NaNScorer:
    """Label scores as vLLM gives them when no label token made the top log-probabilities of a row."""

    def score(self, prompts, progress=False):
        probs = np.tile([0.1, 0.2, 0.3, 0.4], (len(prompts), 1))
        probs[0] = np.nan
        return probs, np.full(len(prompts), np.nan)


def test_unscored_rows_count_as_unscored_not_as_a_label():
    rules = compile_rules(ev.DEFAULT_RULES)
    examples = load_examples(DATA).examples[:4]
    report = evaluation.cumpt(NaNScorer(), ["p"] * 4, examples, rules, beta=0.5)
    cumpt = report["cumpt"]
    assert cumpt["n_unscored"] == 1 and cumpt["n_unparsed"] == 1 and cumpt["label_mass"] is None
    assert report["prefill_argmax"]["n_unparsed"] == 1
    json.dumps(report, allow_nan=False)  # valid JSON: no NaN


def test_think_first_rule_sets_get_decoded_metrics_only(tiny_dir, tmp_path):
    text = open(ev.DEFAULT_RULES).read().replace("order: label_first", "order: think_first")
    rules_path = tmp_path / "think_first.yaml"
    rules_path.write_text(text.replace("$schema=../schema/", "$schema=../"))
    report = ev.evaluate(ev.Settings(model=str(tiny_dir), data=DATA, rules=str(rules_path), limit=4,
                                     max_new_tokens=4, progress=False))
    assert "decoded" in report and "cumpt" not in report
