"""Where each value of a rule file came from: the containers that remember it, and the lookup of a path's line.

Kept apart from the YAML reader (`rules.yaml_source`) so that `rules.errors` can locate problems without
importing the reader, which itself raises `RuleFileError`: the imports run one way, errors -> source.
"""

from __future__ import annotations

from typing import Any


class SourceDict(dict):
    """A dict with `.file`, `.line` (of the mapping) and `.key_lines` ((file, line) of each key), 1-based.

    `.duplicates` lists (key, line, first line) of keys given twice; the first value is kept.
    """

    file: str = "<string>"
    line: int = 1
    key_lines: dict
    duplicates: list  # set by the loader; dicts built elsewhere (merges) have none


class SourceList(list):
    """A list with `.file`, `.line` and `.item_lines` ((file, line) of each item), 1-based.

    `.item_indices`, set on lists merged from several files (`extends`), gives each item's index in its own file.
    """

    file: str = "<string>"
    line: int = 1
    item_lines: list
    item_indices: list | None = None


def line_of(data: Any, path: tuple) -> tuple[str, int]:
    """File and line of the deepest node along `path` that is in the data."""
    file, line, _ = locate(data, path)
    return file, line


def locate(data: Any, path: tuple) -> tuple[str, int, tuple]:
    """File and line of the deepest node along `path`, and `path` as written in that file.

    After `extends`, `decision.rules[12]` of the merged rules may be the child's `decision.rules[0]`; the
    error should name the latter, since that is what the child's author sees.
    """
    file, line = getattr(data, "file", "<string>"), getattr(data, "line", 0)
    shown = list(path)
    node = data
    for at, part in enumerate(path):
        if isinstance(node, SourceDict) and part in node:
            file, line = node.key_lines.get(part, (node.file, node.line))
        elif isinstance(node, SourceList) and isinstance(part, int) and 0 <= part < len(node):
            file, line = node.item_lines[part]
            if node.item_indices is not None:
                shown[at] = node.item_indices[part]
        else:
            break  # a missing key: its parent is the place to point at
        node = node[part]
    return file, line, tuple(shown)
