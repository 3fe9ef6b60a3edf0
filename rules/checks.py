"""Static checks on a validated rule set: the mistakes pydantic's types cannot see.

Unknown steps, verdicts and labels referenced; duplicate ids; rules that can never fire (shadowed by earlier
rules or self-contradictory); a decision table that leaves combinations undecided with no default; output
markers that would make completions ambiguous.
"""

from __future__ import annotations

import difflib
import math
import string
from collections import Counter
from typing import Any

from rules.decision import MAX_GRID, analyse, describe, walk
from rules.errors import Problem, dotted, one_of
from rules.format_checks import check_format
from rules.model import EXPLAIN_FIELDS, LabelRef, RuleSet
from rules.yaml_source import locate


class _Report:
    def __init__(self, data: Any):
        self.data = data
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, got: Any, fix: str) -> None:
        file, line, shown = locate(self.data, path)
        self.problems.append(Problem(file, line, dotted(shown), message, got, fix))


def check_ruleset(rs: RuleSet, data: Any) -> list[Problem]:
    """Every static problem of a rule set, located in the YAML it came from."""
    report = _Report(data)
    label_refs = _check_labels(rs, report)
    step_ids = _check_steps(rs, report)
    _check_rules(rs, report, label_refs, step_ids)
    _check_reward(rs, report, step_ids)
    _check_output(rs, report, step_ids)
    check_format(rs, report)  # marker collisions; a render -> parse round trip when all else is clean
    if not report.problems:
        _check_table(rs, report)
    return report.problems


def _duplicates(values: list) -> list[int]:
    counts = Counter(values)
    return [i for i, v in enumerate(values) if counts[v] > 1 and values.index(v) != i]


def _check_labels(rs: RuleSet, report: _Report) -> set:
    labels = rs.scale.labels
    for field in ("id", "name", "token"):
        values = [getattr(label, field) for label in labels]
        for i in _duplicates(values):
            report.add(("scale", "labels", i, field), f"duplicate label {field}", values[i], f"give each label its own {field}")
    ids = [label.id for label in labels]
    # Point at the first label that breaks the order: that is the line to move.
    for i in range(1, len(ids)):
        if ids[i] > ids[i - 1]:
            report.add(("scale", "labels", i, "id"),
                       f"labels must be ordered from the highest id to the lowest, but {ids[i]} comes after {ids[i - 1]}",
                       ids, "list the most relevant label first")
            break
    # A quoted id ("4") means the id: YAML users quote numbers out of habit.
    refs = {label.id for label in labels} | {label.name for label in labels} | {str(label.id) for label in labels}
    seen: dict = {}
    for tier, members in rs.scale.tiers.items():
        for j, ref in enumerate(members):
            path = ("scale", "tiers", tier, j)
            if ref not in refs:
                report.add(path, "unknown label in tier", ref, _label_fix(rs, ref))
            elif _label_id(rs, ref) in seen:
                report.add(path, f"label already in tier {seen[_label_id(rs, ref)]}", ref, "put each label in one tier")
            else:
                seen[_label_id(rs, ref)] = tier
    return refs


def _label_id(rs: RuleSet, ref) -> int:
    return next(label.id for label in rs.scale.labels if ref in (label.id, label.name, str(label.id)))


def _label_list(rs: RuleSet) -> str:
    return ", ".join(f"{label.id}/{label.name}" for label in rs.scale.labels)


def _label_fix(rs: RuleSet, ref) -> str:
    names = [label.name for label in rs.scale.labels]
    close = difflib.get_close_matches(str(ref), names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}use a label id or name: {_label_list(rs)}"


def _label_ref(rs: RuleSet, report: _Report, refs: set, ref, path: tuple) -> None:
    if ref not in refs:
        report.add(path, "unknown label", ref, _label_fix(rs, ref))


def _check_steps(rs: RuleSet, report: _Report) -> dict[str, list[str]]:
    ids = [s.id for s in rs.steps]
    for i in _duplicates(ids):
        report.add(("steps", i, "id"), "duplicate step id", ids[i], "rename one of the steps")
    for i, step in enumerate(rs.steps):
        for j in _duplicates(list(step.verdicts)):
            report.add(("steps", i, "verdicts", j), "duplicate verdict", step.verdicts[j], "list each verdict once")
        _check_explain(rs, report, i)
    return {s.id: list(s.verdicts) for s in rs.steps}


def _check_explain(rs: RuleSet, report: _Report, i: int) -> None:
    """A step's explanation templates: known verdicts, known placeholders, no output marker inside."""
    step = rs.steps[i]
    markers = [m for m in (rs.output.verdict_marker, rs.output.think_open, rs.output.think_close) if m.strip()]
    for verdict, template in step.explain.items():
        path = ("steps", i, "explain", verdict)
        if verdict not in step.verdicts:
            report.add(path, f"step {step.id!r} has no verdict {verdict!r}", verdict, one_of(verdict, step.verdicts))
        try:
            names = [name for _, name, spec, conv in string.Formatter().parse(template) if name is not None]
        except ValueError as err:
            report.add(path, f"not a valid template ({err})", template, "write {name} for a placeholder and {{ or }} "
                       "for a literal brace")
            continue
        for name in names:
            if name not in EXPLAIN_FIELDS:
                report.add(path, f"unknown placeholder {{{name}}}", template, one_of(name, list(EXPLAIN_FIELDS)))
        hit = next((m for m in markers if m in template), None)
        if hit:
            report.add(path, f"the template contains the output marker {hit!r}, so the CoT it writes cannot parse",
                       template, f"reword it without {hit!r}")


def _check_rules(rs: RuleSet, report: _Report, label_refs: set, steps: dict[str, list[str]]) -> None:
    ids = [r.id for r in rs.decision.rules]
    for i in _duplicates(ids):
        report.add(("decision", "rules", i, "id"), "duplicate rule id", ids[i], "rename one of the rules")
    for i, rule in enumerate(rs.decision.rules):
        base = ("decision", "rules", i)
        _label_ref(rs, report, label_refs, rule.label, base + ("label",))
        for test, path in walk(rule.when, base + ("when",)):
            if test.step not in steps:
                readable = [s for s in steps if s != rs.output.conclusion_step]
                report.add(path + ("step",), "unknown step", test.step, one_of(test.step, readable))
                continue
            if test.step == rs.output.conclusion_step:
                report.add(path + ("step",), "a decision rule cannot read the conclusion step (it restates the label)",
                           test.step, "read the steps before it")
            if (test.is_ is None) == (test.in_ is None):
                has = "both" if test.is_ is not None else "neither"
                report.add(path, f"a step test needs exactly one of `is` or `in`; this one has {has}", None,
                           f"write {{step: {test.step}, is: <verdict>}} or {{step: {test.step}, in: [<verdict>, ...]}}")
                continue
            for j, verdict in enumerate(test.allowed()):
                if verdict not in steps[test.step]:
                    where = ("is",) if test.is_ is not None else ("in", j)
                    report.add(path + where, f"step {test.step!r} has no verdict {verdict!r}", verdict,
                               one_of(verdict, steps[test.step]))
    if rs.decision.default is not None:
        _label_ref(rs, report, label_refs, rs.decision.default, ("decision", "default"))
    if rs.extends is None:
        if rs.decision.remove:
            report.add(("decision", "remove"), "`remove` only applies in a file that extends another",
                       list(rs.decision.remove), "delete the rules themselves, or extend a base file")
        for i, rule in enumerate(rs.decision.rules):
            if rule.before is not None:
                report.add(("decision", "rules", i, "before"), "`before` only applies in a file that extends another",
                           rule.before, "remove it, or order the rules by hand")
        for i, step in enumerate(rs.steps):
            if step.before is not None:
                report.add(("steps", i, "before"), "`before` only applies in a file that extends another",
                           step.before, "remove it, or order the steps by hand")


def _check_reward(rs: RuleSet, report: _Report, steps: dict[str, list[str]]) -> None:
    types = [c.type for c in rs.reward.components]
    for i in _duplicates(types):
        report.add(("reward", "components", i, "type"), "duplicate reward component", types[i], "merge the two entries")
    if sum(c.weight for c in rs.reward.components) <= 0:
        report.add(("reward", "components"), "all weights are zero", 0, "give at least one component a positive weight")
    for i, comp in enumerate(rs.reward.components):
        credit = list(comp.partial_credit) if comp.type == "label" else []
        if any(not 0 <= c <= 1 for c in credit):
            report.add(("reward", "components", i, "partial_credit"), "credits must lie in [0, 1]",
                       credit, "e.g. [1.0, 0.3, 0.0]")
        elif any(later > earlier for earlier, later in zip(credit, credit[1:])):
            report.add(("reward", "components", i, "partial_credit"), "credit must not grow with the distance to "
                       "the gold label (an answer further off would score more)", credit, "e.g. [1.0, 0.3, 0.0]")
        if comp.type == "steps":
            for j, step in enumerate(comp.ignore):
                if step not in steps:
                    report.add(("reward", "components", i, "ignore", j), "unknown step", step,
                               f"use one of: {', '.join(steps)}")
    if not math.isfinite(sum(c.weight for c in rs.reward.components)):
        report.add(("reward", "components"), "the weights add up to more than a float can hold", None,
                   "use weights of a similar size, e.g. between 0 and 10")
    if rs.reward.malformed >= 0:  # parsed totals lie in [0, 1]: a malformed completion must score below them all
        report.add(("reward", "malformed"), "a malformed completion must score below every parsed one (0 and up)",
                   rs.reward.malformed, "use a negative value, e.g. -1.0")
    _check_gates(rs, report)


def _check_gates(rs: RuleSet, report: _Report) -> None:
    gates = rs.reward.gates
    for i, gate in enumerate(gates):
        if gate.reward > 0:  # parsed totals lie in [0, 1]: above 0, a gated answer could beat an honest wrong one
            report.add(("reward", "gates", i, "reward"), "a gated completion must not score above 0", gate.reward,
                       "use 0.0 or a negative value above reward.malformed")
        elif gate.reward <= rs.reward.malformed:
            report.add(("reward", "gates", i, "reward"), "a gated completion must score above a malformed one",
                       gate.reward, f"use a value above reward.malformed ({rs.reward.malformed})")
    consistency = [i for i, g in enumerate(gates) if g.type == "consistency"]
    for i in consistency[1:]:
        report.add(("reward", "gates", i, "type"), "duplicate consistency gate", "consistency", "keep one of the two")
    hard = [g.reward for g in gates if g.type == "hard_rules"]
    for i in consistency:
        # An honest answer that misses a hard rule is capped at the hard gate; reasoning that contradicts its own
        # label must not score above it, or writing the gold label over any reasoning would pay.
        if hard and gates[i].reward > min(hard):
            report.add(("reward", "gates", i, "reward"), "a completion whose label contradicts its own reasoning "
                       f"must not score above one that violates a hard rule ({min(hard)})", gates[i].reward,
                       f"use a value of at most {min(hard)}")


def _check_output(rs: RuleSet, report: _Report, steps: dict[str, list[str]]) -> None:
    out = rs.output
    for field, placeholder in (("label_line", "{label}"), ("step_header", "{step}")):
        value = getattr(out, field)
        if value.count(placeholder) != 1:
            report.add(("output", field), f"must contain {placeholder} exactly once", value, f"e.g. {field}: ...{placeholder}...")
    markers = {"think_open": out.think_open, "think_close": out.think_close, "verdict_marker": out.verdict_marker}
    for field, value in markers.items():
        if not value.strip():
            report.add(("output", field), "marker is empty", value, "use visible text, e.g. <think>")
    if out.think_open in out.think_close or out.think_close in out.think_open:
        report.add(("output", "think_close"), "think markers must not contain each other", out.think_close,
                   "e.g. <think> and </think>")
    if out.conclusion_step is not None:
        names = [label.name for label in rs.scale.labels]
        if out.conclusion_step not in steps:
            report.add(("output", "conclusion_step"), "unknown step", out.conclusion_step,
                       one_of(out.conclusion_step, list(steps)))
        elif rs.steps[-1].id != out.conclusion_step:  # e.g. a child appended a step after it
            i = next(i for i, s in enumerate(rs.steps) if s.id == out.conclusion_step)
            report.add(("steps", len(rs.steps) - 1, "id"), f"the conclusion step {out.conclusion_step!r} must be the "
                       "last step", rs.steps[-1].id, f"move it after {out.conclusion_step!r}, or in a file that extends "
                       f"another, add `before: {out.conclusion_step}` to it (steps[{i}] is the conclusion)")
        elif sorted(steps[out.conclusion_step]) != sorted(names):
            # Reported at the verdicts (where the wrong names are), naming the setting that makes them matter.
            i = max(i for i, s in enumerate(rs.steps) if s.id == out.conclusion_step)  # the one `steps` kept
            report.add(("steps", i, "verdicts"),
                       f"step {out.conclusion_step!r} is output.conclusion_step, so its verdicts must be exactly "
                       "the label names", steps[out.conclusion_step],
                       f"set them to [{', '.join(names)}], or name another step in output.conclusion_step")


def _check_table(rs: RuleSet, report: _Report) -> None:
    analysis = analyse(list(rs.decision.rules), {s.id: list(s.verdicts) for s in rs.steps})
    if analysis is None:
        if rs.decision.default is None:  # unprovable totality: a default keeps the reward from ever failing
            report.add(("decision",), f"the rules read more than {MAX_GRID:,} verdict combinations, too many to prove "
                       "that every one is decided", None, "add `default: <label>` (shadowed rules are not checked "
                       "either at this size)")
        return
    rules = rs.decision.rules
    for i, covering in analysis.unreachable.items():
        path = ("decision", "rules", i, "when")
        if covering:
            names = ", ".join(repr(rules[j].id) for j in covering)
            if len(covering) == 1:
                what, fix = f"the earlier rule {names} matches", "move it above that rule, or narrow that rule"
            else:
                what, fix = f"earlier rules ({names}) together match", "move it above those rules, or narrow them"
            report.add(path, f"rule {rules[i].id!r} can never fire: {what} everything it matches",
                       describe(rules[i].when), fix)
        else:
            report.add(path, f"rule {rules[i].id!r} can never fire: its condition is contradictory",
                       describe(rules[i].when), "fix the condition")
    if analysis.uncovered and rs.decision.default is None:
        example = ", ".join(f"{k}={v}" for k, v in (analysis.uncovered_example or {}).items())
        count = f"{analysis.uncovered} verdict combination{'s' if analysis.uncovered > 1 else ''}"
        report.add(("decision",), f"the rules leave {count} undecided, e.g. {example}",
                   None, "add `default: <label>` or a rule for them")
