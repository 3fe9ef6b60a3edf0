"""Case files against their rule set: a misspelled, missing or unknown step, a rule id that does not exist, and a
`rules:` file that is not there are each one problem at their own line, naming the step or rule, with a hint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rewards.cases import run_case_file
from rules import RuleFileError, compile_rules
from rules.casefile import case_problems, load_case_file

ROOT = Path(__file__).parent.parent
ECOMMERCE = ROOT / "rules" / "catalog" / "ecommerce.yaml"
RULES = compile_rules(ECOMMERCE)

# One case; line 6 holds the steps, line 8 `expect:`. Each variant below edits one thing.
CASE = """rules: {rules}
cases:
  - id: hoodie
    example: {{query: blue hoodie, label: 3}}
    completion:
      steps: {{query: plain, product: clear, category: match, core_product: match, brand_model: not_mentioned,
              attributes: partial}}
      label: 3
    expect: {{reward: 1.0, rule: attribute_partial}}
"""
FLAT_STEPS = """rules: {rules}
cases:
  - id: hoodie
    example: {{query: blue hoodie, label: 3}}
    completion:
      label: 3
      steps:
        query: plain
        product: clear
        category: match
        core_product: match
        brand_model: not_mentioned
        attributes: partial
    expect:
      reward: 1.0
      rule: attribute_partial
      steps: {{attributes: 1}}
"""


def _case_file(tmp_path: Path, text: str, rules: str = str(ECOMMERCE)) -> Path:
    path = tmp_path / "my.cases.yaml"
    path.write_text(text.format(rules=rules))
    return path


def _problems(path: Path) -> list:
    cases, data = load_case_file(path)
    return [p for p in case_problems(path, cases, data, RULES) if not p.path == "cases"]  # coverage aside


def test_the_unedited_case_has_no_problems(tmp_path):
    assert _problems(_case_file(tmp_path, CASE)) == []
    assert _problems(_case_file(tmp_path, FLAT_STEPS)) == []


@pytest.mark.parametrize("old, new, line, path, says", [
    # A typo in a step id: the typo, at its line, with the hint; not also "attributes missing".
    ("        attributes: partial", "        atributes: partial", 13, "cases[0].completion.steps.atributes",
     ("unknown step", "did you mean 'attributes'?")),
    ("        query: plain", "        qury: plain", 8, "cases[0].completion.steps.qury", ("did you mean 'query'?",)),
    # A step left out: named, at the `steps:` line, with its verdicts.
    ("        brand_model: not_mentioned\n", "", 7, "cases[0].completion.steps",
     ("step 'brand_model' missing", "add `brand_model: <verdict>`", "not_mentioned")),
    # A verdict the step does not have.
    ("        category: match", "        category: matched", 10, "cases[0].completion.steps.category",
     ("step 'category' has no verdict 'matched'", "did you mean 'match'?")),
    # A rule id that does not exist, in `rule:` and in `violated:`, and an unknown step in `expect.steps`.
    ("      rule: attribute_partial", "      rule: attributes_partial", 16, "cases[0].expect.rule",
     ("no such rule in the rule set", "(got 'attributes_partial')", "did you mean 'attribute_partial'?")),
    ("      rule: attribute_partial", "      rule: attribute_partial\n      violated: [brand_mismtch (gold)]", 17,
     "cases[0].expect.violated[0]", ("no such rule", "did you mean 'brand_mismatch'?")),
    ("      steps: {attributes: 1}", "      steps: {attribute: 1}", 17, "cases[0].expect.steps.attribute",
     ("unknown step", "did you mean 'attributes'?")),
])
def test_one_located_problem_per_mistake(tmp_path, old, new, line, path, says):
    text = FLAT_STEPS.format(rules=ECOMMERCE)
    assert old in text
    case_path = tmp_path / "my.cases.yaml"
    case_path.write_text(text.replace(old, new))
    [problem] = _problems(case_path)
    assert (problem.file, problem.line, problem.path) == (str(case_path), line, path), str(problem)
    for piece in says:
        assert piece in str(problem), str(problem)


def test_flow_style_steps_name_the_step_too(tmp_path):
    path = _case_file(tmp_path, CASE.replace("core_product: match", "core_prodcut: match"))
    [problem] = _problems(path)
    assert problem.path == "cases[0].completion.steps.core_prodcut" and problem.line == 6
    assert "did you mean 'core_product'?" in problem.fix and "verdict None" not in str(problem)


def test_the_runner_says_which_step_not_verdict_none(tmp_path):
    path = _case_file(tmp_path, CASE.replace(" brand_model: not_mentioned,", ""))
    result = run_case_file(path)
    [case] = result.results
    assert case.differences == ["completion cannot be rendered: step 'brand_model' missing"]
    assert any("step 'brand_model' missing" in str(p) and p.line == 6 for p in result.coverage)


@pytest.mark.parametrize("rules", ["no_such.yaml", "../rules/ecommerce.yaml", "ecomerce"])
def test_a_missing_rules_file_names_the_case_file_and_line(tmp_path, rules):
    path = _case_file(tmp_path, CASE, rules=rules)
    with pytest.raises(RuleFileError) as err:
        run_case_file(path)
    [problem] = err.value.problems
    assert (problem.file, problem.line, problem.path) == (str(path), 1, "rules"), str(problem)
    assert "no rule file" in problem.message and "bundled rule set: apparel, ecommerce" in problem.fix


def test_rules_may_name_a_bundled_rule_set(tmp_path):
    result = run_case_file(_case_file(tmp_path, CASE, rules="ecommerce"))
    assert [r.ok for r in result.results] == [True]


def test_cli_shows_the_missing_rules_file_in_one_line(tmp_path):
    path = _case_file(tmp_path, CASE, rules="nowhere.yaml")
    out = subprocess.run([sys.executable, "-m", "rewards", "test", str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode != 0 and "Traceback" not in out.stdout + out.stderr
    assert f"{path}:1: rules: no rule file" in out.stdout + out.stderr
