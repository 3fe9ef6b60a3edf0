"""Exact character -> token alignment for SRPO's step advantages (trainers/srpo/step_tokens.py).

The oracle: with a byte-level BPE every token is a run of UTF-8 bytes of the text, so a token's first character
is the character holding its first byte. `decode_with_starts` never looks at bytes (it compares decoded prefixes,
as it must for any tokenizer), so agreeing with the byte oracle on every token is an independent check.
Two tokenizers: the tiny model's (split on spaces and punctuation first, like GPT-2) and one trained without a
pre-split, whose tokens run across step boundaries ("e\\n[category]").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

from rules import compile_rules
from trainers.srpo.step_tokens import (common_prefix_length, completion_length, decode_with_starts, prefix_starts,
                                       stream_starts, token_char_starts, token_steps)
from trainers.common.tiny_model import build_tokenizer

ROOT = Path(__file__).resolve().parent.parent
RULES = compile_rules(ROOT / "rules" / "catalog" / "ecommerce.yaml")
ROWS = [json.loads(line) for line in (ROOT / "data" / "synthetic" / "train.jsonl").read_text().splitlines()[:200]]
GUIDES = [r["guide"] for r in ROWS]


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte <-> printable character table, which the `tokenizers` ByteLevel model uses."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


UNBYTE = {c: b for b, c in _bytes_to_unicode().items()}


@pytest.fixture(scope="module")
def tiny():
    return build_tokenizer([p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules" / "catalog").glob("*.yaml"))]
                           + GUIDES[:100])


@pytest.fixture(scope="module")
def merged():
    """No pre-split: tokens such as '. Verdict: ' or 'e\\n[category]' cross step boundaries."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(GUIDES, trainers.BpeTrainer(vocab_size=2000, special_tokens=["<pad>", "<eos>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                                        max_token_length=16))
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>")


def oracle_starts(tokenizer, ids: list[int], text: str) -> list[int | None]:
    """First character of each token from its bytes (special tokens: None)."""
    char_of_byte = [k for k, ch in enumerate(text) for _ in ch.encode("utf-8")]
    special = set(tokenizer.all_special_ids)
    out, at = [], 0
    for token_id in ids:
        if token_id in special:
            out.append(None)
            continue
        piece = bytes(UNBYTE[c] for c in tokenizer.convert_ids_to_tokens(token_id))
        out.append(char_of_byte[at] if at < len(char_of_byte) else len(text))
        at += len(piece)
    assert at == len(char_of_byte), "the oracle must consume exactly the text's bytes"
    return out


AWKWARD = [
    "Label: 3\n<think>\n[query] héllo wörld: crème brûlée, 日本語のテキスト 🙂👍🏽 Verdict: plain\n</think>",
    "  leading spaces, trailing spaces  \n\n\t tabs\t and\r\nCRLF  ",
    "combining: e\u0301 a\u0308, zero\u200bwidth, RTL עברית العربية, emoji family 👨‍👩‍👧",
    "🙂" * 7 + "x" + "日" * 5,
    "",
]


@pytest.mark.parametrize("which", ["tiny", "merged"])
@pytest.mark.parametrize("text", GUIDES[:12] + AWKWARD)
def test_every_token_starts_where_its_first_byte_is(request, which, text):
    tokenizer = request.getfixturevalue(which)
    ids = tokenizer.encode(text, add_special_tokens=False)
    decoded, starts = decode_with_starts(tokenizer, ids)
    assert decoded == text == tokenizer.batch_decode([ids], skip_special_tokens=True)[0]
    assert starts == oracle_starts(tokenizer, ids, text)


@pytest.mark.parametrize("which", ["tiny", "merged"])
def test_special_tokens_and_padding_map_to_no_character(request, which):
    tokenizer = request.getfixturevalue(which)
    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    body = tokenizer.encode(GUIDES[0], add_special_tokens=False)
    ids = body[:5] + [eos] + body[5:] + [eos, pad, pad]  # a special token mid-text too: TRL's decode skips it
    text, starts = decode_with_starts(tokenizer, ids)
    assert text == GUIDES[0] == tokenizer.batch_decode([ids], skip_special_tokens=True)[0]
    assert starts[5] is None and starts[-3:] == [None, None, None]
    assert [s for s in starts if s is not None] == oracle_starts(tokenizer, body, GUIDES[0])


def test_a_character_split_over_three_tokens_starts_in_all_three(tiny):
    ids = tiny.encode("a日b", add_special_tokens=False)
    pieces = [bytes(UNBYTE[c] for c in tiny.convert_ids_to_tokens(i)) for i in ids]
    assert len([p for p in pieces if p and p[0] >= 0x80]) >= 2, "the tokenizer must split 日 for this test"
    text, starts = decode_with_starts(tiny, ids)
    # '日' is character 1: every token holding one of its bytes starts there; none is mistaken for a special token.
    assert text == "a日b" and starts[0] == 0 and starts[-1] == 2
    assert all(s == 1 for s in starts[1:-1]) and None not in starts


def _step_reference(starts, spans):
    return [next((k for k, (a, b) in enumerate(spans) if c is not None and a <= c < b), -1) for c in starts]


@pytest.mark.parametrize("which", ["tiny", "merged"])
def test_tokens_map_to_the_step_holding_their_first_character(request, which):
    tokenizer = request.getfixturevalue(which)
    crossing = 0
    for guide in GUIDES[:40]:
        cot = RULES.parse(guide)
        spans = [(s.start, s.end) for s in cot.steps]
        ids = tokenizer.encode(guide, add_special_tokens=False)
        _, starts = decode_with_starts(tokenizer, ids)
        steps = token_steps(starts, spans)
        assert steps == _step_reference(oracle_starts(tokenizer, ids, guide), spans)
        ends = starts[1:] + [len(guide)]
        for k, (a, b) in enumerate(zip(starts, ends)):
            text = guide[a:b]
            if steps[k] >= 0:  # every token of a step starts inside its span ...
                assert spans[steps[k]][0] <= a < spans[steps[k]][1]
                crossing += b > spans[steps[k]][1]  # ... and may run past its end
            else:  # the label line, <think>, </think> and the newlines between steps belong to no step
                assert not any(s <= a < e for s, e in spans), text
        label_tokens = [k for k, a in enumerate(starts) if a < cot.label_span[1]]
        assert label_tokens and all(steps[k] == -1 for k in label_tokens)
        think = guide.index("<think>")
        assert all(steps[k] == -1 for k, a in enumerate(starts) if think <= a < think + len("<think>"))
        close = guide.index("</think>")
        assert all(steps[k] == -1 for k, a in enumerate(starts) if a >= close)
    if which == "merged":
        assert crossing > 0, "the merged tokenizer must produce tokens that cross a step boundary"


def test_a_token_spanning_two_steps_belongs_to_the_first():
    # Hand-made offsets: token 1 covers "b|c" across the boundary at 2, token 2 starts exactly at the boundary.
    spans = [(0, 2), (2, 4)]
    assert token_steps([0, 1, 2, 3, None, 4], spans) == [0, 0, 1, 1, -1, -1]
    assert token_steps([0, 5], [(1, 3), (4, 6)]) == [-1, 1]  # before the first span, in a gap after it


def test_overlapping_spans_are_refused():
    with pytest.raises(ValueError, match="sorted and disjoint"):
        token_steps([0], [(0, 5), (3, 8)])


@pytest.mark.parametrize("text,prefix,expected", [
    ("abc", "ab", 2),  # a real prefix
    ("abc", "ab\ufffd", 2),  # a partial character decoded as U+FFFD: only the part before it counts
    ("abc", "", 0),
    ("abc", "xbc", 0),
    ("ab", "abc", 2),
])
def test_common_prefix_length(text, prefix, expected):
    assert common_prefix_length(text, prefix) == expected


def test_token_char_starts_from_prefixes():
    # "a" + a special token + the two halves of "é" + "b"
    prefixes = ["", "a", "a", "a\ufffd", "aé", "aéb"]
    assert token_char_starts(prefixes, "aéb", [False, True, False, False, False]) == [0, None, 1, 1, 2]


@pytest.mark.parametrize("ids,mask,pad,expected", [
    ([5, 6, 1, 0, 0], [1, 1, 1, 0, 0], 0, 3),  # the mask gives the length; EOS (1) is inside
    ([5, 6, 1, 1, 1], [1, 1, 1, 0, 0], 1, 3),  # pad == EOS: the mask, not the ids, tells them apart
    ([5, 6, 7, 0, 0], [0, 0, 0, 0, 0], 0, 3),  # a truncated row masked out by TRL: strip the padding
    ([5, 6, 7], [0, 0, 0], None, 3),
])
def test_completion_length(ids, mask, pad, expected):
    assert completion_length(ids, mask, pad) == expected


# ---------------------------------------------------------------- the linear-time alignment against the reference

@pytest.mark.parametrize("which", ["tiny", "merged"])
@pytest.mark.parametrize("text", GUIDES[12:20] + AWKWARD)
def test_the_stream_alignment_is_the_prefix_reference(request, which, text):
    tokenizer = request.getfixturevalue(which)
    ids = tokenizer.encode(text, add_special_tokens=False)
    eos = tokenizer.eos_token_id
    for case in (ids, ids[:7] + [eos] + ids[7:] + [eos, tokenizer.pad_token_id], ids[:-1]):  # specials; a cut end
        reference = prefix_starts(tokenizer, case)
        assert stream_starts(tokenizer, case, reference[0]) == reference[1], "the linear path must be taken, and agree"
        assert decode_with_starts(tokenizer, case) == reference


@pytest.mark.parametrize("which", ["tiny", "merged"])
def test_random_token_sequences_align_as_the_reference(request, which):
    """Random ids (invalid UTF-8 runs, lone continuation bytes, specials anywhere): what a sampled policy emits."""
    import random

    tokenizer = request.getfixturevalue(which)
    rng, vocab, fast = random.Random(0), len(tokenizer), 0
    byte_tokens = [i for i in range(vocab) if len(tokenizer.convert_ids_to_tokens(i)) == 1]
    for n in range(150):
        length = rng.randint(0, 60)
        pool = byte_tokens if n % 3 == 0 else range(vocab)  # every third sequence of single bytes only
        ids = [rng.choice(pool) for _ in range(length)]
        reference = prefix_starts(tokenizer, ids)
        assert decode_with_starts(tokenizer, ids) == reference, ids
        fast += stream_starts(tokenizer, ids, reference[0]) is not None
    assert fast >= 140, f"the linear path was taken for only {fast} of 150 sequences"


def test_a_decoder_that_cleans_up_spaces_falls_back_to_the_reference(tiny):
    import copy

    tokenizer = copy.deepcopy(tiny)
    tokenizer.clean_up_tokenization_spaces = True  # " ." -> ".": earlier text changes, no stream can follow it
    tokenizer.clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output = True  # transformers >= 5
    ids = tokenizer.encode("a red shirt . it is n't blue !", add_special_tokens=False)
    text, starts = decode_with_starts(tokenizer, ids)
    assert (text, starts) == prefix_starts(tokenizer, ids) and text == "a red shirt. it isn't blue!"
    assert stream_starts(tokenizer, ids, text) is None
