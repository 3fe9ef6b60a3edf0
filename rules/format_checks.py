"""Load-time checks that every label and verdict can be written and read back in the rule set's CoT format.

A format can pass the type checks and still never parse: a label token `</think>` or a `label_line` holding
`<think>` makes the think markers appear twice, so even the file's own gold renderings are malformed. Two
passes: markers that collide with tokens, verdicts, questions or other markers (located at the offending field);
then, when those are clear, a render -> parse round trip over every label and every verdict of every step, which
catches the collisions no rule above names.
"""

from __future__ import annotations

from typing import Any, Protocol

from rules.cot import CoTFormat, ParseError
from rules.model import RuleSet

THINK = ("think_open", "think_close")
# The output field a parse error of the round trip points at (the field to look at first).
FIELD_OF_ERROR = {
    "missing_label": "label_line", "unknown_label": "label_line", "repeated_label": "label_line",
    "label_line_text": "label_line", "think_open": "think_open", "think_close": "think_close",
    "verdict_count": "verdict_marker", "unknown_verdict": "verdict_marker", "empty_step": "verdict_marker",
}


class Report(Protocol):
    problems: list

    def add(self, path: tuple, message: str, got: Any, fix: str) -> None: ...


def check_format(rs: RuleSet, report: Report) -> None:
    """Marker collisions always; the round trip only on an otherwise clean rule set (else it repeats them)."""
    before = len(report.problems)
    _check_collisions(rs, report)
    if len(report.problems) == before == 0:
        _check_round_trip(rs, report)


def _markers(rs: RuleSet, names: tuple[str, ...] = THINK + ("verdict_marker",)) -> dict[str, str]:
    return {name: getattr(rs.output, name) for name in names if getattr(rs.output, name).strip()}


def _inside(text: str, markers: dict[str, str]) -> tuple[str, str] | None:
    return next(((name, m) for name, m in markers.items() if m in text), None)


def _check_collisions(rs: RuleSet, report: Report) -> None:
    markers = _markers(rs)
    for i, label in enumerate(rs.scale.labels):
        hit = _inside(label.token, markers)
        if hit:
            report.add(("scale", "labels", i, "token"), f"the label token contains the marker output.{hit[0]} "
                       f"({hit[1]!r}), so no completion with this label can parse", label.token,
                       f"choose a token without {hit[1]!r}, or change output.{hit[0]}")
    for field in ("label_line", "step_header"):
        hit = _inside(getattr(rs.output, field), markers)
        if hit:
            report.add(("output", field), f"contains the marker output.{hit[0]} ({hit[1]!r}), so no completion "
                       "can parse", getattr(rs.output, field), f"remove {hit[1]!r} from it, or change output.{hit[0]}")
    verdict_marker = rs.output.verdict_marker
    for name, marker in _markers(rs, THINK).items():
        if verdict_marker and (verdict_marker in marker or marker in verdict_marker):
            report.add(("output", "verdict_marker"), f"the verdict marker and output.{name} contain one another",
                       verdict_marker, "use distinct markers, e.g. Verdict: and </think>")
            break
    for i, step in enumerate(rs.steps):
        for j, verdict in enumerate(step.verdicts):
            hit = _inside(verdict, markers)
            if hit:
                report.add(("steps", i, "verdicts", j), f"the verdict contains the marker output.{hit[0]} "
                           f"({hit[1]!r}), so it can never parse", verdict, f"rename the verdict, or change output.{hit[0]}")
        hit = _inside(step.question, markers)
        if hit:  # the question is the reasoning of CoTs rendered from gold steps (SFT targets, guides)
            report.add(("steps", i, "question"), f"the question contains the marker output.{hit[0]} ({hit[1]!r}); "
                       "CoTs rendered from gold steps use it as their reasoning", step.question,
                       f"reword the question without {hit[1]!r}")


def _check_round_trip(rs: RuleSet, report: Report) -> None:
    labels = rs.scale.labels
    fmt = CoTFormat(rs.output, list(rs.steps), {lab.token: lab.id for lab in labels},
                    {lab.id: lab.name for lab in labels})
    conclusion = rs.output.conclusion_step
    base = {s.id: s.verdicts[0] for s in rs.steps if s.id != conclusion}
    failures = [(i, _round_trip(fmt, lab.id, base)) for i, lab in enumerate(labels)]
    if all(why for _, why in failures):  # no label parses back: the markers, not one token
        field = FIELD_OF_ERROR.get(failures[0][1].partition(":")[0], "step_header")
        report.add(("output", field), f"a CoT rendered in this format does not parse back ({failures[0][1]})",
                   getattr(rs.output, field), "make label_line, step_header, the think markers and verdict_marker "
                   "distinct texts, each on one line")
        return
    for i, why in failures:
        if why:
            report.add(("scale", "labels", i, "token"), f"label {labels[i].name!r} does not parse back after "
                       f"rendering: {why}", labels[i].token, "choose a token distinct from the output markers")
    by_name = {lab.name: lab.id for lab in labels}
    for i, step in enumerate(rs.steps):
        for j, verdict in enumerate(step.verdicts):
            label = by_name.get(verdict, labels[0].id) if step.id == conclusion else labels[0].id
            why = _round_trip(fmt, label, {**base, step.id: verdict} if step.id != conclusion else base)
            if why:
                report.add(("steps", i, "verdicts", j), f"step {step.id!r} with verdict {verdict!r} does not parse "
                           f"back after rendering: {why}", verdict, "choose a verdict distinct from the output markers")


def _round_trip(fmt: CoTFormat, label: int, verdicts: dict[str, str]) -> str:
    """Why rendering `label` with `verdicts` does not parse back to the same label and verdicts ('' if it does)."""
    try:
        text = fmt.render(label, verdicts)
    except (ValueError, KeyError) as err:
        return f"it cannot be rendered ({err})"
    parsed = fmt.parse(text)
    if isinstance(parsed, ParseError):
        return f"{parsed.code}: {parsed.message}"
    want = dict(verdicts)
    if fmt.fmt.conclusion_step:
        want[fmt.fmt.conclusion_step] = fmt.label_names[label]
    if parsed.label != label or parsed.verdicts != want:
        return f"it reads back as label {parsed.label} with {parsed.verdicts}"
    return ""
