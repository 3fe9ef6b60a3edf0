"""Stale annotations: step annotations whose step question or verdict set a rule change touched.

Used by `python -m rules diff OLD NEW --annotations annotations.db`. An annotator answered the step's question as
it was and chose among its verdicts as they were; when either changes the answer may no longer hold (a verdict
split in two, a question narrowed), and when the step is gone it has nothing to score. Each annotator's current
value counts (not superseded edits); label annotations are not step annotations and are left out.

    >>> stale = stale_annotations(old, new, "annotations.db")    # StaleAnnotations; per step and annotator
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rules.compiler import CompiledRuleSet
from verifiers.human.store import LABEL, AnnotationStore


@dataclass
class StaleAnnotations:
    db: str
    annotations: int  # current step annotations in the store
    why: dict[str, str]  # step -> what changed (`question changed`, `verdicts: removed x; added y`, `step removed`)
    counts: Counter  # (step, annotator) -> stale annotations
    invalid: int  # stale ones whose verdict the new file does not have

    @property
    def stale(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict:
        return {"db": self.db, "annotations": self.annotations, "stale": self.stale, "invalid_verdicts": self.invalid,
                "steps": self.why, "by_step_and_annotator": [{"step": s, "annotator": a, "count": n}
                                                              for (s, a), n in sorted(self.counts.items())]}


def changed_steps(old: CompiledRuleSet, new: CompiledRuleSet) -> dict[str, str]:
    """Steps of the old file whose question or verdict set differs in the new one, with what changed."""
    out = {}
    for step in old.ruleset.steps:
        after = next((s for s in new.ruleset.steps if s.id == step.id), None)
        if after is None:
            out[step.id] = "step removed"
            continue
        why = []
        if " ".join(step.question.split()) != " ".join(after.question.split()):
            why.append("question changed")
        removed = [v for v in step.verdicts if v not in after.verdicts]
        added = [v for v in after.verdicts if v not in step.verdicts]
        if removed or added:
            why.append("verdicts: " + "; ".join(part for part in (
                f"removed {', '.join(removed)}" if removed else "", f"added {', '.join(added)}" if added else "")
                if part))
        if why:
            out[step.id] = ", ".join(why)
    return out


def stale_annotations(old: CompiledRuleSet, new: CompiledRuleSet, db: str | Path) -> StaleAnnotations:
    """StoreError (naming the file and the fix) when `db` is not an annotation store."""
    why = changed_steps(old, new)
    store = AnnotationStore(db, create=False)
    try:
        votes = [v for v in store.votes() if v.field != LABEL]
    finally:
        store.close()
    counts: Counter = Counter()
    invalid = 0
    for vote in votes:
        if vote.field in why:
            counts[(vote.field, vote.annotator)] += 1
            invalid += vote.value not in new.step_verdicts.get(vote.field, ())
    return StaleAnnotations(str(db), len(votes), why, counts, invalid)
