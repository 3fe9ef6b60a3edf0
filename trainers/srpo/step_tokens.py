"""Which tokens of a completion belong to which reasoning step: exact character -> token alignment.

    >>> text, starts = decode_with_starts(tokenizer, completion_ids[i][:length])
    >>> steps = token_steps(starts, [(s.start, s.end) for s in step_scores])   # step index per token, -1 = none

SRPO gives each token the step-level advantage of the step it belongs to, so the step spans (character offsets
in the decoded completion, as `rules.parse` reports them) must be mapped onto the token ids the loss sees. The
text is the one TRL's reward saw: `batch_decode(ids, skip_special_tokens=True)`.

The exact definition (the reference, `prefix_starts`): decode every prefix of the ids the same way and compare
each with the full text. A token's first character is the first one its predecessors did not fully produce: the
common prefix length of the decoded prefix with the text. This is exact for any tokenizer and robust to:

- byte-level BPE, where a token can end in the middle of a UTF-8 character: such a prefix decodes with U+FFFD
  where the partial character is, so only its longest common prefix with the full text counts; the token that
  starts the character and the one that completes it both start at that character;
- special tokens (EOS, chat markers) skipped by the decoding: they add nothing to the prefix and map to no step;
- tokens that cross a step boundary (e.g. "ch\\n[" in a merged vocabulary): a token belongs to the step whose
  span contains its first character;
- clean-up of tokenization spaces and decoders that drop a leading space: the prefixes go through the same
  decoder as the full text.

It decodes T prefixes of up to T tokens: quadratic (322 ms for 1,024 tokens). `decode_with_starts` computes the
same starts in linear time (`stream_starts`): the `tokenizers` library's incremental decoder (`DecodeStream`)
emits each token's new text, so a token starts where the text emitted so far ends; the few tokens that emit
nothing (a partial UTF-8 character) are resolved by decoding just their short run. It checks that the emitted
pieces make up the full text, and falls back to the reference when they do not (a slow tokenizer, or a decoder
whose clean-up of tokenization spaces rewrites earlier text, e.g. `clean_up_tokenization_spaces=True`).
`bench/step_alignment.py` measures both.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

try:  # tokenizers >= 0.21
    from tokenizers.decoders import DecodeStream
except ImportError:  # pragma: no cover
    DecodeStream = None


def common_prefix_length(text: str, prefix: str) -> int:
    """Length of the longest common prefix of `text` and `prefix` (startswith is monotone: binary search)."""
    if text.startswith(prefix):
        return len(prefix)
    low, high = 0, min(len(prefix), len(text))
    while low < high:  # invariant: prefix[:low] matches; prefix[:high + 1] does not (when high < len)
        mid = (low + high + 1) // 2
        if text.startswith(prefix[:mid]):
            low = mid
        else:
            high = mid - 1
    return low


def token_char_starts(prefixes: Sequence[str], text: str, silent: Sequence[bool] | None = None) -> list[int | None]:
    """Per token k, the index in `text` of its first character, from the decoded prefixes (len = tokens + 1).

    `prefixes[k]` is the decoding of the first k tokens; `silent[k]` says token k decodes to "" on its own. A token
    that adds nothing to the decoded text and is silent (a special token skipped by the decoder) has no character:
    None. (The middle byte of a 3-byte character also leaves the prefix unchanged, "日" split in three gives
    "", "\ufffd", "\ufffd", "日", but it is not silent.) Otherwise its first character is the first one the
    previous tokens did not fully produce: the common prefix length of `prefixes[k]` with the text.
    """
    silent = silent if silent is not None else [True] * (len(prefixes) - 1)
    starts: list[int | None] = []
    settled = 0
    for k in range(len(prefixes) - 1):
        # Never before a character an earlier token already finished (clean-up makes decoding non-monotone).
        settled = max(settled, common_prefix_length(text, prefixes[k]))
        starts.append(None if prefixes[k + 1] == prefixes[k] and silent[k] else settled)
    return starts


def prefix_starts(tokenizer: Any, ids: Sequence[int]) -> tuple[str, list[int | None]]:
    """The reference: decode every prefix (quadratic in the length; exact for any tokenizer)."""
    ids = [int(i) for i in ids]
    prefixes = tokenizer.batch_decode([ids[:k] for k in range(len(ids) + 1)], skip_special_tokens=True)
    alone = tokenizer.batch_decode([[i] for i in ids], skip_special_tokens=True)
    text = prefixes[-1]
    return text, token_char_starts(prefixes, text, [a == "" for a in alone])


def decode_with_starts(tokenizer: Any, ids: Sequence[int]) -> tuple[str, list[int | None]]:
    """The text TRL's reward sees for these ids, and each token's first-character index in it (None: none).

    Linear time (`stream_starts`); the same result as the reference `prefix_starts`, which it falls back to.
    """
    ids = [int(i) for i in ids]
    text = tokenizer.batch_decode([ids], skip_special_tokens=True)[0]
    starts = stream_starts(tokenizer, ids, text)
    return (text, starts) if starts is not None else prefix_starts(tokenizer, ids)


def stream_starts(tokenizer: Any, ids: list[int], text: str) -> list[int | None] | None:
    """`prefix_starts`' answer from one incremental decoding pass; None when the pass cannot vouch for it."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or DecodeStream is None:
        return None
    step = DecodeStream(skip_special_tokens=True).step
    starts: list[int | None] = []
    emitted, anchor, run = 0, 0, 0  # chars produced; first token of the current context; tokens that emitted nothing
    for k, chunk in enumerate([step(backend, token) for token in ids]):
        starts.append(emitted)
        if chunk is None:
            run += 1
            continue
        if run and not _resolve_run(backend, ids, text, starts, anchor, k - run, k + 1, emitted):
            return None
        if not text.startswith(chunk, emitted):
            return None
        emitted, anchor, run = emitted + len(chunk), k, 0
    if run:  # trailing tokens that emitted nothing: special tokens, or a character cut by the length limit
        if not _resolve_run(backend, ids, text, starts, anchor, len(ids) - run, len(ids), emitted):
            return None
        return starts
    return starts if emitted == len(text) else None


def _resolve_run(backend: Any, ids: list[int], text: str, starts: list, anchor: int, first: int, stop: int,
                 emitted: int) -> bool:
    """The reference's rule on tokens first..stop-1 (a run that emitted nothing, and the token that ended it).

    Their prefixes are the text emitted before `first` plus the decoding of the run; the run is decoded after the
    context ids[anchor:first] (so decoders that treat the first token specially see what they saw in the full
    decoding). False when that does not hold, or the run's text does not match `text`.
    """
    base = backend.decode(ids[anchor:first], skip_special_tokens=True)
    tails = []
    for p in range(first, stop + 1):
        window = backend.decode(ids[anchor:p], skip_special_tokens=True)
        if not window.startswith(base):
            return False
        tails.append(window[len(base):])
    rest = text[emitted:]
    if stop == len(ids) and tails[-1] != rest:
        return False
    settled = emitted
    for j, k in enumerate(range(first, stop)):
        settled = max(settled, emitted + common_prefix_length(rest, tails[j]))
        silent = tails[j + 1] == tails[j] and backend.decode([ids[k]], skip_special_tokens=True) == ""
        starts[k] = None if silent else settled
    return True


def token_steps(starts: Sequence[int | None], spans: Sequence[tuple[int, int]]) -> list[int]:
    """Per token, the index of the span (step) containing its first character; -1 outside every span.

    Spans are half-open [start, end) character ranges, sorted and disjoint (a parsed CoT's steps are).
    """
    if any(spans[k][1] > spans[k + 1][0] for k in range(len(spans) - 1)):
        raise ValueError(f"step spans must be sorted and disjoint (got {list(spans)})")
    begins = [s for s, _ in spans]
    out = []
    for c in starts:
        k = -1 if c is None else bisect.bisect_right(begins, c) - 1
        out.append(k if k >= 0 and c < spans[k][1] else -1)
    return out


def completion_length(ids: Sequence[int], mask: Sequence[int], pad_id: int | None) -> int:
    """How many of a padded completion row's ids TRL decoded for the reward.

    TRL pads completions on the right with the pad id and a mask of 0. The mask tells the length, except for a row
    `mask_truncated_completions` zeroed: there, strip the trailing pad ids (the decoder skips special tokens, so an
    EOS that is also the pad id changes nothing in the text).
    """
    ones = [k for k, m in enumerate(mask) if m]
    if ones:
        return ones[-1] + 1
    n = len(ids)
    while n and pad_id is not None and int(ids[n - 1]) == pad_id:
        n -= 1
    return n
