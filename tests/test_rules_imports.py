"""The `rules` modules import one another one way: no module reaches itself through its imports, lazy ones included.

A cycle (errors -> yaml_source -> errors, once) works only while every import in it is inside a function, and
breaks as soon as someone hoists one to the top of the file.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: str) -> dict[str, set[str]]:
    """module -> the modules of `package` it imports anywhere in its file (package `__init__`s left out)."""
    files = {_module(p): p for p in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            edges |= {t for t in targets if t in files and not (ROOT / Path(*t.split("."))).is_dir()}
        graph[name] = edges - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def walk(node: str, path: list[str]) -> None:
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            walk(nxt, path + [node])
        done.add(node)

    for start in sorted(graph):
        walk(start, [])
    return found


def test_no_import_cycle_in_rules() -> None:
    assert cycles(import_graph("rules")) == []


def test_the_cycle_finder_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_errors_and_yaml_source_import_on_their_own() -> None:
    # Each imported first in a fresh interpreter: a cycle shows as ImportError on a half-initialised module.
    for module in ("rules.errors", "rules.yaml_source", "rules.source"):
        subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, check=True, timeout=60)
    import rules.errors
    import rules.source

    assert rules.errors.locate is rules.source.locate
