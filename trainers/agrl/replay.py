"""Adaptive guided replay (TaoSR-AGRL): which rollouts become guides, and the queue of prompts to revisit.

    python -m trainers.agrl --config trainers/recipes/agrl_cpu.yaml --guide_threshold 0.25 --replay_queue_size 64

    >>> triggered, guided = select_guided_rows(correct, num_generations=4, threshold=0.0, per_group=1)

Every decision here is a pure function of data gathered from all processes (global order, groups of
`num_generations` contiguous and possibly straddling processes), so every process takes the same decision and
collective calls stay aligned.

Replay (`replay_queue_size > 0`): the prompt of every group that triggered guidance joins a FIFO queue (the oldest
is dropped when it is full). At each later generation batch up to ceil(`replay_share` x groups) queued prompts
replace the batch's **last** groups (all `num_generations` rows of a group together), so a hard prompt is revisited
once, a few steps after it failed, with the policy that learnt from its guide. A revisited prompt that fails again
is guided again but not queued again (no prompt cycles forever). The queue is saved in every checkpoint
(`agrl_replay_queue.json`, written before TRL's files, so a complete checkpoint always has it) and a resumed run
continues with the same queue.
"""

from __future__ import annotations

import copy
import json
import math
from collections import deque
from pathlib import Path
from typing import Any

import torch

QUEUE_FILE = "agrl_replay_queue.json"


def group_accuracy(correct: torch.Tensor, num_generations: int) -> torch.Tensor:
    """(groups,) share of each group's completions whose written label is the gold label."""
    if correct.numel() % num_generations:
        raise ValueError(f"{correct.numel()} completions do not split into groups of {num_generations}")
    return correct.float().view(-1, num_generations).mean(dim=1)


def select_guided_rows(correct: torch.Tensor, num_generations: int, threshold: float,
                       per_group: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Groups whose accuracy is <= threshold, and in each the last `per_group` wrong rows (to become guides).

    `correct` is the gathered (global batch,) bool tensor. Returns (groups,) and (global batch,) bool tensors.
    Only wrong rollouts are replaced, the last ones of the group: rollouts of a group are exchangeable samples, so
    position is an unbiased, deterministic choice that every process computes alike.
    """
    correct = correct.bool().cpu()
    triggered = group_accuracy(correct, num_generations) <= threshold + 1e-9
    wrong = ~correct.view(-1, num_generations)
    # Rank wrong rows from the end of their group: 1 for the last wrong row, 2 for the one before, ...
    rank_from_end = wrong.flip(1).int().cumsum(1).flip(1)
    guided = wrong & (rank_from_end <= per_group) & triggered.unsqueeze(1)
    return triggered, guided.view(-1)


def replay_count(queued: int, groups: int, share: float) -> int:
    """How many groups of a batch of `groups` are replayed prompts."""
    return min(queued, math.ceil(share * groups)) if queued and share > 0 else 0


class ReplayQueue:
    """FIFO of dataset rows (dicts) whose groups triggered guidance; identical on every process by construction."""

    def __init__(self, capacity: int):
        if capacity < 1:
            raise ValueError(f"replay_queue_size must be >= 1 to keep a queue (got {capacity}); 0 turns replay off")
        self.items: deque[dict] = deque(maxlen=capacity)
        self.pushed = 0
        self.replayed = 0

    def __len__(self) -> int:
        return len(self.items)

    def push(self, rows: list[dict]) -> None:
        self.items.extend(copy.deepcopy(rows))
        self.pushed += len(rows)

    def take(self, k: int) -> list[dict]:
        out = [self.items.popleft() for _ in range(min(k, len(self.items)))]
        self.replayed += len(out)
        return out

    def state_dict(self) -> dict:
        return {"capacity": self.items.maxlen, "items": list(self.items), "pushed": self.pushed,
                "replayed": self.replayed}

    def load_state_dict(self, state: dict) -> None:
        """The saved queue (the newest `capacity` rows when the run resumes with a smaller replay_queue_size)."""
        self.items.clear()
        self.items.extend(state["items"])
        self.pushed, self.replayed = state["pushed"], state["replayed"]

    def save(self, folder: str | Path) -> None:
        path = Path(folder) / QUEUE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            text = json.dumps(self.state_dict())
        except TypeError as err:
            raise TypeError(f"AGRL replay queue: a queued dataset row is not JSON ({err}); keep dataset columns to "
                            "strings, numbers, lists and dicts") from None
        path.write_text(text, encoding="utf-8")

    def load(self, folder: str | Path) -> bool:
        """Restore the queue saved in a checkpoint folder; False when it holds none (a checkpoint of another run)."""
        path = Path(folder) / QUEUE_FILE
        if not path.is_file():
            return False
        self.load_state_dict(json.loads(path.read_text(encoding="utf-8")))
        return True


def mix_in_replays(inputs: list[dict], queue: ReplayQueue, share: float, num_generations: int,
                   process_index: int, num_processes: int) -> tuple[list[dict], list[int]]:
    """This process's rows with the batch's last groups replaced by queued rows; and the replayed global groups."""
    n_local = len(inputs)
    groups = n_local * num_processes // num_generations
    k = replay_count(len(queue), groups, share)
    if k == 0:
        return inputs, []
    replays, first = queue.take(k), groups - k
    out = list(inputs)
    for i in range(n_local):
        group = (process_index * n_local + i) // num_generations
        if group >= first:
            out[i] = copy.deepcopy(replays[group - first])
    return out, list(range(first, groups))


def rows_to_queue(inputs: list[dict], triggered: torch.Tensor, replayed: list[int], num_generations: int,
                  process_index: int) -> list[tuple[int, dict]]:
    """(group, row) for triggered, not replayed groups whose first row lives on this process (each group once)."""
    n_local, start = len(inputs), process_index * len(inputs)
    skip = set(replayed)
    out = []
    for group in torch.nonzero(triggered).flatten().tolist():
        first_row = group * num_generations
        if group not in skip and start <= first_row < start + n_local:
            out.append((group, inputs[first_row - start]))
    return out


def ordered_rows(gathered: list[Any]) -> list[dict]:
    """Gathered (group, row) pairs of all processes in global group order."""
    return [row for _, row in sorted(gathered, key=lambda pair: pair[0])]
