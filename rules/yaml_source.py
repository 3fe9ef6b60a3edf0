"""YAML reading that remembers where every value came from.

`yaml.safe_load` semantics (no tags that build Python objects), but mappings and lists come back as
`SourceDict` / `SourceList`, which carry the file and the line of each key or item, so an error found later
(by pydantic or by the static checks) can still say `file:line`. Duplicate keys are an error here, where
plain PyYAML would silently keep the last one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rules.errors import Problem, RuleFileError


class SourceDict(dict):
    """A dict with `.file`, `.line` (of the mapping) and `.key_lines` ((file, line) of each key), 1-based."""

    file: str = "<string>"
    line: int = 1
    key_lines: dict


class SourceList(list):
    """A list with `.file`, `.line` and `.item_lines` ((file, line) of each item), 1-based."""

    file: str = "<string>"
    line: int = 1
    item_lines: list


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds SourceDict/SourceList and refuses duplicate keys."""

    source_file = "<string>"

    def construct_yaml_map(self, node):  # type: ignore[override]
        data = SourceDict()
        data.file, data.line, data.key_lines = self.source_file, node.start_mark.line + 1, {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(None, None, "a key must be a plain scalar", key_node.start_mark)
            if key in data:
                raise _DuplicateKey(key, key_node.start_mark.line + 1, data.key_lines[key][1])
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = (self.source_file, key_node.start_mark.line + 1)

    def construct_yaml_seq(self, node):  # type: ignore[override]
        data = SourceList()
        data.file, data.line = self.source_file, node.start_mark.line + 1
        data.item_lines = [(self.source_file, child.start_mark.line + 1) for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first_line: int):
        self.key, self.line, self.first_line = key, line, first_line


def read_yaml(path: str | Path, text: str | None = None) -> Any:
    """Parse one YAML file with positions; raise RuleFileError with file:line on any problem."""
    file = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RuleFileError([Problem(file, 0, "", "file not found", None, "check the path")]) from None
        except (OSError, UnicodeDecodeError) as err:
            raise RuleFileError([Problem(file, 0, "", f"cannot read the file: {err}", None, "save it as UTF-8 text")]) from None
    loader = _Loader(text)
    loader.source_file = file
    try:
        data = loader.get_single_data()
    except _DuplicateKey as dup:
        raise RuleFileError(
            [Problem(file, dup.line, str(dup.key), f"duplicate key (first at line {dup.first_line})", dup.key,
                     "keep one of the two; YAML would silently use the last")]
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(err, "problem", None) or str(err)
        raise RuleFileError(
            [Problem(file, line, "", f"invalid YAML: {problem}", None, "fix the YAML syntax (indentation, quotes, colons)")]
        ) from None
    finally:
        loader.dispose()
    return data


def line_of(data: Any, path: tuple) -> tuple[str, int]:
    """File and line of the deepest node along `path` (keys/indices that are not in the data are skipped)."""
    file, line = getattr(data, "file", "<string>"), getattr(data, "line", 0)
    node = data
    for part in path:
        if isinstance(node, SourceDict) and part in node:
            file, line = node.key_lines.get(part, (node.file, node.line))
        elif isinstance(node, SourceList) and isinstance(part, int) and 0 <= part < len(node):
            file, line = node.item_lines[part]
        else:
            continue
        node = node[part]
    return file, line
