"""Load rule files: read YAML with positions, resolve `extends`, validate, run the static checks.

    >>> from rules import load_rules, compile_rules
    >>> ruleset = load_rules("rules/catalog/apparel.yaml")      # RuleSet, or RuleFileError listing every problem
    >>> compiled = compile_rules("rules/catalog/apparel.yaml")  # CompiledRuleSet

A file that `extends` a base inherits everything; in the child, a step or rule with an existing id replaces it
in place, a new one is appended (or inserted `before:` a given id), `decision.remove` drops base rules,
`decision.default` and `output` keys override, and `scale` / `reward` replace the base's wholesale.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from rules import model
from rules.checks import check_ruleset
from rules.compiler import CompiledRuleSet
from rules.errors import Problem, RuleFileError, problems_from_validation
from rules.yaml_source import SourceDict, SourceList, line_of, read_yaml

MAX_EXTENDS_DEPTH = 16


def load_rules(path: str | Path) -> model.RuleSet:
    """Read, merge, validate and check one rule file; RuleFileError lists every problem found."""
    data = _read_merged(Path(path), ())
    try:
        ruleset = model.RuleSet.model_validate(data)
    except ValidationError as err:
        raise RuleFileError(problems_from_validation(err, data, _known_fields())) from None
    problems = check_ruleset(ruleset, data)
    if problems:
        raise RuleFileError(problems)
    return ruleset


def compile_rules(source: str | Path | model.RuleSet) -> CompiledRuleSet:
    """A CompiledRuleSet from a rule file path or an already validated RuleSet."""
    if isinstance(source, model.RuleSet):
        return CompiledRuleSet(source)
    return CompiledRuleSet(load_rules(source), str(source))


def _read_merged(path: Path, chain: tuple[Path, ...]) -> SourceDict:
    data = read_yaml(path)
    file = str(path)
    if data is None:
        raise RuleFileError([Problem(file, 1, "", "the file is empty", None, "write a rule set (see rules/catalog/)")])
    if not isinstance(data, SourceDict):
        raise RuleFileError([Problem(file, getattr(data, "line", 1), "", "a rule file must be a YAML mapping",
                                     type(data).__name__, "start with `name: my_rules`")])
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        _, line = line_of(data, ("extends",))
        raise RuleFileError([Problem(file, line, "extends", "must be a file path", parent, "e.g. extends: ecommerce.yaml")])
    base_path = (path.parent / parent).resolve()
    if base_path in chain or base_path == path.resolve() or len(chain) >= MAX_EXTENDS_DEPTH:
        _, line = line_of(data, ("extends",))
        cycle = " -> ".join(str(p) for p in chain + (path.resolve(), base_path))
        raise RuleFileError([Problem(file, line, "extends", f"circular extends: {cycle}", parent,
                                     "make the base file stand alone")])
    if not base_path.is_file():
        _, line = line_of(data, ("extends",))
        raise RuleFileError([Problem(file, line, "extends", f"no such file {base_path}", parent,
                                     "give a path relative to this file")])
    base = _read_merged(base_path, chain + (path.resolve(),))
    return _merge(base, data)


def _merge(base: SourceDict, child: SourceDict) -> SourceDict:
    out = _like(child)
    problems: list[Problem] = []
    for key in base:
        if key != "extends":
            _put(out, key, base[key], base.key_lines[key])
    for key in child:
        value = child[key]
        if key == "steps" and isinstance(value, list) and isinstance(base.get(key), list):
            value = _merge_by_id(base[key], value, (), problems, child, ("steps",))
        elif key == "decision" and isinstance(value, dict) and isinstance(base.get(key), dict):
            value = _merge_decision(base[key], value, problems, child)
        elif key == "output" and isinstance(value, dict) and isinstance(base.get(key), dict):
            merged = _like(value)
            for sub in (base[key], value):
                for k in sub:
                    _put(merged, k, sub[k], sub.key_lines[k])
            value = merged
        _put(out, key, value, child.key_lines[key])
    if problems:
        raise RuleFileError(problems)
    return out


def _merge_decision(base: SourceDict, child: SourceDict, problems: list[Problem], root: SourceDict) -> SourceDict:
    out = _like(child)
    for key in base:
        if key not in ("rules", "remove"):
            _put(out, key, base[key], base.key_lines[key])
    remove = child.get("remove") or []
    rules = base.get("rules") or SourceList()
    if isinstance(remove, list) and isinstance(rules, list):
        known = {r.get("id") for r in rules if isinstance(r, dict)}
        for i, rule_id in enumerate(remove):
            if rule_id not in known:
                problems.append(_problem(root, ("decision", "remove", i), "no such rule in the base file", rule_id,
                                         f"use one of: {', '.join(str(k) for k in known)}"))
        rules = _filtered(rules, lambda r: not (isinstance(r, dict) and r.get("id") in remove))
    for key in child:
        value = child[key]
        if key == "rules" and isinstance(value, list):
            value = _merge_by_id(rules, value, (), problems, root, ("decision", "rules"))
        if key != "remove":
            _put(out, key, value, child.key_lines[key])
    if "rules" not in child:
        _put(out, "rules", rules, base.key_lines.get("rules", (base.file, base.line)))
    return out


def _merge_by_id(base: list, child: list, _unused: tuple, problems: list[Problem], root: SourceDict, path: tuple) -> SourceList:
    out = _filtered(base, lambda _: True)
    for i, item in enumerate(child):
        where = child.item_lines[i] if isinstance(child, SourceList) else (root.file, root.line)
        ids = [x.get("id") if isinstance(x, dict) else None for x in out]
        item_id = item.get("id") if isinstance(item, dict) else None
        before = item.get("before") if isinstance(item, dict) else None
        if item_id is not None and item_id in ids and before is None:
            at = ids.index(item_id)
            out[at], out.item_lines[at] = item, where
            continue
        if item_id is not None and item_id in ids:
            drop = ids.index(item_id)
            del out[drop], out.item_lines[drop]
            ids.pop(drop)
        at = len(out)
        if before is not None:
            if before not in ids:
                problems.append(_problem(root, path + (i, "before"), "no such id to insert before", before,
                                         f"use one of: {', '.join(str(x) for x in ids)}"))
            else:
                at = ids.index(before)
        out.insert(at, item)
        out.item_lines.insert(at, where)
    return out


def _filtered(items: list, keep) -> SourceList:
    out = SourceList()
    out.file, out.line = getattr(items, "file", "<string>"), getattr(items, "line", 1)
    lines = getattr(items, "item_lines", [(out.file, out.line)] * len(items))
    out.item_lines = []
    for item, where in zip(items, lines):
        if keep(item):
            out.append(item)
            out.item_lines.append(where)
    return out


def _like(source: SourceDict) -> SourceDict:
    out = SourceDict()
    out.file, out.line, out.key_lines = source.file, source.line, {}
    return out


def _put(out: SourceDict, key: Any, value: Any, where: tuple[str, int]) -> None:
    out[key] = value
    out.key_lines[key] = where


def _problem(root: SourceDict, path: tuple, message: str, got: Any, fix: str) -> Problem:
    from rules.errors import dotted

    file, line = line_of(root, path)
    return Problem(file, line, dotted(path), message, got, fix)


@functools.cache
def _known_fields() -> set[str]:
    """Every key the rule language knows, for `did you mean` hints."""
    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            for name, field in obj.model_fields.items():
                names.add(field.alias or name)
    return names
