"""Left-padded batches for causal LMs, shared by the local judge and the trainers' scorers and generators.

It lives here, below trainers/, because data flows one way: trainers may use verifiers, never the reverse.
torch is imported on call, so importing verifiers stays light.
"""

from __future__ import annotations

from typing import Any


def left_pad(rows: list[list[int]], pad_id: int, device: Any) -> tuple[Any, Any, Any]:
    """input_ids, attention_mask and position_ids for a left-padded batch (the last column is every row's end)."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, width - len(row):] = torch.tensor(row, dtype=torch.long)
        mask[i, width - len(row):] = 1
    # Positions count real tokens only, so a left-padded row sees the same positions as it would alone.
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return ids.to(device), mask.to(device), positions.to(device)
