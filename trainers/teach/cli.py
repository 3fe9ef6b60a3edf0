"""`python -m trainers.teach`: gold CoTs written by a teacher model, verified by the rule set (TaoSR1's stage 0).

    python -m trainers.teach --teacher http://127.0.0.1:8000/v1 --model teacher --rules rules/catalog/ecommerce.yaml \\
        --data rows.jsonl --out runs/teach/rows.jsonl [--samples 4] [--concurrency 8] [--keep best|all-correct] [--resume]
    python -m trainers.teach --teacher models/teacher --rules ... --data ... --out ...   # a local model folder
    python -m trainers.teach ... --show-prompt ROW_ID                                      # the prompt of one row
    python -m trainers.sft --config trainers/recipes/sft_cpu.yaml --train_data runs/teach/rows.jsonl

Bad input (a rule file that does not load, rows without labels, data labelled with another rule file, an
unreachable teacher, an existing OUT without --resume) is one error naming the place and the fix, exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys

from rules.data.errors import DataError
from rules.data.gold import check_gold
from rules.data.loaders import load_examples
from rules.errors import RuleFileError
from rules.loader import compile_rules
from trainers.teach.prompt import teacher_messages
from trainers.teach.report import SOURCES
from trainers.teach.run import KEEP, TeachSettings, teach
from trainers.teach.store import side_paths
from trainers.teach.teacher import Teacher, TeachError
from trainers.teach.verify import REJECTIONS

logger = logging.getLogger("trainers.teach")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m trainers.teach", description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="rejection reasons: " + "; ".join(f"{k}: {v}" for k, v in REJECTIONS.items())
                                + "\nguide sources: " + "; ".join(f"{k}: {v}" for k, v in SOURCES.items()))
    p.add_argument("--teacher", required=True, help="http(s) URL of an OpenAI-compatible server, or a model folder")
    p.add_argument("--rules", required=True, help="the rule file (or a bundled rule set's name)")
    p.add_argument("--data", required=True, help="rows with labels (JSONL, Parquet, CSV/TSV, datasets folder)")
    p.add_argument("--out", required=True, help="the examples with their guides (.jsonl); reports and side files "
                   "are written next to it")
    p.add_argument("--model", help="model name on the server (default: the one model the server lists)")
    p.add_argument("--samples", type=int, default=1, help="teacher CoTs asked per row (default 1)")
    p.add_argument("--concurrency", type=int, default=4, help="rows (and requests) in flight (default 4)")
    p.add_argument("--keep", choices=list(KEEP), default="best", help="; ".join(f"{k}: {v}" for k, v in KEEP.items()))
    p.add_argument("--resume", action="store_true", help="continue the run that wrote OUT")
    p.add_argument("--exclude-unaccepted", action="store_true",
                   help="leave rows without an accepted teacher CoT out of OUT (default: they keep their guide or "
                   "the template CoT; counted either way)")
    p.add_argument("--show-prompt", metavar="ROW_ID", help="print the teacher prompt of one row and exit")
    p.add_argument("--temperature", type=float, help="sampling temperature (default 0 for one sample, 0.8 for more)")
    p.add_argument("--max-tokens", type=int, default=1024, help="tokens per teacher answer (default 1024)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per teacher request (default 120)")
    p.add_argument("--max-retries", type=int, default=3, help="retries of a request on 429/5xx/connection/timeout")
    p.add_argument("--rounds", type=int, default=2, help="extra rounds for samples still without an answer")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", help="environment variable holding the API key")
    p.add_argument("--no-cache", action="store_true", help="do not cache teacher answers (default: OUT.cache.sqlite)")
    p.add_argument("--limit", type=int, help="only the first N rows")
    return p


def settings_of(args: argparse.Namespace) -> TeachSettings:
    if args.samples < 1 or args.concurrency < 1:
        raise TeachError(f"--samples ({args.samples}) and --concurrency ({args.concurrency}) must be >= 1")
    temperature = args.temperature if args.temperature is not None else (0.0 if args.samples == 1 else 0.8)
    return TeachSettings(teacher=args.teacher, rules=args.rules, data=args.data, out=args.out, model=args.model,
                         samples=args.samples, concurrency=args.concurrency, keep=args.keep, resume=args.resume,
                         exclude_unaccepted=args.exclude_unaccepted, temperature=temperature,
                         max_tokens=args.max_tokens, timeout=args.timeout, max_retries=args.max_retries,
                         rounds=args.rounds, api_key_env=args.api_key_env, cache=not args.no_cache, limit=args.limit)


def run(args: argparse.Namespace) -> int:
    s = settings_of(args)
    rules = compile_rules(s.rules)
    examples = load_examples(s.data).examples[: s.limit or None]
    if not examples:
        raise TeachError(f"--data {s.data}: no rows")
    check_gold(examples, rules, s.data)  # a label or step of another rule file: one error per kind
    if args.show_prompt is not None:
        example = next((e for e in examples if e.id == args.show_prompt), None)
        if example is None:
            raise TeachError(f"--show-prompt {args.show_prompt}: no row with that id in {s.data} "
                             f"(ids look like {examples[0].id!r})")
        for message in teacher_messages(example, rules):
            print(f"--- {message['role']}\n{message['content']}")
        return 0
    teacher = Teacher.open(s.teacher, model=s.model, api_key_env=s.api_key_env, timeout=s.timeout,
                           max_retries=s.max_retries, concurrency=s.concurrency, max_tokens=s.max_tokens,
                           temperature=s.temperature, rounds=s.rounds,
                           cache=side_paths_of(s) if s.cache else None)
    if s.samples > 1 and teacher.greedy:
        logger.warning("--samples %d with a greedy teacher (temperature 0 or a local model): the samples are the "
                       "same text", s.samples)
    report = teach(s, rules, examples, teacher)
    o = report["overall"]
    print(f"{o['accepted']}/{o['rows']} rows with an accepted teacher CoT; sources {report['sources']}; "
          f"report: {report['files']['report_md']}")
    return 0


def side_paths_of(s: TeachSettings):
    from pathlib import Path

    return side_paths(Path(s.out))["cache"]


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        return run(args)
    except (TeachError, DataError, RuleFileError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
