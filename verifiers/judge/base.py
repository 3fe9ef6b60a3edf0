"""What every judge backend returns, the counters they share, and running a coroutine from sync code.

A backend turns chat prompts into `Completion`s (the judge's answer text and, when the backend has them, per-token
log-probabilities) or `Failure`s (why no answer came: timeout, connection refused, HTTP 500 ...). Backends never
raise for a failed call: a judge outage must not stop training.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Coroutine, Protocol, TypeVar

Messages = list[dict[str, str]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TokenLogprob:
    """One generated token: its text, its log-probability, and the best alternatives at its position."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...]  # (token text, log-probability), best first; may omit the chosen token


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    tokens: tuple[TokenLogprob, ...] | None  # None: the backend gave no log-probabilities (score 0/1 instead)

    def to_json(self) -> dict[str, Any]:
        tokens = None if self.tokens is None else [[t.token, t.logprob, [list(a) for a in t.top]] for t in self.tokens]
        return {"text": self.text, "tokens": tokens}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Completion:
        raw = data.get("tokens")
        tokens = None if raw is None else tuple(
            TokenLogprob(tok, float(lp), tuple((str(a), float(b)) for a, b in top)) for tok, lp, top in raw)
        return cls(str(data["text"]), tokens)


@dataclass(frozen=True, slots=True)
class Failure:
    """No answer for this prompt. `kind` is short and stable for counting; `reason` is for people."""

    kind: str  # timeout, connection, http_429, http_500, bad_response, error
    reason: str


class Backend(Protocol):
    """A judge model behind some interface. `cache_id` names the model and every setting that changes its answer."""

    cache_id: str
    counters: Counters

    def complete_batch(self, prompts: list[Messages]) -> list[Completion | Failure]: ...

    async def acomplete_batch(self, prompts: list[Messages]) -> list[Completion | Failure]: ...


class Counters:
    """Thread-safe named integer counters (requests run on worker threads); picklable."""

    def __init__(self, *names: str):
        self._lock = threading.Lock()
        self._values = dict.fromkeys(names, 0)

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._values[name] = self._values.get(name, 0) + n

    def __getitem__(self, name: str) -> int:
        return self._values.get(name, 0)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._values)

    def __getstate__(self) -> dict[str, int]:
        return self.snapshot()

    def __setstate__(self, state: dict[str, int]) -> None:
        self._lock = threading.Lock()
        self._values = dict(state)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, also when this thread already runs an event loop.

    Inside a running loop (a notebook, TRL's async reward thread) `asyncio.run` refuses, so the coroutine gets a
    fresh loop on a short-lived worker thread instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(1, thread_name_prefix="judge-sync") as pool:
        return pool.submit(asyncio.run, coro).result()
