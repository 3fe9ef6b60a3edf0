"""One candidate on the page and back: what the template shows, and the submitted form as store rows.

The store keeps verdicts, not marks: "correct" stores the model's own verdict for the step, "wrong" stores the right
verdict. For a step with two verdicts "wrong" implies the other one; for a step with more, the annotator picks it
(the page asks). The conclusion step (e.g. `verdict`) is the label, annotated in the label row. Form fields:
`mark.STEP` (correct | wrong), `verdict.STEP`, `reason.STEP`, `label` (a label id), `reason.label`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rules import CompiledRuleSet
from verifiers.human.candidates import Candidate
from verifiers.human.store import LABEL, Annotation


@dataclass
class StepRow:
    id: str
    question: str
    model: str | None  # the model's verdict; None when the completion does not parse
    reasoning: str
    verdicts: list[str]
    mark: str = ""  # "", "correct", "wrong"
    verdict: str = ""  # the annotated verdict
    reason: str = ""


@dataclass
class ItemView:
    candidate: Candidate
    steps: list[StepRow]
    labels: list[tuple[int, str]]  # (id, name), highest first
    model_label: int | None
    label: str = ""  # the annotated label id, as text
    label_reason: str = ""
    foreign: list[str] = field(default_factory=list)  # saved values this rule file does not know


def item_view(rules: CompiledRuleSet, candidate: Candidate, saved: list[Annotation]) -> ItemView:
    """The page's model of a candidate, prefilled with what this annotator saved on it before (latest per field)."""
    conclusion = rules.ruleset.output.conclusion_step
    questions = {s.id: " ".join(s.question.split()) for s in rules.ruleset.steps}
    said = {s.id: s for s in candidate.cot.steps} if candidate.cot else {}
    steps = [StepRow(step, questions.get(step, ""), said[step].verdict if step in said else None,
                     said[step].reasoning.strip() if step in said else "", list(verdicts))
             for step, verdicts in rules.step_verdicts.items() if step != conclusion]
    labels = sorted(((lab.id, lab.name) for lab in rules.ruleset.scale.labels), reverse=True)
    # An unparsed completion may still have a readable label line: show it (and let "c" take it).
    model_label = candidate.cot.label if candidate.cot else rules.read_label(candidate.text)
    view = ItemView(candidate, steps, labels, model_label)
    by_id = {s.id: s for s in steps}
    latest: dict[str, Annotation] = {}
    for row in saved:
        latest[row.field] = row  # rows come oldest first
    for name, row in latest.items():
        if name == LABEL and row.value in {str(i) for i, _ in labels}:
            view.label, view.label_reason = row.value, row.reason or ""
        elif name in by_id and row.value in by_id[name].verdicts:
            step = by_id[name]
            step.verdict, step.reason = row.value, row.reason or ""
            step.mark = "" if step.model is None else "correct" if row.value == step.model else "wrong"
        else:
            view.foreign.append(f"{'label' if name == LABEL else name}={row.value}")
    return view


def form_rows(view: ItemView, form: Mapping[str, str], annotator: str, time: str) -> tuple[list[Annotation], list[str]]:
    """The form as store rows (one per annotated step, and the label), or the problems to show; not both."""
    rows, problems = [], []
    example, source = view.candidate.example.id, view.candidate.key
    for step in view.steps:
        mark, verdict = form.get(f"mark.{step.id}", ""), form.get(f"verdict.{step.id}", "")
        reason = form.get(f"reason.{step.id}", "").strip() or None
        value, problem = _step_value(step, mark, verdict)
        if problem:
            problems.append(problem)
        elif value:
            rows.append(Annotation(example, step.id, value, annotator, time, reason, source))
    label = form.get("label", "")
    if label:
        if label not in {str(i) for i, _ in view.labels}:
            problems.append(f"label {label!r} is not a label of this rule file")
        else:
            reason = form.get("reason.label", "").strip() or None
            rows.append(Annotation(example, LABEL, label, annotator, time, reason, source))
    if not rows and not problems:
        problems.append("nothing to save: mark a step or pick the label (or skip the item with s)")
    return ([], problems) if problems else (rows, [])


def _step_value(step: StepRow, mark: str, verdict: str) -> tuple[str, str]:
    """(value to store, problem); both empty when the step is left unannotated."""
    if verdict and verdict not in step.verdicts:
        return "", f"{step.id}: {verdict!r} is not a verdict of this step (one of {', '.join(step.verdicts)})"
    if mark not in ("", "correct", "wrong"):
        return "", f"{step.id}: mark {mark!r} is neither correct nor wrong"
    if step.model is None:  # an unparsed completion: a verdict may still be given directly
        return verdict, ""
    if mark == "correct":
        return step.model, ""
    if mark == "wrong":
        others = [v for v in step.verdicts if v != step.model]
        if verdict and verdict != step.model:
            return verdict, ""
        if len(others) == 1:
            return others[0], ""
        return "", f"{step.id}: marked wrong; pick the right verdict ({', '.join(others)})"
    return verdict, ""
