"""Run reward unit tests: every case of a case file scored by the rule-aware reward and compared with `expect`.

    python -m rewards test rules/catalog/ecommerce.cases.yaml

The same cases run under pytest through the plugin this package registers (`rewards.pytest_plugin`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from rewards.gold import GoldLabelError
from rewards.rule_aware import RuleAwareReward
from rewards.scoring import Scored
from rules import CompiledRuleSet, Problem
from rules.casefile import Case, case_problems, case_rules, completion_of, load_case_file


@dataclass
class CaseResult:
    case: Case
    scored: Scored | None
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


@dataclass
class CaseFileResult:
    path: str
    results: list[CaseResult]
    coverage: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.coverage and all(r.ok for r in self.results)


def run_case_file(path: str | Path) -> CaseFileResult:
    """Score every case; RuleFileError if the case file or its rule file is invalid."""
    cases, data = load_case_file(path)
    rules = case_rules(path, cases, data)
    reward = RuleAwareReward(rules)
    results = [run_case(case, rules, reward) for case in cases.cases]
    return CaseFileResult(str(path), results, case_problems(path, cases, data, rules))


def run_case(case: Case, rules: CompiledRuleSet, reward: RuleAwareReward) -> CaseResult:
    try:
        text = completion_of(case, rules)
    except ValueError as err:
        return CaseResult(case, None, [f"completion cannot be rendered: {err}"])
    example = case.example
    try:
        scored = reward.score_all([text], [example.get("label")], [example.get("gold_steps")])[0]
    except GoldLabelError as err:  # a typo in the case's example: a difference to fix, not a crash
        return CaseResult(case, None, [f"example: {str(err).removeprefix('label[0]: ')}"])
    return CaseResult(case, scored, differences(case, scored, rules))


def differences(case: Case, scored: Scored, rules: CompiledRuleSet) -> list[str]:
    """What the case expects and did not get, one line each (empty when the case passes)."""
    exp = case.expect
    out = []
    tol = exp.tolerance

    def differ(want: float | None, got: float | None) -> bool:
        if want is None or got is None:
            return want is not got
        return not math.isclose(want, got, abs_tol=tol)

    error = scored.error.code if scored.error else None
    if exp.parse_error is not None or error is not None:
        if exp.parse_error != error:
            detail = f" ({scored.error.message})" if scored.error else ""
            out.append(f"parse error: expected {exp.parse_error}, got {error}{detail}")
    if exp.reward is not None and differ(exp.reward, scored.total):
        out.append(f"reward: expected {exp.reward:.6g}, got {_num(scored.total)}")
    for name, want in (exp.components or {}).items():
        if name not in scored.components and error is None:
            out.append(f"component {name}: not in the rule set's reward ({', '.join(scored.components)})")
        elif differ(want, scored.components.get(name)):
            out.append(f"component {name}: expected {want}, got {scored.components.get(name)}")
    got_steps = {s.step: s.score for s in scored.steps}
    for step, want in (exp.steps or {}).items():
        if step not in got_steps:
            out.append(f"step {step}: not in the parsed completion")
        elif differ(want, got_steps[step]):
            out.append(f"step {step}: expected {want}, got {got_steps[step]}")
    decision = scored.decision
    for what, want, got in (("written label", exp.label, scored.label),
                            ("decided label", exp.decided, decision.label if decision else None)):
        if want is None:
            continue
        try:
            if rules.resolve_label(want) != got:
                out.append(f"{what}: expected {want}, got {got}")
        except ValueError as err:  # a typo in the case file: a difference to fix, not a crash
            out.append(f"{what}: {err}")
    if exp.rule is not None and (decision is None or exp.rule != decision.rule_id):
        out.append(f"deciding rule: expected {exp.rule}, got {decision.rule_id if decision else None}")
    if exp.violated is not None and sorted(exp.violated) != sorted(scored.violated):
        out.append(f"violated hard rules: expected {sorted(exp.violated)}, got {sorted(scored.violated)}")
    if exp.gated is not None and sorted(exp.gated) != sorted(scored.gated):
        out.append(f"gated by: expected {sorted(exp.gated)}, got {sorted(scored.gated)}")
    return out


def _num(value: float | None) -> str:
    return "None (no component applies)" if value is None else f"{value:.6g}"


def format_report(result: CaseFileResult) -> str:
    """The table `python -m rewards test` prints for one case file."""
    rows = [("", "case", "reward", "label", "rule", "detail")]
    for r in result.results:
        s = r.scored
        rule = s.decision.rule_id if s and s.decision else (s.error.code if s and s.error else "-")
        rows.append(("PASS" if r.ok else "FAIL", r.case.id, f"{s.total:+.3f}" if s and s.total is not None else "-",
                     str(s.label) if s and s.label is not None else "-", rule, "; ".join(r.differences)))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [f"{result.path}"]
    lines += ["  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + (f"  {row[5]}" if row[5] else "")
              for row in rows]
    lines += [f"  coverage: {p}" for p in result.coverage]
    return "\n".join(line.rstrip() for line in lines)


__all__ = ["CaseFileResult", "CaseResult", "format_report", "run_case", "run_case_file"]
