"""The judge's SQLite answer cache: keys, round trips, damaged rows, pickling, several processes at once.

    python -m pytest tests/test_judge_cache.py -q
"""

from __future__ import annotations

import multiprocessing
import pickle
import sqlite3

from verifiers.judge import Completion, JudgeCache, TokenLogprob

ANSWER = Completion("[query] correct: ok", (TokenLogprob(" correct", -0.1, ((" correct", -0.1), (" incorrect", -2.4))),))


def test_key_depends_on_model_and_prompt_not_on_dict_order():
    messages = [{"role": "user", "content": "judge this"}]
    key = JudgeCache.key("judge-a", messages)
    assert key == JudgeCache.key("judge-a", [{"content": "judge this", "role": "user"}])
    assert key != JudgeCache.key("judge-b", messages)
    assert key != JudgeCache.key("judge-a", [{"role": "user", "content": "judge that"}])


def test_answers_round_trip_with_and_without_logprobs(tmp_path):
    cache = JudgeCache(tmp_path / "c.sqlite")
    bare = Completion("[query] incorrect: no", None)
    cache.put_many({"a": ANSWER, "b": bare}, model="m")
    again = JudgeCache(tmp_path / "c.sqlite")  # another instance (another process) reads the same file
    assert again.get_many(["a", "b", "missing"]) == {"a": ANSWER, "b": bare}
    assert len(again) == 2


def test_a_damaged_row_is_a_miss_and_the_cache_pickles(tmp_path, caplog):
    cache = JudgeCache(tmp_path / "c.sqlite")
    cache.put_many({"a": ANSWER}, model="m")
    with sqlite3.connect(tmp_path / "c.sqlite") as conn:
        conn.execute("UPDATE answers SET answer = '{not json' WHERE key = 'a'")
    assert cache.get_many(["a"]) == {}
    assert "unreadable entry" in caplog.text
    copy = pickle.loads(pickle.dumps(cache))
    copy.put_many({"a": ANSWER}, model="m")
    assert copy.get_many(["a"]) == {"a": ANSWER}


def _writer(path: str, worker: int, n: int) -> None:
    cache = JudgeCache(path)
    for i in range(n):  # one transaction per answer: the most lock contention a caller can cause
        cache.put_many({f"{worker}-{i}": Completion(f"answer {worker} {i}", None)}, model="m")
        cache.get_many([f"{1 - worker}-{i}"])


def test_two_processes_write_and_read_at_once(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    JudgeCache(path).put_many({"seed": ANSWER}, model="m")  # create the file (WAL) before the race
    ctx = multiprocessing.get_context("spawn")  # no inherited connection or locks
    procs = [ctx.Process(target=_writer, args=(path, w, 150)) for w in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    cache = JudgeCache(path)
    assert len(cache) == 301
    assert cache.get_many(["1-149"])["1-149"].text == "answer 1 149"
