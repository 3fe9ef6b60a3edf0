"""Property-based fuzzing: arbitrary and adversarial completions never raise and are scored in bounded time.

The bound is hypothesis' per-example deadline (generous: it catches super-linear parsing, not slow machines).
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rewards import RuleAwareReward

REWARD = RuleAwareReward.from_yaml("rules/catalog/ecommerce.yaml")
STEPS = list(REWARD.rules.step_verdicts)
VERDICTS = sorted({v for vs in REWARD.rules.step_verdicts.values() for v in vs})

# Fragments of the format itself, so generated texts get deep into the parser instead of failing at char 0.
FRAGMENTS = st.one_of(
    st.sampled_from(["Label: ", "<think>", "</think>", "Verdict: ", "\n", " ", "[", "]", "\u200b", "\uff13", "\u0430"]),
    st.sampled_from([f"[{s}]" for s in STEPS] + [f"Label: {t}" for t in "12345"] + VERDICTS),
    st.text(max_size=20),
)
STRUCTURED = st.lists(FRAGMENTS, max_size=80).map("".join)
SETTINGS = settings(max_examples=300, deadline=timedelta(milliseconds=250), derandomize=True)


def _check(values: list) -> None:
    assert len(values) == 1
    assert isinstance(values[0], float) and -1.0 <= values[0] <= 1.0


@SETTINGS
@given(text=st.text(max_size=3000))
def test_arbitrary_text_never_raises(text):
    _check(REWARD(completions=[text], label=[3]))


@SETTINGS
@given(text=STRUCTURED, gold=st.dictionaries(st.sampled_from(STEPS), st.sampled_from(VERDICTS + [None])))
def test_format_fragments_never_raise(text, gold):
    _check(REWARD(completions=[text], label=[3], gold_steps=[gold]))
    for scored in REWARD.score_all([text], [3], [gold]):
        for step in scored.steps:
            assert 0 <= step.start < step.end <= len(text)


@SETTINGS
@given(steps=st.lists(st.tuples(st.sampled_from(STEPS), st.sampled_from(VERDICTS), st.text(max_size=40)), max_size=12),
       label=st.sampled_from("12345"), tail=st.sampled_from(["", "\n", "Label: 3", "</think>"]))
def test_near_valid_completions_never_raise(steps, label, tail):
    lines = [f"Label: {label}", "<think>"] + [f"[{s}] {why} Verdict: {v}" for s, v, why in steps] + ["</think>", tail]
    _check(REWARD(completions=["\n".join(lines)], label=[3]))


@SETTINGS
@given(unit=STRUCTURED.filter(bool), repeat=st.integers(1, 4000))
def test_long_repetitive_inputs_stay_fast(unit, repeat):
    _check(REWARD(completions=[(unit * repeat)[:200_000]], label=[3]))


@settings(max_examples=50, deadline=None, derandomize=True)
@given(payload=st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.dictionaries(st.text(), st.text()))))
def test_non_text_completions_never_raise(payload):
    _check(REWARD(completions=[payload], label=[3]))


def _without_length_limit() -> RuleAwareReward:
    rs = REWARD.rules.ruleset
    return RuleAwareReward(rs.model_copy(update={"output": rs.output.model_copy(update={"max_chars": 10**7})}))


NO_LIMIT = _without_length_limit()


@settings(max_examples=100, deadline=timedelta(seconds=1), derandomize=True)
@given(unit=STRUCTURED.filter(bool), repeat=st.integers(1, 4000))
def test_parsing_itself_is_linear_without_the_length_limit(unit, repeat):
    # output.max_chars rejects giant outputs before parsing; here the parser gets all 64 KB.
    _check(NO_LIMIT(completions=[(unit * repeat)[:65_536]], label=[3]))
