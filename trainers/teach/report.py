"""The report of a teach run, from its ledger (so a resumed run reports every session): JSON and Markdown.

Acceptance overall, per label, per query type and per rejection reason; where each row's guide came from
(`SOURCES`); the teacher's calls, retries, timeouts, failures by kind, tokens, cache hits and time, summed over
the run's sessions.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from rules.compiler import CompiledRuleSet
from trainers.teach.verify import REJECTIONS

# The registry of guide sources of a row in OUT.
SOURCES = {
    "teacher": "an accepted teacher CoT",
    "guide": "no accepted teacher CoT; the row's own guide is kept",
    "template": "no accepted teacher CoT; the template CoT rendered from the gold steps (rule file's `explain`)",
    "none": "no accepted teacher CoT and no complete gold steps: the row has no guide (SFT skips it, counted)",
    "excluded": "no accepted teacher CoT; left out of OUT (--exclude-unaccepted)",
}


def build_report(rows: list[dict[str, Any]], sessions: list[dict[str, Any]], rules: CompiledRuleSet,
                 settings: dict[str, Any]) -> dict[str, Any]:
    def rate(part: list[dict[str, Any]]) -> dict[str, Any]:
        accepted = sum(1 for r in part if r["accepted"] > 0)
        return {"rows": len(part), "accepted": accepted, "rate": round(accepted / len(part), 4) if part else None}

    labels = {rules.label_text(lab): rate([r for r in rows if r["label"] == lab]) for lab in rules.label_ids}
    types = sorted({t for r in rows for t in r["query_type"] or ["(none)"]})
    rejections, parse_errors = Counter(), Counter()
    for r in rows:
        rejections.update(r["rejected"])
        parse_errors.update(r.get("parse_errors", {}))
    answers = sum(r["answers"] for r in rows)
    accepted_cots = sum(r["accepted"] for r in rows)
    teacher: Counter = Counter()
    for s in sessions:
        teacher.update({k: v for k, v in s["counters"].items() if isinstance(v, (int, float))})
    failures = Counter({k.removeprefix("failed_"): teacher.pop(k) for k in list(teacher)
                        if k.startswith("failed_") and k != "failed_tries"})
    return {
        "settings": settings,
        "overall": rate(rows),
        "per_label": labels,
        "per_query_type": {t: rate([r for r in rows if t in (r["query_type"] or ["(none)"])]) for t in types},
        "cots": {"answers": answers, "accepted": accepted_cots, "rejected": sum(rejections.values()),
                 "rate": round(accepted_cots / answers, 4) if answers else None,
                 "no_answer": sum(r["no_answer"] for r in rows)},
        "rejections": {reason: rejections.get(reason, 0) for reason in REJECTIONS},
        "parse_errors": dict(parse_errors.most_common()),
        "sources": {s: sum(1 for r in rows if r["source"] == s) for s in SOURCES},
        "teacher": {**{k: round(v, 2) if isinstance(v, float) else v for k, v in sorted(teacher.items())},
                    "failures_by_kind": dict(failures.most_common()), "sessions": len(sessions)},
    }


def markdown(report: dict[str, Any]) -> str:
    o, c, t = report["overall"], report["cots"], report["teacher"]
    lines = ["# Teacher CoTs", "", f"Teacher `{report['settings']['teacher']}`, rules `{report['settings']['rules']}`, "
             f"data `{report['settings']['data']}`, {report['settings']['samples']} sample(s) per row, "
             f"keep `{report['settings']['keep']}`.", "",
             f"**Rows with an accepted CoT: {o['accepted']} / {o['rows']} ({_pct(o['rate'])})**; CoTs accepted "
             f"{c['accepted']} / {c['answers']} answers ({_pct(c['rate'])}), samples without an answer {c['no_answer']}.",
             "", "| guide source | rows |", "| --- | --- |"]
    lines += [f"| {s} | {n} |" for s, n in report["sources"].items()]
    for title, key in (("label", "per_label"), ("query type", "per_query_type")):
        lines += ["", f"| {title} | rows | accepted | rate |", "| --- | --- | --- | --- |"]
        lines += [f"| {k} | {v['rows']} | {v['accepted']} | {_pct(v['rate'])} |" for k, v in report[key].items()]
    lines += ["", "| rejection reason | CoTs |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in report["rejections"].items()]
    if report["parse_errors"]:
        lines += ["", "Parse errors of malformed CoTs: " + ", ".join(f"{k} {v}" for k, v in report["parse_errors"].items())]
    fails = ", ".join(f"{k} {v}" for k, v in t["failures_by_kind"].items()) or "none"
    lines += ["", f"Teacher: {t.get('calls', 0)} calls, {t.get('retries', 0)} retries, {t.get('timeouts', 0)} "
              f"timeouts, failed tries by kind: {fails}; tokens {t.get('prompt_tokens', 0)} prompt + "
              f"{t.get('completion_tokens', 0)} completion; cache hits {t.get('cache_hits', 0)}; "
              f"{t.get('seconds', 0)} s over {t['sessions']} session(s)."]
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], json_path: Path, md_path: Path) -> None:
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"
