"""Command line for the annotation store: import, export, stats, show, and training data for judge and policy.

    python -m verifiers.human import --db annotations.db --rules rules/catalog/ecommerce.yaml batch1.jsonl batch2.csv
    python -m verifiers.human export --db annotations.db --out current.jsonl [--policy majority] [--history]
    python -m verifiers.human stats --db annotations.db --rules rules/catalog/ecommerce.yaml [--json]
    python -m verifiers.human show --db annotations.db q1-p7 [--policy priority:ana,bob] [--json]
    python -m verifiers.human build-judge --db annotations.db --rules RULES --examples train.jsonl \\
        --candidates samples.jsonl --out judge_sft.jsonl
    python -m verifiers.human build-dpo --db annotations.db --rules RULES --examples train.jsonl \\
        --candidates samples.jsonl --out dpo.jsonl [--pairs 2] [--oracle]
    python -m verifiers.human serve --db annotations.db --rules RULES --examples DATA --candidates samples.jsonl \\
        [--host 127.0.0.1 --port 8765] [--annotator NAME] [--double 0.2]
    python -m verifiers.human label-studio config --rules RULES > config.xml
    python -m verifiers.human label-studio tasks --rules RULES --examples DATA --candidates samples.jsonl \\
        --out tasks.json
    python -m verifiers.human import --db annotations.db --rules RULES label_studio_export.json

Each file of an import (JSONL, CSV, or a Label Studio JSON export of our tasks) is all or nothing; a file whose
content was imported before is skipped (--force imports it again; a Label Studio export brings only the annotations
not imported yet). Policies: latest, majority (ties: latest), priority:ANNOTATOR,... (first listed wins). Every error is
one line per problem on stderr, without a traceback; the exit status is 1 (2 for a bad command line).
Candidates files are JSONL: {"id": example id, "completion": text or chat messages}, one per line.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sqlite3
import sys
from typing import Any

from rules import RuleFileError, compile_rules
from rules.data.errors import DataError
from verifiers.human.builders import dpo_pairs, judge_sft_rows, write_jsonl
from verifiers.human.candidates import read_lines
from verifiers.human.files import export, import_file
from verifiers.human.policy import parse_policy, resolve
from verifiers.human.stats import format_stats, store_stats
from verifiers.human.store import LABEL, AlreadyImported, AnnotationStore, StoreError, short_time
from verifiers.human.verifier import HumanVerifier


class UsageError(Exception):
    """A bad command line: exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _rules(path: str):
    return compile_rules(path)


def _import(args: argparse.Namespace) -> int:
    rules = _rules(args.rules)
    failed = 0
    with AnnotationStore(args.db) as store:
        for file in args.files:
            try:
                if file.lower().endswith(".json"):  # Label Studio's JSON export of our tasks
                    print(_import_label_studio(store, rules, file, args.force, args.label_studio_users))
                    continue
                print(f"imported {import_file(store, rules, file, annotator=args.annotator, force=args.force)}")
            except AlreadyImported as err:
                print(f"skipped {err}")
            except (DataError, FileNotFoundError) as err:
                failed += 1
                _report(err)
    return 1 if failed else 0


def _import_label_studio(store: AnnotationStore, rules, file: str, force: bool, users: str | None) -> str:
    from verifiers.human.labelstudio import import_export, read_users

    result = import_export(store, rules, file, force=force, users=read_users(users))
    return f"imported {result}" if result.batch is not None else f"skipped {file}: no new annotations"


def _serve(args: argparse.Namespace) -> int:
    from verifiers.human.web import build_site, serve

    site = build_site(args.db, _rules(args.rules), args.examples, args.candidates, annotator=args.annotator,
                      double=args.double, seed=args.seed, show_gold=not args.hide_gold)
    print(f"annotate at http://{args.host}:{args.port}/ ({len(site.candidates)} candidates; Ctrl-C stops)", flush=True)
    serve(site, args.host, args.port)
    return 0


def _label_studio(args: argparse.Namespace) -> int:
    from verifiers.human import labelstudio

    if args.what == "tasks" and None in (args.examples, args.candidates, args.out):
        raise UsageError("label-studio tasks needs --examples, --candidates and --out")
    rules = _rules(args.rules)
    if args.what == "config":
        sys.stdout.write(labelstudio.labeling_config(rules))
        return 0
    from rules.data.loaders import load_examples
    from verifiers.human.candidates import read_candidates

    examples = {e.id: e for e in load_examples(args.examples).examples}
    tasks = labelstudio.tasks(rules, read_candidates(args.candidates, examples, rules), show_gold=not args.hide_gold)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(tasks, f, ensure_ascii=False, indent=1)
    print(f"wrote {len(tasks)} tasks to {args.out}")
    return 0


def _export(args: argparse.Namespace) -> int:
    rules = _rules(args.rules) if args.rules else None
    with AnnotationStore(args.db, create=False) as store:
        count = export(store, args.out, rules=rules, history=args.history, policy=parse_policy(args.policy))
    print(f"wrote {count} records ({'history' if args.history else 'current values, ' + args.policy}) to {args.out}")
    return 0


def _stats(args: argparse.Namespace) -> int:
    rules = _rules(args.rules)
    with AnnotationStore(args.db, create=False) as store:
        stats = store_stats(store, rules)
    print(json.dumps(stats.as_dict(), indent=1) if args.json else format_stats(stats))
    return 0


def _show(args: argparse.Namespace) -> int:
    policy = parse_policy(args.policy)
    with AnnotationStore(args.db, create=False) as store:
        history = store.history([args.id])
        if not history:
            close = difflib.get_close_matches(args.id, store.example_ids(), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"no annotations for {args.id!r} in {args.db}{hint}")
        current = resolve(store.votes([args.id]), policy)[args.id]
    fields = sorted(current, key=lambda f: (f != LABEL, min(a.seq for a in history if a.field == f)))
    if args.json:
        out: dict[str, Any] = {"id": args.id, "policy": repr(policy), "steps": {}}
        for f in fields:
            entry = {**_row(current[f].annotation), "why": current[f].why,
                     "history": [_row(a) for a in history if a.field == f]}
            out.update(label=entry) if f == LABEL else out["steps"].update({f: entry})
        print(json.dumps(out, indent=1, ensure_ascii=False))
        return 0
    print(f"{args.id}  (policy {policy!r})")
    blocks = []
    for f in fields:
        res = current[f]
        latest_of = {a.annotator: a.seq for a in res.votes}
        rows = []
        for a in sorted((a for a in history if a.field == f), key=lambda a: (a.time, a.seq), reverse=True):
            mark = "current" if a.seq == res.annotation.seq else "" if latest_of.get(a.annotator) == a.seq \
                else "edited later"
            rows.append((mark, a.annotator, short_time(a.time), a.value, f"[{a.source}]" +
                         (f'  "{a.reason}"' if a.reason else "")))
        blocks.append((f"  {_field(f)} = {res.value}   ({res.why})", rows))
    # Columns as wide as their longest cell (names, sub-second times and values vary): never run into each other.
    every = [row for _, rows in blocks for row in rows]
    widths = [max(len(str(row[k])) for row in every) + 2 for k in range(4)] if every else []
    for head, rows in blocks:
        print(head)
        for row in rows:
            print("      " + "".join(f"{cell!s:<{w}}" for cell, w in zip(row, widths)) + row[4])
    return 0


def _row(a: Any) -> dict[str, Any]:
    return {"value": a.value, "annotator": a.annotator, "time": short_time(a.time), "reason": a.reason,
            "source": a.source}


def _field(field: str) -> str:
    return "label" if field == LABEL else field


def _candidates(path: str, examples: dict) -> list:
    """(example, completion) pairs of a candidates file (`candidates.read_lines`: DataError listing its bad lines)."""
    return [(example, completion) for _, example, completion in read_lines(path, examples)]


def _build(args: argparse.Namespace) -> int:
    from rules.data.loaders import load_examples  # lazy: only the builders read example files

    verifier = HumanVerifier(args.db, _rules(args.rules), policy=args.policy)
    examples = {e.id: e for e in load_examples(args.examples).examples}
    candidates = _candidates(args.candidates, examples)
    if args.command == "build-judge":
        built = judge_sft_rows(verifier, candidates, complete_only=not args.partial)
    else:
        built = dpo_pairs(verifier, candidates, pairs_per_example=args.pairs, chat=not args.text, oracle=args.oracle)
    write_jsonl(built.rows, args.out)
    why = ", ".join(f"{k} {v}" for k, v in sorted(built.counts.items()))
    print(f"wrote {len(built)} rows to {args.out} ({why})")
    return 0


def _report(err: BaseException) -> None:
    """One line per problem: DataError and RuleFileError carry several."""
    for line in str(err).splitlines() or [type(err).__name__]:
        print(f"error: {line}", file=sys.stderr)


def _parser() -> _Parser:
    parser = _Parser(prog="python -m verifiers.human", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    policy = dict(default="latest", help="conflict policy: latest, majority or priority:ANNOTATOR,... (default latest)")

    def command(name: str, run, help: str) -> _Parser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--db", required=True, help="the SQLite annotation store")
        p.set_defaults(run=run)
        return p

    p = command("import", _import, "import JSONL/CSV annotation files (each file all or nothing)")
    p.add_argument("--rules", required=True, help="rule file the verdicts and labels are checked against")
    p.add_argument("--annotator", help="annotator for records that name none")
    p.add_argument("--force", action="store_true", help="import a file even if the same content was imported")
    p.add_argument("--label-studio-users", metavar="FILE",
                   help="for Label Studio exports (.json): its user list (GET /api/users) to name annotators")
    p.add_argument("files", nargs="+", metavar="FILE")
    p = command("export", _export, "write current values (or the whole history) as JSONL or CSV")
    p.add_argument("--out", required=True, help="FILE.jsonl or FILE.csv")
    p.add_argument("--history", action="store_true", help="every value ever written, not only the current ones")
    p.add_argument("--policy", **policy)
    p.add_argument("--rules", help="rule file (needed for CSV: its steps are the columns)")
    p = command("stats", _stats, "coverage per step, agreement between annotators, annotator counts")
    p.add_argument("--rules", required=True)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = command("show", _show, "current values of one example with provenance and history")
    p.add_argument("id")
    p.add_argument("--policy", **policy)
    p.add_argument("--json", action="store_true")
    _web_parsers(sub)
    for name, help in (("build-judge", "SFT rows (messages) for the generative step judge"),
                       ("build-dpo", "DPO pairs (prompt/chosen/rejected) from annotated candidates")):
        p = command(name, _build, help)
        p.add_argument("--rules", required=True)
        p.add_argument("--examples", required=True, help="the examples (any format rules.data.load_examples reads)")
        p.add_argument("--candidates", required=True, help='JSONL: {"id": ..., "completion": ...} per line')
        p.add_argument("--out", required=True, help="JSONL to write")
        p.add_argument("--policy", **policy)
        if name == "build-judge":
            p.add_argument("--partial", action="store_true", help="also candidates with some steps unannotated")
        else:
            p.add_argument("--pairs", type=int, default=1, help="pairs per example at most (default 1)")
            p.add_argument("--oracle", action="store_true", help="no correct candidate: the gold/annotated CoT")
            p.add_argument("--text", action="store_true", help="plain-text prompt/chosen/rejected, not chat")
    return parser


def _web_parsers(sub) -> None:
    """`serve` and `label-studio`: the two ways people annotate."""
    p = sub.add_parser("serve", help="the step-annotation web page", description="the step-annotation web page")
    p.add_argument("--db", required=True, help="the SQLite annotation store (created if missing)")
    p.add_argument("--rules", required=True)
    p.add_argument("--examples", required=True, help="the examples (any format rules.data.load_examples reads)")
    p.add_argument("--candidates", required=True, help='JSONL: {"id": ..., "completion": ...} per line')
    p.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (no passwords: see the README)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--annotator", help="one annotator for every session (no sign-in page)")
    p.add_argument("--double", type=float, default=0.0, help="share of items annotated twice, for agreement")
    p.add_argument("--seed", type=int, default=0, help="picks which items are annotated twice")
    p.add_argument("--hide-gold", action="store_true", help="do not show the examples' gold label")
    p.set_defaults(run=_serve)
    p = sub.add_parser("label-studio", help="Label Studio labeling config (XML) or tasks (JSON) from our files",
                       description="Label Studio labeling config (XML) or tasks (JSON) from our files")
    p.add_argument("what", choices=["config", "tasks"])
    p.add_argument("--rules", required=True)
    p.add_argument("--examples", help="tasks: the examples")
    p.add_argument("--candidates", help="tasks: the candidates JSONL")
    p.add_argument("--out", help="tasks: the JSON file to write")
    p.add_argument("--hide-gold", action="store_true", help="tasks: leave the gold label out")
    p.set_defaults(run=_label_studio)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return args.run(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (StoreError, DataError, RuleFileError, FileNotFoundError, ValueError, OSError, sqlite3.Error) as err:
        _report(err)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; an import in progress was rolled back", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
