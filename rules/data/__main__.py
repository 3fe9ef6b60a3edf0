"""Command line for relevance data: generate the synthetic benchmark, and show rows of any split readably.

    python -m rules.data generate --out data/synthetic --train 2000 --eval 400 --seed 0 [--rules PATH]
    python -m rules.data show data/synthetic/eval_balanced.jsonl -n 20 [--shuffle 1] [--type negation] [--guide]
        [--rules ecommerce]       # `show` says which rule set it reads the rows with, and warns on unknown steps

`generate` writes train.jsonl, eval_balanced.jsonl (equal labels), eval_wild.jsonl (TaoSR1's mix: 50% Excellent,
5% Related, 36% Mismatch, 9% Irrelevant) and stats.json, and prints label, query-type and rule counts per split.
It computes the steps of rules/catalog/ecommerce.yaml only (query, product, category, core_product, brand_model,
attributes): `--rules` may change the decision rules and labels, not the steps. `show` reads JSONL, CSV/TSV,
Parquet or a `datasets` folder (`rules.data.load_examples`).
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import textwrap
from pathlib import Path

from rules import compile_rules
from rules.data.errors import DataError
from rules.data.gold import gold_problems
from rules.data.example import QUERY_TYPES, Example
from rules.data.loaders import load_examples
from rules.data.synth.examples import DEFAULT_RULES, check_rules, generate
from rules.data.synth.stats import format_table, write_splits
from rules.errors import RuleFileError
from rules.loader import bundled_rule_sets


def _count(text: str) -> int:
    """A positive whole number, for argparse ("--train -5" is an error, not an empty file)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _rules(parser: argparse.ArgumentParser, path: str):
    try:
        return compile_rules(path)
    except RuleFileError as err:
        parser.error(f"--rules: {err}")


def _excluded(parser: argparse.ArgumentParser, paths: list[str]) -> list[Example]:
    """The examples of the --exclude sets, whose (query, product title) pairs no new row may repeat."""
    examples = []
    for path in paths:
        try:
            rows = load_examples(path).examples
        except FileNotFoundError:
            parser.error(f"--exclude {path}: no such file or folder; give a data set whose pairs the new splits must "
                         "not repeat (e.g. data/synthetic_mini/eval_balanced.jsonl)")
        except DataError as err:
            parser.error(f"--exclude {path}: {err}")
        examples += rows
    return examples


def _generate(args: argparse.Namespace) -> int:
    parser = args.parser
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out}: is a file; give a folder (created if missing)")
    rules = _rules(parser, args.rules)
    try:
        check_rules(rules, args.rules)
    except ValueError as err:
        parser.error(f"--rules {err}")
    labels = len(rules.labels)
    if args.eval % labels:
        parser.error(f"--eval {args.eval}: a balanced split needs a multiple of {labels} (the number of labels); "
                     f"try {args.eval - args.eval % labels or labels}")
    splits = generate(args.train, args.eval, args.seed, rules, _excluded(parser, args.exclude))
    try:
        stats = write_splits(splits, out, rules)
    except OSError as err:
        print(f"error: --out {out}: cannot write there ({err.strerror or err})", file=sys.stderr)
        return 1
    print(f"wrote {', '.join(f'{name}.jsonl ({len(rows)})' for name, rows in splits.items())} and stats.json "
          f"to {out}")
    print(format_table(stats))
    return 0


def render_row(example: Example, index: int, rule: str | None, guide: bool) -> str:
    """A few lines a person can judge at a glance: query, listing, label, tags, deciding rule."""
    p = example.product
    head = f"#{index} {example.id}  label {example.label}  [{', '.join(example.query_type)}]"
    lines = [head + (f"  rule {rule}" if rule else ""), f"   query    {example.query}", f"   product  {p.title}"]
    where = " > ".join(p.category[1:] or p.category)
    lines.append(f"            {where} | brand {p.brand or '-'} | {'%.2f' % p.price if p.price is not None else '-'}")
    if p.attributes:
        facts = "; ".join(f"{k}: {v}" for k, v in p.attributes.items())
        lines += textwrap.wrap(facts, 110, initial_indent=" " * 12, subsequent_indent=" " * 12)
    if guide and example.guide:
        lines += ["            " + line for line in example.guide.splitlines()]
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    rules = _rules(args.parser, args.rules)
    if args.label is not None and args.label not in rules.labels:
        args.parser.error(f"--label {args.label}: not a label of {args.rules}; labels are "
                          f"{', '.join(f'{k} {v.name}' for k, v in rules.labels.items())}")
    try:
        rows = load_examples(args.path, format=args.format).examples
    except (FileNotFoundError, DataError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    default = " (the default; pass --rules FILE or a bundled name for another)" if args.rules == str(DEFAULT_RULES) else ""
    print(f"rule set {rules.name!r} from {rules.source}{default}")
    problems = gold_problems(rows, rules, args.path)
    for problem in problems:  # said once per kind, before the rows; their deciding rules are left out below
        print(f"warning: {problem}", file=sys.stderr)
    if args.type:
        rows = [r for r in rows if args.type in r.query_type]
    if args.label is not None:
        rows = [r for r in rows if r.label == args.label]
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(rows)
    for i, row in enumerate(rows[: args.n], 1):
        # A row with steps or verdicts the rule set lacks would get a deciding rule that never read them.
        decision = rules.try_decide(row.gold_steps or {}) if _fits(row, rules) else None
        print(render_row(row, i, decision.rule_id if decision else None, args.guide))
    print(f"({min(args.n, len(rows))} of {len(rows)} rows)")
    return 0


def _fits(row: Example, rules) -> bool:
    return all(verdict in rules.step_verdicts.get(step, ()) for step, verdict in (row.gold_steps or {}).items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rules.data", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the synthetic benchmark's splits and stats",
                         description="Write the synthetic splits. The generator computes the ecommerce steps only "
                                     "(query, product, category, core_product, brand_model, attributes).")
    gen.add_argument("--out", required=True, help="output folder (created if missing)")
    gen.add_argument("--train", type=_count, default=2000, help="train examples, at least 1 (default 2000)")
    gen.add_argument("--eval", type=_count, default=400,
                     help="examples in each eval split, a positive multiple of the label count, 4 (default 400)")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--exclude", nargs="+", default=[], metavar="PATH",
                     help="data sets whose (query, product title) pairs no new row may repeat, e.g. the eval sets "
                          "of another seed when drawing a pool of RL prompts")
    gen.add_argument("--rules", default=str(DEFAULT_RULES),
                     help="rule file or bundled name whose decision rules give the labels; it must have the "
                          "ecommerce steps")
    gen.set_defaults(run=_generate, parser=gen)
    show = sub.add_parser("show", help="print rows of a split (JSONL, CSV/TSV, Parquet, datasets folder) readably")
    show.add_argument("path")
    show.add_argument("--format", help="jsonl, parquet, csv, tsv or datasets (default: from the extension)")
    show.add_argument("-n", type=_count, default=20, help="rows to print (default 20)")
    show.add_argument("--shuffle", type=int, metavar="SEED", help="a random sample instead of the first rows")
    show.add_argument("--type", help=f"only rows with this query-type tag ({', '.join(QUERY_TYPES)}, ...)")
    show.add_argument("--label", type=int, help="only rows with this label id")
    show.add_argument("--guide", action="store_true", help="also print the gold CoT")
    show.add_argument("--rules", default=str(DEFAULT_RULES),
                      help=f"rule file, or a bundled rule set ({', '.join(bundled_rule_sets())}), used to name the "
                           "deciding rule and check the gold steps (default: ecommerce)")
    show.set_defaults(run=_show, parser=show)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    # `show ... | head` ends quietly, like other Unix tools; only for the command: a process that calls main()
    # (a test run, a notebook) keeps Python's own handling, or a later write to a closed pipe would kill it.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
