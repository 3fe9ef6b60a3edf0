"""The offline human verifier: score each step of a completion against what people annotated for that example.

    >>> human = HumanVerifier("annotations.db", "rules/catalog/ecommerce.yaml", policy="majority")
    >>> human.score("q1-p7", completion)                      # [StepScore(step, start, end, verdict, score, ...)]
    >>> human.step_scores(completions, id=["q1-p7", ...])     # a batch, one query (the hybrid's source contract)
    >>> HybridVerifier(rules, [Source("human", human), ...])

Per parsed step: +1 when the completion's verdict is the resolved annotation, -1 when it is not, None when nobody
annotated the step (or the annotated value is not a verdict of this rule file). The conclusion step (e.g.
`verdict`) is judged by the annotated label. Source "human"; the reason names the annotator and date, the value
and, when it differs, what the completion said: "annotator ana (2026-11-20): attributes=partial, not match".
A malformed completion never raises: it gets [] and the parse error is logged (and counted in `counts`).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rewards.scoring import StepScore, completion_text
from rules import CompiledRuleSet, ParsedCoT, ParseError, compile_rules
from verifiers.human.policy import Policy, Resolution, parse_policy, resolve
from verifiers.human.store import LABEL, AnnotationStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HumanVerifierConfig:
    """Where the annotations are and how conflicts resolve (for recipes: `human: {db: ..., policy: majority}`)."""

    db: str
    rules: str
    policy: str = "latest"  # latest | majority | priority:ana,bob
    id_column: str = "id"  # the dataset column that holds the example id


@dataclass(frozen=True, slots=True)
class StepJudgement:
    """One step of a completion against its annotation: the material for scores and for judge training data."""

    step: str
    start: int
    end: int
    verdict: str  # what the completion wrote (the label's name for the conclusion step)
    expected: str | None  # the resolved annotation; None when not annotated (or not valid in this rule file)
    correct: bool | None
    resolution: Resolution | None
    reason: str


@dataclass(frozen=True, slots=True)
class Judged:
    """A completion against an example's annotations: its steps, and whether its label is the annotated one."""

    cot: ParsedCoT | None
    error: ParseError | None
    steps: tuple[StepJudgement, ...]
    label_correct: bool | None  # None when the label is not annotated

    @property
    def correct(self) -> bool | None:
        """True: label annotated and every annotated step right. False: something annotated is wrong (or the
        completion is malformed). None: the label is not annotated and nothing annotated is wrong."""
        if self.error is not None:
            return False
        if self.label_correct is False or any(j.correct is False for j in self.steps):
            return False
        return True if self.label_correct else None


class HumanVerifier:
    """Scores completions' steps against an `AnnotationStore`. Picklable (the store reopens by path)."""

    __name__ = "human_steps"

    def __init__(self, store: AnnotationStore | str | os.PathLike, rules: CompiledRuleSet | str | os.PathLike,
                 policy: str | Policy = "latest", id_column: str = "id"):
        self.store = store if isinstance(store, AnnotationStore) else AnnotationStore(store, create=False)
        self.rules = rules if isinstance(rules, CompiledRuleSet) else compile_rules(rules)
        self.policy = parse_policy(policy)
        self.id_column = id_column
        self.conclusion = self.rules.ruleset.output.conclusion_step
        # Completions: malformed, no_annotations; steps: right, wrong, unannotated, invalid (value not in the rules).
        self.counts: Counter = Counter()
        self._warned: set = set()

    @classmethod
    def from_config(cls, config: HumanVerifierConfig) -> HumanVerifier:
        return cls(config.db, config.rules, config.policy, config.id_column)

    # ------------------------------------------------------------------ the public scoring calls

    def annotations(self, ids: Sequence[str]) -> dict[str, dict[str, Resolution]]:
        """The resolved annotations of these examples (one query), per id, per field (step id or LABEL)."""
        return resolve(self.store.votes(ids), self.policy)

    def score(self, example_id: str, completion: Any) -> list[StepScore]:
        """The step scores of one completion (text, TRL messages or a ParsedCoT) of one example."""
        return self.step_scores([completion], **{self.id_column: [example_id]})[0]

    def step_scores(self, completions: Sequence[Any], id: Sequence[str] | None = None,
                    **columns: Any) -> list[list[StepScore]]:
        """Per completion, its steps' scores ([] when malformed): TRL's column-per-keyword style, as the hybrid
        calls its sources. The example ids come from the `id` column (or `id_column`); one query for the batch."""
        judged = self.judge_batch(completions, self._ids(completions, id, columns))
        return [[StepScore(j.step, j.start, j.end, j.verdict, None if j.correct is None else (1.0 if j.correct
                           else -1.0), "human", j.reason) for j in one.steps] for one in judged]

    def judge_batch(self, completions: Sequence[Any], ids: Sequence[str]) -> list[Judged]:
        if len(ids) != len(completions):
            raise ValueError(f"{len(ids)} example ids for {len(completions)} completions; give one id per completion")
        current = self.annotations(ids)
        return [self.judge(example_id, completion, current.get(example_id, {}))
                for example_id, completion in zip(ids, completions)]

    def judge(self, example_id: str, completion: Any, current: dict[str, Resolution] | None = None) -> Judged:
        """One completion against one example's resolved annotations (read from the store when not given)."""
        if current is None:
            current = self.annotations([example_id]).get(example_id, {})
        cot = self._parse(example_id, completion)
        if isinstance(cot, ParseError):
            return Judged(None, cot, (), None)
        if not current:
            self.counts["no_annotations"] += 1
        steps = tuple(self._judge_step(step, cot, current, example_id) for step in cot.steps)
        label = current.get(LABEL)
        label_id = _label_id(label.value) if label is not None else None
        label_correct = None if label_id not in self.rules.labels else label_id == cot.label
        return Judged(cot, None, steps, label_correct)

    # ------------------------------------------------------------------ internals

    def _ids(self, completions: Sequence[Any], id: Sequence[str] | None, columns: dict) -> list[str]:
        ids = id if self.id_column == "id" else columns.get(self.id_column)
        if ids is None:
            raise ValueError(f"the human verifier needs the example ids: pass the dataset column "
                             f"{self.id_column!r} (one id per completion)")
        return [str(i) for i in ids]

    def _parse(self, example_id: str, completion: Any) -> ParsedCoT | ParseError:
        if isinstance(completion, ParsedCoT):
            return completion
        text = completion_text(completion)
        parsed = self.rules.parse(text) if text is not None else ParseError(
            "not_text", f"the completion is a {type(completion).__name__}, not text or messages", 0)
        if isinstance(parsed, ParseError):
            self.counts["malformed"] += 1
            logger.info("human verifier: completion for %s is malformed, no step scores (%s: %s)",
                        example_id, parsed.code, parsed)
        return parsed

    def _judge_step(self, step: Any, cot: ParsedCoT, current: dict[str, Resolution], example_id: str) -> StepJudgement:
        is_label = step.id == self.conclusion
        found = current.get(LABEL if is_label else step.id)
        if found is None:
            self.counts["unannotated"] += 1
            why = "no human annotation for this step" if current else f"no human annotations for {example_id}"
            return StepJudgement(step.id, step.start, step.end, step.verdict, None, None, None, why)
        expected = self._expected(step.id, found, is_label)
        if expected is None:
            self.counts["invalid"] += 1
            why = f"annotation {_name(step.id, is_label)}={found.value} is not valid in rule set {self.rules.name}"
            return StepJudgement(step.id, step.start, step.end, step.verdict, None, None, found, why)
        correct = (cot.label == int(found.value)) if is_label else (step.verdict == expected)
        self.counts["right" if correct else "wrong"] += 1
        said = _name(step.id, is_label) + "=" + (self.rules.label_text(int(found.value)) if is_label else expected)
        if not correct:
            said += f", not {self.rules.label_text(cot.label) if is_label else step.verdict}"
        who = found.annotation
        extra = f"; {found.why}" if len(found.votes) > 1 else ""
        note = f" ({who.reason})" if who.reason else ""
        reason = f"annotator {who.annotator} ({who.time[:10]}{extra}): {said}{note}"
        return StepJudgement(step.id, step.start, step.end, step.verdict, expected, correct, found, reason)

    def _expected(self, step: str, found: Resolution, is_label: bool) -> str | None:
        """The annotated verdict as this rule file names it; None (warned once) when the rule file lacks it."""
        if is_label:
            label = _label_id(found.value)
            expected = self.rules.labels[label].name if label in self.rules.labels else None
        else:
            expected = found.value if found.value in self.rules.step_verdicts.get(step, ()) else None
        if expected is None and (step, found.value) not in self._warned:
            self._warned.add((step, found.value))
            logger.warning("annotation %s=%s is not valid in rule set %s (annotated with another rule file?); "
                           "such steps get no human score", step, found.value, self.rules.name)
        return expected


def _label_id(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _name(step: str, is_label: bool) -> str:
    return "label" if is_label else step
