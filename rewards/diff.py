"""What a rule change does to the reward: case files run under both rule files, and stored completions rescored.

Used by `python -m rules diff OLD NEW --cases FILE --completions FILE`; the rule language itself knows nothing of
rewards, so this half of the diff lives here.

    >>> flips = case_flips(old, new, ["rules/catalog/ecommerce.cases.yaml"])   # list[CaseFlips]
    >>> deltas = reward_deltas(old, new, ["completions.jsonl"])                # RewardDeltas

A completions file is JSONL, one completion per line with the example's columns: `completion` (the text), `label`,
`gold_steps`, and `id` or `group` (completions of the same prompt share it: ranks are compared within it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rewards.cases import CaseResult, run_case
from rewards.gold import GoldLabelError
from rewards.rule_aware import RuleAwareReward
from rules.casefile import load_case_file
from rules.compiler import CompiledRuleSet
from rules.data.errors import DataError, Issue, RowProblem
from rules.data.formats import FORMATS, locate
from rules.diff.data_impact import decide_gold

LARGEST = 5  # largest moves listed


@dataclass
class CaseFlips:
    path: str
    cases: int
    broken: list[tuple[str, list[str]]]  # pass under OLD, fail under NEW: (case id, NEW's differences)
    fixed: list[str]  # fail under OLD, pass under NEW
    failing: int  # fail under both

    def as_json(self) -> dict:
        return {"path": self.path, "cases": self.cases, "failing_under_both": self.failing,
                "pass_to_fail": [{"case": c, "differences": d} for c, d in self.broken], "fail_to_pass": self.fixed}


def case_flips(old: CompiledRuleSet, new: CompiledRuleSet, paths: list[str]) -> list[CaseFlips]:
    """Every case of each file scored under both rule files (the file's own `rules:` is not used); RuleFileError
    for a case file that does not load."""
    rewards = RuleAwareReward(old), RuleAwareReward(new)
    out = []
    for path in paths:
        cases, _ = load_case_file(path)
        broken, fixed, failing = [], [], 0
        for case in cases.cases:
            a: CaseResult = run_case(case, old, rewards[0])
            b: CaseResult = run_case(case, new, rewards[1])
            if a.ok and not b.ok:
                broken.append((case.id, b.differences))
            elif b.ok and not a.ok:
                fixed.append(case.id)
            elif not a.ok:
                failing += 1
        out.append(CaseFlips(str(path), len(cases.cases), broken, fixed, failing))
    return out


@dataclass
class Move:
    where: str  # file:line
    group: str
    old: float | None
    new: float | None
    why: str  # the new file's deciding rule or parse error for this completion

    @property
    def delta(self) -> float:
        return (self.new or 0.0) - (self.old or 0.0)


@dataclass
class RewardDeltas:
    files: list[str]
    completions: int
    scored: int  # with a reward under both files (None: no component applies)
    mean_old: float
    mean_new: float
    changed: int  # completions whose reward changed
    groups: int
    rank_changes: int  # completions whose rank within their group changed
    largest: list[Move] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"files": self.files, "completions": self.completions, "scored": self.scored,
                "mean_old": self.mean_old, "mean_new": self.mean_new, "mean_change": self.mean_new - self.mean_old,
                "changed": self.changed, "groups": self.groups, "rank_changes": self.rank_changes,
                "largest": [{"where": m.where, "group": m.group, "old": m.old, "new": m.new, "why": m.why}
                            for m in self.largest]}


def reward_deltas(old: CompiledRuleSet, new: CompiledRuleSet, paths: list[str]) -> RewardDeltas:
    """Score every stored completion under both files. The gold label of a row is decided from its gold steps by
    each file where they decide one (what the data's label becomes under that file), else the stored `label`."""
    rows = [row for path in paths for row in read_completions(path)]
    totals = []
    for rules in (old, new):
        labels = [_gold_label(rules, r) for r in rows]
        try:
            scored = RuleAwareReward(rules).score_all([r["completion"] for r in rows], labels,
                                                      [r.get("gold_steps") for r in rows], with_steps=False)
        except GoldLabelError as err:  # `label[3]: ...`: name the file and line instead of the batch index
            file, line = rows[err.row]["_where"]
            raise DataError([], f"{file}:{line}: label: {str(err).split(': ', 1)[1]}") from None
        totals.append(scored)
    moves = [Move(f"{r['_where'][0]}:{r['_where'][1]}", str(r.get("group", r.get("id", ""))), a.total, b.total,
                  f"parse error {b.error.code}" if b.error else
                  f"writes {b.label}, NEW decides {b.decision.label} by {b.decision.rule_id}")
             for r, a, b in zip(rows, *totals)]
    both = [m for m in moves if m.old is not None and m.new is not None]
    mean = (lambda xs: sum(xs) / len(xs) if xs else 0.0)
    groups: dict[str, list[Move]] = defaultdict(list)
    for m in both:
        groups[m.group].append(m)
    ranked = sum(_rank_changes(g) for g in groups.values())
    largest = sorted((m for m in both if m.delta), key=lambda m: -abs(m.delta))[:LARGEST]
    return RewardDeltas([str(p) for p in paths], len(moves), len(both), mean([m.old for m in both]),
                        mean([m.new for m in both]), sum(1 for m in both if m.delta), len(groups), ranked, largest)


def _gold_label(rules: CompiledRuleSet, row: dict):
    gold = row.get("gold_steps")
    decision = decide_gold(rules, gold) if isinstance(gold, dict) and gold else None
    return decision.label if decision is not None else row.get("label")


def _rank_changes(group: list[Move]) -> int:
    """Completions whose rank (1 + how many score higher) within the group differs between the files."""
    def ranks(values: list[float]) -> list[int]:
        return [1 + sum(v > x for v in values) for x in values]

    return sum(a != b for a, b in zip(ranks([m.old for m in group]), ranks([m.new for m in group])))


def read_completions(path: str | Path) -> list[dict]:
    """The rows of a completions JSONL file; DataError naming file, line and column for a bad one."""
    path = Path(path)
    if not path.is_file():
        raise DataError([RowProblem(str(path), 0, "", "no such completions file", None,
                                    "give a JSONL file, one completion per line with its example's columns")])
    _, raw_rows = FORMATS["jsonl"](path, None)
    rows, problems = [], []
    for raw in raw_rows:
        issue = raw.issue
        if issue is None and not isinstance(raw.data.get("completion"), str):
            issue = Issue("completion", "a completion text is required", raw.data.get("completion"),
                          'add "completion": "Label: 3\\n<think>..." to the row')
        if issue is None and raw.data.get("gold_steps") is not None and not isinstance(raw.data["gold_steps"], dict):
            issue = Issue("gold_steps", "must map step ids to verdicts", raw.data["gold_steps"],
                          'write e.g. {"category": "match"}, or leave it out')
        if issue is not None:
            problems.append(locate(issue, raw, str(path)))
            continue
        rows.append(raw.data | {"_where": (str(path), raw.line)})
    if problems:
        raise DataError(problems)
    return rows
