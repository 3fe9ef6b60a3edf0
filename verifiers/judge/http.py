"""A judge behind an OpenAI-compatible server (`vllm serve`, `transformers serve`, ...): chat/completions over HTTP.

    vllm serve Qwen/Qwen3-8B --port 8000                              # on a GPU machine
    transformers serve models/judge --host 127.0.0.1 --port 8000      # CPU; returns no logprobs (see below)

    >>> backend = OpenAIBackend("http://127.0.0.1:8000/v1", model="Qwen/Qwen3-8B", timeout=30, concurrency=8)
    >>> backend.complete_batch([messages])            # [Completion | Failure]
    >>> await backend.acomplete_batch([messages])     # the same, from an event loop

Standard library only (urllib on worker threads): `httpx` is not among shelfwise's dependencies, and one blocking
request per worker thread is plenty for a judge whose server is the bottleneck. Every attempt has a deadline;
connection errors, HTTP 429 and 5xx are retried with exponential backoff and jitter (429 honours Retry-After up to
the backoff cap); other 4xx, malformed responses and (by default) timeouts are not retried. Nothing raises: a
prompt that gets no answer is a `Failure` with the reason. Servers that silently drop `logprobs` (transformers
serve does) give `Completion.tokens = None`; it is counted (`no_logprobs`) and warned about once.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import random
import socket
import threading
import urllib.error
import urllib.request
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from verifiers.judge.base import Completion, Counters, Failure, Messages, TokenLogprob, run_sync

logger = logging.getLogger(__name__)


class _AttemptFailed(Exception):
    def __init__(self, failure: Failure, retry: bool, wait_s: float = 0.0):
        super().__init__(failure.reason)
        self.failure, self.retry, self.wait_s = failure, retry, wait_s


class OpenAIBackend:
    """chat/completions with `logprobs: true, top_logprobs: k`, temperature 0 by default (answers are cacheable)."""

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout: float = 30.0,
                 max_retries: int = 3, backoff: float = 0.5, max_backoff: float = 8.0, concurrency: int = 8,
                 max_tokens: int = 512, temperature: float = 0.0, top_logprobs: int = 5,
                 retry_timeouts: bool = False, extra_body: dict[str, Any] | None = None, logprobs: bool = True):
        if concurrency < 1 or timeout <= 0 or max_retries < 0:
            raise ValueError(f"OpenAIBackend: concurrency ({concurrency}) must be >= 1, timeout ({timeout}) > 0 and "
                             f"max_retries ({max_retries}) >= 0")
        base = base_url.rstrip("/")
        self.url = base if base.endswith("/chat/completions") else base + "/chat/completions"
        self.model, self.api_key, self.timeout = model, api_key, float(timeout)
        self.max_retries, self.backoff, self.max_backoff = max_retries, backoff, max_backoff
        self.concurrency, self.retry_timeouts = concurrency, retry_timeouts
        # logprobs=False (text only, e.g. a teacher writing CoTs) asks for none and expects none.
        wanted = {"logprobs": True, "top_logprobs": top_logprobs} if logprobs else {}
        self.body = {"model": model, "max_tokens": max_tokens, "temperature": temperature, **wanted,
                     **(extra_body or {})}
        self.cache_id = "openai:" + json.dumps(self.body, sort_keys=True)  # not the URL: replicas share entries
        self.counters = Counters("calls", "retries", "timeouts", "failures", "no_logprobs", "prompt_tokens",
                                 "completion_tokens")
        self._init_runtime()

    def _init_runtime(self) -> None:
        # Worker threads beyond `concurrency`: a timed-out request keeps its thread until the socket gives up.
        self._pool = ThreadPoolExecutor(self.concurrency + 4, thread_name_prefix="judge-http")
        self._sems: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one semaphore per event loop
        self._warned = threading.Event()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_pool", "_sems", "_warned")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime()

    # ------------------------------------------------------------------ public

    def complete_batch(self, prompts: list[Messages]) -> list[Completion | Failure]:
        return run_sync(self.acomplete_batch(prompts))

    async def acomplete_batch(self, prompts: list[Messages]) -> list[Completion | Failure]:
        return list(await asyncio.gather(*(self.acomplete(p) for p in prompts)))

    async def acomplete(self, messages: Messages) -> Completion | Failure:
        loop = asyncio.get_running_loop()
        sem = self._sems.get(loop)
        if sem is None:
            sem = self._sems[loop] = asyncio.Semaphore(self.concurrency)
        payload = json.dumps({**self.body, "messages": messages}).encode("utf-8")
        async with sem:
            for attempt in range(self.max_retries + 1):
                self.counters.add("calls")
                try:
                    # The socket timeout bounds each read; wait_for bounds the whole attempt (a trickling server).
                    data = await asyncio.wait_for(loop.run_in_executor(self._pool, self._post, payload), self.timeout)
                    return self._completion(data)
                except (asyncio.TimeoutError, TimeoutError):
                    err = _AttemptFailed(Failure("timeout", f"timeout after {self.timeout:g} s"), self.retry_timeouts)
                except _AttemptFailed as failed:
                    err = failed
                except Exception as exc:  # anything unforeseen is this prompt's failure, never the caller's crash
                    err = _AttemptFailed(Failure("error", f"{type(exc).__name__}: {exc}"), False)
                if err.failure.kind == "timeout":
                    self.counters.add("timeouts")
                if not err.retry or attempt == self.max_retries:
                    break
                self.counters.add("retries")
                await asyncio.sleep(self._delay(attempt, err.wait_s))
        self.counters.add("failures")
        tries = f" ({attempt + 1} tries)" if attempt else ""
        failures = self.counters["failures"]
        # The first failure, then every 100th: an outage is visible in the log without flooding it.
        logger.log(logging.WARNING if failures == 1 or failures % 100 == 0 else logging.DEBUG,
                   "judge request to %s failed: %s%s (%d failed so far)", self.url, err.failure.reason, tries, failures)
        return Failure(err.failure.kind, f"{err.failure.reason}{tries} from {self.url}")

    # ------------------------------------------------------------------ one attempt (runs on a worker thread)

    def _post(self, payload: bytes) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as err:
            try:
                text = err.read()[:200].decode("utf-8", "replace").strip()
            except OSError:
                text = str(err.reason)
            retry = err.code == 429 or err.code >= 500
            wait = _retry_after(err.headers.get("Retry-After")) if err.code == 429 else 0.0
            raise _AttemptFailed(Failure(f"http_{err.code}", f"HTTP {err.code}: {text}"), retry, wait) from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise TimeoutError from None
            reason = err.reason.strerror if isinstance(err.reason, OSError) and err.reason.strerror else err.reason
            raise _AttemptFailed(Failure("connection", f"connection failed: {reason}"), True) from None
        except (TimeoutError, socket.timeout):
            raise TimeoutError from None
        except (ConnectionError, http.client.HTTPException, OSError) as err:  # reset, dropped mid-response
            raise _AttemptFailed(Failure("connection", f"connection lost: {type(err).__name__}: {err}"), True) from None
        try:
            return json.loads(body)
        except ValueError:
            raise _AttemptFailed(Failure("bad_response", f"not JSON: {body[:80]!r}"), False) from None

    def _delay(self, attempt: int, at_least: float) -> float:
        # Exponential backoff with "equal jitter": never zero, and workers that failed together spread out.
        cap = min(self.max_backoff, self.backoff * 2 ** attempt)
        return min(self.max_backoff, max(at_least, cap / 2 + random.uniform(0, cap / 2)))

    # ------------------------------------------------------------------ the response

    def _completion(self, data: Any) -> Completion:
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise _AttemptFailed(Failure("bad_response", f"no choices[0].message.content in {str(data)[:120]}"),
                                 False) from None
        if not isinstance(text, str):
            raise _AttemptFailed(Failure("bad_response", f"content is {type(text).__name__}, not text"), False)
        usage = data.get("usage") if isinstance(data, dict) else None
        if isinstance(usage, dict):  # the server's own count, when it sends one
            for name in ("prompt_tokens", "completion_tokens"):
                if isinstance(usage.get(name), int):
                    self.counters.add(name, usage[name])
        tokens = _tokens(choice.get("logprobs"))
        if tokens is None and self.body.get("logprobs"):
            self.counters.add("no_logprobs")
            if not self._warned.is_set():
                self._warned.set()
                logger.warning("judge server %s returned no logprobs for %s (transformers serve ignores them); "
                               "step scores are 0/1 from the parsed verdicts", self.url, self.model)
        return Completion(text, tokens)


def _tokens(logprobs: Any) -> tuple[TokenLogprob, ...] | None:
    """OpenAI's `choices[0].logprobs.content`: [{token, logprob, top_logprobs: [{token, logprob}]}]; None if absent."""
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not isinstance(content, list) or not content:
        return None
    try:
        return tuple(TokenLogprob(str(t["token"]), float(t["logprob"]),
                                  tuple((str(a["token"]), float(a["logprob"])) for a in t.get("top_logprobs") or ()))
                     for t in content)
    except (KeyError, TypeError, ValueError):
        logger.warning("judge server sent malformed logprobs; scoring 0/1 from the parsed verdicts")
        return None


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:  # an HTTP date: rare for 429; the exponential backoff covers it
        return 0.0
