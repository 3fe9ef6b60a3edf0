"""Evaluation metrics for relevance judges: pure functions over labels, no model code (numpy only).

    >>> r = classification_report([4, 3, 1], [4, 1, None], labels=[4, 3, 2, 1], tiers={"Good": [4, 3], "Bad": [2, 1]})
    >>> round(r["accuracy"], 4), r["n_unparsed"], round(r["good_f1"], 4)
    (0.3333, 1, 0.6667)
    >>> print(to_markdown({"decoded": r}).splitlines()[0])
    # Evaluation report

Conventions (the same as scikit-learn with ``labels=`` given and ``zero_division=0``):

- ``pred=None`` is a parse failure: wrong for every class (a false negative of its gold class) and a prediction
  of no class (no false positive anywhere). It shows in the confusion matrix's last column, ``"unparsed"``.
- precision = tp / (tp + fp), 0 when the class was never predicted; recall = tp / (tp + fn), 0 when the class has
  no support; F1 = 2tp / (2tp + fp + fn), 0 when that denominator is 0 (no support and no predictions).
- macro-F1 averages F1 over every label in ``labels``, including classes absent from gold (they count 0, as
  in scikit-learn with ``labels=``); slices use the labels present instead (see `slice_report`).
- Rates with an empty denominator are ``None`` ("not measurable"), never a silent 0.
- Reports are JSON-ready: dict keys are strings (``report["per_class"]["4"]["f1"]``) so a JSON round trip is exact;
  values are fractions in [0, 1]. `trainers.evaluation.report.to_markdown` (re-exported here) shows them as percentages,
  like the papers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb
from typing import Any, Mapping, Sequence

import numpy as np

from trainers.evaluation.report import to_markdown  # noqa: F401  (re-export: rendering lives in trainers.evaluation.report)

UNPARSED = "unparsed"


def _div(num: float, den: float) -> float:
    """num / den with the zero_division=0 convention (used only where the module docstring says 0)."""
    return float(num) / float(den) if den else 0.0


def _check_labels(gold: Sequence[int], pred: Sequence[int | None], labels: Sequence[int]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items but pred has {len(pred)}; pass one prediction per example")
    if len(gold) == 0:  # len, not truthiness: numpy arrays are welcome
        raise ValueError("empty evaluation set: pass at least one example")
    known = set(labels)
    if len(known) != len(labels):
        raise ValueError(f"labels {list(labels)} repeat a label; list each label once")
    for name, values in (("gold", gold), ("pred", pred)):
        for i, v in enumerate(values):
            if v is not None and v not in known:
                raise ValueError(f"{name}[{i}] = {v!r} is not in labels {list(labels)}; a parser that cannot read "
                                 "a label must return None")
    if any(g is None for g in gold):
        raise ValueError(f"gold[{list(gold).index(None)}] is None; every example needs a gold label")


def _f1_counts(tp: int, fp: int, fn: int) -> dict[str, float]:
    return {"precision": _div(tp, tp + fp), "recall": _div(tp, tp + fn), "f1": _div(2 * tp, 2 * tp + fp + fn)}


def classification_report(gold: Sequence[int], pred: Sequence[int | None], labels: Sequence[int],
                          tiers: dict[str, list[int]] | None = None, good_tier: str = "Good",
                          label_names: Mapping[int, str] | None = None) -> dict:
    """Per-class P/R/F1/support, macro-F1, accuracy, confusion matrix, parse failures; Good-F1 and tier accuracy.

    Keys: ``labels``, ``label_names`` (str(label) -> name, or {}), ``n``, ``n_unparsed``, ``parse_failure_rate``,
    ``accuracy``, ``macro_f1``, ``per_class`` (str(label) -> precision/recall/f1/support/predicted),
    ``confusion`` (``rows`` = gold labels, ``cols`` = labels + ["unparsed"], ``matrix`` counts), and when ``tiers``
    is given ``good_f1`` / ``good_precision`` / ``good_recall`` (binary: label in tiers[good_tier] vs the rest; an
    unparsed prediction counts as "not Good") and ``tier_accuracy`` (an unparsed prediction is wrong); else None.

    >>> classification_report([4, 1], [4, 4], labels=[4, 1])["per_class"]["4"]["precision"]
    0.5
    """
    _check_labels(gold, pred, labels)
    idx = {lab: i for i, lab in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels) + 1), dtype=int)  # last column: unparsed
    for g, p in zip(gold, pred):
        cm[idx[g], len(labels) if p is None else idx[p]] += 1
    per_class = {}
    for i, lab in enumerate(labels):
        tp = int(cm[i, i])
        fp = int(cm[:, i].sum()) - tp
        fn = int(cm[i].sum()) - tp  # includes this class's unparsed rows
        per_class[str(lab)] = {**_f1_counts(tp, fp, fn), "support": int(cm[i].sum()), "predicted": tp + fp}
    n, n_unparsed = len(gold), int(cm[:, -1].sum())
    ints = [int(lab) for lab in labels]  # plain ints: numpy scalars would break json.dumps
    report: dict[str, Any] = {
        "labels": ints,
        "label_names": {str(k): v for k, v in (label_names or {}).items()},
        "n": n, "n_unparsed": n_unparsed, "parse_failure_rate": n_unparsed / n,
        "accuracy": int(np.trace(cm[:, :-1])) / n,
        "macro_f1": float(np.mean([c["f1"] for c in per_class.values()])),
        "per_class": per_class,
        "confusion": {"rows": list(ints), "cols": [*ints, UNPARSED], "matrix": cm.tolist()},
        "tiers": {k: list(v) for k, v in tiers.items()} if tiers else None,
        "good_f1": None, "good_precision": None, "good_recall": None, "tier_accuracy": None,
    }
    if tiers:
        report.update(_tier_metrics(gold, pred, labels, tiers, good_tier))
    return report


def _tier_metrics(gold, pred, labels, tiers, good_tier) -> dict[str, float]:
    if good_tier not in tiers:
        raise ValueError(f"good_tier {good_tier!r} is not a tier; tiers are {sorted(tiers)}")
    tier_of: dict[int, str] = {}
    for t, members in tiers.items():
        for lab in members:
            if tier_of.setdefault(lab, t) != t:
                raise ValueError(f"label {lab} is in tiers {tier_of[lab]!r} and {t!r}; put it in one tier")
    missing = [lab for lab in labels if lab not in tier_of]
    if missing:
        raise ValueError(f"labels {missing} are in no tier of {dict(tiers)}; put every label in one tier")
    good = set(tiers[good_tier])
    tp = sum(g in good and p in good for g, p in zip(gold, pred))
    fp = sum(g not in good and p in good for g, p in zip(gold, pred))
    fn = sum(g in good and p not in good for g, p in zip(gold, pred))  # p None: predicted "not Good"
    binary = _f1_counts(tp, fp, fn)
    tier_hits = sum(p is not None and tier_of[g] == tier_of[p] for g, p in zip(gold, pred))
    return {"good_f1": binary["f1"], "good_precision": binary["precision"], "good_recall": binary["recall"],
            "tier_accuracy": tier_hits / len(gold)}


_MISSING = object()  # a predicted verdict that is absent never equals a gold verdict


@dataclass(frozen=True)
class StepRecord:
    """One scored completion for `step_report`.

    ``own_decision`` is the label the rule set's decision rules give for the model's *own* step verdicts
    (None when they cannot be decided, e.g. steps missing); ``pred_steps``/``gold_steps`` map step id -> verdict.
    """

    pred_label: int | None
    gold_label: int
    own_decision: int | None = None
    pred_steps: Mapping[str, Any] | None = None
    gold_steps: Mapping[str, Any] | None = None


def step_report(records: Sequence[StepRecord | Mapping[str, Any]]) -> dict:
    """Rule adherence, discriminative hallucination rate and per-step verdict accuracy.

    - ``rule_adherence``: among completions with a parsed label, the fraction with pred_label == own_decision
      (an undecidable own_decision, None, counts as not adherent; ``n_undecided`` says how many).
    - ``hallucination_rate``: among parsed completions whose gold_steps is non-empty and whose pred_steps give the
      gold verdict on *every* gold step ("reasoning right"), the fraction whose label is wrong.
    - ``per_step``: step id -> correct/total/accuracy over records with that gold step; a missing predicted verdict
      (unparsed steps) counts as wrong, so the figure is not inflated by parse failures.

    >>> step_report([StepRecord(4, 4, 4, {"cat": "match"}, {"cat": "match"})])["rule_adherence"]
    1.0
    """
    recs = [r if isinstance(r, StepRecord) else StepRecord(**r) for r in records]
    parsed = [r for r in recs if r.pred_label is not None]
    adherent = sum(r.pred_label == r.own_decision for r in parsed)
    reasoning_right = [r for r in parsed if r.gold_steps and r.pred_steps is not None
                       and all(r.pred_steps.get(s, _MISSING) == v for s, v in r.gold_steps.items())]
    hallucinated = sum(r.pred_label != r.gold_label for r in reasoning_right)
    per_step: dict[str, dict[str, Any]] = {}
    for r in recs:
        for s, v in (r.gold_steps or {}).items():
            row = per_step.setdefault(str(s), {"correct": 0, "total": 0})
            row["total"] += 1
            row["correct"] += int(r.pred_steps is not None and r.pred_steps.get(s, _MISSING) == v)
    for row in per_step.values():
        row["accuracy"] = row["correct"] / row["total"]
    return {
        "n": len(recs), "n_parsed": len(parsed),
        "n_undecided": sum(r.own_decision is None for r in parsed),
        "adherent": adherent, "rule_adherence": adherent / len(parsed) if parsed else None,
        "n_reasoning_right": len(reasoning_right), "hallucinated": hallucinated,
        "hallucination_rate": hallucinated / len(reasoning_right) if reasoning_right else None,
        "per_step": per_step,
    }


def slice_report(gold: Sequence[int], pred: Sequence[int | None], slices: Sequence[Sequence[str]],
                 labels: Sequence[int], present_only: bool = True) -> dict[str, dict]:
    """Accuracy, macro-F1 and count per query-type tag; an example with several tags counts in each.

    Macro-F1 of a slice averages over the labels present in that slice (gold or parsed prediction), because a
    slice such as "negation" rarely holds all four labels and absent classes (F1 0) would make slices
    incomparable; ``present_only=False`` averages over all ``labels`` like `classification_report`.

    >>> slice_report([4, 2], [4, 4], [["negation"], ["negation", "qa"]], [4, 3, 2, 1])["qa"]["accuracy"]
    0.0
    """
    if len(slices) != len(gold):
        raise ValueError(f"slices has {len(slices)} items but gold has {len(gold)}; pass one tag list per example")
    _check_labels(gold, pred, labels)
    members: dict[str, list[int]] = {}
    for i, tags in enumerate(slices):
        for tag in dict.fromkeys(tags or ()):  # a tag repeated on one example counts once
            members.setdefault(str(tag), []).append(i)
    out = {}
    for tag in sorted(members):
        g = [gold[i] for i in members[tag]]
        p = [pred[i] for i in members[tag]]
        used = [lab for lab in labels if lab in set(g) | set(p)] if present_only else list(labels)
        rep = classification_report(g, p, labels)
        out[tag] = {"n": len(g), "accuracy": rep["accuracy"], "n_unparsed": rep["n_unparsed"],
                    "macro_f1": float(np.mean([rep["per_class"][str(lab)]["f1"] for lab in used]))}
    return out


def pass_at_k(num_samples: int, num_correct: int, k: int) -> float:
    """Unbiased pass@k = 1 - C(n-c, k) / C(n, k) (Chen et al., 2021), computed exactly then rounded once.

    >>> pass_at_k(5, 1, 1), pass_at_k(5, 0, 3), pass_at_k(5, 3, 3)
    (0.2, 0.0, 1.0)
    """
    n, c = num_samples, num_correct
    if not 0 <= c <= n:
        raise ValueError(f"num_correct={c} must be between 0 and num_samples={n}")
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must be between 1 and num_samples={n}; draw at least k samples per example")
    if n - c < k:  # every k-subset holds a correct sample
        return 1.0
    # Exact rational arithmetic (Python ints never overflow) and one rounding at the end: a float running product
    # gives 0.19999999999999996 for pass@1 with 1 of 5 correct, which should read 0.2.
    return float(1 - Fraction(comb(n - c, k), comb(n, k)))


def pass_at_k_report(correct_matrix: Sequence[Sequence[bool]], ks: Sequence[int]) -> dict[int, float]:
    """Mean pass@k over examples; row i holds the correctness of example i's samples (rows may differ in length).

    >>> pass_at_k_report([[True, False], [False, False]], ks=[1, 2])
    {1: 0.25, 2: 0.5}
    """
    if not correct_matrix:
        raise ValueError("correct_matrix is empty: pass one row of sample correctness per example")
    out = {}
    for k in ks:
        vals = []
        for i, row in enumerate(correct_matrix):
            if k > len(row):
                raise ValueError(f"k={k} but example {i} has only {len(row)} samples; sample at least max(ks)")
            vals.append(pass_at_k(len(row), int(sum(bool(x) for x in row)), k))
        out[int(k)] = float(np.mean(vals))
    return out
