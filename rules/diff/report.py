"""The diff's report: a summary that fits one screen, then the details; as text, Markdown or JSON.

    >>> print(render(report, "text"))        # or "markdown" (a pull-request comment), "json" (for tools)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rules.diff.data_impact import SHOWN_IDS, DataImpact
from rules.diff.decisions import DecisionImpact, Transition
from rules.diff.structure import Change

SUMMARY_ITEMS = 3  # structure changes, transitions, ... named in the summary before "N more"


@dataclass
class DiffReport:
    old: str
    new: str
    structure: list[Change]
    decisions: DecisionImpact | None = None
    data: DataImpact | None = None
    cases: list | None = None  # rewards.diff.CaseFlips
    rewards: Any = None  # rewards.diff.RewardDeltas
    annotations: Any = None  # verifiers.human.diff.StaleAnnotations
    relabelled: tuple[str, int] | None = None  # (path written, rows changed)
    notes: list[str] = field(default_factory=list)  # what was not compared, and why

    def found(self, kind: str) -> bool:
        """Whether a change of this kind (`labels` or `any`) was found: what `--fail-on` gates on."""
        labels = bool((self.decisions and self.decisions.label_changes) or (self.data and self.data.changed))
        if kind == "labels":
            return labels
        return labels or bool(
            self.structure or (self.decisions and (self.decisions.changed or self.decisions.only_new
                                                   or self.decisions.only_old))
            or (self.data and self.data.stale) or any(c.broken or c.fixed for c in self.cases or [])
            or (self.rewards and self.rewards.changed) or (self.annotations and self.annotations.stale))

    def as_json(self) -> dict:
        part = (lambda x: x.as_json() if x is not None else None)
        return {"old": self.old, "new": self.new, "structure": [c.as_json() for c in self.structure],
                "decisions": part(self.decisions), "data": part(self.data),
                "cases": [c.as_json() for c in self.cases] if self.cases is not None else None,
                "rewards": part(self.rewards), "annotations": part(self.annotations),
                "relabelled": {"path": self.relabelled[0], "changed": self.relabelled[1]} if self.relabelled else None,
                "notes": self.notes}


def render(report: DiffReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.as_json(), indent=2, ensure_ascii=False)
    summary, details = summary_lines(report), detail_lines(report)
    if fmt == "markdown":
        head = f"### Rule diff: `{report.old}` -> `{report.new}`"
        body = "\n".join(f"{' ' * (len(line) - len(line.lstrip()))}- {line.strip()}" for line in summary[1:])
        return f"{head}\n\n{body}\n\n<details><summary>Details</summary>\n\n```text\n" + "\n".join(details) \
            + "\n```\n\n</details>"
    return "\n".join(summary + [""] + details)


def _more(items: list[str], limit: int = SUMMARY_ITEMS) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; {len(items) - limit} more" if len(items) > limit else "")


def summary_lines(r: DiffReport) -> list[str]:
    out = [f"rules diff {r.old} -> {r.new}"]
    out.append(f"structure: {len(r.structure)} changes: {_more([str(c).split(':')[0] for c in r.structure])}"
               if r.structure else "structure: no changes")
    d = r.decisions
    if d is not None and d.source == "grid":
        out.append(f"decisions (exact, {d.compared} verdict combinations): {d.label_changes} change label, "
                   f"{d.changed - d.label_changes} only their deciding rule")
    elif d is not None and d.source == "data":
        out.append(f"decisions: grid of {d.grid_size} combinations too large to enumerate; of the {d.compared} "
                   f"combinations in the data, {d.label_changes} change label")
    elif d is not None:
        out.append(f"decisions: grid of {d.grid_size} combinations too large to enumerate, and no --data to "
                   "compare instead")
    for t in (d.transitions[:SUMMARY_ITEMS] if d else []):
        out.append(f"  {t.head()}")
        out += [f"    {p.text} ({p.count})" if len(t.patterns) > 1 else f"    {p.text}" for p in t.patterns[:2]]
    if d and len(d.transitions) > SUMMARY_ITEMS:
        out.append(f"  {len(d.transitions) - SUMMARY_ITEMS} more kinds of change (details below)")
    for kind, items in (("allowed only by NEW", d.only_new if d else []), ("allowed only by OLD", d.only_old if d else [])):
        if items:
            out.append(f"  {sum(t.count for t in items)} combinations {kind} (a verdict added or removed)")
    if r.data is not None:
        x = r.data
        out.append(f"data: {x.changed} of {x.with_gold} examples with gold steps change gold label"
                   + (f"; {sum(len(v) for v in x.stale.values())} stale gold steps" if x.stale else "")
                   + (f"; {x.undecided} undecided" if x.undecided else ""))
        for (a, b), ids in list(x.transitions.items())[:SUMMARY_ITEMS]:
            out.append(f"  {a} -> {b}: {len(ids)} ({', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''})")
    for c in r.cases or []:
        broken = f": {', '.join(cid for cid, _ in c.broken[:SUMMARY_ITEMS])}" if c.broken else ""
        out.append(f"cases {c.path}: {len(c.broken)} of {c.cases} pass under OLD and fail under NEW{broken}; "
                   f"{len(c.fixed)} the reverse")
    if r.annotations is not None:
        a = r.annotations
        out.append(f"annotations: {a.stale} of {a.annotations} step annotations stale"
                   + (f" (steps {', '.join(sorted({s for s, _ in a.counts}))})" if a.stale else ""))
    if r.rewards is not None:
        w = r.rewards
        out.append(f"rewards: mean {w.mean_old:.3f} -> {w.mean_new:.3f} ({w.mean_new - w.mean_old:+.3f}) over "
                   f"{w.scored} completions; {w.changed} change, {w.rank_changes} change rank within their group")
    if r.relabelled:
        out.append(f"wrote {r.relabelled[0]}: {r.relabelled[1]} rows relabelled")
    out += [f"note: {n}" for n in r.notes]
    return out


def detail_lines(r: DiffReport) -> list[str]:
    out = ["== structure"] + ([f"  {c}" for c in r.structure] or ["  no changes"])
    d = r.decisions
    if d is not None:
        out.append(f"== decisions over steps {', '.join(d.steps)} ({d.grid_size} combinations in the union grid)")
        for title, items in (("changed", d.transitions), ("allowed only by NEW", d.only_new),
                             ("allowed only by OLD", d.only_old)):
            if items:
                out.append(f"  {title}:")
                out += _transition_lines(items)
        if not (d.transitions or d.only_new or d.only_old):
            out.append("  no combination changes label or deciding rule")
    if r.data is not None:
        out += _data_lines(r.data)
    for c in r.cases or []:
        out.append(f"== cases {c.path} ({c.cases} cases, {c.failing} failing under both)")
        for cid, diffs in c.broken:
            out.append(f"  pass -> FAIL {cid}: {'; '.join(diffs)}")
        out += [f"  FAIL -> pass {cid}" for cid in c.fixed]
    if r.annotations is not None:
        a = r.annotations
        out.append(f"== annotations {a.db} ({a.annotations} current step annotations, {a.invalid} with a verdict "
                   "NEW no longer has)")
        out += [f"  step {s}: {why}" for s, why in a.why.items()]
        out += [f"  {s} by {who}: {n} stale" for (s, who), n in sorted(a.counts.items())]
    if r.rewards is not None:
        w = r.rewards
        out.append(f"== rewards {', '.join(w.files)} ({w.completions} completions, {w.groups} groups)")
        out += [f"  {m.where} group {m.group}: {_num(m.old)} -> {_num(m.new)} ({m.delta:+.3f}) {m.why}"
                for m in w.largest]
    return out


def _num(value: float | None) -> str:
    return "None" if value is None else f"{value:.3f}"


def _transition_lines(items: list[Transition]) -> list[str]:
    out = []
    for t in items:
        out.append(f"    {t.head()}")
        out += [f"      {p.text} ({p.count})" for p in t.patterns]
        if t.undescribed:
            out.append(f"      and {t.undescribed} more combinations in other patterns")
    return out


def _data_lines(x: DataImpact) -> list[str]:
    head = (f"== data {', '.join(x.files)} ({x.examples} examples, {x.with_gold} with gold steps, "
            f"{x.undecided} undecided)")
    out = [head]
    for (a, b), ids in x.transitions.items():
        more = f", ... {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
        out.append(f"  {a} -> {b}: {len(ids)} ({', '.join(ids[:SHOWN_IDS])}{more})")
    for tag, counts in sorted(x.by_query_type.items()):
        out.append(f"  query type {tag}: " + ", ".join(f"{k} {n}" for k, n in counts.most_common()))
    for key, ids in x.stale.items():
        more = f", ... {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
        out.append(f"  stale gold {key} (re-annotate): {len(ids)} ({', '.join(ids[:SHOWN_IDS])}{more})")
    return out
