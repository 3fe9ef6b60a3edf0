"""Reward unit tests as users run them: `python -m rewards test` and pytest collecting case files in their repo."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CATALOG = Path("rules/catalog").resolve()

CASES = """rules: ecommerce.yaml
cases:
  - id: right_answer
    example: {query: blue hoodie, label: 3}
    completion:
      label: 3
      steps: {query: plain, product: clear, category: match, core_product: match, brand_model: not_mentioned,
              attributes: partial, verdict: Related}
    expect: {reward: 1.0, rule: attribute_partial}
  - id: expects_too_much
    example: {query: blue hoodie, label: 3}
    completion:
      label: 4
      steps: {query: plain, product: clear, category: match, core_product: match, brand_model: not_mentioned,
              attributes: match, verdict: Excellent}
    expect: {reward: 0.9, rule: attribute_partial}
"""


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    shutil.copy(CATALOG / "ecommerce.yaml", tmp_path / "ecommerce.yaml")
    (tmp_path / "ecommerce.cases.yaml").write_text(CASES, encoding="utf-8")
    return tmp_path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_reports_each_case_and_fails_on_a_difference(user_repo):
    out = run_cli("rewards", "test", "ecommerce.cases.yaml", cwd=user_repo)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "PASS  right_answer" in out.stdout
    assert "FAIL  expects_too_much" in out.stdout
    assert "reward: expected 0.9, got 0.5" in out.stdout  # (0.1 format + 0.3 label credit + 0.3 consistency) / 1.4
    assert "deciding rule: expected attribute_partial, got full_match" in out.stdout
    # Two rules decide here, twelve never do: coverage fails and says which.
    assert "no case where rule 'vague_listing' decides the label" in out.stdout
    assert out.stdout.rstrip().endswith("failed")
    assert "Traceback" not in out.stdout + out.stderr


def test_cli_passes_on_the_bundled_catalog():
    out = run_cli("rewards", "test", *map(str, sorted(CATALOG.glob("*.cases.yaml"))))
    assert out.returncode == 0, out.stdout
    assert ", 0 failed" in out.stdout


def test_cli_reports_a_broken_case_file_with_its_line(user_repo):
    (user_repo / "ecommerce.cases.yaml").write_text(CASES.replace("expect: {reward: 1.0", "expect: {rewrd: 1.0"))
    out = run_cli("rewards", "test", "ecommerce.cases.yaml", cwd=user_repo)
    assert out.returncode == 1
    assert "ecommerce.cases.yaml:9:" in out.stdout and "rewrd" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_pytest_collects_case_files_in_a_users_repo(pytester, user_repo):
    for path in user_repo.iterdir():
        shutil.copy(path, pytester.path / path.name)
    result = pytester.runpytest_subprocess("-q")  # the plugin loads through its entry point, as for a user
    result.assert_outcomes(passed=1, failed=2)  # expects_too_much, and coverage
    result.stdout.fnmatch_lines(["*case 'expects_too_much'*", "*deciding rule: expected attribute_partial*"])
