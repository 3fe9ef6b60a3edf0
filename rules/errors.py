"""Problems found in rule files, formatted as `file:line: field path: what is wrong (got X); how to fix`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    path: str
    message: str
    got: Any
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        got = f" (got {_short(self.got)})" if self.got is not None else ""
        return f"{where}:{field} {self.message}{got}; {self.fix}"


class RuleFileError(ValueError):
    """One or more problems in rule files; `str()` lists them, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def dotted(path: tuple) -> str:
    """('decision', 'rules', 3, 'when') -> 'decision.rules[3].when'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fix_for(error: dict, known_fields: set[str]) -> str:
    kind = error["type"]
    loc = error["loc"]
    key = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(key, sorted(known_fields), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"{hint}remove the key or fix its spelling (allowed keys: `python -m rules schema`)"
    if kind == "missing":
        return f"add `{key}:`"
    if kind in ("literal_error", "enum"):
        return f"use one of: {error.get('ctx', {}).get('expected', '')}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if pattern.startswith("^[a-z]"):
            return "use lower_snake_case: a letter, then letters, digits or _"
        return "write one word with no spaces"
    if kind in ("too_short", "string_too_short"):
        return "give at least one entry"
    if kind == "condition":
        return "write e.g. `{step: category, is: mismatch}`, `{all: [...]}`, `{any: [...]}` or `{not: {...}}`"
    if kind.startswith(("int", "float")):
        return "write a number"
    if kind.startswith("bool"):
        return "write true or false"
    if kind in ("list_type", "tuple_type"):
        return "write a YAML list (`- item` lines or `[a, b]`)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "write a YAML mapping (`key: value` lines)"
    if kind.startswith("string"):
        return "write a text value (quote it if YAML reads it as something else)"
    if kind == "union_tag_invalid":
        return f"use one of: {error.get('ctx', {}).get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return f"add `{error.get('ctx', {}).get('discriminator', 'type')}:`"
    return "see `python -m rules schema` for the expected shape"


def problems_from_validation(err: ValidationError, data: Any, known_fields: set[str]) -> list[Problem]:
    """Turn pydantic's errors into Problems located in the YAML source of `data`."""
    from rules.yaml_source import line_of

    problems = []
    seen = set()
    for error in err.errors():
        loc = _data_path(data, error["loc"])
        file, line = line_of(data, loc)
        got = None if error["type"] == "missing" else error.get("input")
        if isinstance(got, (dict, list)):
            got = None  # a whole mapping says nothing the line does not
        message = error["msg"][0].lower() + error["msg"][1:]
        key = (file, line, loc, message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(file, line, dotted(loc), message, got, _fix_for(error, known_fields)))
    return problems


def _data_path(data: Any, loc: tuple) -> tuple:
    """Drop the union tags pydantic puts into error locations, keeping only keys and indices of the data."""
    from rules.model import _condition_tag

    path: list = []
    node = data
    tag_skipped_at = None
    for part in loc:
        if isinstance(node, dict) and tag_skipped_at is not node:
            if part == _condition_tag(node) or (part == node.get("type") and part not in node):
                tag_skipped_at = node  # a union tag, not a key
                continue
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None  # a missing key: keep it so the message names it
        path.append(part)
    return tuple(path)
