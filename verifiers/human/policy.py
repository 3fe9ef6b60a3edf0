"""Who wins when annotators disagree: one policy per name, applied to each annotator's current value of a field.

    >>> policy = parse_policy("majority")            # or "latest", or "priority:ana,bob"
    >>> current = resolve(store.votes(["q1-p7"]), policy)
    >>> current["q1-p7"]["attributes"].value, current["q1-p7"]["attributes"].why

- latest: the most recent annotation (by its time, then insertion order).
- majority: the value most annotators give; a tie goes to the tied value annotated most recently.
- priority:a,b,...: the first listed annotator who annotated the field; annotators not listed rank after the list,
  most recent first (so a field only an unlisted annotator saw still has a value).

Votes are per annotator (their own latest value), so an annotator who edits, or a file imported twice, still
counts once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rules.errors import one_of
from verifiers.human.store import Annotation


@dataclass(frozen=True, slots=True)
class Resolution:
    """The current value of one field of one example, where it comes from, and why it won."""

    value: str
    annotation: Annotation  # the row that supplies the value (its annotator, time, reason, source)
    votes: tuple[Annotation, ...]  # every annotator's current value, oldest first
    why: str  # "latest of 2", "majority 2 of 3", "tied at 1 of 2, latest wins", "priority ana", "only annotation"


def _recency(a: Annotation) -> tuple[str, int]:
    return a.time, a.seq or 0


class Latest:
    name = "latest"

    def choose(self, votes: list[Annotation]) -> tuple[Annotation, str]:
        return max(votes, key=_recency), f"latest of {len(votes)}" if len(votes) > 1 else "only annotation"

    def __repr__(self) -> str:
        return "latest"


class Majority:
    name = "majority"

    def choose(self, votes: list[Annotation]) -> tuple[Annotation, str]:
        counts = Counter(v.value for v in votes)
        top = max(counts.values())
        tied = [v for v in votes if counts[v.value] == top]
        winner = max(tied, key=_recency)  # among the tied values, the one annotated last
        if len(votes) == 1:
            return winner, "only annotation"
        if len({v.value for v in tied}) > 1:
            return winner, f"tied at {top} of {len(votes)}, latest wins"
        return winner, f"majority {top} of {len(votes)}"

    def __repr__(self) -> str:
        return "majority"


class Priority:
    name = "priority"

    def __init__(self, order: Iterable[str]):
        self.order = [a.strip() for a in order if a.strip()]
        if not self.order:
            raise ValueError("priority needs annotators, most trusted first: write e.g. priority:ana,bob")
        self.rank = {a: i for i, a in enumerate(self.order)}

    def choose(self, votes: list[Annotation]) -> tuple[Annotation, str]:
        listed = [v for v in votes if v.annotator in self.rank]
        if listed:
            winner = min(listed, key=lambda v: self.rank[v.annotator])
            return winner, f"priority {winner.annotator}"
        return max(votes, key=_recency), "latest (no listed annotator)"

    def __repr__(self) -> str:
        return "priority:" + ",".join(self.order)


# The registry: policy name -> factory taking the text after "name:" (only priority uses it).
POLICIES = {
    "latest": lambda arg: Latest(),
    "majority": lambda arg: Majority(),
    "priority": lambda arg: Priority((arg or "").split(",")),
}
Policy = Latest | Majority | Priority


def parse_policy(text: str | Policy) -> Policy:
    """"latest", "majority" or "priority:ana,bob" to a policy; a policy passes through. ValueError names the valid."""
    if not isinstance(text, str):
        return text
    name, _, arg = text.partition(":")
    factory = POLICIES.get(name.strip())
    if factory is None:
        raise ValueError(f"unknown conflict policy {name!r}; {one_of(name, ['latest', 'majority', 'priority:A,B'])}")
    if arg and name.strip() != "priority":
        raise ValueError(f"policy {name!r} takes no annotator list (got {text!r}); write {name.strip()!r}")
    return factory(arg)


def resolve(votes: Iterable[Annotation], policy: str | Policy = "latest") -> dict[str, dict[str, Resolution]]:
    """Per example id, per field (step id or LABEL), the current value under the policy."""
    chooser = parse_policy(policy)
    grouped: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for vote in votes:
        grouped[vote.example_id, vote.field].append(vote)
    out: dict[str, dict[str, Resolution]] = defaultdict(dict)
    for (example_id, field), group in grouped.items():
        group.sort(key=_recency)
        winner, why = chooser.choose(group)
        out[example_id][field] = Resolution(winner.value, winner, tuple(group), why)
    return dict(out)
