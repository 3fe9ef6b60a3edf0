"""An on-disk cache of judge answers keyed by judge model and prompt, on SQLite (safe with several processes).

    >>> cache = JudgeCache("runs/judge_cache.sqlite")
    >>> key = cache.key(backend.cache_id, messages)
    >>> cache.get_many([key])            # {key: Completion} for the keys it holds
    >>> cache.put_many({key: completion}, model=backend.cache_id)

    python -c "from verifiers.judge import JudgeCache; print(len(JudgeCache('runs/judge_cache.sqlite')))"

The key hashes the backend's `cache_id` (model name and the settings that change its answer: max tokens,
temperature, top log-probabilities), not its URL, so two servers of the same model share entries. Only answers
are stored, never failures: a timeout today says nothing about tomorrow. WAL mode lets readers and one writer
work at once; a busy timeout makes concurrent writers from other processes wait instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from verifiers.judge.base import Completion

logger = logging.getLogger(__name__)

SCHEMA = """CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, model TEXT NOT NULL, created REAL NOT NULL, answer TEXT NOT NULL)"""
CHUNK = 500  # keys per SELECT: under SQLite's bound-parameter limit on old builds (999)


class JudgeCache:
    def __init__(self, path: str | Path, busy_timeout_s: float = 60.0):
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = -1

    @staticmethod
    def key(model: str, messages: Any) -> str:
        """A stable hash of the judge model id and the prompt (canonical JSON: key order does not matter)."""
        blob = json.dumps([model, messages], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _connect(self) -> sqlite3.Connection:
        # A connection must not cross a fork: reopen in a child process (DataLoader workers, accelerate launch).
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, check_same_thread=False,
                                   isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across crashes of this process
            conn.execute(SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def get_many(self, keys: Iterable[str]) -> dict[str, Completion]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, Completion] = {}
        with self._lock:
            conn = self._connect()
            for i in range(0, len(keys), CHUNK):
                part = keys[i:i + CHUNK]
                rows = conn.execute(f"SELECT key, answer FROM answers WHERE key IN ({','.join('?' * len(part))})",
                                    part).fetchall()
                for key, answer in rows:
                    try:
                        found[key] = Completion.from_json(json.loads(answer))
                    except (ValueError, KeyError, TypeError) as err:  # a damaged row is a miss, not a crash
                        logger.warning("judge cache %s: unreadable entry %s (%s); asking the judge again",
                                       self.path, key[:12], err)
        return found

    def put_many(self, answers: dict[str, Completion], model: str) -> None:
        if not answers:
            return
        now = time.time()
        rows = [(key, model, now, json.dumps(c.to_json(), ensure_ascii=False)) for key, c in answers.items()]
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")  # take the write lock up front: no upgrade deadlock between processes
            try:
                conn.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def __len__(self) -> int:
        with self._lock:
            return self._connect().execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "busy_timeout_s": self.busy_timeout_s}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"], state["busy_timeout_s"])
