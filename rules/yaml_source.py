"""YAML reading that remembers where every value came from.

`yaml.safe_load` semantics (no tags that build Python objects), but mappings and lists come back as
`SourceDict` / `SourceList`, which carry the file and the line of each key or item, so an error found later
(by pydantic or by the static checks) can still say `file:line`. Duplicate keys are an error here, where
plain PyYAML would silently keep the last one; every duplicate is reported, with its full field path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml

from rules.errors import Problem, RuleFileError, dotted
from rules.source import SourceDict, SourceList, line_of, locate  # noqa: F401  (re-exported)


# Deeper than any rule file needs (a condition inside a rule is ~6 levels), and far below Python's recursion limit,
# which PyYAML's composer, pydantic and the checks would otherwise hit with a traceback.
MAX_DEPTH = 64
# Integers beyond 64 bits mean nothing in a rule file; past 4,300 digits Python refuses to even read or print them.
MAX_INT = 2**63


class ValueTooLarge(yaml.YAMLError):
    """A value the reader refuses to build (too deep, too large), at its place in the file."""

    def __init__(self, message: str, fix: str, mark: yaml.Mark | None, line: int = 0):
        super().__init__(message)
        self.message, self.fix = message, fix
        self.line = mark.line + 1 if mark is not None else line


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds SourceDict/SourceList, refuses duplicate keys, huge integers and deep nesting."""

    source_file = "<string>"
    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        # PyYAML composes nested blocks and flows by recursion; stop at MAX_DEPTH instead of at RecursionError.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ValueTooLarge(f"nested more than {MAX_DEPTH} levels deep", _DEPTH_FIX, self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node):  # type: ignore[override]
        digits = len(str(node.value).lstrip("+-").replace("_", "").removeprefix("0x").removeprefix("0o"))
        try:
            value = super().construct_yaml_int(node)
        except ValueError:  # Python's int-string limit (4,300 digits), or junk that only looks like a number
            value = None
        if value is None or abs(value) >= MAX_INT:
            raise ValueTooLarge(f"integer too large ({digits} digits)", "write a number below 2**63 (ids and "
                                "counts in a rule file are small)", node.start_mark)  # the text is not shown: 5,000 digits
        return value

    def construct_yaml_map(self, node):  # type: ignore[override]
        data = SourceDict()
        data.file, data.line, data.key_lines, data.duplicates = self.source_file, node.start_mark.line + 1, {}, []
        yield data
        # Keys written here, as opposed to pulled in by a `<<: *anchor` merge, which they may override.
        written = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        self.flatten_mapping(node)
        from_merge: set = set()
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(None, None, "a key must be a plain scalar", key_node.start_mark)
            if key in data and key not in from_merge:
                # Recorded, not raised: only the finished tree knows the key's full path (decision.rules[1].label).
                data.duplicates.append((key, key_node.start_mark.line + 1, data.key_lines[key][1]))
                continue
            if id(key_node) not in written:
                from_merge.add(key)
            else:
                from_merge.discard(key)
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
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)

_DEPTH_FIX = "flatten it: a rule file needs a few levels (rules, their conditions), not this many"


def read_yaml(path: str | Path, text: str | None = None) -> Any:
    """Parse one YAML file with positions; raise RuleFileError with file:line on any problem."""
    file = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RuleFileError([Problem(file, 0, "", "file not found", None, "check the path")]) from None
        except IsADirectoryError:
            raise RuleFileError([Problem(file, 0, "", "a directory, not a file", None,
                                         "give the rule files themselves, e.g. rules/catalog/*.yaml")]) from None
        except (OSError, UnicodeDecodeError) as err:
            raise RuleFileError([Problem(file, 0, "", f"cannot read the file: {err}", None, "save it as UTF-8 text")]) from None
    try:
        loader = _Loader(text)  # the reader already rejects control characters here
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        raise RuleFileError([Problem(file, line, "", f"invalid YAML: character #x{err.character:04x} is not allowed",
                                     None, "delete it (binary data, or a file saved in the wrong encoding?)")]) from None
    loader.source_file = file
    try:
        data = loader.get_single_data()
        _check_depth(data)
    except ValueTooLarge as err:
        raise RuleFileError([Problem(file, err.line, "", err.message, None, err.fix)]) from None
    except yaml.YAMLError as err:
        raise RuleFileError([_syntax_problem(file, text, err)]) from None
    finally:
        loader.dispose()
    duplicates = [
        Problem(file, line, dotted(path + (key,)), f"duplicate key (first at line {first})", key,
                "keep one of the two; YAML would silently use the last")
        for path, node in _mappings(data, (), set())
        for key, line, first in getattr(node, "duplicates", ())
    ]
    if duplicates:
        raise RuleFileError(sorted(duplicates, key=lambda p: p.line))
    return data


def _check_depth(data: Any) -> None:
    """Aliases can nest deeper than the text does (`b: &b [*a]`, `c: &c [*b]`, ...): measure the built tree.

    Iterative, with the deepest level each container was reached at, so shared (aliased) nodes are not re-walked
    unless reached deeper, and loops (`&a [*a]`, refused earlier by PyYAML) cannot hang it.
    """
    reached: dict[int, int] = {}
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (dict, list)) or reached.get(id(node), 0) >= depth:
            continue
        if depth > MAX_DEPTH:
            raise ValueTooLarge(f"nested more than {MAX_DEPTH} levels deep (through aliases)", _DEPTH_FIX, None,
                                getattr(node, "line", 0))
        reached[id(node)] = depth
        children = list(node.values() if isinstance(node, dict) else node)
        stack.extend((child, depth + 1) for child in reversed(children))  # popped in file order


def _mappings(node: Any, path: tuple, seen: set) -> Iterator[tuple[tuple, SourceDict]]:
    """Every SourceDict in the tree with its path; `seen` guards against YAML aliases that loop."""
    if id(node) in seen or not isinstance(node, (SourceDict, SourceList)):
        return
    seen.add(id(node))
    if isinstance(node, SourceDict):
        yield path, node
        for key, value in node.items():
            yield from _mappings(value, path + (key,), seen)
    else:
        for i, value in enumerate(node):
            yield from _mappings(value, path + (i,), seen)


# PyYAML's wording of common slips, and what usually causes them in a rule file.
_SYNTAX_FIXES = {
    "mapping values are not allowed here": "check this line's indentation, or quote a value that contains ': '",
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
    "could not find expected ':'": "write `key: value` (a colon and a space), or close the quote of a value",
    "expected <block end>, but found": "line this entry up with the keys or `- ` items above it",
    "did not find expected key": "line this entry up with the keys above it",
    "did not find expected '-' indicator": "line this `- ` item up with the items above it",
    "expected ',' or ']'": "close the `[` list that runs on to here, or separate its items with commas",
    "expected ',' or '}'": "close the `{` mapping that runs on to here, or separate its entries with commas",
    "but found another document": "a rule file is one YAML document: remove the `---` line",
    "found undefined alias": "define the anchor (`&name`) before using `*name`",
    "could not determine a constructor": "remove the `!!` tag: rule files hold plain values",
}


def _syntax_problem(file: str, text: str, err: yaml.YAMLError) -> Problem:
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None) or ""
    if problem.startswith("but "):
        problem = f"{context}, {problem}"  # `but found another document` says nothing alone
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    fix = next((f for start, f in _SYNTAX_FIXES.items() if start in problem),
               "fix the YAML syntax (indentation, quotes, colons)")
    if context.startswith("while scanning a quoted scalar") and err.context_mark is not None:
        # The scanner ran to the end of the file looking for the closing quote; the opening one is the news.
        return Problem(file, err.context_mark.line + 1, "", "invalid YAML: a quoted value is never closed", None,
                       "add the closing quote")
    opened = _runaway_quote(text, mark.index) if mark is not None else None
    if opened is not None:
        # An unclosed quote swallows text up to the next quote, and YAML only complains after that.
        return Problem(file, opened.start_mark.line + 1, "",
                       f"invalid YAML: the quote opened on this line is not closed before line "
                       f"{opened.end_mark.line + 1} ({problem})", None, "close the quote on this line")
    bracket = _open_bracket(text, mark.index) if mark is not None and problem.startswith("expected ','") else None
    if bracket is not None and bracket.start_mark.line < mark.line:
        # `{step: a, is: b` without its `}` is only noticed lines later; the opening bracket is where to look.
        char = "[" if isinstance(bracket, yaml.FlowSequenceStartToken) else "{"
        return Problem(file, bracket.start_mark.line + 1, "",
                       f"invalid YAML: the `{char}` opened on this line is not closed before line {mark.line + 1} "
                       f"({problem})", None, "close it on this line, or separate its entries with commas")
    return Problem(file, mark.line + 1 if mark is not None else 0, "", f"invalid YAML: {problem}", None, fix)


def _open_bracket(text: str, error_index: int) -> yaml.Token | None:
    """The innermost `[` or `{` still open where the error is."""
    stack: list = []
    try:
        for token in yaml.scan(text):
            if token.start_mark.index >= error_index:
                break
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
                stack.append(token)
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) and stack:
                stack.pop()
    except yaml.YAMLError:
        pass
    return stack[-1] if stack else None


def _runaway_quote(text: str, error_index: int) -> yaml.ScalarToken | None:
    """The quoted scalar just before the error, if it spans lines (almost always a missing closing quote)."""
    last = None
    try:
        for token in yaml.scan(text):
            if token.start_mark.index >= error_index:
                break
            last = token
    except yaml.YAMLError:
        pass
    if isinstance(last, yaml.ScalarToken) and last.style in ('"', "'") and last.end_mark.line > last.start_mark.line:
        return last
    return None
