"""Reward unit tests from the command line.

    python -m rewards test rules/catalog/*.cases.yaml     # a table per file; exit 1 on any failure
"""

from __future__ import annotations

import argparse
import sys

from rewards import check_rules_package


def main(argv: list[str] | None = None) -> int:
    try:
        check_rules_package()
    except ImportError as err:
        print(f"error: {err}")
        return 2
    from rewards.cases import format_report, run_case_file
    from rules import RuleFileError

    parser = argparse.ArgumentParser(prog="python -m rewards", description="Run reward unit tests (case files).")
    sub = parser.add_subparsers(dest="command", required=True)
    p_test = sub.add_parser("test", help="score every case and compare with what it expects")
    p_test.add_argument("paths", nargs="+", help="case files (*.cases.yaml)")
    args = parser.parse_args(argv)
    passed = failed = 0
    for path in args.paths:
        if not path.endswith(".cases.yaml"):
            hint = path.removesuffix(".yaml").removesuffix(".yml") + ".cases.yaml"
            print(f"{path}: not a case file (*.cases.yaml); the cases of a rule file live beside it, e.g. {hint}")
            failed += 1
            continue
        try:
            result = run_case_file(path)
        except RuleFileError as err:
            print(err)
            failed += 1
            continue
        print(format_report(result))
        passed += sum(r.ok for r in result.results)
        failed += sum(not r.ok for r in result.results) + bool(result.coverage)  # coverage: one check per file
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
