"""Split files and their statistics: label and query-type counts, each label's mix of query kinds, and how many
examples each decision rule decides.

    python -m rules.data generate --out data/synthetic --train 600 --eval 200 --seed 0   # writes stats.json too
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rules import CompiledRuleSet
from rules.data.example import QUERY_TYPES, Example


INTENTS = QUERY_TYPES[:5]  # the query kinds (the `query` step's verdicts); the other tags are slices


def split_stats(examples: list[Example], rules: CompiledRuleSet) -> dict:
    decided = Counter(rules.decide(e.gold_steps or {}).rule_id for e in examples)
    return {
        "examples": len(examples),
        "labels": {rules.labels[k].name: sum(e.label == k for e in examples) for k in rules.label_ids},
        "query_types": {t: sum(t in e.query_type for e in examples) for t in QUERY_TYPES},
        "intents_by_label": {rules.labels[k].name: {t: sum(e.label == k and t in e.query_type for e in examples)
                                                    for t in INTENTS} for k in rules.label_ids},
        "rules": {r.id: decided.get(r.id, 0) for r in rules.rules},
        "categories": len({e.product.category[1] for e in examples if len(e.product.category) > 1}),
    }


def format_table(stats: dict[str, dict]) -> str:
    """One row per label, query type, label's query-kind mix and decision rule; one column per split."""
    splits = list(stats)
    mixes = {s: {label: "/".join(str(n) for n in kinds.values())
                 for label, kinds in stats[s]["intents_by_label"].items()} for s in splits}
    width = max(len(s) for s in [*splits, *(m for mix in mixes.values() for m in mix.values())]) + 2
    lines = [f"{'':28}" + "".join(f"{s:>{width}}" for s in splits)]
    for section in ("labels", "query_types", "intents_by_label", "rules"):
        title = f"query kinds per label ({'/'.join(INTENTS)})" if section == "intents_by_label" else section
        lines.append(f"{title}:")
        for name in stats[splits[0]][section]:
            cells = [mixes[s][name] if section == "intents_by_label" else stats[s][section][name] for s in splits]
            lines.append(f"  {name:26}" + "".join(f"{cell:>{width}}" for cell in cells))
    for total in ("examples", "categories"):
        lines.append(f"{total:28}" + "".join(f"{stats[s][total]:>{width}}" for s in splits))
    return "\n".join(lines)


def jsonl(examples: list[Example]) -> str:
    return "".join(e.model_dump_json() + "\n" for e in examples)


def write_splits(splits: dict[str, list[Example]], out: str | Path, rules: CompiledRuleSet) -> dict[str, dict]:
    """`<split>.jsonl` (one `Example.model_dump_json()` per line) and `stats.json`; returns the stats."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, examples in splits.items():
        (out / f"{name}.jsonl").write_text(jsonl(examples), encoding="utf-8")
    stats = {name: split_stats(examples, rules) for name, examples in splits.items()}
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return stats
