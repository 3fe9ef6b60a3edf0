"""End to end through a REAL OpenAI-compatible server: `transformers serve` with a tiny Llama on 127.0.0.1.

    pip install "transformers[serving]"
    python -m pytest tests/test_judge_serve.py -q          # ~10 s: two servers start in parallel

No mock: the judge talks HTTP to `transformers serve`, which ignores `logprobs` (the backend must detect it) and,
with a random tiny model, never follows the answer format (every step None with the reason, counted). A second
server is SIGKILLed by PID in the middle of a batch: the rest of the batch is None with the reason, nothing
raises, the hybrid verifier falls back to the next source, and the counters say how often.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import threading

import pytest

from rewards import RuleAwareReward
from rules import compile_rules
from trainers.common.tiny_model import build_tiny_lm
from verifiers.hybrid import HybridVerifier, Source
from verifiers.judge import OpenAIBackend, StepJudge
from verifiers.judge.server import ServeProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None,
                       reason='needs `pip install "transformers[serving]"` (fastapi, uvicorn)'),
]

RULES = compile_rules("rules/catalog/ecommerce.yaml")
STEPS = [s.id for s in RULES.ruleset.steps]
ROWS = [json.loads(line) for line in open("data/synthetic/eval_balanced.jsonl", encoding="utf-8")][:12]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(alive, doomed): two servers of one tiny model, started in parallel; both stopped by PID at the end."""
    folder = tmp_path_factory.mktemp("tiny")
    model, tokenizer = build_tiny_lm(seed=1)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    procs = [ServeProcess(folder), ServeProcess(folder)]
    errors: list[BaseException] = []

    def start(proc: ServeProcess) -> None:
        try:
            proc.start()
        except BaseException as err:  # re-raised below, after both had their chance
            errors.append(err)

    threads = [threading.Thread(target=start, args=(p,)) for p in procs]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        yield procs
    finally:
        for p in procs:
            p.stop()


def judge_on(server: ServeProcess, **kw) -> StepJudge:
    options = dict(max_tokens=16, timeout=20.0, max_retries=2, backoff=0.02, max_backoff=0.1, concurrency=4)
    return StepJudge(RULES, OpenAIBackend(server.base_url, model=server.model, **{**options, **kw}))


def columns(rows: list[dict]) -> tuple[list, list, list]:
    return [r["query"] for r in rows], [r["product"] for r in rows], [r["guide"] for r in rows]


def test_judging_through_transformers_serve_end_to_end(servers, tmp_path, caplog):
    alive, _ = servers
    backend = OpenAIBackend(alive.base_url, model=alive.model, max_tokens=16, timeout=20.0, backoff=0.02)
    judge = StepJudge(RULES, backend, cache=tmp_path / "cache.sqlite")
    results = judge.score_batch(*columns(ROWS))
    assert [len(r) for r in results] == [len(STEPS)] * len(ROWS)
    for steps, row in zip(results, ROWS):
        assert all(s.score is None and s.source == "judge" for s in steps)  # never a silent 0
        assert steps[0].reason.startswith("judge answer unparseable: ")
        assert all(row["guide"][s.start:s.end].startswith(f"[{s.step}]") for s in steps)
    stats = judge.stats()
    assert stats["calls"] == len(ROWS) and stats["failures"] == 0
    assert stats["no_logprobs"] == len(ROWS) and stats["unparseable"] == len(ROWS)  # detected, counted
    assert "returned no logprobs" in caplog.text
    # The same prompts again: answered from the on-disk cache, the server is not asked.
    assert judge.score_batch(*columns(ROWS)) == results
    assert judge.stats()["calls"] == len(ROWS) and judge.stats()["cache_hits"] == len(ROWS)


def test_killing_the_server_mid_batch_gives_none_with_reasons_and_counts(servers):
    _, doomed = servers
    judge = judge_on(doomed, concurrency=1)  # one request at a time, so the kill lands mid-batch

    async def run():
        task = asyncio.ensure_future(judge.ascore_batch(*columns(ROWS)))
        while judge.backend.counters["calls"] < 3 and not task.done():
            await asyncio.sleep(0.005)
        doomed.kill()  # SIGKILL by PID
        return await task

    results = asyncio.run(run())
    reasons = [steps[0].reason for steps in results]
    answered = sum(r.startswith("judge answer unparseable") for r in reasons)
    unavailable = sum(r.startswith("judge unavailable: connection") for r in reasons)
    assert answered >= 2 and unavailable >= 1 and answered + unavailable == len(ROWS)
    assert all(s.score is None for steps in results for s in steps)
    stats = judge.stats()
    assert stats["unavailable"] == stats["failures"] == unavailable
    assert stats["retries"] == 2 * unavailable  # every failed prompt used its retries
    # The hybrid verifier takes each step from the next source while the judge is down.
    hybrid = HybridVerifier(RULES, [Source("judge", judge, probability=True), Source("facts", RuleAwareReward(RULES))])
    query, product, guides = columns(ROWS[:2])
    picked = hybrid.step_scores(guides, label=[r["label"] for r in ROWS[:2]],
                                gold_steps=[r["gold_steps"] for r in ROWS[:2]], query=query, product=product)
    assert {s.source for steps in picked for s in steps} == {"facts"}
    assert hybrid.counts["facts"] == 2 * len(STEPS) and judge.stats()["unavailable"] == unavailable + 2
