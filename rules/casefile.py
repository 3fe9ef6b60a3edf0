"""Case files: labelled CoTs that ship beside a rule file, and the coverage every decision rule needs.

`ecommerce.yaml` ships with `ecommerce.cases.yaml`:

    rules: ecommerce.yaml
    cases:
      - id: leather_for_not_leather
        example: {query: running shoes not leather, product: ..., label: 2, gold_steps: {attributes: excluded_present}}
        completion: {label: 2, steps: {query: negation, ...}}     # rendered in the rule set's format
        # or completion: "Label: 2\n<think>..."                   # raw text, exactly as a model wrote it
        expect: {reward: 1.0, rule: negation_violated, components: {label: 1.0}, steps: {attributes: 1}}

Every decision rule needs a case where it decides the label and one where it does not (`python -m rules check`
and `python -m rewards test` fail otherwise). Running the expectations is `rewards.cases`' job; this module only
reads the file and checks coverage, so the rule language does not depend on the rewards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from rules.compiler import CompiledRuleSet
from rules.cot import ParseError
from rules.errors import Problem, RuleFileError, dotted, one_of, problems_from_validation
from rules.model import LabelRef, Number, Strict
from rules.source import locate
from rules.yaml_source import SourceDict, line_of, read_yaml


class StructuredCompletion(Strict):
    """A completion given as verdicts; the rule set renders it, so cases survive a change of output markers."""

    label: LabelRef
    steps: dict[str, str]
    reasons: dict[str, str] = Field(default_factory=dict)


class Expect(Strict):
    reward: Number | None = None
    tolerance: Number = Field(default=1e-6, ge=0)  # finite: `.inf` would pass every case
    components: dict[str, Number | None] | None = None
    steps: dict[str, Number | None] | None = Field(default=None, description="Per-step scores: 1, -1 or null.")
    label: LabelRef | None = Field(default=None, description="The label the completion wrote.")
    decided: LabelRef | None = Field(default=None, description="The label the rules give for its own verdicts.")
    rule: str | None = Field(default=None, description="The rule that decided (or `default`).")
    violated: list[str] | None = Field(default=None, description="Hard rules violated, e.g. [brand_mismatch (gold)].")
    gated: list[str] | None = Field(default=None, description="Gates that capped the total, e.g. [consistency].")
    parse_error: str | None = Field(default=None, description="The parse error code, e.g. step_order.")


class Case(Strict):
    id: str = Field(min_length=1)
    description: str = ""
    example: dict[str, Any] = Field(description="The dataset row: label, gold_steps, query, product, ...")
    completion: str | StructuredCompletion
    expect: Expect


class CaseFile(Strict):
    rules: str = Field(description="The rule file, relative to this file.")
    cases: list[Case] = Field(min_length=1)


def case_file_for(rule_path: str | Path) -> Path:
    path = Path(rule_path)
    return path.with_name(path.name.removesuffix(".yaml").removesuffix(".yml") + ".cases.yaml")


def load_case_file(path: str | Path) -> tuple[CaseFile, SourceDict]:
    """The validated case file and its raw data (for line numbers); RuleFileError on any problem."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise RuleFileError([Problem(str(path), 1, "", "a case file must be a YAML mapping", None,
                                     "start with `rules: my_rules.yaml` and `cases:`")])
    try:
        cases = CaseFile.model_validate(data)
    except ValidationError as err:
        raise RuleFileError(problems_from_validation(err, data, set(), model=CaseFile)) from None
    ids = [c.id for c in cases.cases]
    dupes = [i for i, c in enumerate(ids) if ids.index(c) != i]
    if dupes:
        file, line = line_of(data, ("cases", dupes[0], "id"))
        raise RuleFileError([Problem(file, line, f"cases[{dupes[0]}].id", "duplicate case id", ids[dupes[0]],
                                     "give every case its own id")])
    return cases, data


def rules_path(case_path: str | Path, cases: CaseFile) -> Path:
    """The file `rules:` names: relative to the case file, else a bundled rule set of that name (as `extends:`)."""
    from rules.loader import bundled  # lazy: the loader imports the compiler, which this module's users have

    path = (Path(case_path).parent / cases.rules).resolve()
    return path if path.is_file() else (bundled(cases.rules.strip()) or path)


def case_rules(case_path: str | Path, cases: CaseFile, data: Any) -> CompiledRuleSet:
    """The compiled rule set of a case file; a `rules:` file that is not there is blamed on the case file's line."""
    from rules.loader import bundled_rule_sets, compile_rules

    path = rules_path(case_path, cases)
    if not path.is_file():
        file, line = line_of(data, ("rules",))
        raise RuleFileError([Problem(file, line, "rules", f"no rule file {path}", cases.rules,
                                     "give the rule file's path relative to this case file, or a bundled rule set: "
                                     + ", ".join(bundled_rule_sets()))])
    return compile_rules(path)


def completion_of(case: Case, rules: CompiledRuleSet) -> str:
    """The completion text of a case (structured completions are rendered by the rule set).

    ValueError names an unknown or missing step of a structured completion (`completion_problems` locates it).
    """
    if isinstance(case.completion, str):
        return case.completion
    steps = case.completion.steps
    unknown = [s for s in steps if s not in rules.step_verdicts]
    missing = _missing_steps(steps, rules)
    if unknown or missing:
        raise ValueError("; ".join([f"unknown step {s!r} ({one_of(s, list(rules.step_verdicts))})" for s in unknown]
                                   + [f"step {s!r} missing" for s in missing]))
    return rules.render(rules.resolve_label(case.completion.label), steps, case.completion.reasons)


def _missing_steps(steps: dict, rules: CompiledRuleSet) -> list[str]:
    """Steps a structured completion must give (all but the conclusion, which the label fills in), not misspelled
    among the unknown keys (one typo, one problem)."""
    import difflib

    unknown = [s for s in steps if s not in rules.step_verdicts]
    conclusion = rules.ruleset.output.conclusion_step
    return [s for s in rules.step_verdicts if s not in steps and s != conclusion
            and not difflib.get_close_matches(s, unknown, n=1)]


def case_problems(case_path: str | Path, cases: CaseFile, data: Any, rules: CompiledRuleSet) -> list[Problem]:
    """Everything wrong with a case file against its rule set: bad example data and expectations, then coverage."""
    return (example_problems(cases, data, rules) + completion_problems(cases, data, rules)
            + expect_problems(cases, data, rules) + coverage_problems(case_path, cases, data, rules))


def completion_problems(cases: CaseFile, data: Any, rules: CompiledRuleSet) -> list[Problem]:
    """Steps of structured completions: unknown (a typo) or missing, each at its own line, and unknown verdicts."""
    problems: list[Problem] = []
    for i, case in enumerate(cases.cases):
        if isinstance(case.completion, str):
            continue
        at = ("cases", i, "completion", "steps")
        for step, verdict in case.completion.steps.items():
            allowed = rules.step_verdicts.get(step)
            if allowed is None:
                _add(problems, data, at + (step,), "unknown step", step, one_of(step, list(rules.step_verdicts)))
            elif verdict not in allowed:
                _add(problems, data, at + (step,), f"step {step!r} has no verdict {verdict!r}", verdict,
                     one_of(verdict, allowed))
        for step in _missing_steps(case.completion.steps, rules):
            _add(problems, data, at, f"step {step!r} missing", None,
                 f"add `{step}: <verdict>` (one of: {', '.join(rules.step_verdicts[step])})")
        for step in case.completion.reasons:
            if step not in rules.step_verdicts:
                _add(problems, data, ("cases", i, "completion", "reasons", step), "a reason for an unknown step",
                     step, one_of(step, list(rules.step_verdicts)))
    return problems


def expect_problems(cases: CaseFile, data: Any, rules: CompiledRuleSet) -> list[Problem]:
    """Expectations naming a rule or step the rule set does not have could never pass: say which, with a hint."""
    rule_ids = [r.id for r in rules.rules]
    problems: list[Problem] = []
    for i, case in enumerate(cases.cases):
        at = ("cases", i, "expect")
        rule = case.expect.rule
        if rule is not None and rule not in rule_ids and rule != "default":
            _add(problems, data, at + ("rule",), "no such rule in the rule set", rule, one_of(rule, rule_ids + ["default"]))
        for j, entry in enumerate(case.expect.violated or []):
            rule_id = entry.split(" (")[0]
            if rule_id not in rule_ids:
                _add(problems, data, at + ("violated", j), "no such rule in the rule set", entry,
                     one_of(rule_id, [r.id for r in rules.rules if r.hard]) + " (as `rule_id (own)` or `rule_id (gold)`)")
        for step in case.expect.steps or {}:
            if step not in rules.step_verdicts:
                _add(problems, data, at + ("steps", step), "unknown step", step, one_of(step, list(rules.step_verdicts)))
    return problems


def _add(problems: list[Problem], data: Any, path: tuple, message: str, got: Any, fix: str) -> None:
    file, line, shown = locate(data, path)
    problems.append(Problem(file, line, dotted(shown), message, got, fix))


def example_problems(cases: CaseFile, data: Any, rules: CompiledRuleSet) -> list[Problem]:
    """A typo in an example's label or gold steps would make its case pass for the wrong reason: catch it."""
    labels = {k: lab.id for lab in rules.ruleset.scale.labels for k in (lab.id, str(lab.id), lab.name, lab.token)}
    problems = []

    def add(path: tuple, message: str, got: Any, fix: str) -> None:
        file, line = line_of(data, path)
        problems.append(Problem(file, line, ".".join(str(p) for p in path), message, got, fix))

    for i, case in enumerate(cases.cases):
        label = case.example.get("label")
        if label is not None and (isinstance(label, bool) or not isinstance(label, (int, str)) or label not in labels):
            add(("cases", i, "example", "label"), "not a label of the rule set", label,
                one_of(label, [f"{lab.id}" for lab in rules.ruleset.scale.labels] + [lab.name for lab in rules.ruleset.scale.labels]))
        for step, verdict in (case.example.get("gold_steps") or {}).items():
            where = ("cases", i, "example", "gold_steps", step)
            if step not in rules.step_verdicts:
                add(where, "unknown step", step, one_of(step, list(rules.step_verdicts)))
            elif verdict is not None and verdict not in rules.step_verdicts[step]:
                add(where, f"step {step!r} has no verdict {verdict!r}", verdict, one_of(verdict, rules.step_verdicts[step]))
    return problems


def coverage_problems(case_path: str | Path, cases: CaseFile, data: Any, rules: CompiledRuleSet) -> list[Problem]:
    """Each decision rule must decide at least one case and not decide at least one other."""
    fired: dict[str, int] = {r.id: 0 for r in rules.rules}
    parsed = 0
    problems = []
    for i, case in enumerate(cases.cases):
        try:
            cot = rules.parse(completion_of(case, rules))
        except ValueError as err:  # cannot be rendered: its steps are located by completion_problems
            if not isinstance(case.completion, str) and _renders_only_without(case, rules):
                continue
            file, line = line_of(data, ("cases", i, "completion"))
            problems.append(Problem(file, line, f"cases[{i}].completion", str(err), None, "use the rule set's steps and verdicts"))
            continue
        if isinstance(cot, ParseError):
            continue
        parsed += 1
        rule_id = rules.decide(cot.verdicts).rule_id
        if rule_id in fired:
            fired[rule_id] += 1
    file, line = line_of(data, ("cases",))
    for rule_id, count in fired.items():
        if count == 0:
            problems.append(Problem(file, line, "cases", f"no case where rule {rule_id!r} decides the label", None,
                                    f"add a case whose steps make {rule_id!r} fire"))
        elif count == parsed:
            problems.append(Problem(file, line, "cases", f"no case where rule {rule_id!r} does not decide", None,
                                    "add a case decided by another rule"))
    return problems


def _renders_only_without(case: Case, rules: CompiledRuleSet) -> bool:
    """Whether what stops a structured completion rendering is a step problem `completion_problems` reports."""
    steps = case.completion.steps  # type: ignore[union-attr]
    return bool([s for s in steps if s not in rules.step_verdicts] or _missing_steps(steps, rules)
                or any(v not in rules.step_verdicts[s] for s, v in steps.items() if s in rules.step_verdicts))
