"""Command line for relevance data: generate the synthetic benchmark, and show rows of any JSONL split readably.

    python -m rules.data generate --out data/synthetic --train 2000 --eval 400 --seed 0 [--rules PATH]
    python -m rules.data show data/synthetic/eval_balanced.jsonl -n 20 [--shuffle 1] [--type negation] [--guide]

`generate` writes train.jsonl, eval_balanced.jsonl (equal labels), eval_wild.jsonl (TaoSR1's mix: 50% Excellent,
5% Related, 36% Mismatch, 9% Irrelevant) and stats.json, and prints label, query-type and rule counts per split.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import textwrap
from pathlib import Path

from rules import compile_rules
from rules.data.example import Example
from rules.data.synth.examples import DEFAULT_RULES, generate
from rules.data.synth.stats import format_table, write_splits


def _generate(args: argparse.Namespace) -> int:
    rules = compile_rules(args.rules)
    try:
        splits = generate(args.train, args.eval, args.seed, rules)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    stats = write_splits(splits, args.out, rules)
    print(f"wrote {', '.join(f'{name}.jsonl ({len(rows)})' for name, rows in splits.items())} and stats.json "
          f"to {args.out}")
    print(format_table(stats))
    return 0


def _read(path: str) -> list[Example]:
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(Example.model_validate_json(line))
            except ValueError as err:
                raise SystemExit(f"{path}:{number}: not an Example: {err}") from None
    return rows


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
    rows = _read(args.path)
    if args.type:
        rows = [r for r in rows if args.type in r.query_type]
    if args.label is not None:
        rows = [r for r in rows if r.label == args.label]
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(rows)
    rules = compile_rules(args.rules)
    for i, row in enumerate(rows[: args.n], 1):
        decision = rules.try_decide(row.gold_steps or {})
        print(render_row(row, i, decision.rule_id if decision else None, args.guide))
    print(f"({min(args.n, len(rows))} of {len(rows)} rows)")
    return 0


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `show ... | head` ends quietly, like other Unix tools
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = argparse.ArgumentParser(prog="python -m rules.data", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the synthetic benchmark's splits and stats")
    gen.add_argument("--out", required=True, help="output folder")
    gen.add_argument("--train", type=int, default=2000, help="train examples (default 2000)")
    gen.add_argument("--eval", type=int, default=400, help="examples in each eval split, a multiple of 4 (default 400)")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--rules", default=str(DEFAULT_RULES), help="rule set whose decision rules give the labels")
    gen.set_defaults(run=_generate)
    show = sub.add_parser("show", help="print rows of a JSONL split readably")
    show.add_argument("path")
    show.add_argument("-n", type=int, default=20, help="rows to print (default 20)")
    show.add_argument("--shuffle", type=int, metavar="SEED", help="a random sample instead of the first rows")
    show.add_argument("--type", help="only rows with this query-type tag (negation, alternative, accessory, ...)")
    show.add_argument("--label", type=int, help="only rows with this label id")
    show.add_argument("--guide", action="store_true", help="also print the gold CoT")
    show.add_argument("--rules", default=str(DEFAULT_RULES), help="rule set used to name the deciding rule")
    show.set_defaults(run=_show)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
