"""Candidate completions to annotate: a JSONL file of {"id": example id, "completion": text or chat messages}.

    >>> items = read_candidates("samples.jsonl", examples, rules)      # [Candidate(key, line, example, text, ...)]

Every candidate is parsed with the rule file: `cot` is the parsed chain of thought, or `error` says why it does not
parse (such a candidate can still be annotated at the label level). `key` names the candidate for provenance and
progress: `FILE:LINE` (the file's name and the line), the same string annotations record as their `source`.
A bad line raises `DataError` (file:line, what, the fix); nothing is returned.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rewards.scoring import completion_text
from rules import CompiledRuleSet, ParsedCoT, ParseError
from rules.data.errors import DataError, RowProblem
from rules.data.formats import TEXT, parse_json, utf8_issue
from rules.errors import one_of

KEYS = ("id", "completion")
MORE_LISTED = 10  # bad lines listed before reading stops


@dataclass(frozen=True)
class Candidate:
    key: str  # FILE:LINE, also the `source` of annotations made on it
    line: int
    example: Any  # rules.data.Example
    text: str  # the completion as text (chat messages: the assistant's content)
    cot: ParsedCoT | None
    error: ParseError | None


def read_lines(path: str | Path, examples: dict[str, Any]) -> list[tuple[int, Any, Any]]:
    """(line, example, completion) per line; DataError listing every bad line (up to MORE_LISTED) otherwise."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such candidates file")
    out, bad = [], []
    with open(path, **TEXT) as f:
        for line, text in enumerate(f, 1):
            if not text.strip():
                continue
            problem = _problem(str(path), line, text, examples)
            if isinstance(problem, RowProblem):
                bad.append(problem)
                if len(bad) > MORE_LISTED:
                    break
            else:
                out.append((line, examples[problem["id"]], problem["completion"]))
    if bad:
        raise DataError(bad, f"{len(bad)} bad line{'s' * (len(bad) > 1)} in {path}; fix them and start again")
    if not out:
        raise DataError([RowProblem(str(path), 0, "", "no candidates in the file", None,
                                    'write one {"id": ..., "completion": ...} per line')])
    return out


def _problem(file: str, line: int, text: str, examples: dict[str, Any]) -> RowProblem | dict:
    row, issue = None, utf8_issue(text)
    if issue is None:
        row, issue = parse_json(text)
    if issue is not None:
        return RowProblem(file, line, "", issue.message, issue.got, issue.fix)
    if not isinstance(row, dict):
        return RowProblem(file, line, "", "not a JSON object", type(row).__name__,
                          'write {"id": ..., "completion": ...}')
    for key in row:
        if key not in KEYS:
            return RowProblem(file, line, key, "unknown key", None, f"remove it; {one_of(key, list(KEYS))}")
    for key in KEYS:
        if key not in row:
            return RowProblem(file, line, key, "missing", None, f'add "{key}"')
    if row["id"] not in examples:
        close = difflib.get_close_matches(str(row["id"]), list(examples), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return RowProblem(file, line, "id", "no such example in --examples", row["id"],
                          f"{hint}give the id of an example of the --examples file")
    if completion_text(row["completion"]) is None:
        return RowProblem(file, line, "completion", "neither text nor chat messages",
                          type(row["completion"]).__name__, 'write the completion as a string')
    return row


def read_candidates(path: str | Path, examples: dict[str, Any], rules: CompiledRuleSet) -> list[Candidate]:
    """The file's candidates, each parsed with the rule file."""
    name = Path(path).name
    out = []
    for line, example, completion in read_lines(path, examples):
        text = completion_text(completion)
        parsed = rules.parse(text)
        cot, error = (None, parsed) if isinstance(parsed, ParseError) else (parsed, None)
        out.append(Candidate(f"{name}:{line}", line, example, text, cot, error))
    return out
