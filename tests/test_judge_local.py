"""The local transformers backend with a tiny Llama built here: batching, log-probabilities, failures.

    python -m pytest tests/test_judge_local.py -q

A random tiny model cannot follow the answer format, so its answers test the unparseable path; a well-formed
answer teacher-forced through the same model (`LocalBackend.force`) tests P(correct) from real logits.
"""

from __future__ import annotations

import pytest
import torch

from rules import compile_rules
from trainers.common.tiny_model import build_tiny_lm
from verifiers.judge import Completion, Failure, LocalBackend, StepJudge, build_judge_messages, decision_probability
from verifiers.judge.answer import parse_answer

RULES = compile_rules("rules/catalog/ecommerce.yaml")
STEPS = [s.id for s in RULES.ruleset.steps]
GOLD = dict(query="plain", product="clear", category="match", core_product="match", brand_model="not_mentioned",
            attributes="partial")
PRODUCT = {"title": "Nike Pegasus 40 Running Shoe - Navy", "category": ["Shoes", "Running"], "brand": "Nike"}
ANSWER = "\n".join(f"[{s}] {'incorrect' if s == 'category' else 'correct'}: looks right" for s in STEPS)


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    model, tokenizer = build_tiny_lm(seed=3)
    folder = tmp_path_factory.mktemp("tiny")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return LocalBackend(folder, device="cpu", max_new_tokens=24, batch_size=4)


@pytest.fixture(scope="module")
def full(backend):
    """The same model keeping every alternative (top_k = vocabulary): P(correct) over the whole distribution."""
    return LocalBackend(backend.model, backend.tokenizer, device="cpu", top_k=len(backend.tokenizer))


def messages(shopper_query: str, **changes) -> list[dict]:
    text = RULES.render(3, dict(GOLD, **changes))
    return build_judge_messages(RULES, shopper_query, PRODUCT, text, RULES.parse(text))


class Forced:
    """The local model answering with a fixed well-formed text (teacher-forced): a judge that follows the format."""

    def __init__(self, local: LocalBackend, answer: str):
        self.local, self.answer = local, answer
        self.cache_id, self.counters = local.cache_id + ":forced", local.counters

    def complete_batch(self, prompts):
        return self.local.force(prompts, [self.answer] * len(prompts))

    async def acomplete_batch(self, prompts):
        return self.complete_batch(prompts)


def test_batched_left_padded_generation_matches_one_at_a_time(backend):
    prompts = [messages("shoes"), messages("a much longer query about navy running shoes for men", query="qa")]
    together = backend.complete_batch(prompts)
    alone = [backend.complete_batch([p])[0] for p in prompts]
    for a, b in zip(together, alone):
        assert isinstance(a, Completion) and a.tokens is not None
        assert a.text == b.text and "".join(t.token for t in a.tokens) == a.text
        assert [t.logprob for t in a.tokens] == pytest.approx([t.logprob for t in b.tokens], abs=1e-4)
        assert all(len(t.top) == backend.top_k for t in a.tokens)


def test_a_random_model_is_unparseable_none_with_reason_never_zero(backend):
    judge = StepJudge(RULES, backend)
    text = RULES.render(3, GOLD)
    calls = backend.counters["calls"]  # the backend's counters are its own, shared by every judge using it
    [steps] = judge.score_batch(["shoes"], [PRODUCT], [text])
    assert [s.score for s in steps] == [None] * len(STEPS)
    assert steps[0].reason.startswith("judge answer unparseable: ")
    assert judge.stats()["unparseable"] == 1 and judge.stats()["calls"] == calls + 1


def test_p_correct_comes_from_the_logits_at_each_decision_token(full):
    backend = full
    prompt = messages("shoes")
    [forced] = backend.force([prompt], [ANSWER])
    assert forced.text == ANSWER
    judged = parse_answer(ANSWER, STEPS)
    # Independently: the logits of one unpadded forward pass at the position before the category decision.
    tok = backend.tokenizer
    prompt_ids = tok(tok.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False),
                     add_special_tokens=False)["input_ids"]
    answer_ids = tok(ANSWER, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logp = torch.log_softmax(backend.model(torch.tensor([prompt_ids + answer_ids])).logits[0], -1)
    at = judged[2].decision_at
    k = next(i for i, t in enumerate(forced.tokens) if sum(len(x.token) for x in forced.tokens[:i + 1]) > at)
    assert forced.tokens[k].token == " in"  # this tokenizer splits " incorrect" as " in" + "c" + ...
    assert forced.tokens[k].logprob == pytest.approx(logp[len(prompt_ids) + k - 1, answer_ids[k]].item(), abs=1e-4)
    # P(correct) is normalised over the two sides' mass among the top-k alternatives and the chosen token.
    row = logp[len(prompt_ids) + k - 1]
    mass = {"correct": 0.0, "incorrect": 0.0}
    for i in {*row.topk(backend.top_k).indices.tolist(), answer_ids[k]}:
        word = tok.decode([i]).strip().lower()
        side = next((s for s in mass if word and (s.startswith(word) or word.startswith(s))), None)
        if side:
            mass[side] += row[i].exp().item()
    p, why = decision_probability(forced.text, forced.tokens, at)
    assert why == "logprobs" and p == pytest.approx(mass["correct"] / (mass["correct"] + mass["incorrect"]), abs=1e-4)
    assert 0.01 < p < 0.99  # a random model spreads its mass: a real probability, not a 0/1 in disguise


def test_step_judge_with_a_format_following_local_model_scores_from_logprobs(full):
    backend = full
    forced = Forced(backend, ANSWER)
    judge = StepJudge(RULES, forced)
    text = RULES.render(3, GOLD)
    steps = judge.score("shoes", PRODUCT, text)
    [completion] = backend.force([messages("shoes")], [ANSWER])
    expected = [decision_probability(ANSWER, completion.tokens, j.decision_at)[0] for j in parse_answer(ANSWER, STEPS)]
    assert [s.score for s in steps] == pytest.approx(expected)
    assert all("from logprobs" in s.reason for s in steps) and judge.stats()["fallbacks"] == 0
    assert all(text[s.start:s.end].startswith(f"[{s.step}]") for s in steps)


def test_a_failing_model_gives_none_with_the_reason(backend, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("CUDA out of memory (simulated)")

    monkeypatch.setattr(backend.model, "generate", boom)
    [result] = backend.complete_batch([messages("shoes")])
    assert isinstance(result, Failure) and "out of memory" in result.reason
    steps = StepJudge(RULES, backend).score("shoes", PRODUCT, RULES.render(3, GOLD))
    assert steps[0].score is None and steps[0].reason.startswith("judge unavailable: local judge failed: RuntimeError")


def test_a_backend_that_raises_still_gives_none_with_the_reason(backend):
    class Raising(Forced):
        async def acomplete_batch(self, prompts):
            raise KeyError("a bug in a backend")

    steps = StepJudge(RULES, Raising(backend, ANSWER)).score("shoes", PRODUCT, RULES.render(3, GOLD))
    assert steps[0].score is None and steps[0].reason == "judge unavailable: judge backend raised KeyError: " \
        "'a bug in a backend'"
