"""The teach run: ask the teacher for each row, verify every CoT, write rows as they finish, report.

    >>> from trainers.teach.run import TeachSettings, teach
    >>> report = teach(TeachSettings(teacher="http://127.0.0.1:8000/v1", model="teacher",
    ...                              rules="rules/catalog/ecommerce.yaml", data="rows.jsonl", out="runs/t/rows.jsonl"))

Rows run `concurrency` at a time on one event loop (the HTTP client keeps as many requests in flight); a row's
`samples` answers are verified with `verify_cot`; `keep="best"` writes the accepted CoT citing the most product
facts (ties: the first), `"all-correct"` one OUT row per accepted CoT (ids `<id>~t<k>` after the first). A row
with none keeps its own guide, else the template CoT (`trainers.common.data.cot_target`), else no guide; with
`exclude_unaccepted` it is left out. Counted either way (`report.SOURCES`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from rules.compiler import CompiledRuleSet
from rules.data.example import Example
from trainers.common.data import cot_target
from trainers.teach.prompt import teacher_messages
from trainers.teach.report import build_report, write_report
from trainers.teach.store import EXTRA_ID, RunFiles
from trainers.teach.teacher import Teacher
from trainers.teach.verify import fact_words, grounding, verify_cot
from verifiers.judge.base import Failure

logger = logging.getLogger(__name__)
KEEP = {"best": "one CoT per row: the accepted one citing the most product facts (ties: the first sample)",
        "all-correct": "every accepted CoT, one OUT row each (ids <id>~t<k> after the first)"}


@dataclass
class TeachSettings:
    teacher: str
    rules: str
    data: str
    out: str
    model: str | None = None
    samples: int = 1
    concurrency: int = 4
    keep: str = "best"
    resume: bool = False
    exclude_unaccepted: bool = False
    temperature: float | None = None  # None: 0 for one sample, 0.8 for several
    max_tokens: int = 1024
    timeout: float = 120.0
    max_retries: int = 3
    rounds: int = 2
    api_key_env: str = "OPENAI_API_KEY"
    cache: bool = True
    limit: int | None = None


async def teach_row(example: Example, rules: CompiledRuleSet, teacher: Teacher, s: TeachSettings):
    """(OUT examples, rejects, ledger entry) of one row."""
    answers = await teacher.sample(teacher_messages(example, rules), s.samples)
    accepted, rejected = [], []
    rejections, parse_errors, failures = Counter(), Counter(), Counter()
    for i, answer in enumerate(answers):
        if isinstance(answer, Failure):
            failures[answer.kind] += 1
            continue
        check = verify_cot(answer[0], example, rules)
        if check.accepted:
            accepted.append((answer[0], check.parsed))
            continue
        rejections[check.reason] += 1
        if check.reason == "malformed":
            parse_errors[check.detail.partition(":")[0]] += 1
        rejected.append({"row": example.id, "sample": i, "reason": check.reason, "detail": check.detail,
                         "label": example.label, "text": answer[0]})
    n_accepted = len(accepted)
    if accepted and s.keep == "best":
        facts = fact_words(example)
        accepted = [max(accepted, key=lambda a: grounding(a[1], facts))]  # max keeps the first of equals
    rows = [example.model_copy(update={"guide": text, "id": example.id if k == 0 else f"{example.id}{EXTRA_ID}{k}"})
            for k, (text, _) in enumerate(accepted)]
    source = "teacher"
    if not rows:
        guide, origin = cot_target(example, rules)
        source = "excluded" if s.exclude_unaccepted else ("none" if guide is None else
                                                          "guide" if origin == "guide" else "template")
        rows = [] if s.exclude_unaccepted else [example.model_copy(update={"guide": guide})]
    entry = {"id": example.id, "label": example.label, "query_type": list(example.query_type), "source": source,
             "answers": sum(1 for a in answers if not isinstance(a, Failure)), "accepted": n_accepted,
             "no_answer": sum(failures.values()), "rejected": dict(rejections), "parse_errors": dict(parse_errors),
             "failures": dict(failures)}
    return rows, rejected, entry


async def _teach_all(todo: list[Example], rules: CompiledRuleSet, teacher: Teacher, s: TeachSettings,
                     files: RunFiles, session: dict[str, Any]) -> None:
    gate = asyncio.Semaphore(s.concurrency)
    start = time.monotonic()

    async def one(example: Example) -> None:
        async with gate:
            rows, rejected, entry = await teach_row(example, rules, teacher, s)
        session["counters"] = {**teacher.stats(), "seconds": round(time.monotonic() - start, 3)}
        files.write_row(rows, rejected, entry, session)
        if len(files.done) % 50 == 0:
            logger.info("%d rows done", len(files.done))

    await asyncio.gather(*(one(e) for e in todo))


def teach(s: TeachSettings, rules: CompiledRuleSet, examples: list[Example], teacher: Teacher) -> dict[str, Any]:
    """Teach every row not done yet, then write the report; returns it."""
    files = RunFiles(s.out, s.resume)
    todo = [e for e in examples if e.id not in files.done]
    if files.done:
        logger.info("resuming: %d rows done, %d to go", len(files.done), len(todo))
    session = {"id": uuid.uuid4().hex[:12], "counters": {}}
    try:
        asyncio.run(_teach_all(todo, rules, teacher, s, files, session))
    finally:
        files.finish([e.id for e in examples])
    ids = {e.id for e in examples}
    rows = [r for row_id, r in files.done.items() if row_id in ids]
    settings = {k: v for k, v in asdict(s).items() if k not in ("resume",)}
    report = build_report(rows, list(files.sessions.values()), rules, settings)
    report["files"] = {"out": str(files.out), **{k: str(v) for k, v in files.paths.items() if k != "cache"}}
    write_report(report, files.paths["report_json"], files.paths["report_md"])
    return report
