"""Evaluation figures as PNG files: confusion matrix, per-class F1, query-type slices, CumPT calibration curve,
and training curves (one line per run of a logged metric against the optimizer step: the demo and
`bench/compare_methods.py`).

    >>> from trainers.evaluation.metrics import classification_report
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
from matplotlib.patches import Patch

from trainers.evaluation.cumpt import best_run

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
DPI = 130
MIN_SLICE_N = 20  # slices smaller than this are drawn faded and hatched: too few examples to read a rate from
MUTED = "0.45"  # grey for the text of small slices


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    FigureCanvasAgg(fig).print_png(str(path))
    return path


def _name(report: Mapping[str, Any], lab: Any) -> str:
    name = report.get("label_names", {}).get(str(lab))
    return f"{lab} {name}" if name else str(lab)


def _rate(x: float) -> str:
    """A share as a short percentage: 1.0 -> '100%', 0.125 -> '12.5%', 0.004 -> '0.4%', never rounded to 0 or 100.

    A handful of parse failures in a large set must not read "0%", nor nearly all of them "100%".
    """
    if 0 < x < 0.0005:
        return "<0.1%"
    if 0.9995 <= x < 1:
        return ">99.9%"
    return f"{100 * x:.1f}".rstrip("0").rstrip(".") + "%"


def _facts(report: Mapping[str, Any]) -> str:
    """n, accuracy, parse failures and (when present) CumPT's beta of a `classification_report`, for titles."""
    beta = f", CumPT beta = {report['beta']:g}" if report.get("beta") is not None else ""
    return (f"n = {report['n']}, accuracy {100 * report['accuracy']:.1f}%, "
            f"unparsed {_rate(report['parse_failure_rate'])}{beta}")


def plot_confusion(report: Mapping[str, Any], path: str | Path, title: str | None = None) -> Path:
    """Confusion matrix of a `classification_report`: counts in the cells, colour = share of the gold row.

    The title is ``title`` (default "Confusion matrix") followed by the computed facts: n, accuracy, the
    parse-failure rate and, when the report carries one, CumPT's beta; ``title`` never hides them.

    Colour by row share, not count, because the classes are imbalanced (in the wild, L4 is ~50% and L3 ~5%):
    raw counts would paint only the big classes. The "unparsed" column sits behind a divider.
    """
    cm = np.asarray(report["confusion"]["matrix"], dtype=float)
    rows = report["confusion"]["rows"]
    cols = report["confusion"]["cols"]
    share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig = Figure(figsize=(1.3 * len(cols) + 2.4, 1.0 * len(rows) + 2.0), dpi=DPI)
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
    ax.set_title(f"{title or 'Confusion matrix'}\n{_facts(report)}")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of gold row")
    return _save(fig, path)


def _bars(ax, groups: Sequence[str], series: dict[str, Sequence[float | None]],
          small: Sequence[bool] | None = None) -> list[Patch]:
    """Grouped vertical bars in percent with the value written above each bar (None: no bar, "n/a").

    Groups flagged in ``small`` are drawn faded and hatched, their values and tick labels in grey. Returns one
    solid legend handle per series (the bars' own handles would take the first bar's look, faded or not).
    """
    width = 0.8 / len(series)
    x = np.arange(len(groups))
    small = list(small) if small is not None else [False] * len(groups)
    handles = []
    for k, (name, values) in enumerate(series.items()):
        color = OKABE_ITO[k % len(OKABE_ITO)]
        handles.append(Patch(facecolor=color, label=name))
        pos = x - 0.4 + width * (k + 0.5)
        vals = [np.nan if v is None else 100 * v for v in values]
        bars = ax.bar(pos, np.nan_to_num(vals), width * 0.95, label=name, color=color)
        for bar, faded in zip(bars, small):
            if faded:
                bar.set(alpha=0.35, hatch="///", edgecolor=color, linewidth=0)
        texts = ax.bar_label(bars, ["n/a" if np.isnan(v) else f"{v:.1f}" for v in vals], padding=2, fontsize=8)
        for text, faded in zip(texts, small):
            if faded:
                text.set_color(MUTED)
    ax.set_xticks(x, groups)
    for tick, faded in zip(ax.get_xticklabels(), small):
        if faded:
            tick.set_color(MUTED)
    ax.set_ylim(0, 112)  # room for the value labels above 100
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return handles


def _system_label(name: str, report: Mapping[str, Any]) -> str:
    """Legend label of one system: its name, CumPT's beta when present, and its parse-failure rate."""
    beta = f", beta = {report['beta']:g}" if report.get("beta") is not None else ""
    return f"{name}{beta} ({_rate(report['parse_failure_rate'])} unparsed)"


def plot_per_class_f1(report: Mapping[str, Any], path: str | Path, compare: Mapping[str, Any] | None = None,
                      names: tuple[str, str] = ("decoded", "CumPT"), title: str | None = None) -> Path:
    """F1 per class plus macro-F1 as bars; with ``compare`` (e.g. the CumPT report) the two side by side.

    Each legend label carries the system's parse-failure rate ("decoded (100% unparsed)"), so bars at 0 that
    come from unparsed answers are not read as a model that answers wrong.
    """
    labels = report["labels"]
    groups = [_name(report, lab) for lab in labels] + ["macro-F1"]
    series = {}
    for name, rep in zip(names, (report, compare)):
        if rep is not None:
            series[_system_label(name, rep)] = [rep["per_class"][str(lab)]["f1"] for lab in labels] + [rep["macro_f1"]]
    fig = Figure(figsize=(1.2 * len(groups) + 4.0, 4.2), dpi=DPI)
    ax = fig.add_subplot()
    handles = _bars(ax, groups, series)
    ax.axvline(len(labels) - 0.5, color="0.5", lw=1, ls=":")  # the average is not a class
    ax.set_xlabel("label")
    ax.set_ylabel("F1 (%)")
    vs = f": {names[0]} vs {names[1]}" if compare is not None else f": {names[0]}"
    ax.set_title(title or f"F1 per class{vs} (n = {report['n']})")
    # outside the axes: bars near 100% would hide under a legend inside
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _save(fig, path)


def _slice_ticks(tags: Sequence[str], primary: Mapping[str, Mapping], compare: Mapping[str, Mapping] | None,
                 names: tuple[str, str]) -> list[str]:
    """Tick labels: the tag, its n (both counts when the compared report's differs, 0 when it lacks the tag) and
    each report's number of unparsed answers when there are any (named by system when two are compared)."""
    ticks = []
    for t in tags:
        n = primary[t]["n"] if t in primary else 0
        other = n if compare is None else compare[t]["n"] if t in compare else 0
        tick = f"{t}\n(n={n})" if other == n else f"{t}\n({names[0]} n={n},\n{names[1]} n={other})"
        for name, rep in [(None, primary)] if compare is None else [(names[0], primary), (names[1], compare)]:
            unparsed = rep.get(t, {}).get("n_unparsed")
            if unparsed:
                tick += f"\n{unparsed} unparsed" if name is None else f"\n{name}: {unparsed} unparsed"
        ticks.append(tick)
    return ticks


def plot_slices(slice_report: Mapping[str, Mapping[str, Any]], path: str | Path, title: str | None = None,
                compare: Mapping[str, Mapping[str, Any]] | None = None, names: tuple[str, str] = ("decoded", "CumPT"),
                min_n: int = MIN_SLICE_N) -> Path:
    """Accuracy and macro-F1 per query-type slice of the decoded labels; tick labels carry each slice's n and,
    when any, its number of unparsed answers (bars at 0 from parse failures are then not read as wrong labels).

    With ``compare`` (the same slices scored on CumPT labels) there is one panel per metric with the two systems
    side by side. Slices with fewer than ``min_n`` examples are faded and hatched, their labels grey: a rate
    over a handful of examples moves by whole tens of points with one example.
    """
    if not slice_report:
        raise ValueError("slice_report is empty: no example carried a query-type tag, so there is nothing to plot")
    tags = list(slice_report) + [t for t in (compare or {}) if t not in slice_report]
    ticks = _slice_ticks(tags, slice_report, compare, names)
    small = [min(r[t]["n"] for r in (slice_report, compare or {}) if t in r) < min_n for t in tags]
    value = lambda rep, t, key: rep[t][key] if t in rep else None  # noqa: E731
    width = max(5.0, (1.3 if compare is None else 2.0) * len(tags) + 2.8)
    if compare is None:
        fig = Figure(figsize=(width, 4.4), dpi=DPI)
        ax = fig.add_subplot()
        handles = _bars(ax, ticks, {"accuracy": [value(slice_report, t, "accuracy") for t in tags],
                                    "macro-F1": [value(slice_report, t, "macro_f1") for t in tags]}, small)
        ax.set_ylabel("%")
        axes = [ax]
        default = f"{names[0].capitalize()} labels: quality per query-type slice"
    else:
        fig = Figure(figsize=(width, 7.2), dpi=DPI)
        axes = fig.subplots(2, 1, sharex=True)
        for ax, (metric, key) in zip(axes, (("accuracy", "accuracy"), ("macro-F1", "macro_f1"))):
            handles = _bars(ax, ticks, {names[0]: [value(slice_report, t, key) for t in tags],
                                        names[1]: [value(compare, t, key) for t in tags]}, small)
            ax.set_ylabel(f"{metric} (%)")
        default = f"Query-type slices: {names[0]} labels vs {names[1]} labels"
    axes[-1].set_xlabel("query type")
    axes[0].set_title(title or default)
    if any(small):
        handles.append(Patch(facecolor="white", edgecolor=MUTED, hatch="///", label=f"n < {min_n}: too few to read"))
    axes[0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _save(fig, path)


def plot_calibration(curve: Any, path: str | Path, chosen: float | None = None,
                     objective: str | None = None, title: str | None = None,
                     dev: str | Path | None = None, n: int | None = None) -> Path:
    """Dev score against CumPT's beta; ``curve`` is [(beta, score), ...], a `CalibrationResult` or its dict.

    The chosen beta (``chosen``, or the result's beta) is marked with a dashed line and its score; the plateau
    of best score that `trainers.evaluation.cumpt.pick_beta` takes the middle of is shaded. The title is ``title`` (default
    "CumPT calibration") followed by the dev set's file name (``dev``) and size (``n``) when known; a result or
    its dict (`CalibrationResult.to_dict`, plus ``dev`` as the evaluator stores it) supplies them unless given.
    """
    if hasattr(curve, "curve"):  # a CalibrationResult
        chosen = curve.beta if chosen is None else chosen
        objective = objective or curve.objective
        n = curve.n if n is None else n
        curve = curve.curve
    elif isinstance(curve, Mapping):  # CalibrationResult.to_dict(), maybe with "dev"
        chosen = curve.get("beta") if chosen is None else chosen
        objective = objective or curve.get("objective")
        dev = curve.get("dev") if dev is None else dev
        n = curve.get("n") if n is None else n
        curve = curve.get("curve")
    if not curve:
        raise ValueError("curve is empty: pass [(beta, score), ...] from trainers.evaluation.cumpt.calibrate")
    betas, scores = zip(*sorted((float(b), float(s)) for b, s in curve))
    label = {"macro_f1": "macro-F1", "good_f1": "Good-F1"}.get(objective or "macro_f1", objective)
    fig = Figure(figsize=(6.4, 4.3), dpi=DPI)
    ax = fig.add_subplot()
    run = best_run(list(zip(betas, scores)))
    if len(run) > 1:
        ax.axvspan(run[0], run[-1], color=OKABE_ITO[4], alpha=0.18, lw=0,
                   label=f"best-score plateau {run[0]:g} to {run[-1]:g}")
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
    where = f" on {Path(str(dev)).name}" if dev else ""
    size = f" (n = {n})" if n is not None else ""
    ax.set_title(f"{title or 'CumPT calibration'}{where}{size}\ndev {label} vs beta")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", frameon=True, framealpha=0.9, fontsize=8)
    return _save(fig, path)

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
