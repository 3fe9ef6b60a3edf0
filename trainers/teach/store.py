"""The files of a teach run, written row by row so a killed run resumes where it stopped.

    runs/teach/train.jsonl                 OUT: the examples with their guides (loads with `load_examples`)
    runs/teach/train.rejected.jsonl        every rejected teacher CoT: row id, sample, reason, detail, text
    runs/teach/train.ledger.jsonl          one line per finished row (where its guide came from, counts) and the
                                           session's counters so far: the report is computed from it
    runs/teach/train.report.json / .md     the report (`trainers.teach.report`)
    runs/teach/train.cache.sqlite          the teacher's answers (`verifiers.judge.cache`)

A row is finished when its ledger line is written, after its OUT and rejected lines. On resume, lines of rows
without a ledger line (the row in flight when the run was killed) and a half-written last line are dropped, then
those rows are taught again (their answers mostly come from the cache). At the end OUT is rewritten in the input's
order, atomically.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rules.data.example import Example
from trainers.teach.teacher import TeachError

SUFFIXES = {"rejected": ".rejected.jsonl", "ledger": ".ledger.jsonl", "report_json": ".report.json",
            "report_md": ".report.md", "cache": ".cache.sqlite"}
EXTRA_ID = "~t"  # id of the k-th extra accepted CoT of a row under --keep all-correct: "<id>~t<k>"


def side_paths(out: Path) -> dict[str, Path]:
    stem = out.with_suffix("")
    return {name: Path(f"{stem}{suffix}") for name, suffix in SUFFIXES.items()}


def base_id(row_id: str) -> str:
    return row_id.split(EXTRA_ID)[0]


class RunFiles:
    def __init__(self, out: str | Path, resume: bool):
        self.out = Path(out)
        if self.out.suffix != ".jsonl":
            raise TeachError(f"--out {out}: the output is written row by row, so it must be a .jsonl file "
                             "(convert it afterwards with rules.data.save_examples if you need another format)")
        self.paths = side_paths(self.out)
        if self.out.exists() and not resume:
            raise TeachError(f"--out {out} exists; pass --resume to continue that run, or remove it "
                             f"(and {self.paths['ledger'].name}) to start again")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.done: dict[str, dict[str, Any]] = {}  # row id -> ledger entry
        self.sessions: dict[str, dict[str, Any]] = {}  # session id -> its latest counters
        if resume:
            self._recover()
        self._files = {name: open(path, "a", encoding="utf-8")
                       for name, path in (("out", self.out), ("rejected", self.paths["rejected"]),
                                          ("ledger", self.paths["ledger"]))}

    def _recover(self) -> None:
        for entry in _read_lines(self.paths["ledger"]):
            if "row" in entry:
                self.done[entry["row"]["id"]] = entry["row"]
            if "session" in entry:
                self.sessions[entry["session"]["id"]] = entry["session"]
        _rewrite(self.paths["ledger"], [line for line in _read_lines(self.paths["ledger"])])
        for name in ("out", "rejected"):
            path = self.out if name == "out" else self.paths[name]
            key = "id" if name == "out" else "row"
            _rewrite(path, [e for e in _read_lines(path) if base_id(str(e.get(key))) in self.done])

    def write_row(self, examples: list[Example], rejected: list[dict[str, Any]], entry: dict[str, Any],
                  session: dict[str, Any]) -> None:
        """One finished row: its OUT lines and rejects first, then the ledger line that marks it done."""
        for example in examples:
            self._files["out"].write(example.model_dump_json() + "\n")
        for reject in rejected:
            self._files["rejected"].write(json.dumps(reject, ensure_ascii=False) + "\n")
        self._files["out"].flush()
        self._files["rejected"].flush()
        self._files["ledger"].write(json.dumps({"row": entry, "session": session}, ensure_ascii=False) + "\n")
        self._files["ledger"].flush()
        self.done[entry["id"]] = entry
        self.sessions[session["id"]] = session

    def finish(self, order: list[str]) -> None:
        """Close, then rewrite OUT in the input's order (extra CoTs of a row right after its first)."""
        for f in self._files.values():
            f.close()
        rank = {row_id: i for i, row_id in enumerate(order)}
        rows = _read_lines(self.out)
        rows.sort(key=lambda e: (rank.get(base_id(e["id"]), len(rank)), e["id"] != base_id(e["id"]), e["id"]))
        _rewrite(self.out, rows)


def _read_lines(path: Path) -> list[dict[str, Any]]:
    """Complete JSON lines of a file; a half-written last line (the run was killed mid-write) is dropped."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.endswith("\n"):
            break
        try:
            out.append(json.loads(line))
        except ValueError:
            break
    return out


def _rewrite(path: Path, entries: list[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for entry in entries:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
