"""The CoT format: render a chain of thought from verdicts, and parse a completion back, strictly.

Label-first (the papers' "post-CoT" format, the default):

    Label: 3
    <think>
    [query] The shopper wants running shoes that are not leather. Verdict: negation
    [category] Running shoes against running shoes. Verdict: match
    ...
    </think>

Think-first puts the label line after `</think>`. Markers are configurable in the rule file's `output`.

Terse (`output.reasoning: terse`, for models trained from scratch) renders every step's reasoning as `-`, so a
gold CoT is the label line and one verdict line per step; the parser, rewards and step spans treat it like any
other CoT (a step's reasoning only has to be non-empty):

    Label: 3
    <think>
    [query] - Verdict: negation
    ...

Parsing is linear in the length of the completion (str.find / str.count and one pass over lines, no regex
backtracking) and strict: a label written twice, a step repeated or out of order, two verdicts in one step,
look-alike characters in a verdict or text after the end are parse errors, never partial credit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from rules.model import OutputFormat, Step


class ParsedStep(NamedTuple):
    """A tuple, not a dataclass: seven are built per completion and tuples are 20x cheaper to make."""

    id: str
    verdict: str
    start: int  # character span of the whole step (header to verdict) in the completion
    end: int
    reasoning: str


@dataclass(frozen=True, slots=True)
class ParsedCoT:
    label: int  # the label id (e.g. 3)
    label_span: tuple[int, int]
    steps: tuple[ParsedStep, ...]

    @property
    def verdicts(self) -> dict[str, str]:
        return {s.id: s.verdict for s in self.steps}


@dataclass(frozen=True, slots=True)
class ParseError:
    code: str  # short and stable, e.g. "missing_label", for counting in logs
    message: str  # precise, with what was found
    position: int  # character offset in the completion

    def __str__(self) -> str:
        return f"at char {self.position}: {self.message}"


TERSE_REASON = "-"  # the reasoning of every step of a terse CoT: non-empty, so a terse CoT parses like a full one


class CoTFormat:
    """Render and parse CoTs for one rule set's steps, labels and output format."""

    def __init__(self, fmt: OutputFormat, steps: list[Step], label_tokens: dict[str, int], label_names: dict[int, str]):
        self.fmt = fmt
        self.steps = steps
        self.step_ids = [s.id for s in steps]
        self.step_index = {s.id: i for i, s in enumerate(steps)}
        self.allowed = [frozenset(s.verdicts) for s in steps]
        self.label_tokens = label_tokens
        self.label_names = label_names
        self.token_of = {v: k for k, v in label_tokens.items()}
        self.label_prefix, _, self.label_suffix = fmt.label_line.partition("{label}")
        self.header_prefix, _, self.header_suffix = fmt.step_header.partition("{step}")
        self.conclusion = self.step_index.get(fmt.conclusion_step) if fmt.conclusion_step else None
        # Honest CoTs have one header line per step; a few continuation lines may start with the prefix too.
        self.max_headers = 4 * len(steps) + 16

    # ------------------------------------------------------------------ render

    def render(self, label: int, verdicts: dict[str, str], reasons: dict[str, str] | None = None) -> str:
        """The CoT a policy should write for these verdicts and label (used for SFT targets and guides).

        `reasons` (step id -> reasoning) default to each step's question; a terse format ignores them."""
        reasons = {} if reasons is None or self.fmt.reasoning == "terse" else reasons
        lines = [self.fmt.think_open]
        for step in self.steps:
            verdict = verdicts.get(step.id)
            if step.id == self.fmt.conclusion_step and verdict is None:
                verdict = self.label_names[label]
            if verdict not in step.verdicts:
                raise ValueError(f"step {step.id!r}: verdict {verdict!r} is not one of {step.verdicts}")
            default = TERSE_REASON if self.fmt.reasoning == "terse" else step.question
            reason = " ".join(reasons.get(step.id, default).split())
            for marker in (self.fmt.verdict_marker, self.fmt.think_close, self.fmt.think_open):
                if marker in reason:
                    raise ValueError(f"step {step.id!r}: the reasoning contains the marker {marker!r}")
            header = f"{self.header_prefix}{step.id}{self.header_suffix}"
            lines.append(f"{header} {reason} {self.fmt.verdict_marker} {verdict}")
        lines.append(self.fmt.think_close)
        label_line = f"{self.label_prefix}{self.token_of[label]}{self.label_suffix}"
        body = "\n".join(lines)
        return f"{label_line}\n{body}" if self.fmt.order == "label_first" else f"{body}\n{label_line}"

    # ------------------------------------------------------------------ parse

    def parse(self, text: str) -> ParsedCoT | ParseError:
        """Parse a completion; never raises on any string."""
        if not isinstance(text, str):
            return ParseError("not_text", f"the completion is a {type(text).__name__}, not text", 0)
        fmt = self.fmt
        if len(text) > fmt.max_chars:
            return ParseError("too_long", f"{len(text)} characters, the limit is {fmt.max_chars}", fmt.max_chars)
        for marker, code in ((fmt.think_open, "think_open"), (fmt.think_close, "think_close")):
            count = text.count(marker)
            if count != 1:
                return ParseError(code, f"{marker!r} must appear exactly once (found {count})", max(text.find(marker), 0))
        open_at, close_at = text.find(fmt.think_open), text.find(fmt.think_close)
        if close_at < open_at:
            return ParseError("think_close", f"{fmt.think_close!r} comes before {fmt.think_open!r}", close_at)
        body_start, body_end = open_at + len(fmt.think_open), close_at
        if fmt.order == "label_first":
            label = self._label_line(text, _skip_space(text, 0), open_at)
            tail = close_at + len(fmt.think_close)
            if not isinstance(label, ParseError) and text[tail:].strip():
                return ParseError("trailing_text", "text after the end of the reasoning", tail)
        else:
            if text[:open_at].strip():
                return ParseError("leading_text", f"text before {fmt.think_open!r}", 0)
            tail = close_at + len(fmt.think_close)
            label = self._label_line(text, _skip_space(text, tail), len(text))
        if isinstance(label, ParseError):
            return label
        if self.label_prefix:  # outside the reasoning only whitespace is allowed, so look inside it
            at = body_start if text.startswith(self.label_prefix, body_start) else \
                text.find("\n" + self.label_prefix, body_start, body_end) + 1
            if at > 0:
                return ParseError("repeated_label", f"a second label line {self.label_prefix!r} inside the reasoning", at)
        steps = self._steps(text, body_start, body_end)
        if isinstance(steps, ParseError):
            return steps
        if self.conclusion is not None:
            said = steps[self.conclusion].verdict
            if said != self.label_names[label[0]]:
                return ParseError(
                    "conflicting_label",
                    f"the label line says {self.token_of[label[0]]!r} ({self.label_names[label[0]]}) "
                    f"but step {self.step_ids[self.conclusion]!r} concludes {said!r}",
                    steps[self.conclusion].start,
                )
        return ParsedCoT(label[0], label[1], steps)

    def read_label(self, text: str) -> int | None:
        """The label from the label line alone (a CoT cut short still has it, label first); None if unreadable."""
        if not isinstance(text, str):
            return None
        if self.fmt.order == "label_first":
            start = _skip_space(text[: self.fmt.max_chars], 0)
        else:
            close = text.rfind(self.fmt.think_close)
            if close < 0:
                return None
            start = _skip_space(text, close + len(self.fmt.think_close))
        eol = text.find("\n", start)
        found = self._label_line(text, start, len(text) if eol < 0 else eol)
        return None if isinstance(found, ParseError) else found[0]

    def _label_line(self, text: str, start: int, stop: int) -> tuple[int, tuple[int, int]] | ParseError:
        eol = text.find("\n", start, stop)
        eol = stop if eol < 0 else eol
        line = text[start:eol].rstrip()
        if not line:
            return ParseError("missing_label", f"expected the label line {self.fmt.label_line!r}", start)
        if not (line.startswith(self.label_prefix) and line.endswith(self.label_suffix)):
            return ParseError("missing_label", f"expected the label line {self.fmt.label_line!r}, got {line[:40]!r}", start)
        token = line[len(self.label_prefix) : len(line) - len(self.label_suffix)]
        label = self.label_tokens.get(token)
        if label is None:
            return ParseError(
                "unknown_label", f"label {token[:40]!r} is not one of {sorted(self.label_tokens)}", start + len(self.label_prefix)
            )
        if text[eol:stop].strip():
            return ParseError("label_line_text", "nothing but whitespace may follow the label line here", eol)
        return label, (start, start + len(line))

    def _headers(self, text: str, start: int, end: int) -> list[tuple[int, str, int]] | ParseError:
        """(line start, step id, header end) of each line in [start, end) that begins with a step header.

        Jumps from one "\n[" to the next with str.find, so the cost grows with header-like lines, not all lines;
        their number is capped up front (str.count) so no input can make this loop long.
        """
        prefix, suffix = self.header_prefix, self.header_suffix
        needle = "\n" + prefix
        if text.count(needle, start, end) > self.max_headers:
            return ParseError("too_many_headers", f"more than {self.max_headers} lines start with {prefix!r}", start)
        found = []
        pos = start if text.startswith(prefix, start, end) else text.find(needle, start, end) + 1
        while pos > 0:
            eol = text.find("\n", pos, end)
            eol = end if eol < 0 else eol
            close = text.find(suffix, pos + len(prefix), eol) if suffix else _word_end(text, pos + len(prefix), eol)
            if close >= 0:
                step_id = text[pos + len(prefix) : close]
                if step_id in self.step_index or _looks_like_id(step_id):
                    found.append((pos, step_id, close + len(suffix)))
            pos = text.find(needle, eol, end) + 1  # 0 when there is none: start > 0 always
        return found

    def _steps(self, text: str, start: int, end: int) -> tuple[ParsedStep, ...] | ParseError:
        headers = self._headers(text, start, end)
        if isinstance(headers, ParseError):
            return headers
        first = headers[0][0] if headers else end
        if text[start:first].strip():
            return ParseError("text_before_steps", f"text before the first step {self.step_ids[0]!r}", start)
        # Every header first: a stray or misplaced header is the error to report, not the step it cut short.
        for k, (pos, step_id, _) in enumerate(headers):
            index = self.step_index.get(step_id)
            if index is None:
                return ParseError("unknown_step", f"unknown step {step_id!r}; steps are {self.step_ids}", pos)
            if index != k:
                what = "repeated" if index < k else "out of order"
                want = self.step_ids[k] if k < len(self.step_ids) else "none (all steps done)"
                return ParseError("step_order", f"step {step_id!r} is {what}; expected {want}", pos)
        found: list[ParsedStep] = []
        for k, (pos, step_id, body_at) in enumerate(headers):
            index = k
            stop = headers[k + 1][0] if k + 1 < len(headers) else end
            done = self._close_step(text, index, pos, body_at, stop)
            if isinstance(done, ParseError):
                return done
            found.append(done)
        if len(found) < len(self.steps):
            return ParseError("missing_step", f"missing step {self.step_ids[len(found)]!r}", end)
        return tuple(found)

    def _close_step(self, text: str, index: int, start: int, body_at: int, stop: int) -> ParsedStep | ParseError:
        marker = self.fmt.verdict_marker
        count = text.count(marker, body_at, stop)
        if count != 1:
            return ParseError("verdict_count", f"step {self.step_ids[index]!r} must give exactly one {marker!r} "
                              f"(found {count})", start)
        at = text.find(marker, body_at, stop)
        after = at + len(marker)
        region = text[after:stop]
        verdict = region.strip()
        if verdict not in self.allowed[index]:
            return ParseError("unknown_verdict", f"step {self.step_ids[index]!r}: verdict {verdict[:40]!r} is not one "
                              f"of {sorted(self.allowed[index])}", after)
        reasoning = text[body_at:at].strip()
        if not reasoning:
            return ParseError("empty_step", f"step {self.step_ids[index]!r} gives a verdict with no reasoning", start)
        end = after + len(region) - len(region.lstrip()) + len(verdict)
        return ParsedStep(self.step_ids[index], verdict, start, end, reasoning)


def _skip_space(text: str, pos: int) -> int:
    return len(text) - len(text[pos:].lstrip()) if pos < len(text) else pos


def _word_end(text: str, start: int, stop: int) -> int:
    """End of the word at `start` (a header with no closing suffix, like `## query`), or -1 if it is empty."""
    end = start
    while end < stop and not text[end].isspace():
        end += 1
    return end if end > start else -1


def _looks_like_id(name: str) -> bool:
    return 0 < len(name) <= 64 and (name.replace("_", "").isalnum()) and name.isascii()
