"""The generative step-level judge: step scores for a policy's CoT from a judge model, sync or async.

    >>> backend = OpenAIBackend("http://127.0.0.1:8000/v1", model="judge", timeout=30, concurrency=8)
    >>> judge = StepJudge("rules/catalog/ecommerce.yaml", backend, cache="runs/judge_cache.sqlite")
    >>> judge.score(query, product, completion)                  # (StepScore, ...) one per parsed step
    >>> await judge.ascore_batch(queries, products, completions)  # from an event loop (TRL's async rewards)
    >>> judge.stats()     # {'calls': ..., 'cache_hits': ..., 'retries': ..., 'timeouts': ..., 'fallbacks': ...}

    python bench/judge_throughput.py       # steps judged per second through a real server

A step's score is P(correct) in [0, 1] from the judge's log-probabilities at its decision token when the backend
has them, else 1/0 from the parsed decision (counted as `fallbacks`). Scores are `None`, with the reason, when the
judge cannot say: its answer breaks the format (`unparseable`), or the server failed (`unavailable`: timeout,
connection refused, HTTP 500 ...). Nothing raises into training. A completion whose CoT does not parse gets no
step scores (`()`, counted as `unparsed_completions`): there are no steps to judge.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, NamedTuple, Sequence

from rewards.scoring import StepScore, completion_text
from rules import CompiledRuleSet, ParsedCoT, compile_rules
from verifiers.judge.answer import AnswerError, decision_probability, parse_answer
from verifiers.judge.base import Backend, Completion, Counters, Failure, Messages, run_sync
from verifiers.judge.cache import JudgeCache
from verifiers.judge.prompt import answer_steps, build_judge_messages

logger = logging.getLogger(__name__)

SOURCE = "judge"
COUNTERS = ("completions", "steps_scored", "steps_none", "cache_hits", "duplicates", "fallbacks", "unparseable",
            "unavailable", "unparsed_completions", "bad_inputs", "cache_errors")


class _Ask(NamedTuple):
    """A completion the judge must be asked about."""

    cot: ParsedCoT
    messages: Messages
    key: str


class StepJudge:
    """Judges each step of a policy's CoT with a judge model; `steps` picks a subset of the rule file's steps."""

    def __init__(self, rules: CompiledRuleSet | str | Path, backend: Backend, *,
                 cache: JudgeCache | str | Path | None = None, steps: Sequence[str] | None = None,
                 log_every: int = 1000):
        self.rules = rules if isinstance(rules, CompiledRuleSet) else compile_rules(rules)
        self.backend = backend
        self.cache = JudgeCache(cache) if isinstance(cache, (str, Path)) else cache
        self.steps = answer_steps(self.rules, steps)
        self.log_every = log_every  # completions between INFO summaries of the counters; 0 = never
        self.counters = Counters(*COUNTERS)

    # ------------------------------------------------------------------ public

    def score(self, query: str, product: Any, completion: str) -> tuple[StepScore, ...]:
        return run_sync(self.ascore(query, product, completion))

    async def ascore(self, query: str, product: Any, completion: str) -> tuple[StepScore, ...]:
        return (await self.ascore_batch([query], [product], [completion]))[0]

    def score_batch(self, queries: Sequence[str], products: Sequence[Any],
                    completions: Sequence[str]) -> list[tuple[StepScore, ...]]:
        return run_sync(self.ascore_batch(queries, products, completions))

    async def ascore_batch(self, queries: Sequence[str], products: Sequence[Any],
                           completions: Sequence[str]) -> list[tuple[StepScore, ...]]:
        """One tuple of StepScores per completion; identical prompts in a batch are sent once."""
        if not len(queries) == len(products) == len(completions):
            raise ValueError(f"StepJudge: {len(queries)} queries, {len(products)} products and {len(completions)} "
                             "completions; give one of each per completion")
        jobs = [self._prepare(q, p, c) for q, p, c in zip(queries, products, completions)]
        prompts = {job.key: job.messages for job in jobs if isinstance(job, _Ask)}
        answers, hits = await self._answers(prompts)
        seen: set[str] = set()  # per batch: concurrent batches must not share it
        out = [self._scores(job, answers, hits, seen) for job in jobs]
        before = self.counters["completions"]
        self.counters.add("completions", len(out))
        if self.log_every and before // self.log_every != self.counters["completions"] // self.log_every:
            self.log_stats()
        return out

    def step_scores(self, completions: Sequence[Any], query: Sequence[str] | None = None,
                    product: Sequence[Any] | None = None, **columns: Any) -> list[list[StepScore]]:
        """The step-source interface of `verifiers.hybrid` (dataset columns as keywords, TRL-style; text or
        conversational completions): `Source("judge", judge, probability=True)`."""
        if query is None or product is None:
            raise ValueError("StepJudge.step_scores needs the dataset columns 'query' and 'product' "
                             "(Example.to_row() writes both)")
        texts = [completion_text(c) for c in completions]
        return [list(steps) for steps in self.score_batch(list(query), list(product), texts)]

    def stats(self) -> dict[str, int]:
        """The judge's counters and its backend's (calls, retries, timeouts, failures, no_logprobs)."""
        return {**self.backend.counters.snapshot(), **self.counters.snapshot()}

    def log_stats(self, level: int = logging.INFO) -> None:
        logger.log(level, "step judge: %s", ", ".join(f"{k}={v}" for k, v in self.stats().items()))

    # ------------------------------------------------------------------ one batch

    def _prepare(self, query: str, product: Any, completion: str) -> _Ask | tuple[StepScore, ...]:
        """What to ask the judge, or the final StepScores when there is nothing to ask."""
        cot = self.rules.parse(completion) if isinstance(completion, str) else None
        if not isinstance(cot, ParsedCoT):
            self.counters.add("unparsed_completions")
            return ()
        try:
            messages = build_judge_messages(self.rules, query, product, completion, cot, self.steps)
        except (ValueError, TypeError) as err:  # a product dict that is not a Product, a missing query
            self.counters.add("bad_inputs")
            first = str(err).splitlines()[0]
            return self._none(cot, f"judge not asked: bad query or product ({type(err).__name__}: {first})")
        return _Ask(cot, messages, JudgeCache.key(self.backend.cache_id, messages))

    async def _answers(self, prompts: dict[str, Messages]) -> tuple[dict[str, Completion | Failure], set[str]]:
        """The answer (or failure) for each prompt key, and the keys the cache answered."""
        found: dict[str, Completion | Failure] = {}
        if self.cache is not None and prompts:
            try:
                found.update(self.cache.get_many(prompts))
            except sqlite3.Error as err:  # a locked or damaged cache costs speed, never the run
                self.counters.add("cache_errors")
                logger.warning("judge cache %s unreadable (%s); asking the judge", self.cache.path, err)
        missing = [k for k in prompts if k not in found]
        if missing:
            try:
                results = await self.backend.acomplete_batch([prompts[k] for k in missing])
            except Exception as err:  # backends return Failures; a bug in one still must not stop training
                logger.exception("judge backend raised; every step of this batch is None")
                results = [Failure("error", f"judge backend raised {type(err).__name__}: {err}")] * len(missing)
            fresh = dict(zip(missing, results))
            found.update(fresh)
            answered = {k: r for k, r in fresh.items() if isinstance(r, Completion)}
            if self.cache is not None and answered:
                try:
                    self.cache.put_many(answered, model=self.backend.cache_id)
                except sqlite3.Error as err:
                    self.counters.add("cache_errors")
                    logger.warning("judge cache %s not written (%s)", self.cache.path, err)
        return found, set(prompts) - set(missing)

    def _scores(self, job: _Ask | tuple[StepScore, ...], answers: dict[str, Completion | Failure], hits: set[str],
                seen: set[str]) -> tuple[StepScore, ...]:
        if not isinstance(job, _Ask):
            return job  # already final: () for an unparsed CoT, or None scores for bad inputs
        cot, _, key = job
        if key in hits:
            self.counters.add("cache_hits")
        elif key in seen:
            self.counters.add("duplicates")  # shared the request of an identical prompt earlier in the batch
        seen.add(key)
        answer = answers[key]
        if isinstance(answer, Failure):
            self.counters.add("unavailable")
            return self._none(cot, f"judge unavailable: {answer.reason}")
        judged = parse_answer(answer.text, self.steps)
        if isinstance(judged, AnswerError):
            self.counters.add("unparseable")
            logger.debug("judge answer unparseable (%s): %r", judged, answer.text[:200])
            return self._none(cot, f"judge answer unparseable: {judged}")
        return self._from_answer(cot, answer, {j.step: j for j in judged})

    def _from_answer(self, cot: ParsedCoT, answer: Completion, judged: dict) -> tuple[StepScore, ...]:
        out = []
        for step in cot.steps:
            j = judged.get(step.id)
            if j is None:
                out.append(StepScore(step.id, step.start, step.end, step.verdict, None, SOURCE,
                                     "not among the judge's steps"))
                self.counters.add("steps_none")
                continue
            p, why = decision_probability(answer.text, answer.tokens, j.decision_at) if answer.tokens \
                else (None, "no logprobs")
            decision = "correct" if j.correct else "incorrect"
            if p is None:
                self.counters.add("fallbacks")
                score, basis = (1.0 if j.correct else 0.0), f"0/1 from the verdict, {why}"
            else:
                score, basis = p, f"P(correct)={p:.3f} from logprobs"
            out.append(StepScore(step.id, step.start, step.end, step.verdict, score, SOURCE,
                                 f"judge: {decision} ({basis}): {j.reason}"))
            self.counters.add("steps_scored")
        return tuple(out)

    def _none(self, cot: ParsedCoT, reason: str) -> tuple[StepScore, ...]:
        self.counters.add("steps_none", len(cot.steps))
        return tuple(StepScore(s.id, s.start, s.end, s.verdict, None, SOURCE, reason) for s in cot.steps)
