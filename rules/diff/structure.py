"""What changed in the text of the rules, after `extends` is resolved: labels, steps, rules, default, reward shaping,
output and prompt format.

    >>> changes = structure_changes(old.rules, new.rules)    # list[Change]; str(change) is one line
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from rules.compiler import CompiledRuleSet
from rules.decision import describe


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, moved, changed
    what: str  # `rule store_brand_substitute`, `step attributes`, `reward.components.label.weight`
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.what} {self.kind}" + (f": {self.detail}" if self.detail else "")

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "what": self.what, "detail": self.detail}


def structure_changes(old: CompiledRuleSet, new: CompiledRuleSet) -> list[Change]:
    """Every difference, in file order: scale, steps, decision rules, default, reward, output, prompt."""
    out: list[Change] = []
    out += _scalars("name", old.ruleset.name, new.ruleset.name)
    out += _by_id("label", _labels(old), _labels(new))
    out += _scalars("scale.tiers", old.tiers, new.tiers)
    out += _by_id("step", _steps(old), _steps(new))
    out += _by_id("rule", _rules(old), _rules(new))
    out += _scalars("decision.default", _label(old, old.default_label), _label(new, new.default_label))
    for section in ("reward", "output", "prompt"):
        a = _flat(getattr(old.ruleset, section).model_dump(mode="json"), section)
        b = _flat(getattr(new.ruleset, section).model_dump(mode="json"), section)
        for key in [*a, *(k for k in b if k not in a)]:
            out += _scalars(key, a.get(key), b.get(key))
    return out


def _scalars(what: str, a: Any, b: Any) -> list[Change]:
    if a == b:
        return []
    if a is None:
        return [Change("added", what, _show(b))]
    if b is None:
        return [Change("removed", what, f"was {_show(a)}")]
    return [Change("changed", what, f"{_show(a)} -> {_show(b)}")]


def _show(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _by_id(kind: str, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    """Entries keyed by id (dicts keep file order): added, removed, moved (against the others' order), changed."""
    out = []
    old_ids, new_ids = list(old), list(new)
    for i, key in enumerate(new_ids):
        if key not in old:
            after = f", before {new_ids[i + 1]}" if i + 1 < len(new_ids) else ", the last"
            out.append(Change("added", f"{kind} {key}", f"at {i + 1}{after}; " + _summary(new[key])))
    out += [Change("removed", f"{kind} {key}", f"was at {old_ids.index(key) + 1}; " + _summary(old[key]))
            for key in old_ids if key not in new]
    common_old = [k for k in old_ids if k in new]
    common_new = [k for k in new_ids if k in old]
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(None, common_old, common_new, autojunk=False).get_matching_blocks():
        kept.update(common_old[block.a:block.a + block.size])
    out += [Change("moved", f"{kind} {key}", f"position {old_ids.index(key) + 1} -> {new_ids.index(key) + 1}")
            for key in common_new if key not in kept]
    for key in common_new:
        for field, value in old[key].items():
            if new[key].get(field) != value:
                out.append(Change("changed", f"{kind} {key}", f"{field}: {_show(value)} -> {_show(new[key][field])}"))
    return out


def _summary(fields: dict[str, Any]) -> str:
    return ", ".join(f"{k} {_show(v)}" for k, v in fields.items())


def _label(rules: CompiledRuleSet, label: int | None) -> str | None:
    return None if label is None else rules.label_text(label)


def _labels(rules: CompiledRuleSet) -> dict[str, dict[str, Any]]:
    return {str(lab.id): {"name": lab.name, "token": lab.token, "description": lab.description}
            for lab in rules.ruleset.scale.labels}


def _steps(rules: CompiledRuleSet) -> dict[str, dict[str, Any]]:
    return {s.id: {"question": " ".join(s.question.split()), "verdicts": list(s.verdicts)} for s in rules.ruleset.steps}


def _rules(rules: CompiledRuleSet) -> dict[str, dict[str, Any]]:
    return {r.id: {"when": describe(r.when), "label": rules.label_text(rules.rule_labels[i]), "hard": r.hard,
                   "message": r.message}
            for i, r in enumerate(rules.rules)}


def _flat(value: Any, prefix: str) -> dict[str, Any]:
    """A nested dump as dotted keys; list items with a `type` are keyed by it (`reward.components.label.weight`)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}.{key}"))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) and "type" in v for v in value):
        out = {}
        for item in value:
            out.update(_flat({k: v for k, v in item.items() if k != "type"}, f"{prefix}.{item['type']}"))
        return out
    return {prefix: value}
