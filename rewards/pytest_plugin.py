"""pytest collects reward case files (`*.cases.yaml`) as tests: one test per case, plus rule coverage.

Registered through the `pytest11` entry point, so installing shelfwise is enough: in any repository,
`pytest path/to/rules/` runs the cases next to the rule files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Nothing of shelfwise is imported at plugin load: pytest loads every installed plugin in every session, and a
# problem here (say a local `rules/` folder shadowing ours) must not break test runs that have no case files.


def pytest_collect_file(parent: pytest.Collector, file_path: Path):
    if file_path.name.endswith(".cases.yaml"):
        return CaseFileCollector.from_parent(parent, path=file_path)
    return None


class CaseFileCollector(pytest.File):
    def collect(self):
        try:
            from rewards import check_rules_package

            check_rules_package()
            from rewards.rule_aware import RuleAwareReward
            from rules import RuleFileError
            from rules.casefile import case_problems, case_rules, load_case_file
        except ImportError as err:
            yield BrokenCaseFile.from_parent(self, name="load", error=str(err))
            return
        try:
            cases, data = load_case_file(self.path)
            rules = case_rules(self.path, cases, data)
        except RuleFileError as err:
            yield BrokenCaseFile.from_parent(self, name="load", error=str(err))
            return
        reward = RuleAwareReward(rules)
        from rules.yaml_source import line_of

        for i, case in enumerate(cases.cases):
            item = CaseItem.from_parent(self, name=case.id, case=case, rules=rules, reward=reward)
            item.line = line_of(data, ("cases", i))[1]
            yield item
        yield CoverageItem.from_parent(self, name="coverage", problems=case_problems(self.path, cases, data, rules))


class CaseFailed(Exception):
    pass


class _ReportingItem(pytest.Item):
    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    line: int | None = None  # 1-based line of the case in its file, when known

    def reportinfo(self):
        where = f"{self.path.name}:{self.line}" if self.line else self.path.name
        return self.path, (self.line - 1 if self.line else None), f"{where}::{self.name}"


class CaseItem(_ReportingItem):
    def __init__(self, *, case, rules, reward, **kwargs):
        super().__init__(**kwargs)
        self.case, self.rules, self.reward = case, rules, reward

    def runtest(self):
        from rewards.cases import run_case

        result = run_case(self.case, self.rules, self.reward)
        if not result.ok:
            where = f"{self.path}:{self.line}: " if self.line else ""
            raise CaseFailed(f"{where}case {self.case.id!r}:\n  " + "\n  ".join(result.differences))


class CoverageItem(_ReportingItem):
    def __init__(self, *, problems, **kwargs):
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self):
        if self.problems:
            raise CaseFailed("\n".join(str(p) for p in self.problems))


class BrokenCaseFile(_ReportingItem):
    def __init__(self, *, error, **kwargs):
        super().__init__(**kwargs)
        self.error = error

    def runtest(self):
        raise CaseFailed(self.error)
