"""Problems found in rule files, formatted as `file:line: field path: what is wrong (got X); how to fix`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from rules.source import locate


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


def one_of(value: Any, choices: list) -> str:
    """The fix for a value that must be one of `choices`: `did you mean 'x'? use one of: a, b, c`."""
    names = [str(c) for c in choices]
    close = difflib.get_close_matches(str(value), names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}use one of: {', '.join(names)}"


def _fix_for(error: dict, known_fields: set[str], allowed: list[str] | None) -> str:
    kind = error["type"]
    loc = error["loc"]
    key = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        # Keys allowed at this place when the model is known; else any key of the language (a weaker hint).
        close = difflib.get_close_matches(key, allowed if allowed is not None else sorted(known_fields), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        listed = f"allowed here: {', '.join(allowed)}" if allowed else "allowed keys: `python -m rules schema`"
        return f"{hint}remove the key or fix its spelling ({listed})"
    if kind == "missing":
        return f"add `{key}:`"
    if kind in ("literal_error", "enum"):
        return f"use one of: {error.get('ctx', {}).get('expected', '')}"
    if kind == "string_pattern_mismatch":
        if _is_id_pattern(error):
            return "use lower_snake_case: a letter, then letters, digits or _"
        return "write one word with no spaces"
    if kind in ("too_short", "string_too_short"):
        return "give at least one entry"
    if kind == "condition":
        return "write e.g. `{step: category, is: mismatch}`, `{all: [...]}`, `{any: [...]}` or `{not: {...}}`"
    if kind == "finite_number":
        return "write a finite number (YAML reads .inf and .nan as infinity and not-a-number)"
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
        ctx = error.get("ctx", {})
        return one_of(ctx.get("tag", ""), _tags(ctx))
    if kind == "union_tag_not_found":
        return f"add `{_discriminator(error)}:`"
    if kind == "union_members":
        return error["fix"]
    return "see `python -m rules schema` for the expected shape"


def _message_for(error: dict) -> str:
    """pydantic's message, reworded where it names internals (regexes, tags) instead of the rule language."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key missing"
    if kind == "string_pattern_mismatch":
        return "not a valid id" if _is_id_pattern(error) else "must be one word with no spaces"
    if kind == "union_tag_invalid":
        return f"unknown {_discriminator(error)}"
    msg = error["msg"]
    return msg[0].lower() + msg[1:]


def _is_id_pattern(error: dict) -> bool:
    from rules.model import ID_PATTERN

    return error.get("ctx", {}).get("pattern", "") == ID_PATTERN


def _discriminator(error: dict) -> str:
    name = str(error.get("ctx", {}).get("discriminator", "type")).strip("'")
    return "type" if name.endswith("()") else name  # a callable (gate_type()) reads the `type` key too


def _tags(ctx: dict) -> list[str]:
    return [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",") if t.strip()]


def problems_from_validation(
    err: ValidationError, data: Any, known_fields: set[str], model: type[BaseModel] | None = None
) -> list[Problem]:
    """Turn pydantic's errors into Problems located in the YAML source of `data`.

    With `model` (the validated class), `did you mean` hints only suggest keys allowed where the typo is;
    otherwise they draw on `known_fields`.
    """
    problems = []
    seen = set()
    errors = _union_members_merged(_without_typo_echoes(err.errors()), data, model)
    for error in errors:
        loc = _data_path(data, error["loc"])
        if error["type"] == "union_tag_invalid" and _discriminator(error) in _node_at(data, loc):
            loc += (_discriminator(error),)  # point at the bad `type:` value, not the whole entry
        file, line, shown = locate(data, loc)
        got = _got(error)
        message = _message_for(error)
        key = (file, line, shown, message)
        if key in seen:
            continue
        seen.add(key)
        allowed = None
        if error["type"] == "extra_forbidden" and model is not None:
            allowed = _allowed_keys(model, error["loc"][:-1])
        fix = _fix_for(error, known_fields, allowed)
        problems.append(Problem(file, line, dotted(shown), message, got, fix))
    return problems


def _got(error: dict) -> Any:
    if error["type"] == "missing":
        return None
    if error["type"] == "extra_forbidden":
        return error["loc"][-1]  # the unknown key itself; its value is beside the point
    if error["type"] == "union_tag_invalid":
        return error.get("ctx", {}).get("tag")
    got = error.get("input")
    return None if isinstance(got, (dict, list)) else got  # a whole mapping says nothing the line does not


def _without_typo_echoes(errors: list[dict]) -> list[dict]:
    """Drop `missing: decision` when the same mapping has an unknown key `decison`: one typo, one problem."""
    unknown = {(e["loc"][:-1], str(e["loc"][-1])) for e in errors if e["type"] == "extra_forbidden" and e["loc"]}
    out = []
    for error in errors:
        loc = error["loc"]
        if error["type"] == "missing" and loc:
            typos = [key for parent, key in unknown if parent == loc[:-1]]
            if difflib.get_close_matches(str(loc[-1]), typos, n=1):
                continue
        out.append(error)
    return out


# How pydantic names the members of a plain union (`label: int | str`) in error locations.
_MEMBER_NAMES = {"int", "str", "float", "bool"}


def _union_members_merged(errors: list[dict], data: Any, model: type[BaseModel] | None) -> list[dict]:
    """`label: [1]` fails as an int and as a str: one problem at `label`, not two at `label.int`, `label.str`."""
    out: list[dict] = []
    for error in errors:
        loc = error["loc"]
        member = loc[-1] if loc else None
        if member not in _MEMBER_NAMES or member in _node_at(data, loc[:-1]):
            out.append(error)
            continue
        wants = error["msg"].removeprefix("Input should be ")
        last = out[-1] if out else None
        if last is not None and last["type"] == "union_members" and last["loc"] == loc[:-1]:
            last["msg"] += f" or {wants}"
            continue
        out.append({"type": "union_members", "loc": loc[:-1], "msg": f"Input should be {wants}",
                    "input": error.get("input"), "fix": _member_fix(model, loc[:-1])})
    return out


def _member_fix(model: type[BaseModel] | None, loc: tuple) -> str:
    from rules.model import LabelRef

    if model is not None and _field_type(model, loc) == LabelRef:
        return "write a label id or name (see scale.labels)"
    return "see `python -m rules schema` for the expected shape"


def _node_at(data: Any, loc: tuple) -> Any:
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, dict) else {}


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str] | None:
    """The keys of the mapping at pydantic location `loc` under `model`, or None when the walk gets lost."""
    node = _field_type(model, loc)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [field.alias or name for name, field in node.model_fields.items()]
    return None


def _field_type(model: type[BaseModel], loc: tuple) -> Any:
    """The declared type at pydantic location `loc` under `model` (Annotated and Optional stripped), or None."""
    node: Any = model
    for part in loc:
        node = _descend(node, part)
        if node is None:
            return None
    return _strip(node)


def _descend(tp: Any, part: Any) -> Any:
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return next((f.annotation for n, f in tp.model_fields.items() if part in (n, f.alias)), None)
    origin = get_origin(tp)
    if origin is list and isinstance(part, int):
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    if origin is Union:  # a tagged union: pydantic puts the tag into the location
        return next((m for m in get_args(tp) if _tag_of(m) == part), None)
    return None


def _strip(tp: Any) -> Any:
    """Annotated[X, ...] -> X; X | None -> X (pydantic puts neither into error locations)."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        args = get_args(tp)
        if get_origin(tp) in (Union, UnionType) and type(None) in args:
            rest = tuple(a for a in args if a is not type(None))
            tp = rest[0] if len(rest) == 1 else Union[rest]  # `int | str | None` -> Union[int, str]
            continue
        return tp


def _tag_of(member: Any) -> Any:
    if get_origin(member) is Annotated:
        tag = next((m.tag for m in get_args(member)[1:] if hasattr(m, "tag")), None)
        if tag is not None:
            return tag
    member = _strip(member)
    if isinstance(member, type) and issubclass(member, BaseModel) and "type" in member.model_fields:
        return next(iter(get_args(member.model_fields["type"].annotation)), None)
    return None


def _data_path(data: Any, loc: tuple) -> tuple:
    """Drop the union tags pydantic puts into error locations, keeping only keys and indices of the data."""
    from rules.model import DEFAULT_GATE, _condition_tag

    path: list = []
    node = data
    tag_skipped_at = None
    for part in loc:
        if isinstance(node, dict) and tag_skipped_at is not node:
            if part == _condition_tag(node) or (part == node.get("type", DEFAULT_GATE) and part not in node):
                tag_skipped_at = node  # a union tag, not a key (a gate without `type:` is tagged hard_rules)
                continue
        elif not isinstance(node, (dict, list)) and part == DEFAULT_GATE and tag_skipped_at is not node:
            tag_skipped_at = node  # a gate that is not a mapping: pydantic still tags it hard_rules
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None  # a missing key: keep it so the message names it
        path.append(part)
    return tuple(path)
