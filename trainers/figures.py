"""Evaluation figures as PNG files: confusion matrix, per-class F1, query-type slices, CumPT calibration curve.

    >>> from trainers.metrics import classification_report
    >>> rep = classification_report([4, 3, 1], [4, 1, None], labels=[4, 3, 2, 1])
    >>> plot_confusion(rep, "/tmp/confusion.png").name  # doctest: +SKIP
    'confusion.png'

Figures are drawn on `matplotlib.figure.Figure` with the Agg canvas directly, not through pyplot: no display is
needed, no global backend is switched, and nothing leaks between calls. Colours are the Okabe-Ito palette and
the single-hue "Blues" map, both readable with colour-vision deficiencies. Rates are shown as percentages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
DPI = 130


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    FigureCanvasAgg(fig).print_png(str(path))
    return path


def _name(report: Mapping[str, Any], lab: Any) -> str:
    name = report.get("label_names", {}).get(str(lab))
    return f"{lab} {name}" if name else str(lab)


def plot_confusion(report: Mapping[str, Any], path: str | Path, title: str | None = None) -> Path:
    """Confusion matrix of a `classification_report`: counts in the cells, colour = share of the gold row.

    Colour by row share, not count, because the classes are imbalanced (in the wild, L4 is ~50% and L3 ~5%):
    raw counts would paint only the big classes. The "unparsed" column sits behind a divider.
    """
    cm = np.asarray(report["confusion"]["matrix"], dtype=float)
    rows = report["confusion"]["rows"]
    cols = report["confusion"]["cols"]
    share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig = Figure(figsize=(1.3 * len(cols) + 2.4, 1.0 * len(rows) + 1.8), dpi=DPI)
    ax = fig.add_subplot()
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, f"{int(cm[i, j])}\n{100 * share[i, j]:.0f}%", ha="center", va="center", fontsize=9,
                    color="white" if share[i, j] > 0.55 else "black")
    ax.axvline(len(cols) - 1.5, color="0.3", lw=1.5)
    ax.set_xticks(range(len(cols)), [_name(report, c) if c != "unparsed" else "unparsed" for c in cols],
                  rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), [_name(report, r) for r in rows])
    ax.set_xlabel("predicted label")
    ax.set_ylabel("gold label")
    beta = f", CumPT beta = {report['beta']:g}" if report.get("beta") is not None else ""
    ax.set_title(title or f"Confusion matrix (n = {report['n']}, accuracy {100 * report['accuracy']:.1f}%{beta})")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of gold row")
    return _save(fig, path)


def _bars(ax, groups: Sequence[str], series: dict[str, Sequence[float]]) -> None:
    """Grouped vertical bars in percent with the value written above each bar."""
    width = 0.8 / len(series)
    x = np.arange(len(groups))
    for k, (name, values) in enumerate(series.items()):
        pos = x - 0.4 + width * (k + 0.5)
        vals = [100 * v for v in values]
        bars = ax.bar(pos, vals, width * 0.95, label=name, color=OKABE_ITO[k % len(OKABE_ITO)])
        ax.bar_label(bars, [f"{v:.1f}" for v in vals], padding=2, fontsize=8)
    ax.set_xticks(x, groups)
    ax.set_ylim(0, 112)  # room for the value labels above 100
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def plot_per_class_f1(report: Mapping[str, Any], path: str | Path, compare: Mapping[str, Any] | None = None,
                      names: tuple[str, str] = ("decoded", "CumPT"), title: str | None = None) -> Path:
    """F1 per class plus macro-F1 as bars; with ``compare`` (e.g. the CumPT report) the two side by side."""
    labels = report["labels"]
    groups = [_name(report, lab) for lab in labels] + ["macro-F1"]
    series = {}
    for name, rep in zip(names, (report, compare)):
        if rep is not None:
            series[name] = [rep["per_class"][str(lab)]["f1"] for lab in labels] + [rep["macro_f1"]]
    fig = Figure(figsize=(1.2 * len(groups) + 2.5, 4.2), dpi=DPI)
    ax = fig.add_subplot()
    _bars(ax, groups, series)
    ax.axvline(len(labels) - 0.5, color="0.5", lw=1, ls=":")  # the average is not a class
    ax.set_xlabel("label")
    ax.set_ylabel("F1 (%)")
    ax.set_title(title or "F1 per class" + (f": {names[0]} vs {names[1]}" if compare is not None else ""))
    if compare is not None:  # outside the axes: bars near 100% would hide under a legend inside
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _save(fig, path)


def plot_slices(slice_report: Mapping[str, Mapping[str, Any]], path: str | Path, title: str | None = None) -> Path:
    """Accuracy and macro-F1 per query-type slice; the tick labels carry each slice's size."""
    if not slice_report:
        raise ValueError("slice_report is empty: no example carried a query-type tag, so there is nothing to plot")
    tags = list(slice_report)
    groups = [f"{t}\n(n={slice_report[t]['n']})" for t in tags]
    series = {"accuracy": [slice_report[t]["accuracy"] for t in tags],
              "macro-F1": [slice_report[t]["macro_f1"] for t in tags]}
    fig = Figure(figsize=(max(5.0, 1.3 * len(tags) + 2.0), 4.2), dpi=DPI)
    ax = fig.add_subplot()
    _bars(ax, groups, series)
    ax.set_xlabel("query type")
    ax.set_ylabel("%")
    ax.set_title(title or "Quality per query-type slice")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _save(fig, path)


def plot_calibration(curve: Any, path: str | Path, chosen: float | None = None,
                     objective: str | None = None, title: str | None = None) -> Path:
    """Dev score against CumPT's beta; ``curve`` is [(beta, score), ...] or a `CalibrationResult`.

    The chosen beta (``chosen``, or the result's beta) is marked with a dashed line and its score.
    """
    if hasattr(curve, "curve"):  # a CalibrationResult
        chosen = curve.beta if chosen is None else chosen
        objective = objective or curve.objective
        curve = curve.curve
    if not curve:
        raise ValueError("curve is empty: pass [(beta, score), ...] from trainers.cumpt.calibrate")
    betas, scores = zip(*sorted(curve))
    label = {"macro_f1": "macro-F1", "good_f1": "Good-F1"}.get(objective or "macro_f1", objective)
    fig = Figure(figsize=(6.0, 4.0), dpi=DPI)
    ax = fig.add_subplot()
    ax.plot(betas, [100 * s for s in scores], marker="o", ms=4, color=OKABE_ITO[0], label=f"dev {label}")
    if chosen is not None:
        best = dict(zip(betas, scores)).get(chosen)
        ax.axvline(chosen, color=OKABE_ITO[5], ls="--", lw=1.2,
                   label=f"chosen beta = {chosen:g}" + (f" ({100 * best:.2f})" if best is not None else ""))
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0, max(100 * max(scores) * 1.1, 1.0))  # from 0: a flat-looking curve should look flat
    ax.set_xticks(np.linspace(0, 1, 11))
    ax.set_xlabel("beta (cumulative-probability threshold)")
    ax.set_ylabel(f"{label} (%)")
    ax.set_title(title or f"CumPT calibration: dev {label} vs beta")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", frameon=True, framealpha=0.9)
    return _save(fig, path)
