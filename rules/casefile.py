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
from rules.errors import Problem, RuleFileError, one_of, problems_from_validation
from rules.model import LabelRef, Number, Strict
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
    return (Path(case_path).parent / cases.rules).resolve()


def completion_of(case: Case, rules: CompiledRuleSet) -> str:
    """The completion text of a case (structured completions are rendered by the rule set)."""
    if isinstance(case.completion, str):
        return case.completion
    return rules.render(rules.resolve_label(case.completion.label), case.completion.steps, case.completion.reasons)


def case_problems(case_path: str | Path, cases: CaseFile, data: Any, rules: CompiledRuleSet) -> list[Problem]:
    """Everything wrong with a case file against its rule set: bad example data, then rule coverage."""
    return example_problems(cases, data, rules) + coverage_problems(case_path, cases, data, rules)


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
        except ValueError as err:  # a structured completion that cannot be rendered
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
