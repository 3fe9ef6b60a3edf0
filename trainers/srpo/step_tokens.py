"""Which tokens of a completion belong to which reasoning step: exact character -> token alignment.

    >>> text, starts = decode_with_starts(tokenizer, completion_ids[i][:length])
    >>> steps = token_steps(starts, [(s.start, s.end) for s in step_scores])   # step index per token, -1 = none

SRPO gives each token the step-level advantage of the step it belongs to, so the step spans (character offsets
in the decoded completion, as `rules.parse` reports them) must be mapped onto the token ids the loss sees. The
text is the one TRL's reward saw: `batch_decode(ids, skip_special_tokens=True)`. Offsets come from decoding every
prefix of the ids the same way (one batched call) and comparing each prefix with the full text, which makes the
alignment exact for any tokenizer and robust to:

- byte-level BPE, where a token can end in the middle of a UTF-8 character: such a prefix decodes with U+FFFD
  where the partial character is, so only its longest common prefix with the full text counts; the token that
  starts the character and the one that completes it both start at that character;
- special tokens (EOS, chat markers) skipped by the decoding: they add nothing to the prefix and map to no step;
- tokens that cross a step boundary (e.g. "ch\\n[" in a merged vocabulary): a token belongs to the step whose
  span contains its first character;
- clean-up of tokenization spaces and decoders that drop a leading space: the prefixes go through the same
  decoder as the full text.

Cost: one batched decode of T prefixes per completion (a few ms for 320 tokens with a fast tokenizer).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any


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


def decode_with_starts(tokenizer: Any, ids: Sequence[int]) -> tuple[str, list[int | None]]:
    """The text TRL's reward sees for these ids, and each token's first-character index in it (None: none)."""
    ids = [int(i) for i in ids]
    prefixes = tokenizer.batch_decode([ids[:k] for k in range(len(ids) + 1)], skip_special_tokens=True)
    alone = tokenizer.batch_decode([[i] for i in ids], skip_special_tokens=True)
    text = prefixes[-1]
    return text, token_char_starts(prefixes, text, [a == "" for a in alone])


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
