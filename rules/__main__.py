"""Command line for rule files.

    python -m rules check rules/catalog/*.yaml      # exit 0 when all valid; else every problem, one per line
    python -m rules explain rules/catalog/ecommerce.yaml
    python -m rules schema [--write]                # the JSON Schema (--write: refresh rules/schema/)
    python -m rules diff OLD NEW [--data F] [--cases F] [--annotations DB] [--completions F] [--fail-on labels]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rules.casefile import case_file_for, case_problems, load_case_file, rules_path
from rules.diff import cli as diff_cli
from rules.errors import Problem, RuleFileError
from rules.loader import compile_rules
from rules.model import ruleset_json_schema

SCHEMA_PATH = Path(__file__).parent / "schema" / "ruleset.schema.json"


def schema_text() -> str:
    return json.dumps(ruleset_json_schema(), indent=2, sort_keys=True) + "\n"


def check(paths: list[str], cases: bool) -> int:
    failed = 0
    for path in paths:
        if path.endswith(".cases.yaml"):
            if len(paths) == 1:
                print(f"{path}: a case file; it is checked with its rule file "
                      f"(python -m rules check {path.removesuffix('.cases.yaml')}.yaml)")
            continue  # case files are checked with the rule file they belong to
        try:
            rules = compile_rules(path)
            problems = _case_problems(path, rules) if cases else []
        except RuleFileError as err:
            problems = err.problems
        if problems:
            failed += 1
            for problem in problems:
                print(problem)
            continue
        analysis = rules.analysis
        table = ", too many verdict combinations to prove totality; the default covers the rest" if analysis is None \
            else (", total decision table" if not analysis.uncovered
                  else f", default decides {analysis.uncovered} combinations")
        print(f"{path}: ok ({len(rules.ruleset.steps)} steps, {len(rules.rules)} rules{table})")
    return 1 if failed else 0


def _case_problems(path: str, rules) -> list[Problem]:
    case_path = case_file_for(path)
    if not case_path.is_file():
        return [Problem(path, 0, "", f"no case file {case_path.name} beside the rules", None,
                        "write one (see rules/catalog/ecommerce.cases.yaml), or pass --no-cases")]
    cases, data = load_case_file(case_path)
    if rules_path(case_path, cases) != Path(path).resolve():
        return [Problem(str(case_path), 1, "rules", "the case file is for another rule file", cases.rules,
                        f"set `rules: {Path(path).name}`")]
    return case_problems(case_path, cases, data, rules)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rules", description="Check, explain, describe and diff rule files.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="validate rule files; exit 1 and list every problem if any")
    p_check.add_argument("paths", nargs="+")
    p_check.add_argument("--no-cases", action="store_true", help="do not require a case file covering every rule")
    p_explain = sub.add_parser("explain", help="print the decision table in readable form")
    p_explain.add_argument("path")
    p_schema = sub.add_parser("schema", help="print the JSON Schema of rule files")
    p_schema.add_argument("--write", action="store_true", help=f"write it to {SCHEMA_PATH.relative_to(Path.cwd()) if SCHEMA_PATH.is_relative_to(Path.cwd()) else SCHEMA_PATH}")
    diff_cli.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "diff":
        return diff_cli.run(args)
    if args.command == "check":
        return check(args.paths, cases=not args.no_cases)
    if args.command == "explain":
        try:
            print(compile_rules(args.path).explain())
        except RuleFileError as err:
            print(err)
            return 1
        return 0
    text = schema_text()
    if args.write:
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `python -m rules diff ... | head`: the reader has what it wanted; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
