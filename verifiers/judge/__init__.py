"""The generative step-level judge: a judge model checks each step of a policy's CoT, built from the rule file.

    >>> from verifiers.judge import StepJudge, OpenAIBackend, LocalBackend
    >>> judge = StepJudge("rules/catalog/ecommerce.yaml", OpenAIBackend("http://127.0.0.1:8000/v1", model="judge"),
    ...                   cache="runs/judge_cache.sqlite")
    >>> judge.score(query, product, completion)        # (StepScore(step, start, end, verdict, score, "judge", reason), ...)
    >>> judge.stats()

    python bench/judge_throughput.py                   # steps/s through `transformers serve`, concurrency 1 and 8
    python -m pytest tests/test_judge*.py              # starts real servers on 127.0.0.1

Modules: prompt (the judge prompt from the rule file), answer (strict parsing, P(correct) from log-probabilities),
local (transformers backend), http (OpenAI-compatible backend), cache (SQLite), judge (the StepJudge facade),
reward (an async TRL reward). torch loads only when a LocalBackend is built.
"""

from verifiers.judge.answer import AnswerError, JudgedStep, decision_probability, parse_answer, render_answer
from verifiers.judge.base import Completion, Failure, TokenLogprob
from verifiers.judge.cache import JudgeCache
from verifiers.judge.http import OpenAIBackend
from verifiers.judge.judge import StepJudge
from verifiers.judge.local import LocalBackend
from verifiers.judge.prompt import build_judge_messages
from verifiers.judge.reward import JudgeReward

__all__ = [
    "AnswerError",
    "Completion",
    "Failure",
    "JudgeCache",
    "JudgeReward",
    "JudgedStep",
    "LocalBackend",
    "OpenAIBackend",
    "StepJudge",
    "TokenLogprob",
    "build_judge_messages",
    "decision_probability",
    "parse_answer",
    "render_answer",
]
