"""`python -m rules diff OLD NEW`: what a rule change moves, before it is merged.

    python -m rules diff rules/catalog/ecommerce.yaml rules/catalog/examples/store_brands.yaml \\
        --data data/synthetic/eval_wild.jsonl --cases rules/catalog/ecommerce.cases.yaml
    python -m rules diff main:rules/catalog/ecommerce.yaml rules/catalog/ecommerce.yaml --fail-on labels
    python -m rules diff OLD NEW --format markdown > comment.md      # or json

Exit status: 0, or 1 when `--fail-on` finds that kind of change, or 2 for bad input (every problem one located
line, as `rules check` prints them). The case and reward sections come from `rewards.diff` and the annotation
section from `verifiers.human.diff`, imported only when asked for: the rule language does not depend on them.
"""

from __future__ import annotations

import argparse

from rules.compiler import CompiledRuleSet
from rules.data.errors import DataError
from rules.data.loaders import load_examples
from rules.diff.data_impact import data_impact, write_relabelled
from rules.diff.decisions import decision_impact
from rules.diff.report import DiffReport, render
from rules.diff.sources import load_side
from rules.diff.structure import structure_changes
from rules.errors import Problem, RuleFileError

FORMATS = ("text", "markdown", "json")
FAIL_ON = {"labels": "a gold label or a grid combination's label changes",
           "any": "anything changes: structure, decisions, data, cases, annotations or rewards"}
BAD_INPUT = 2


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="what a rule change moves: structure, decisions, data, cases, annotations, rewards",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("old", help="rule file, bundled name, or git revision REV:PATH (e.g. main:rules/catalog/x.yaml)")
    p.add_argument("new", help="the same, after the change")
    p.add_argument("--data", nargs="+", default=[], metavar="FILE", help="examples with gold steps (JSONL, ...)")
    p.add_argument("--cases", nargs="+", default=[], metavar="FILE", help="case files to run under both files")
    p.add_argument("--annotations", metavar="DB", help="annotation store (python -m verifiers.human)")
    p.add_argument("--completions", nargs="+", default=[], metavar="FILE",
                   help="JSONL of stored completions with their example columns, rescored under both files")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--fail-on", choices=list(FAIL_ON), help="exit 1 when: " +
                   "; ".join(f"{k}: {v}" for k, v in FAIL_ON.items()))
    p.add_argument("--write-relabelled", metavar="OUT", help="write --data with the labels NEW decides (JSONL)")
    p.add_argument("--structure-only", action="store_true",
                   help="compare only what does not need one label scale: structure and stale annotations")


def run(args: argparse.Namespace) -> int:
    try:
        report = build_report(args)
    except (RuleFileError, DataError, FileNotFoundError) as err:
        print(err)
        return BAD_INPUT
    print(render(report, args.format))
    return 1 if args.fail_on and report.found(args.fail_on) else 0


def _sides(args: argparse.Namespace) -> tuple:
    sides, problems = [], []
    for arg in (args.old, args.new):
        try:
            sides.append(load_side(arg))
        except RuleFileError as err:
            problems += err.problems
    if problems:
        raise RuleFileError(problems)
    return tuple(sides)


def unrelated(old: CompiledRuleSet, new: CompiledRuleSet) -> tuple[str, str] | None:
    """Why two rule files cannot be compared label for label (another label scale) and what still can, or None."""
    if set(old.labels) == set(new.labels):
        return None
    scale = (lambda r: ", ".join(r.label_text(i) for i in r.label_ids))
    why = (f"the files have different label scales (OLD: {scale(old)}; NEW: {scale(new)}), so decisions, data, "
           "cases and rewards cannot be compared")
    fix = ("the structure (steps, verdicts, rules by id, reward shaping) and stale annotations still can: "
           "rerun with --structure-only")
    return why, fix


def build_report(args: argparse.Namespace) -> DiffReport:
    old_side, new_side = _sides(args)
    old, new = old_side.rules, new_side.rules
    report = DiffReport(old_side.label, new_side.label, structure_changes(old, new))
    if args.annotations:
        from verifiers.human.diff import stale_annotations
        from verifiers.human.store import StoreError

        try:
            report.annotations = stale_annotations(old, new, args.annotations)
        except StoreError as err:
            raise DataError([], f"--annotations {err}") from None
    if args.structure_only:
        report.notes.append("--structure-only: decisions, data, cases and rewards not compared")
        return report
    why = unrelated(old, new)
    if why:
        raise RuleFileError([Problem(new_side.label, 0, "", why[0], None, why[1])])
    examples, files = [], []
    for path in args.data:
        examples += load_examples(path).examples
        files.append(path)
    report.decisions = decision_impact(old, new, data=[e.gold_steps for e in examples if e.gold_steps])
    if args.data:
        report.data = data_impact(old, new, examples, files)
        if args.write_relabelled:
            report.relabelled = (args.write_relabelled,
                                 write_relabelled(report.data, new, old, args.write_relabelled))
    elif args.write_relabelled:
        raise RuleFileError([Problem("--write-relabelled", 0, "", "there is no data to relabel", None,
                                     "pass --data FILE (examples with gold steps)")])
    if args.cases or args.completions:
        from rewards.diff import case_flips, reward_deltas

        report.cases = case_flips(old, new, args.cases) if args.cases else None
        report.rewards = reward_deltas(old, new, args.completions) if args.completions else None
    return report

