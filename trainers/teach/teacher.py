"""The teacher model: an OpenAI-compatible server (through the judge's HTTP client) or a local model folder.

    >>> teacher = Teacher.open("http://127.0.0.1:8000/v1", model="Qwen/Qwen3-8B", api_key_env="OPENAI_API_KEY")
    >>> teacher = Teacher.open("models/teacher")                 # transformers generation in this process
    >>> answers = await teacher.sample(messages, n=4)            # [(text, from_cache) | Failure], one per sample

The HTTP backend is `verifiers.judge.OpenAIBackend` (deadline per attempt, retries with backoff on connection
errors, 429 and 5xx, concurrency limit, token counts from `usage`); timeouts are retried too here. On top of its
retries, a sample that still gets no answer (a Failure: timeout, HTTP error, a non-JSON reply) is asked again for
`rounds` rounds, and every failure is counted by kind; nothing here raises for a teacher failure. Answers (never
failures) go to the SQLite cache of `verifiers.judge.cache`, keyed by the backend's settings, the prompt and the
sample's index, so a resumed run reads back the answers it already paid for. A server that cannot be reached at
all before the run starts is a `TeachError` (`check_reachable`): one clear error instead of a run of failures.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from verifiers.judge.base import Completion, Failure, Messages
from verifiers.judge.cache import JudgeCache

logger = logging.getLogger(__name__)


class TeachError(Exception):
    """Bad input of a teach run (arguments, files, an unreachable teacher): one message with the fix."""


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def check_reachable(base_url: str, timeout: float) -> list[str]:
    """The model ids the server lists at /models ([] when it lists none); TeachError when nothing answers.

    Any HTTP answer, even an error status, means a server is there; only a refused or timed-out connection fails."""
    url = base_url.rstrip("/").removesuffix("/chat/completions") + "/models"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError:
        return []
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise TeachError(f"--teacher {base_url}: no server answers ({reason}); start it (e.g. `vllm serve MODEL` or "
                         "`transformers serve MODEL_DIR --host 127.0.0.1`) or fix the URL") from None
    except ValueError:
        return []
    items = data.get("data") if isinstance(data, dict) else None
    return [str(m["id"]) for m in items or [] if isinstance(m, dict) and "id" in m]


class Teacher:
    def __init__(self, backend, cache: JudgeCache | None, rounds: int = 2):
        self.backend, self.cache, self.rounds = backend, cache, rounds
        self.failures: Counter[str] = Counter()  # kind -> count, over every try
        self.cache_hits = 0

    @classmethod
    def open(cls, spec: str, *, model: str | None = None, api_key_env: str = "OPENAI_API_KEY", timeout: float = 120.0,
             max_retries: int = 3, concurrency: int = 4, max_tokens: int = 1024, temperature: float = 0.0,
             cache: str | Path | None = None, rounds: int = 2) -> Teacher:
        if is_url(spec):
            from verifiers.judge.http import OpenAIBackend

            listed = check_reachable(spec, min(timeout, 10.0))
            if model is None and len(listed) != 1:
                raise TeachError(f"--teacher {spec}: pass --model (the server lists "
                                 f"{', '.join(listed) if listed else 'no model'})")
            backend = OpenAIBackend(spec, model or listed[0], api_key=os.environ.get(api_key_env) or None,
                                    timeout=timeout, max_retries=max_retries, concurrency=concurrency,
                                    max_tokens=max_tokens, temperature=temperature, retry_timeouts=True,
                                    logprobs=False)
        else:
            folder = Path(spec)
            if not (folder / "config.json").is_file():
                raise TeachError(f"--teacher {spec}: neither an http(s) URL of an OpenAI-compatible server nor a "
                                 "model folder (no config.json there)")
            from verifiers.judge.local import LocalBackend

            backend = LocalBackend(str(folder), max_new_tokens=max_tokens)
        return cls(backend, JudgeCache(cache) if cache else None, rounds)

    @property
    def greedy(self) -> bool:
        """True when every sample of a prompt is the same text (local generation; temperature 0)."""
        return self.backend.cache_id.startswith("local:") or '"temperature": 0.0' in self.backend.cache_id

    async def sample(self, messages: Messages, n: int) -> list[tuple[str, bool] | Failure]:
        """n answers to one prompt: (text, read from the cache) per sample, or the last Failure of that sample."""
        keys = [JudgeCache.key(self.backend.cache_id, [messages, i]) for i in range(n)]
        out: list[tuple[str, bool] | Failure | None] = [None] * n
        cached = self.cache.get_many(keys) if self.cache else {}
        for i, key in enumerate(keys):
            if key in cached:
                out[i] = (cached[key].text, True)
                self.cache_hits += 1
        for _ in range(1 + self.rounds):
            ask = [i for i, got in enumerate(out) if got is None or isinstance(got, Failure)]
            if not ask:
                break
            answers = await self.backend.acomplete_batch([messages] * len(ask))
            fresh: dict[str, Completion] = {}
            for i, answer in zip(ask, answers):
                if isinstance(answer, Failure):
                    self.failures[answer.kind] += 1
                    out[i] = answer
                else:
                    out[i] = (answer.text, False)
                    fresh[keys[i]] = Completion(answer.text, None)  # the text is all a resumed run needs
            if self.cache and fresh:
                self.cache.put_many(fresh, model=self.backend.cache_id)
        return out  # type: ignore[return-value]

    def stats(self) -> dict[str, int]:
        """Backend counters (calls, retries, timeouts, tokens) with this run's cache hits and failures by kind."""
        stats = {k: v for k, v in self.backend.counters.snapshot().items() if k != "failures"}
        stats.update(cache_hits=self.cache_hits, failed_tries=sum(self.failures.values()),
                     **{f"failed_{kind}": n for kind, n in sorted(self.failures.items())})
        return stats
