"""Strict parsing of the judge's answer, and P(correct) from the log-probabilities at each decision.

The answer has one line per judged step, in the prompt's order, and nothing else (blank lines aside):

    [query] correct: the query is a plain product search
    [category] incorrect: a phone case is an accessory, not a phone

    >>> parse_answer("[query] correct: plain search", ["query"])
    (JudgedStep(step='query', correct=True, reason='plain search', decision_at=8),)

Anything else (a missing, repeated or extra step, another decision word, an empty reason, a preamble) is an
`AnswerError`: the caller scores every step `None` with the error as the reason, never 0 (a judge that cannot
follow the format says nothing about the policy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from verifiers.judge.base import TokenLogprob

CORRECT, INCORRECT = "correct", "incorrect"
MAX_REASON = 300  # characters of the judge's reason kept in a StepScore


@dataclass(frozen=True, slots=True)
class JudgedStep:
    step: str
    correct: bool
    reason: str
    decision_at: int  # character offset of the decision word ("correct"/"incorrect") in the answer


@dataclass(frozen=True, slots=True)
class AnswerError:
    code: str  # short and stable, for counting: empty, extra_text, wrong_step, bad_decision, no_reason, missing_step
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def render_answer(judgements: Sequence[tuple[str, bool, str]]) -> str:
    """The answer `parse_answer` accepts, from (step id, correct, reason) in step order: SFT targets for a judge.

    >>> render_answer([("query", True, "plain search"), ("category", False, "an accessory")])
    '[query] correct: plain search\\n[category] incorrect: an accessory'
    """
    lines = []
    for step, correct, reason in judgements:
        reason = " ".join(str(reason).split())  # one line per step, whatever the annotator wrote
        if not reason:
            raise ValueError(f"step {step!r}: a judgement needs a reason (the parser rejects an empty one)")
        lines.append(f"[{step}] {CORRECT if correct else INCORRECT}: {reason}")
    return "\n".join(lines)


def parse_answer(text: str, steps: Sequence[str]) -> tuple[JudgedStep, ...] | AnswerError:
    """Every step exactly once, in order, `[id] correct|incorrect: reason`, nothing else; never raises."""
    if not isinstance(text, str) or not text.strip():
        return AnswerError("empty", "the judge answered nothing")
    found: list[JudgedStep] = []
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue  # blank lines carry nothing; everything else must be a step line
        if len(found) == len(steps):
            return AnswerError("extra_text", f"text after the last step: {_clip(line)!r}")
        indent = len(line) - len(line.lstrip())  # indentation carries nothing either; offsets stay exact
        judged = _step_line(line[indent:], start + indent, steps[len(found)])
        if isinstance(judged, AnswerError):
            return judged
        found.append(judged)
    if len(found) < len(steps):
        return AnswerError("missing_step", f"no line for step {steps[len(found)]!r} (judged {len(found)} of "
                           f"{len(steps)})")
    return tuple(found)


def _step_line(line: str, start: int, step: str) -> JudgedStep | AnswerError:
    header = f"[{step}] "
    body = line.rstrip()
    if not body.startswith(header):
        return AnswerError("wrong_step", f"expected a line starting {header!r}, got {_clip(line)!r}")
    decision, colon, reason = body[len(header):].partition(":")
    if not colon or decision not in (CORRECT, INCORRECT):
        return AnswerError("bad_decision", f"step {step!r}: expected '{CORRECT}:' or '{INCORRECT}:' after "
                           f"{header!r}, got {_clip(body[len(header):])!r}")
    if not reason.strip():
        return AnswerError("no_reason", f"step {step!r}: no reason after {decision!r}")
    return JudgedStep(step, decision == CORRECT, reason.strip()[:MAX_REASON], start + len(header))


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _side(token: str) -> str | None:
    """Which decision a token at the decision position starts: " correct", "corr", "In" ... (case-insensitive)."""
    word = token.strip().lower()
    if not word:
        return None
    for side in (CORRECT, INCORRECT):  # they differ in their first letter, so a prefix names at most one
        if side.startswith(word) or word.startswith(side):
            return side
    return None


def decision_probability(text: str, tokens: Sequence[TokenLogprob], at: int) -> tuple[float | None, str]:
    """P(correct) / (P(correct) + P(incorrect)) at the token that starts the decision word at character `at`.

    Alternatives are read from the top log-probabilities at that position (plus the chosen token). Returns
    (None, why) when the tokens do not line up with the text or the position holds no decision alternative;
    the caller then scores 0/1 from the parsed verdict.
    """
    pos = 0
    for token in tokens:
        end = pos + len(token.token)
        if pos <= at < end:
            if text[pos:end] != token.token:
                return None, "log-probability tokens do not line up with the answer text"
            if text[pos:at].strip():
                return None, f"the decision shares a token with the text before it ({token.token!r})"
            mass = {CORRECT: 0.0, INCORRECT: 0.0}
            seen = set()
            for alt, logprob in ((token.token, token.logprob), *token.top):
                side = _side(alt)
                if side is not None and alt not in seen and math.isfinite(logprob):
                    seen.add(alt)
                    mass[side] += math.exp(logprob)
            total = mass[CORRECT] + mass[INCORRECT]
            if total <= 0.0:
                return None, "no decision token among the top log-probabilities"
            return mass[CORRECT] / total, "logprobs"
        pos = end
    return None, "the log-probability tokens end before the decision"
