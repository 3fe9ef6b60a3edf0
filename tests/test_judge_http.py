"""The OpenAI-compatible backend against a scripted HTTP server on 127.0.0.1 (stdlib http.server, real sockets).

    python -m pytest tests/test_judge_http.py -q

The server answers in OpenAI's chat.completion format with real `logprobs.content` entries (token, logprob,
bytes, top_logprobs), so the logprob path is exercised against real HTTP responses; it can also be slow, fail with
500/429/400, drop the connection, send garbage or send `logprobs: null`. The end-to-end test against a real model
server (`transformers serve`) is tests/test_judge_serve.py.
"""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time

import pytest

from rules import compile_rules
from verifiers.judge import OpenAIBackend, StepJudge
from tests.scripts.openai_stub import JsonHandler, QuietServer, chat_completion
from verifiers.judge.server import free_port

RULES = compile_rules("rules/catalog/ecommerce.yaml")
STEPS = [s.id for s in RULES.ruleset.steps]
GOLD = dict(query="plain", product="clear", category="match", core_product="match", brand_model="not_mentioned",
            attributes="partial")
PRODUCT = {"title": "Nike Pegasus 40 Running Shoe - Navy", "category": ["Shoes", "Running"], "brand": "Nike"}
# P(" correct"), P(" Correct"), P(" incorrect") at each step's decision token; the answer says the likelier one.
PROBS = {"query": (0.9, 0.05, 0.05), "category": (0.3, 0.0, 0.6), "attributes": (0.5, 0.1, 0.2)}


def answer_and_logprobs() -> tuple[str, list[dict]]:
    lines = []
    for step in STEPS:
        pc, pC, pi = PROBS.get(step, (0.8, 0.0, 0.2))
        lines.append(f"[{step}] {'correct' if pc + pC >= pi else 'incorrect'}: because")
    text = "\n".join(lines)
    content, step = [], None
    for tok in re.findall(r"\s?\w+|[^\w\s]|\s+", text):  # GPT-style pieces: the leading space joins the word
        step = tok if tok in STEPS and content and content[-1]["token"] == "[" else step
        if tok.strip() in ("correct", "incorrect") and content[-1]["token"] == "]":
            pc, pC, pi = PROBS.get(step, (0.8, 0.0, 0.2))
            alts = [(" correct", pc), (" Correct", pC), (" incorrect", pi), ("\n", 1 - pc - pC - pi)]
        else:
            alts = [(tok, 0.99)]
        top = [{"token": a, "logprob": math.log(p) if p > 0 else -9999.0, "bytes": list(a.encode())}
               for a, p in alts]
        chosen = next(t["logprob"] for t in top if t["token"] == tok)
        content.append({"token": tok, "logprob": chosen, "bytes": list(tok.encode()), "top_logprobs": top})
    return text, content


class Scripted(QuietServer):
    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), Handler)
        self.actions: list[tuple] = []  # consumed one per request; then ("ok", "logprobs")
        self.requests: list[dict] = []
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()


class Handler(JsonHandler):
    server: Scripted

    def do_POST(self) -> None:
        body = self.read_json()
        with self.server.lock:
            self.server.requests.append(body)
            action = self.server.actions.pop(0) if self.server.actions else ("ok", "logprobs")
            self.server.in_flight += 1
            self.server.max_in_flight = max(self.server.max_in_flight, self.server.in_flight)
        try:
            self.act(action, body)
        finally:
            with self.server.lock:
                self.server.in_flight -= 1

    def act(self, action: tuple, body: dict) -> None:
        kind = action[0]
        if kind == "sleep":
            time.sleep(action[1])
            action = ("ok", "logprobs")
        if kind == "status":
            self.reply(action[1], {"error": {"message": "scripted failure"}}, action[2] if len(action) > 2 else {})
        elif kind == "drop":
            self.connection.close()  # no status line at all: the client sees the connection go away
        elif kind == "garbage":
            self.reply(200, None, raw=b"<html>proxy error</html>")
        else:
            text, content = answer_and_logprobs()
            logprobs = {"content": content} if action[1] == "logprobs" else None
            self.reply(200, chat_completion(body["model"], text, {"prompt_tokens": 10, "completion_tokens": len(content),
                                                                  "total_tokens": 99}, logprobs))


@pytest.fixture
def server():
    srv = Scripted(free_port())
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def judge_for(srv: Scripted, cache=None, **kw) -> StepJudge:
    options = dict(timeout=5.0, max_retries=3, backoff=0.01, max_backoff=0.05)
    backend = OpenAIBackend(f"http://127.0.0.1:{srv.server_address[1]}/v1", model="judge", **{**options, **kw})
    return StepJudge(RULES, backend, cache=cache)


def cot(**changes) -> str:
    return RULES.render(3, dict(GOLD, **changes))


def test_scores_are_p_correct_from_logprobs_in_real_http_responses(server):
    judge = judge_for(server)
    [steps] = judge.score_batch(["nike running shoes blue"], [PRODUCT], [cot()])
    by_id = {s.step: s for s in steps}
    assert by_id["query"].score == pytest.approx(0.95)
    assert by_id["category"].score == pytest.approx(0.3 / 0.9)  # the answer says incorrect
    assert by_id["attributes"].score == pytest.approx(0.6 / 0.8)
    assert by_id["product"].score == pytest.approx(0.8)
    assert by_id["category"].reason.startswith("judge: incorrect (P(correct)=0.333 from logprobs): because")
    assert {s.source for s in steps} == {"judge"}
    request = server.requests[0]
    assert request["logprobs"] is True and request["top_logprobs"] == 5 and request["temperature"] == 0.0
    assert judge.stats()["fallbacks"] == 0 and judge.stats()["steps_scored"] == len(STEPS)


def test_a_server_that_drops_logprobs_is_detected_and_scored_0_1(server, caplog):
    server.actions = [("ok", "null")]
    judge = judge_for(server)
    steps = judge.score("q", PRODUCT, cot())
    assert [s.score for s in steps] == [0.0 if s.step == "category" else 1.0 for s in steps]
    assert "0/1 from the verdict, no logprobs" in steps[0].reason
    stats = judge.stats()
    assert stats["no_logprobs"] == 1 and stats["fallbacks"] == len(STEPS)
    assert "returned no logprobs" in caplog.text


def test_5xx_429_and_dropped_connections_are_retried_with_backoff(server):
    server.actions = [("status", 500), ("status", 429, {"Retry-After": "0"}), ("drop",)]
    judge = judge_for(server)
    steps = judge.score("q", PRODUCT, cot())
    assert steps[0].score == pytest.approx(0.95)
    stats = judge.stats()
    assert (stats["calls"], stats["retries"], stats["failures"]) == (4, 3, 0)


def test_when_retries_run_out_every_step_is_none_with_the_reason(server):
    server.actions = [("status", 503)] * 4
    judge = judge_for(server, max_retries=2)
    steps = judge.score("q", PRODUCT, cot())
    assert [s.score for s in steps] == [None] * len(STEPS)
    assert steps[0].reason.startswith("judge unavailable: HTTP 503: ") and "(3 tries)" in steps[0].reason
    assert judge.stats()["unavailable"] == 1 and judge.stats()["retries"] == 2


@pytest.mark.parametrize("action, reason", [(("status", 400), "HTTP 400"), (("garbage",), "not JSON")])
def test_client_errors_and_garbage_are_not_retried(server, action, reason):
    server.actions = [action]
    judge = judge_for(server)
    steps = judge.score("q", PRODUCT, cot())
    assert steps[0].score is None and reason in steps[0].reason
    assert judge.stats()["calls"] == 1 and len(server.requests) == 1


def test_a_slow_server_hits_the_timeout(server):
    server.actions = [("sleep", 3.0)]
    judge = judge_for(server, timeout=0.5)
    start = time.perf_counter()
    steps = judge.score("q", PRODUCT, cot())
    assert time.perf_counter() - start < 2.0
    assert steps[0].score is None and steps[0].reason.startswith("judge unavailable: timeout after 0.5 s")
    assert judge.stats()["timeouts"] == 1 and judge.stats()["retries"] == 0  # timeouts are not retried by default


def test_connection_refused_is_retried_then_none():
    backend = OpenAIBackend(f"http://127.0.0.1:{free_port()}/v1", model="judge", max_retries=2, backoff=0.01)
    judge = StepJudge(RULES, backend)
    steps = judge.score("q", PRODUCT, cot())
    assert steps[0].score is None and "connection failed: Connection refused" in steps[0].reason
    assert judge.stats()["calls"] == 3 and judge.stats()["failures"] == 1


def test_concurrency_limit_and_async_interface(server):
    server.actions = [("sleep", 0.15)] * 8
    judge = judge_for(server, concurrency=2)
    completions = [cot(query=q) for q in ("plain", "negation", "alternative", "qa", "knowledge")] * 2
    completions = completions[:8]

    async def run():
        return await asyncio.gather(*(judge.ascore(f"q{i}", PRODUCT, c) for i, c in enumerate(completions)))

    results = asyncio.run(run())
    assert len(results) == 8 and all(r[0].score is not None for r in results)
    assert server.max_in_flight == 2


def test_cache_answers_repeats_and_identical_prompts_in_a_batch_are_sent_once(server, tmp_path):
    judge = judge_for(server, cache=tmp_path / "judge.sqlite")
    texts = [cot(), cot(), cot(category="adjacent")]
    first = judge.score_batch(["q"] * 3, [PRODUCT] * 3, texts)
    assert len(server.requests) == 2 and judge.stats()["duplicates"] == 1
    again = judge_for(server, cache=tmp_path / "judge.sqlite")  # a fresh judge (another process) on the same file
    assert again.score_batch(["q"] * 3, [PRODUCT] * 3, texts) == first
    assert len(server.requests) == 2 and again.stats()["cache_hits"] == 3 and again.stats()["calls"] == 0


def test_sync_call_inside_a_running_event_loop_and_bad_inputs(server):
    judge = judge_for(server)

    async def inside_loop():
        return judge.score("q", PRODUCT, cot())  # a notebook cell, or TRL's loop thread calling sync code

    assert asyncio.run(inside_loop())[0].score == pytest.approx(0.95)
    assert judge.score("q", PRODUCT, "not a CoT") == ()
    bad = judge.score("q", {"name": "no title"}, cot())
    assert bad[0].score is None and "bad query or product" in bad[0].reason
    stats = judge.stats()
    assert stats["unparsed_completions"] == 1 and stats["bad_inputs"] == 1 and stats["calls"] == 1


def test_judge_reward_is_an_async_trl_reward_that_pickles(server, tmp_path):
    import pickle

    from trl.trainer.utils import is_async_callable

    from verifiers.judge import JudgeReward

    reward = JudgeReward(judge_for(server, cache=tmp_path / "c.sqlite"))
    assert is_async_callable(reward) and reward.__name__ == "judge_steps"
    logged = {}
    values = asyncio.run(reward(prompts=["p", "p"], completions=[[{"role": "assistant", "content": cot()}], "junk"],
                                query=["q", "q"], product=[PRODUCT, PRODUCT], log_metric=logged.__setitem__))
    expected = (0.95 + 0.3 / 0.9 + 0.6 / 0.8 + 0.8 * 4) / 7
    assert values[0] == pytest.approx(expected) and values[1] is None  # a malformed CoT: not applicable, not 0
    assert logged["judge_steps/calls"] == 1.0 and logged["judge_steps/unparsed_completions"] == 1.0
    copy = pickle.loads(pickle.dumps(reward))  # TRL and accelerate may pickle reward functions
    assert asyncio.run(copy(completions=[cot()], query=["q"], product=[PRODUCT]))[0] == pytest.approx(expected)
    assert copy.judge.stats()["cache_hits"] == 1 and len(server.requests) == 1  # the copy reads the same cache
    with pytest.raises(ValueError, match="'query' and 'product'"):
        asyncio.run(reward(completions=[cot()]))
