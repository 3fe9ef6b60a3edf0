"""Load rule files: read YAML with positions, resolve `extends`, validate, run the static checks.

    >>> from rules import load_rules, compile_rules
    >>> ruleset = load_rules("rules/catalog/apparel.yaml")      # RuleSet, or RuleFileError listing every problem
    >>> compiled = compile_rules("rules/catalog/apparel.yaml")  # CompiledRuleSet

A file that `extends` a base inherits everything; in the child, a step or rule with an existing id replaces it
in place, a new one is appended (or inserted `before:` a given id), `decision.remove` drops base rules,
`decision.default` and `output` keys override, and `scale` / `reward` replace the base's wholesale.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from rules import model
from rules.checks import check_ruleset
from rules.compiler import CompiledRuleSet
from rules.errors import Problem, RuleFileError, one_of, problems_from_validation
from rules.yaml_source import SourceDict, SourceList, line_of, locate, read_yaml

MAX_EXTENDS_DEPTH = 16
CATALOG = Path(__file__).resolve().parent / "catalog"
_NAME = re.compile(r"[a-z][a-z0-9_]*(\.yaml)?")  # a bare name: no folder, so it cannot point anywhere else


def bundled_rule_sets() -> list[str]:
    """The names of the rule sets shipped in rules/catalog/ (what `extends:` and `--rules` accept by name)."""
    return sorted(p.stem for p in CATALOG.glob("*.yaml") if not p.name.endswith(".cases.yaml"))


def bundled(name: str) -> Path | None:
    """The catalog file of a bundled rule set named `ecommerce` (or `ecommerce.yaml`), or None."""
    if not _NAME.fullmatch(name) or name.endswith(".cases.yaml") or name.removesuffix(".yaml") not in bundled_rule_sets():
        return None
    return CATALOG / f"{name.removesuffix('.yaml')}.yaml"


def rules_file(path: str | Path) -> Path:
    """`path` itself when it exists, else the bundled rule set of that name, else `path` (reported as missing)."""
    found = bundled(str(path)) if not Path(path).exists() else None
    return found or Path(path)


def load_rules(path: str | Path) -> model.RuleSet:
    """Read, merge, validate and check one rule file (or bundled rule set, by name); RuleFileError lists every problem."""
    data = _read_merged(rules_file(path), ())
    try:
        ruleset = model.RuleSet.model_validate(data)
    except ValidationError as err:
        raise RuleFileError(problems_from_validation(err, data, _known_fields(), model.RuleSet)) from None
    problems = check_ruleset(ruleset, data)
    if problems:
        raise RuleFileError(problems)
    return ruleset


def compile_rules(source: str | Path | model.RuleSet) -> CompiledRuleSet:
    """A CompiledRuleSet from a rule file path or an already validated RuleSet."""
    if isinstance(source, model.RuleSet):
        return CompiledRuleSet(source)
    return CompiledRuleSet(load_rules(source), str(rules_file(source)))


def _read_merged(path: Path, chain: tuple[Path, ...]) -> SourceDict:
    """`chain`: the files that (transitively) extend this one, nearest last, as their errors name them."""
    data = read_yaml(path)
    file = str(path)
    if data is None:
        raise RuleFileError([Problem(file, 1, "", "the file is empty", None, "write a rule set (see rules/catalog/)")])
    if not isinstance(data, SourceDict):
        kind, got = ("list", None) if isinstance(data, list) else ("single value", data)
        raise RuleFileError([Problem(file, getattr(data, "line", 1), "",
                                     f"a rule file must be a YAML mapping (`key: value` lines), not a {kind}", got,
                                     "start with `name: my_rules` (see rules/catalog/)")])
    parent = data.get("extends")
    if parent is None:
        if chain:
            _extends_only_keys(data)
        return data
    _, line = line_of(data, ("extends",))
    if not isinstance(parent, str) or not parent.strip():
        raise RuleFileError([Problem(file, line, "extends", "must be a file path or a bundled rule set name", parent,
                                     "e.g. extends: ecommerce")])
    # Named as the user would write it (relative stays relative), so errors in the base read like the child's.
    base_path = Path(os.path.normpath(path.parent / parent))
    if not base_path.is_file() and bundled(parent.strip()) is not None:
        # A bundled name, as `--rules` takes: installed (non-editable) shelfwise has its catalog in site-packages.
        # A file of that name beside the child wins (checked first), so existing relative `extends` keep working.
        base_path = bundled(parent.strip())
    if base_path.resolve() in {p.resolve() for p in chain + (path,)}:
        cycle = " -> ".join(str(p) for p in chain + (path, base_path))
        raise RuleFileError([Problem(file, line, "extends", f"circular extends: {cycle}", parent,
                                     "make one of these files stand alone (no `extends`)")])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise RuleFileError([Problem(file, line, "extends", f"more than {MAX_EXTENDS_DEPTH} levels of extends", parent,
                                     "extend a file closer to the root")])
    if not base_path.is_file():
        names = bundled_rule_sets()
        close = difflib.get_close_matches(parent.strip().removesuffix(".yaml"), names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise RuleFileError([Problem(file, line, "extends", f"no such file {base_path}, nor a bundled rule set", parent,
                                     f"{hint}give a path relative to this file, or a bundled rule set: "
                                     f"{', '.join(names)}")])
    base = _read_merged(base_path, chain + (path,))
    return _merge(base, data)


def _extends_only_keys(base: SourceDict) -> None:
    """`before:` and `decision.remove` in a base file mean nothing there, and the merge would drop them silently.

    checks.py reports them for the file being loaded; this, for the files it extends.
    """
    problems = []
    remove = base.get("decision", {}).get("remove") if isinstance(base.get("decision"), dict) else None
    if remove:
        problems.append(_problem(base, ("decision", "remove"), "`remove` only applies in a file that extends another",
                                 remove, "delete the rules themselves, or extend a base file"))
    for section in (("steps",), ("decision", "rules")):
        items = base.get(section[0])
        if len(section) > 1:
            items = items.get(section[1]) if isinstance(items, dict) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and item.get("before") is not None:
                problems.append(_problem(base, section + (i, "before"),
                                         "`before` only applies in a file that extends another", item["before"],
                                         "remove it, or order the entries by hand"))
    if problems:
        raise RuleFileError(problems)


def _merge(base: SourceDict, child: SourceDict) -> SourceDict:
    out = _like(child)
    problems: list[Problem] = []
    for key in base:
        if key != "extends":
            _put(out, key, base[key], base.key_lines[key])
    for key in child:
        value = child[key]
        if key == "steps" and isinstance(value, list) and isinstance(base.get(key), list):
            value = _merge_by_id(base[key], value, problems, child, ("steps",))
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
    if not isinstance(remove, list):
        # `remove` never reaches validation (the merge consumes it), so its shape is checked here.
        problems.append(_problem(root, ("decision", "remove"), "must be a list of rule ids", remove,
                                 "write e.g. `remove: [brand_mismatch]`"))
    elif isinstance(rules, list):
        known = [r.get("id") for r in rules if isinstance(r, dict)]  # a list: ids may be unhashable junk
        for i, rule_id in enumerate(remove):
            if rule_id not in known:
                problems.append(_problem(root, ("decision", "remove", i), "no such rule in the base file", rule_id,
                                         one_of(rule_id, known)))
        rules = _filtered(rules, lambda r: not (isinstance(r, dict) and r.get("id") in remove))
    for key in child:
        value = child[key]
        if key == "rules" and isinstance(value, list):
            value = _merge_by_id(rules, value, problems, root, ("decision", "rules"))
        if key != "remove":
            _put(out, key, value, child.key_lines[key])
    if "rules" not in child:
        _put(out, "rules", rules, base.key_lines.get("rules", (base.file, base.line)))
    return out


def _merge_by_id(base: list, child: list, problems: list[Problem], root: SourceDict, path: tuple) -> SourceList:
    out = _filtered(base, lambda _: True)
    for i, item in enumerate(child):
        where = child.item_lines[i] if isinstance(child, SourceList) else (root.file, root.line)
        ids = [x.get("id") if isinstance(x, dict) else None for x in out]
        item_id = item.get("id") if isinstance(item, dict) else None
        before = item.get("before") if isinstance(item, dict) else None
        if item_id is not None and item_id in ids:
            _check_whole_replacement(item, out.item_lines[ids.index(item_id)], path, i, root, problems)
        if item_id is not None and item_id in ids and before is None:
            at = ids.index(item_id)
            out[at], out.item_lines[at], out.item_indices[at] = item, where, i
            continue
        if item_id is not None and item_id in ids:
            drop = ids.index(item_id)
            del out[drop], out.item_lines[drop], out.item_indices[drop]
            ids.pop(drop)
        at = len(out)
        if before is not None:
            if before not in ids:
                problems.append(_problem(root, path + (i, "before"), "no such id to insert before", before,
                                         one_of(before, ids)))
            else:
                at = ids.index(before)
        out.insert(at, item)
        out.item_lines.insert(at, where)
        out.item_indices.insert(at, i)
    return out


# What a step or rule must spell out in full when a child replaces the base one of the same id.
_REQUIRED = {"steps": ("question", "verdicts"), "rules": ("message", "when", "label")}


def _check_whole_replacement(item: dict, base_at: tuple[str, int], path: tuple, i: int, root: SourceDict,
                             problems: list[Problem]) -> None:
    """A child entry with a base id replaces that entry whole; say so when it looks like a partial edit."""
    missing = [key for key in _REQUIRED.get(path[-1], ()) if key not in item]
    if missing:
        kind = "rule" if path[-1] == "rules" else "step"
        problems.append(_problem(
            root, path + (i,), f"this {kind} replaces the base {kind} {item['id']!r} ({base_at[0]}:{base_at[1]}) "
            f"entirely, and lacks {', '.join(missing)}", item["id"],
            f"copy {', '.join(missing)} from the base {kind}, or give the new {kind} another id"))


def _filtered(items: list, keep) -> SourceList:
    out = SourceList()
    out.file, out.line = getattr(items, "file", "<string>"), getattr(items, "line", 1)
    lines = getattr(items, "item_lines", [(out.file, out.line)] * len(items))
    # Each item's index in the file it was written in, so errors name `rules[0]` of the child, not of the merge.
    indices = getattr(items, "item_indices", None) or list(range(len(items)))
    out.item_lines, out.item_indices = [], []
    for item, where, index in zip(items, lines, indices):
        if keep(item):
            out.append(item)
            out.item_lines.append(where)
            out.item_indices.append(index)
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

    file, line, shown = locate(root, path)
    return Problem(file, line, dotted(shown), message, got, fix)


@functools.cache
def _known_fields() -> set[str]:
    """Every key the rule language knows, for `did you mean` hints."""
    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            for name, field in obj.model_fields.items():
                names.add(field.alias or name)
    return names
