"""Generation outside TRL's own rollouts (evaluation, offline pass@N) that is safe on every distributed engine.

    with generation_model(trainer) as model:                       # on EVERY rank
        gen = ShardedGenerator(Generator(model, tokenizer), trainer.accelerator)
        completions = gen.generate(prompts)                        # each rank its shard; all get every row

Under DeepSpeed ZeRO-3 and FSDP every forward is a collective, so a model that generates on one rank only hangs
the others (and under plain DDP they wait in TRL's next gather past `ddp_timeout`). `generation_model` enters TRL's
`unwrap_model_for_generation` (ZeRO-3 parameters gathered, gradient checkpointing off, FSDP1 full parameters, the
accelerator's autocast) after the trainer is built; `ShardedGenerator` gives each rank an equal share of the
prompts (padded with a repeat, so every rank makes the same generate calls) and gathers the results in order.
With one process both are the plain model and the plain generator.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any


@contextmanager
def generation_model(trainer: Any):
    """The trainer's model ready to generate on this rank (enter on every rank together)."""
    import torch
    from trl.distributed import DistributedBackend
    from trl.models import unwrap_model_for_generation

    args = trainer.args
    with (unwrap_model_for_generation(trainer.model_wrapped, trainer.accelerator,
                                      gather_deepspeed3_params=getattr(args, "ds3_gather_for_generation", True),
                                      gradient_checkpointing_kwargs=getattr(args, "gradient_checkpointing_kwargs",
                                                                            None)) as model,
          torch.no_grad(),
          DistributedBackend(trainer.accelerator).summon_full_params(trainer.model_wrapped, recurse=False),
          trainer.accelerator.autocast()):
        yield model


def shard(n: int, rank: int, world: int) -> list[int]:
    """Row indices of this rank: rank, rank + world, ...; padded with a repeat to ceil(n / world) rows."""
    rows = list(range(rank, n, world))
    size = -(-n // world)
    return rows + [rows[-1] if rows else 0] * (size - len(rows)) if n else []


class ShardedGenerator:
    """A generator's interface over the processes: each generates its shard, every process gets all rows."""

    def __init__(self, inner: Any, accelerator: Any = None, gather: Any = None):
        self.inner = inner
        self.rank = getattr(accelerator, "process_index", 0)
        self.world = max(getattr(accelerator, "num_processes", 1), 1)
        self.gather = gather

    def local(self, prompts: list, **kwargs: Any) -> list[tuple[int, list[str], list[bool]]]:
        """(row, completions, truncated) for this rank's own rows (padding rows left out)."""
        rows = shard(len(prompts), self.rank, self.world)
        if not rows:
            return []
        texts = self.inner.generate([prompts[i] for i in rows], **kwargs)
        cut = getattr(self.inner, "last_truncated", [[False] * len(t) for t in texts])
        mine = range(self.rank, len(prompts), self.world)
        return [(i, texts[j], cut[j]) for j, i in enumerate(rows[:len(mine)])]

    @staticmethod
    def merge(pieces: list[tuple[int, list[str], list[bool]]], n: int) -> tuple[list[list[str]], list[list[bool]]]:
        by_row = {i: (texts, cut) for i, texts, cut in pieces}
        if sorted(by_row) != list(range(n)):
            raise RuntimeError(f"sharded generation returned rows {sorted(by_row)[:8]}... for {n} prompts")
        return [by_row[i][0] for i in range(n)], [by_row[i][1] for i in range(n)]

    def generate(self, prompts: list, **kwargs: Any) -> list[list[str]]:
        pieces = self.local(prompts, **kwargs)
        if self.world > 1:
            from accelerate.utils import gather_object

            pieces = (self.gather or gather_object)(pieces)
        out, self.last_truncated = self.merge(pieces, len(prompts))
        return out
