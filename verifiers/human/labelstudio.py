"""A round trip with Label Studio: its labeling configuration and tasks from our files, its JSON export into the store.

    python -m verifiers.human label-studio config --rules rules/catalog/ecommerce.yaml > config.xml
    python -m verifiers.human label-studio tasks --rules RULES --examples DATA --candidates samples.jsonl \\
        --out tasks.json
    python -m verifiers.human import --db annotations.db --rules RULES project-1-at-....json   # Export > JSON

The configuration has one single-choice group per step of the rule file (named by the step id, headed by the
step's question, its choices the step's verdicts) and one for the label (named `label`, choices the label names),
each with an optional reason (`reason_STEP`, `reason_label`). The conclusion step is the label. Each task carries
the query, product facts, gold label, the completion and, per step, what the model wrote; its prediction is the
model's own verdicts, so an annotator starts from them and changes the wrong ones (an untouched step therefore
counts as "correct": that is Label Studio's pre-annotation workflow).

Import: one record per (task, annotation); skipped (cancelled) and empty annotations are counted, not stored.
Provenance: the annotator is the `completed_by` user: Label Studio 1.23 exports only the user's id, so pass its user
list (`--label-studio-users users.json`, what GET /api/users returns, or {"ID": "name"}) to name them by email
(without it: `label-studio-user-ID`), the time is the annotation's `updated_at` (else `created_at`), and the
source names the project, task, annotation, candidate and lead time:
"label-studio project 3 task 12 annotation 7 (samples.jsonl:4), lead 14.2 s".
An annotation already in the store with the same source and time is not imported twice (export again, import
again: only new or edited annotations arrive). Any bad value fails the whole file (DataError per problem).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from rules import CompiledRuleSet
from rules.data.errors import BadRow, DataError, RowProblem
from verifiers.human.candidates import Candidate
from verifiers.human.files import ImportResult, sha256_of
from verifiers.human.records import RecordChecker
from verifiers.human.store import Annotation, AnnotationStore, iso_time

TO = "completion"  # the object every choice group annotates
LABEL_GROUP = "label"
SOURCE = "label-studio"


def _steps(rules: CompiledRuleSet) -> list[Any]:
    conclusion = rules.ruleset.output.conclusion_step
    return [s for s in rules.ruleset.steps if s.id != conclusion]


def labeling_config(rules: CompiledRuleSet) -> str:
    """Label Studio's XML for this rule file."""
    lines = ['<View>', '  <Header value="$query"/>', '  <Text name="facts" value="$product"/>',
             '  <Text name="gold_label" value="$gold"/>', f'  <Text name="{TO}" value="${TO}"/>',
             '  <Text name="parse_problem" value="$parse_error"/>']
    taken = {"facts", "gold_label", TO, "parse_problem", LABEL_GROUP}
    for step in _steps(rules):
        if step.id in taken or step.id.startswith(("said_", "reason_")):
            raise ValueError(f"step {step.id!r} of rule set {rules.name}: Label Studio needs unique names and this "
                             f"config uses {', '.join(sorted(taken))}, said_STEP and reason_STEP; rename the step")
        question = " ".join(step.question.split())
        lines += [f'  <Header value={quoteattr(f"[{step.id}] {question}")} size="5"/>',
                  f'  <Text name="said_{step.id}" value="$said_{step.id}"/>',
                  f'  <Choices name="{step.id}" toName="{TO}" choice="single" showInline="true">',
                  *[f'    <Choice value={quoteattr(v)}/>' for v in step.verdicts],
                  '  </Choices>',
                  (f'  <TextArea name="reason_{step.id}" toName="{TO}" rows="1" maxSubmissions="1" '
                   'placeholder="reason (optional)"/>')]
    labels = sorted(rules.ruleset.scale.labels, key=lambda lab: -lab.id)
    lines += ['  <Header value="[label] Which label is right for this query and product?" size="5"/>',
              f'  <Choices name="{LABEL_GROUP}" toName="{TO}" choice="single" showInline="true">',
              *[f'    <Choice value={quoteattr(lab.name)} hint={quoteattr(lab.description or str(lab.id))}/>'
                for lab in labels],
              '  </Choices>',
              (f'  <TextArea name="reason_{LABEL_GROUP}" toName="{TO}" rows="1" maxSubmissions="1" '
               'placeholder="reason (optional)"/>'), '</View>']
    return "\n".join(lines) + "\n"


def tasks(rules: CompiledRuleSet, candidates: list[Candidate], *, show_gold: bool = True) -> list[dict[str, Any]]:
    """Label Studio tasks (its JSON import format), one per candidate, with the model's verdicts as prediction."""
    out = []
    for c in candidates:
        ex, said = c.example, {s.id: s for s in c.cot.steps} if c.cot else {}
        facts = [f"{ex.product.title}", f"brand: {ex.product.brand}" if ex.product.brand else "",
                 f"category: {' > '.join(ex.product.category)}" if ex.product.category else "",
                 *[f"{k}: {v}" for k, v in ex.product.attributes.items()],
                 f"price: {ex.product.price}" if ex.product.price is not None else "",
                 ex.product.description or ""]
        data = {"example_id": ex.id, "candidate": c.key, "query": ex.query,
                "product": "\n".join(f for f in facts if f), "completion": c.text,
                "gold": f"gold label: {rules.label_text(ex.label)}" if show_gold and ex.label in
                rules.labels else "",
                "parse_error": f"does not parse ({c.error.code}): {c.error}; annotate the label only" if c.error
                else ""}
        result = []
        for step in _steps(rules):
            s = said.get(step.id)
            data[f"said_{step.id}"] = f"model: {s.verdict}. {s.reasoning.strip()}" if s else "model: (not parsed)"
            if s is not None:
                result.append(_choice(step.id, s.verdict))
        label = c.cot.label if c.cot is not None else rules.read_label(c.text)  # a cut CoT may keep its label line
        if label is not None:
            result.append(_choice(LABEL_GROUP, rules.labels[label].name))
        task: dict[str, Any] = {"data": data}
        if result:
            task["predictions"] = [{"model_version": c.key.rsplit(":", 1)[0], "result": result}]
        out.append(task)
    return out


def _choice(name: str, value: str) -> dict[str, Any]:
    return {"from_name": name, "to_name": TO, "type": "choices", "value": {"choices": [value]}}


# --- Import ----------------------------------------------------------------------------------------------------------

def read_users(path: str | Path | None) -> dict[str, str]:
    """User id (as text) -> name, from Label Studio's user list (GET /api/users) or a plain {"id": "name"} map."""
    if path is None:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        return {str(k): str(v) for k, v in data.items()}
    if isinstance(data, list) and all(isinstance(u, dict) and "id" in u for u in data):
        return {str(u["id"]): u.get("email") or u.get("username") or f"label-studio-user-{u['id']}" for u in data}
    raise ValueError(f"{path}: not a Label Studio user list (a list of {{\"id\": ..., \"email\": ...}}) nor an "
                     "{\"id\": \"name\"} map")


def read_export(path: str | Path, rules: CompiledRuleSet, store: AnnotationStore | None = None,
                now: str | None = None, users: dict[str, str] | None = None) -> tuple[list[Annotation], dict[str, int]]:
    """The export's rows (new ones only, when `store` is given) and counts; DataError if anything is bad."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError([RowProblem(str(path), 0, "", f"not JSON ({err})", None,
                                    "give Label Studio's JSON export (Export > JSON), not JSON-MIN or CSV")]) from None
    if not isinstance(data, list) or not all(isinstance(t, dict) and "data" in t for t in data):
        raise DataError([RowProblem(str(path), 0, "", "not a Label Studio JSON export (a list of tasks with data)",
                                    type(data).__name__, "export the project as JSON (not JSON-MIN)")])
    seen = {(a.source, a.time) for a in store.history()} if store is not None else set()
    checker = RecordChecker(rules, None, now or iso_time())
    rows, bad, counts = [], [], {"tasks": len(data), "annotations": 0, "skipped": 0, "empty": 0, "already": 0}
    for task in data:
        for ann in task.get("annotations") or []:
            counts["annotations"] += 1
            where = f"task {task.get('id')} annotation {ann.get('id')}"
            try:
                record = _record(task, ann, counts, users or {})
                if record is None:
                    continue
                found = checker.annotations(record, record["source"])
            except BadRow as err:
                bad += [RowProblem(str(path), 0, f"{where}: {i.column}", i.message, i.got, i.fix) for i in err.issues]
                continue
            if any((a.source, a.time) in seen for a in found):
                counts["already"] += 1
                continue
            rows += found
    if bad:
        raise DataError(bad, f"{len(bad)} problem{'s' * (len(bad) > 1)}; nothing of {path} was written")
    return rows, counts


def _record(task: dict[str, Any], ann: dict[str, Any], counts: dict[str, int],
            users: dict[str, str]) -> dict[str, Any] | None:
    """One annotation as a record of `verifiers.human.records` (None when skipped or empty)."""
    if ann.get("was_cancelled"):
        counts["skipped"] += 1
        return None
    steps, reasons, label = {}, {}, None
    for item in ann.get("result") or []:
        name, value = item.get("from_name", ""), item.get("value") or {}
        if item.get("type") == "choices":
            choice = (value.get("choices") or [None])[0]
            if name == LABEL_GROUP:
                label = choice
            else:
                steps[name] = choice
        elif item.get("type") == "textarea" and name.startswith("reason_"):
            text = " ".join(value.get("text") or []).strip()
            reasons["@label" if name == f"reason_{LABEL_GROUP}" else name[len("reason_"):]] = text
    if not steps and label is None:
        counts["empty"] += 1
        return None
    data, user = task.get("data") or {}, ann.get("completed_by")
    uid = user.get("id") if isinstance(user, dict) else user
    annotator = users.get(str(uid)) or (user.get("email") if isinstance(user, dict) else None) \
        or f"label-studio-user-{uid}"
    project = f"project {task['project']} " if task.get("project") is not None else ""
    lead = f", lead {float(ann['lead_time']):.1f} s" if isinstance(ann.get("lead_time"), (int, float)) else ""
    candidate = f" ({data['candidate']})" if data.get("candidate") else ""
    record = {"id": data.get("example_id"), "annotator": annotator,
              "time": ann.get("updated_at") or ann.get("created_at"), "steps": steps,
              "source": f"{SOURCE} {project}task {task.get('id')} annotation {ann.get('id')}{candidate}{lead}"}
    label_reason = reasons.pop("@label", "")
    if label is not None:
        record["label"] = label
        record["reason"] = label_reason or None
    if reasons:
        record["reasons"] = {k: v for k, v in reasons.items() if k in steps or v}
    return record


def import_export(store: AnnotationStore, rules: CompiledRuleSet, path: str | Path, *, force: bool = False,
                  users: dict[str, str] | None = None) -> ImportResult:
    """Check the whole export, then write its new annotations in one transaction."""
    rows, counts = read_export(path, rules, store=None if force else store, users=users)
    if not rows:
        return ImportResult(str(path), 0, 0, None)
    records = counts["annotations"] - counts["skipped"] - counts["empty"] - counts["already"]
    batch = store.add(rows, file=str(path), sha256=sha256_of(path), rules=rules.name, records=records, force=True)
    return ImportResult(str(path), records, len(rows), batch)
