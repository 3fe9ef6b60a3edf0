"""The two sides of a diff: a rule file, a bundled rule set by name, or a git revision `REV:PATH`.

    >>> side = load_side("main:rules/catalog/apparel.yaml")     # read with `git show`, its `extends` at the same revision
    >>> side.label, side.rules                                  # ('main:rules/catalog/apparel.yaml', CompiledRuleSet)

A revision's file and the files it `extends` are written to a temporary folder under their own paths and loaded
from there, so `extends: ecommerce.yaml` finds the base of the same revision; errors name them as `REV:PATH`.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from rules.compiler import CompiledRuleSet
from rules.errors import Problem, RuleFileError
from rules.loader import bundled, compile_rules, rules_file

GIT_TIMEOUT = 30  # seconds per `git show`; a revision read should never take long


@dataclass(frozen=True)
class Side:
    label: str  # as the user wrote it, e.g. `main:rules/catalog/ecommerce.yaml`
    rules: CompiledRuleSet


def is_revision(arg: str) -> bool:
    """`REV:PATH` when no file of that name exists (a file always wins)."""
    rev, sep, path = arg.partition(":")
    return bool(sep and rev and path) and not Path(arg).exists()


def load_side(arg: str, cwd: str | Path | None = None) -> Side:
    """The compiled rules of one side; RuleFileError with located problems otherwise."""
    if not is_revision(arg):
        if not Path(arg).exists() and bundled(arg) is None:
            raise RuleFileError([Problem(arg, 0, "", "no such rule file, bundled rule set or git revision", None,
                                         "give a path, a bundled name (ecommerce), or REV:PATH such as "
                                         "main:rules/catalog/ecommerce.yaml")])
        return Side(arg, compile_rules(rules_file(arg)))
    rev, _, path = arg.partition(":")
    with tempfile.TemporaryDirectory(prefix="rules-diff-") as tmp:
        local = _materialise(rev, path, Path(tmp), cwd, arg)
        try:
            return Side(arg, compile_rules(local))
        except RuleFileError as err:
            raise RuleFileError([_renamed(p, tmp, rev) for p in err.problems]) from None


def _renamed(problem: Problem, tmp: str, rev: str) -> Problem:
    """A problem in a materialised file, named `REV:PATH` as the user knows it."""
    file = problem.file
    if file.startswith(tmp + os.sep):
        file = f"{rev}:{Path(file).relative_to(tmp).as_posix()}"
    return dataclasses.replace(problem, file=file)


def _git_show(rev: str, path: str, cwd: str | Path | None, arg: str, line: int = 0) -> str:
    try:
        out = subprocess.run(["git", "show", f"{rev}:{path}"], check=False, cwd=cwd, capture_output=True, text=True,
                             timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RuleFileError([Problem(arg, line, "", f"git could not run ({err})", None,
                                     "install git, or give the rule file as a path")]) from None
    if out.returncode != 0:
        why = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise RuleFileError([Problem(arg, line, "", f"git cannot read {rev}:{path} ({why})", None,
                                     f"check the revision and the path from the repository root "
                                     f"(git show {rev}:{path}; git ls-tree -r --name-only {rev})")])
    return out.stdout


def _materialise(rev: str, path: str, tmp: Path, cwd: str | Path | None, arg: str, depth: int = 0) -> Path:
    """Write `rev:path` and the files it extends (at the same revision) under `tmp`; the local copy of `path`."""
    path = os.path.normpath(path).replace(os.sep, "/")
    local = tmp / path
    if local.exists() or depth > 16:  # a cycle or a deep chain: the loader reports it on the local copies
        return local
    text = _git_show(rev, path, cwd, arg)
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(text, encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return local  # the loader reports the YAML error with its line
    parent = data.get("extends") if isinstance(data, dict) else None
    if isinstance(parent, str) and parent.strip() and not parent.startswith("/"):
        base = os.path.normpath(os.path.join(os.path.dirname(path), parent.strip())).replace(os.sep, "/")
        if _git_has(rev, base, cwd):
            _materialise(rev, base, tmp, cwd, arg, depth + 1)
        # else: a bundled name (`extends: ecommerce`) that the loader finds in the installed catalog
    return local


def _git_has(rev: str, path: str, cwd: str | Path | None) -> bool:
    out = subprocess.run(["git", "cat-file", "-e", f"{rev}:{path}"], check=False, cwd=cwd,
                         capture_output=True, timeout=GIT_TIMEOUT)
    return out.returncode == 0
