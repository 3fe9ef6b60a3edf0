"""Who annotates what: spread the candidates over annotators, with a share of them annotated twice (for agreement).

    >>> queue = AnnotationQueue(["s.jsonl:1", "s.jsonl:2", "s.jsonl:3"], double=0.5, seed=0)
    >>> queue.next_for("ana", done={"s.jsonl:1": {"bob"}})        # "s.jsonl:2": item 1 has its one annotator

Each item wants `target` annotators: 2 for a share `double` of the items (picked by a hash of the key and the
seed, so every run picks the same ones), 1 for the rest. An annotator is offered the first item, in file order,
that they have not done or skipped and that does not yet have its annotators, counting the ones done (from the
store) and the ones claimed: an item shown to an annotator is claimed for `lease_s` seconds, so two people opening
the page at once get different items. Skipped items come back after the others. Claims live in memory only; the
store is the record of what is done.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable


class AnnotationQueue:
    def __init__(self, keys: list[str], *, double: float = 0.0, seed: int = 0, lease_s: float = 1800.0,
                 clock: Callable[[], float] = time.monotonic):
        if not 0.0 <= double <= 1.0:
            raise ValueError(f"double={double}: the share of items annotated twice is between 0 and 1, e.g. 0.2")
        self.keys = list(keys)
        self.target = {k: 2 if _unit(seed, k) < double else 1 for k in self.keys}
        self.lease_s, self.clock = lease_s, clock
        self._claims: dict[str, dict[str, float]] = {}  # key -> annotator -> claim expiry
        self._skipped: dict[str, list[str]] = {}  # annotator -> keys skipped, in order
        self._lock = threading.Lock()

    def next_for(self, annotator: str, done: dict[str, set[str]]) -> str | None:
        """The item to show `annotator` now (claimed for them), or None when nothing is left for them."""
        with self._lock:
            skipped = self._skipped.get(annotator, [])
            now = self.clock()
            first = [k for k in self.keys if k not in skipped]
            for key in first + [k for k in skipped if k in self.target]:
                if annotator in done.get(key, ()):
                    continue
                if annotator in self._live(key, now) or self._wanted(key, annotator, done, now):
                    self._claims.setdefault(key, {})[annotator] = now + self.lease_s
                    return key
            return None

    def claim(self, annotator: str, key: str) -> None:
        """Hold an item an annotator opened directly (going back, a link)."""
        with self._lock:
            self._claims.setdefault(key, {})[annotator] = self.clock() + self.lease_s

    def skip(self, annotator: str, key: str) -> None:
        with self._lock:
            skipped = self._skipped.setdefault(annotator, [])
            if key in skipped:
                skipped.remove(key)
            skipped.append(key)
            self._claims.get(key, {}).pop(annotator, None)

    def release(self, annotator: str, key: str) -> None:
        """The annotator saved the item: the store now says it is done; the claim is no longer needed."""
        with self._lock:
            self._claims.get(key, {}).pop(annotator, None)
            skipped = self._skipped.get(annotator, [])
            if key in skipped:
                skipped.remove(key)

    def open_for(self, annotator: str, done: dict[str, set[str]]) -> int:
        """Items this annotator could still be given (not done by them, still wanting annotators)."""
        return sum(1 for k in self.keys if annotator not in done.get(k, ())
                   and len(done.get(k, set()) - {annotator}) < self.target[k])

    def complete(self, done: dict[str, set[str]]) -> int:
        """Items with all the annotators they want."""
        return sum(1 for k in self.keys if len(done.get(k, ())) >= self.target[k])

    def _live(self, key: str, now: float) -> set[str]:
        return {a for a, until in self._claims.get(key, {}).items() if until > now}

    def _wanted(self, key: str, annotator: str, done: dict[str, set[str]], now: float) -> bool:
        others = (set(done.get(key, ())) | self._live(key, now)) - {annotator}
        return len(others) < self.target[key]


def _unit(seed: int, key: str) -> float:
    """A number in [0, 1) fixed by the seed and the key (not Python's hash, which changes per process)."""
    digest = hashlib.sha256(f"{seed}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64
