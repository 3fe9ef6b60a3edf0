"""Label-first prefill scoring on a tiny local model: token choice, batching invariance, agreement with logits."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from rules import compile_rules, load_rules
from trainers.evaluation.generation import Generator
from trainers.evaluation.label_scoring import LabelScorer, label_tokens, vllm_label_probs
from trainers.common.tiny_model import build_tiny_lm

CATALOG = "rules/catalog/ecommerce.yaml"


@pytest.fixture(scope="module")
def tiny():
    model, tokenizer = build_tiny_lm(seed=1)
    return model.eval(), tokenizer


@pytest.fixture(scope="module")
def rules():
    return compile_rules(CATALOG)


PROMPTS = ["Query: running shoes\nTitle: Nike Pegasus 40", "Query: iphone 15 case\nTitle: Silicone case",
           [{"role": "user", "content": "Query: blue hoodie\nTitle: Navy hoodie"}], "Query: sofa not velvet"]


def test_label_tokens_follow_the_tokenizer(tiny, rules):
    _, tokenizer = tiny
    tokens = label_tokens(tokenizer, rules)
    assert tokens.labels == [4, 3, 2, 1]
    for label, token in zip(tokens.labels, tokens.ids):
        assert tokenizer("Label: " + str(label), add_special_tokens=False)["input_ids"] == tokens.forced + [token]


def test_scores_are_the_next_token_softmax_and_do_not_depend_on_batching(tiny, rules):
    model, tokenizer = tiny
    scorer = LabelScorer(model, tokenizer, rules, batch_size=3)
    probs, mass = scorer.score(PROMPTS)
    assert probs.shape == (4, 4) and np.allclose(probs.sum(-1), 1) and ((0 < mass) & (mass <= 1)).all()
    alone = np.vstack([scorer.score([p])[0] for p in PROMPTS])
    assert np.allclose(probs, alone, atol=1e-5)  # left padding and positions change nothing
    ids = tokenizer(PROMPTS[0], add_special_tokens=False)["input_ids"] + scorer.tokens.forced
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, -1]
    full = torch.softmax(logits, -1)[scorer.tokens.ids]
    assert np.allclose(probs[0], (full / full.sum()).numpy(), atol=1e-5)


def test_think_first_rule_sets_are_refused(tiny):
    rs = load_rules(CATALOG)
    think_first = compile_rules(rs.model_copy(update={"output": rs.output.model_copy(update={"order": "think_first"})}))
    with pytest.raises(ValueError, match="label_first"):
        label_tokens(tiny[1], think_first)


class WordTokenizer:
    """Splits on spaces and on each label's letters: enough to pin down how label tokens are chosen."""

    def __init__(self, vocab: dict[str, list[int]]):
        self.vocab = vocab

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict:
        return {"input_ids": [i for word in text.split(" ") for i in self.vocab[word]]}


def test_labels_sharing_their_first_token_are_refused(rules):
    # "Label:" is one token; labels 4 and 3 both start with token 7 (say "Ġ4" and "Ġ4x" split that way).
    shared = WordTokenizer({"Label:": [1], "4": [7, 8], "3": [7, 9], "2": [5], "1": [6]})
    with pytest.raises(ValueError, match="share their first distinct token"):
        label_tokens(shared, rules)
    distinct = WordTokenizer({"Label:": [1], "4": [4, 8], "3": [3], "2": [2], "1": [1, 9]})
    tokens = label_tokens(distinct, rules)
    assert tokens.forced == [1] and tokens.ids == [4, 3, 2, 1]  # multi-token labels: the first token decides


def test_vllm_top_logprobs_become_label_probabilities(rules):
    tokens = SimpleNamespace(ids=[10, 11, 12, 13])
    top = {10: SimpleNamespace(logprob=np.log(0.3)), 12: SimpleNamespace(logprob=np.log(0.1)),
           99: SimpleNamespace(logprob=np.log(0.6))}
    outputs = [SimpleNamespace(outputs=[SimpleNamespace(logprobs=[top])]),
               SimpleNamespace(outputs=[SimpleNamespace(logprobs=[{99: SimpleNamespace(logprob=0.0)}])])]
    probs, mass, missing = vllm_label_probs(outputs, tokens)
    assert np.allclose(probs[0], [0.75, 0, 0.25, 0])
    assert np.isnan(probs[1]).all()  # no label token in the top-k: unknown, not uniform
    assert np.allclose(mass, [0.4, 0.0])  # the mass found in the top-k (a lower bound), not NaN
    assert missing == [[1, 3], [0, 1, 2, 3]]


@pytest.mark.parametrize("top", [20, 2])
def test_vllm_scorer_asks_for_labels_outside_the_top_k_exactly(tiny, rules, monkeypatch, top):
    """Through a stand-in of vLLM's LLM on the same model: the same probabilities and mass as the transformers
    scorer, also when labels fall outside the top-k (asked for with prompt_logprobs)."""
    from tests.vllm_standin import StandInLLM, install
    from trainers.evaluation.label_scoring import VLLMLabelScorer

    install(monkeypatch)
    model, tokenizer = tiny
    reference, ref_mass = LabelScorer(model, tokenizer, rules).score(PROMPTS)
    llm = StandInLLM(model, tokenizer)
    scorer = VLLMLabelScorer(llm, rules, top_logprobs=top)
    probs, mass = scorer.score(PROMPTS)
    assert np.allclose(probs, reference, atol=1e-5) and np.allclose(mass, ref_mass, atol=1e-6)
    if top == 2:  # a random tiny model: its label tokens are not all in the top 2
        assert scorer.last_incomplete == len(PROMPTS) and len(llm.calls) == 2
        assert llm.calls[1][1].prompt_logprobs == 0
    # without the exact requests: the lower bound is reported and labels outside the top-k count 0
    lower = VLLMLabelScorer(llm, rules, top_logprobs=top, exact_labels=False)
    probs, mass = lower.score(PROMPTS)
    assert (mass <= ref_mass + 1e-6).all() and np.isfinite(mass).all()
    if top == 2:
        assert (mass < ref_mass).any() and lower.last_incomplete == len(PROMPTS)


def test_low_label_mass_from_vllm_reaches_the_evaluator_warning(tiny, rules, monkeypatch, caplog):
    """The evaluator's low-mass warning fires on vLLM scores too (the mass was NaN before)."""
    from rules.data import load_examples
    from tests.vllm_standin import StandInLLM, install
    from trainers.evaluation import parts
    from trainers.evaluation.label_scoring import VLLMLabelScorer

    install(monkeypatch)
    model, tokenizer = tiny
    examples = load_examples("data/synthetic/eval_balanced.jsonl").examples[:4]
    scorer = VLLMLabelScorer(StandInLLM(model, tokenizer), rules, top_logprobs=2, exact_labels=False)
    with caplog.at_level("WARNING"):
        report = parts.cumpt(scorer, PROMPTS, examples, rules, 0.5)
    assert report["cumpt"]["label_mass"] is not None and report["cumpt"]["label_mass"] < 0.5
    assert "probability on the label tokens" in caplog.text


def test_generation_is_batched_greedy_and_repeatable(tiny):
    model, tokenizer = tiny
    gen = Generator(model, tokenizer, batch_size=2, max_new_tokens=6)
    greedy = gen.generate(PROMPTS)
    assert [len(g) for g in greedy] == [1] * 4
    assert greedy == [gen.generate([p])[0] for p in PROMPTS]
    sampled = gen.generate(PROMPTS[:2], samples=3, temperature=1.0)
    assert [len(s) for s in sampled] == [3, 3] and sampled == gen.generate(PROMPTS[:2], samples=3, temperature=1.0)
