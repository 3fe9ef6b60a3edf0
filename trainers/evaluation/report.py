"""Render an evaluation report (the dict `trainers.evaluate` writes to report.json) as Markdown a person reads.

    >>> from trainers.evaluation.metrics import classification_report
    >>> rep = classification_report([4, 3], [4, None], labels=[4, 3])
    >>> print(to_markdown({"decoded": rep}).splitlines()[0])
    # Evaluation report

Rates are fractions in the report and percentages here (two decimals, like the papers); a rate that is None
("not measurable") prints as "n/a". Only rendering lives here: the numbers come from `trainers.evaluation.metrics`.

Keys read (all optional except that a classification report needs its own keys; see `to_markdown`):

- ``title``; ``decoded``, ``label_line``, ``cumpt`` (classification reports, shown side by side in the summary);
- ``decoded_truncated`` (int): decoded answers cut at max_new_tokens;
- ``cumpt.beta``, ``cumpt.calibration`` (``dev``, ``objective``, ``score``, optional ``n``), ``cumpt.label_mass``
  (mean probability on the label tokens), ``cumpt.n_unscored``;
- ``steps`` (`step_report`), ``slices`` (`slice_report`), ``pass_at_k`` (`pass_at_k_report`).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

# Classification reports shown side by side, in this order, with their column names.
SYSTEMS = (("decoded", "decoded"), ("label_line", "label line only"), ("cumpt", "cumpt"))
OBJECTIVE_NAMES = {"macro_f1": "macro-F1", "good_f1": "Good-F1"}
LOW_LABEL_MASS = 0.5


def _missing(x: Any) -> bool:
    """None, or NaN (a scorer that cannot measure a value, e.g. label mass from top-k logprobs, reports NaN)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def _pct(x: float | None) -> str:
    return "n/a" if _missing(x) else f"{100 * x:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(map(str, r)) + " |" for r in rows] + [""]


def _name(rep: Mapping, lab: Any) -> str:
    name = rep.get("label_names", {}).get(str(lab))
    return f"{lab} {name}" if name else str(lab)


def _systems(report: Mapping[str, Any]) -> dict[str, Mapping]:
    """Column name -> classification report, for the systems present; CumPT's column carries its beta."""
    systems = {}
    for key, column in SYSTEMS:
        if report.get(key):
            beta = report[key].get("beta")
            systems[column if beta is None else f"{column} (beta={beta:g})"] = report[key]
    return systems


def _summary_notes(report: Mapping[str, Any]) -> list[str]:
    """Facts that qualify the summary table: truncation, what "label line only" means, how CumPT was run."""
    notes = []
    decoded, cumpt = report.get("decoded") or {}, report.get("cumpt") or {}
    n = decoded.get("n", report.get("n"))
    if report.get("decoded_truncated") is not None:
        cut = int(report["decoded_truncated"])
        share = f" ({_pct(cut / n)}%)" if n else ""
        notes.append(f"truncated at max_new_tokens: {cut}" + (f" of {n} decoded answers{share}" if n else ""))
    if report.get("label_line"):
        notes.append("label line only: the label read from the first line of each decoded answer, "
                     "whatever the rest of the CoT says or whether it parses")
    if cumpt:
        notes += _cumpt_notes(cumpt, n)
    return [f"- {line}" for line in notes] + ([""] if notes else [])


def _cumpt_notes(cumpt: Mapping[str, Any], n: int | None) -> list[str]:
    notes = []
    beta, cal = cumpt.get("beta"), cumpt.get("calibration")
    if cal:  # "CumPT beta = B calibrated on DEV (objective, score%, n = N)", with whatever the dict holds
        value = cal.get("beta", beta)
        where = f" on {cal['dev']}" if cal.get("dev") else ""
        facts = [OBJECTIVE_NAMES.get(cal["objective"], cal["objective"])] if cal.get("objective") else []
        facts += [f"{_pct(cal['score'])}%"] if cal.get("score") is not None else []
        facts += [f"n = {cal['n']}"] if cal.get("n") is not None else []
        notes.append(f"CumPT beta{'' if value is None else f' = {value:g}'} calibrated{where}"
                     + (f" ({', '.join(facts)})" if facts else ""))
    elif beta is not None:
        notes.append(f"CumPT beta = {beta:g} given, not calibrated")
    if "label_mass" in cumpt:
        mass = cumpt["label_mass"]
        value = "n/a" if _missing(mass) else f"{_pct(mass)}%"
        line = f"CumPT label mass: {value} (mean probability on the label tokens at the label position)"
        if _missing(mass):
            line += "; not measured by this scorer"
        elif mass < LOW_LABEL_MASS:
            line += (f"; below {100 * LOW_LABEL_MASS:.0f}%: most of the probability at the label position is on "
                     "other tokens, so CumPT's renormalised distribution rests on a minority of it (check the "
                     "prompt format, the label line and the tokenizer)")
        notes.append(line)
    if "n_unscored" in cumpt:
        of = f" of {n}" if n else ""
        notes.append(f"CumPT unscored: {cumpt['n_unscored']}{of} examples (no label distribution; counted as CumPT parse failures)")
    return notes


def _classification_md(systems: dict[str, Mapping], notes: list[str]) -> list[str]:
    cols = list(systems)
    first = systems[cols[0]]
    rows = [[m, *(_pct(systems[c].get(k)) for c in cols)] for m, k in
            [("macro-F1", "macro_f1"), ("accuracy", "accuracy"), ("Good-F1", "good_f1"),
             ("tier accuracy", "tier_accuracy"), ("parse failures", "parse_failure_rate")]]
    rows += [[f"F1 {_name(first, lab)}", *(_pct(systems[c]["per_class"][str(lab)]["f1"]) for c in cols)]
             for lab in first["labels"]]
    out = ["## Summary (%)", "", *_table(["metric", *cols], rows), *notes]
    for col, rep in systems.items():
        pc = rep["per_class"]
        out += [f"## Per class: {col} (%; n = {rep['n']}, unparsed = {rep['n_unparsed']})", "", *_table(
            ["label", "precision", "recall", "F1", "support", "predicted"],
            [[_name(rep, lab), _pct(pc[str(lab)]["precision"]), _pct(pc[str(lab)]["recall"]),
              _pct(pc[str(lab)]["f1"]), pc[str(lab)]["support"], pc[str(lab)]["predicted"]] for lab in rep["labels"]])]
        cm = rep["confusion"]
        out += [f"## Confusion matrix: {col} (rows gold, columns predicted)", "", *_table(
            ["gold \\ pred", *cm["cols"]], [[_name(rep, g), *row] for g, row in zip(cm["rows"], cm["matrix"])])]
    return out


def _steps_md(st: Mapping) -> list[str]:
    rows = [["rule adherence", _pct(st["rule_adherence"]), f"{st['adherent']}/{st['n_parsed']}"],
            ["discriminative hallucination", _pct(st["hallucination_rate"]),
             f"{st['hallucinated']}/{st['n_reasoning_right']}"]]
    rows += [[f"step accuracy: {s}", _pct(r["accuracy"]), f"{r['correct']}/{r['total']}"]
             for s, r in st["per_step"].items()]
    return ["## Reasoning steps (%)", "", *_table(["metric", "value", "count"], rows)]


def to_markdown(report: Mapping[str, Any]) -> str:
    """Render an evaluation report as Markdown tables a person reads (rates as percentages).

    ``report`` is either one `classification_report` or a dict with any of:

    - ``decoded``, ``label_line`` (labels read from the first line of each decoded answer only) and ``cumpt``:
      classification reports, side by side in the summary (columns "decoded", "label line only", "cumpt
      (beta=B)"), then each one's per-class table and confusion matrix;
    - ``decoded_truncated`` (int): noted under the summary as "truncated at max_new_tokens: N of n ...";
    - in ``cumpt``: ``beta``; ``calibration`` with ``dev``, ``objective``, ``score`` (and optionally ``n``,
      ``beta``), noted as "CumPT beta = B calibrated on DEV (objective, score%)"; ``label_mass`` (mean probability
      on the label tokens), noted with a warning when below 50%; ``n_unscored``, noted whenever present;
    - ``steps`` (`step_report`), ``slices`` (`slice_report`), ``pass_at_k`` (`pass_at_k_report`), ``title``.
    """
    if "per_class" in report:
        report = {"decoded": report}
    out = [f"# {report.get('title', 'Evaluation report')}", ""]
    systems = _systems(report)
    notes = _summary_notes(report)
    if systems:
        out += _classification_md(systems, notes)
    elif notes:
        out += ["## Summary", "", *notes]
    if report.get("steps"):
        out += _steps_md(report["steps"])
    if report.get("slices"):
        out += ["## Query-type slices (%)", "", *_table(["slice", "n", "accuracy", "macro-F1", "unparsed"], [
            [t, s["n"], _pct(s["accuracy"]), _pct(s["macro_f1"]), s.get("n_unparsed", "")]
            for t, s in report["slices"].items()])]
    if report.get("pass_at_k"):
        pk = sorted(report["pass_at_k"].items(), key=lambda kv: int(kv[0]))
        out += ["## pass@k (%)", "", *_table(["k", *(k for k, _ in pk)], [["pass@k", *(_pct(v) for _, v in pk)]])]
    return "\n".join(out).rstrip() + "\n"
