"""Training curves as PNG: one line per run (method) of a logged metric against the optimizer step.

    >>> plot_curves({"grpo": [(0, 0.2), (10, 0.3)], "srpo": [(0, 0.2), (10, 0.4)]}, "curves.png",
    ...             metric="eval/macro_f1")  # doctest: +SKIP

Used by the demo (`python -m trainers.srpo`) and `bench/compare_methods.py`. Same conventions as
`trainers.figures`: the Agg canvas directly (no pyplot state), Okabe-Ito colours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from matplotlib.figure import Figure

from trainers.figures import OKABE_ITO, _save


def series(log_history: list[dict], key: str) -> list[tuple[int, float]]:
    """(step, value) of every log entry that has `key` (TRL/transformers `trainer.state.log_history`)."""
    return [(int(e.get("step", 0)), float(e[key])) for e in log_history if isinstance(e.get(key), (int, float))]


def plot_curves(runs: Mapping[str, Sequence[tuple[int, float]]], path: str | Path, metric: str,
                title: str | None = None, target: float | None = None) -> Path:
    """Lines of `metric` per run; `target` draws a dashed horizontal reference (e.g. GRPO's final macro-F1)."""
    fig = Figure(figsize=(6.4, 4.0))
    ax = fig.add_subplot()
    for k, (name, points) in enumerate(runs.items()):
        if not points:
            continue
        steps, values = zip(*sorted(points))
        ax.plot(steps, values, marker="o", markersize=3, color=OKABE_ITO[k % len(OKABE_ITO)], label=name)
    if target is not None:
        ax.axhline(target, linestyle="--", color="0.45", linewidth=1)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel(metric)
    ax.set_title(title or metric)
    ax.grid(alpha=0.3)
    if any(runs.values()):
        ax.legend(fontsize=8)
    return _save(fig, path)
