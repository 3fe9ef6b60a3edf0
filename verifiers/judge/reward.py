"""The step judge as an async TRL reward: the mean judged step score of each completion.

    >>> reward = JudgeReward(StepJudge("rules/catalog/ecommerce.yaml", OpenAIBackend(url, model="judge")))
    >>> trl.GRPOTrainer(model=..., reward_funcs=[rule_reward, reward], ...)   # TRL awaits it on its event loop

The dataset needs `query` and `product` columns (`rules.data.Example.to_row()` writes both). A completion with no
scored step (malformed CoT, judge unavailable, unparseable answer) gets `None`: "not applicable", never 0. The
judge's counters are logged through `log_metric` as `judge_steps/<counter>` (totals so far).
"""

from __future__ import annotations

from typing import Any, Callable

from rewards.scoring import completion_text
from verifiers.judge.judge import StepJudge


class JudgeReward:
    __name__ = "judge_steps"  # TRL logs the reward under this name

    def __init__(self, judge: StepJudge):
        self.judge = judge

    async def __call__(self, prompts: list | None = None, completions: list | None = None, query: list | None = None,
                       product: list | None = None, log_metric: Callable | None = None,
                       **kwargs: Any) -> list[float | None]:
        completions = list(completions or [])
        if query is None or product is None:
            raise ValueError("JudgeReward needs the dataset columns 'query' and 'product' (Example.to_row() writes "
                             "them); the judge must see the pair it checks")
        texts = [completion_text(c) for c in completions]
        scores = await self.judge.ascore_batch(list(query), list(product), texts)
        values = []
        for steps in scores:
            known = [s.score for s in steps if s.score is not None]
            values.append(sum(known) / len(known) if known else None)
        if log_metric is not None:
            for name, value in self.judge.stats().items():
                log_metric(f"{self.__name__}/{name}", float(value))
        return values
