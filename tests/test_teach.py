"""`python -m trainers.teach` against a scripted OpenAI-compatible server on 127.0.0.1 (stdlib http.server, real
sockets), a real `transformers serve`, and a local model folder.

    python -m pytest tests/test_teach.py -q

The scripted server answers each row (found by its query in the prompt) with the texts a test gives: a good CoT,
a CoT wrong in one way per rejection reason, garbage, HTTP 500/429, a dropped connection, or a slow answer.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rules import compile_rules
from rules.data import load_examples, save_examples
from trainers.common.tiny_model import build_tiny_lm
from trainers.teach import REJECTIONS, teacher_messages
from trainers.teach.cli import main
from trainers.teach.store import side_paths
from tests.scripts.openai_stub import JsonHandler, QuietServer, chat_completion
from verifiers.judge.server import ServeProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
RULES = compile_rules("rules/catalog/ecommerce.yaml")
# Rows without guides: a team's own data has labels and gold steps, not CoTs.
ROWS = [e.model_copy(update={"guide": None}) for e in load_examples(ROOT / "data/synthetic/eval_balanced.jsonl").examples]


def good(example, **verdicts) -> str:
    """A CoT that explains every step from the facts (the gold verdicts unless changed)."""
    steps = {**example.gold_steps, **verdicts}
    label = example.label if "verdict" not in verdicts else next(
        lab for lab, v in RULES.labels.items() if v.name == verdicts["verdict"])
    reasons = {s: f"{example.product.title} in {' > '.join(example.product.category)} for {example.query}"
               for s in steps}
    return RULES.render(label, steps, reasons)


class Scripted(QuietServer):
    def __init__(self):
        super().__init__(("127.0.0.1", free_port()), Handler)
        self.script: dict[str, list[tuple]] = {}  # query -> actions, one per request; then the last one again
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(JsonHandler):
    server: Scripted

    def do_GET(self) -> None:  # /v1/models
        self.reply(200, {"object": "list", "data": [{"id": "teacher", "object": "model"}]})

    def do_POST(self) -> None:
        body = self.read_json()
        prompt = body["messages"][-1]["content"]
        query = prompt.split("Query: ", 1)[1].split("\n", 1)[0]
        with self.server.lock:
            self.server.requests.append(body)
            actions = self.server.script.get(query) or [("text", "no script for this row")]
            action = actions.pop(0) if len(actions) > 1 else actions[0]
        time.sleep(self.server.delay)
        if action[0] == "status":
            self.reply(action[1], {"error": {"message": "scripted"}}, {"Retry-After": "0"})
        elif action[0] == "drop":
            self.connection.close()
        elif action[0] == "garbage":
            self.reply(200, None, raw=b"<html>bad gateway</html>")
        else:
            self.reply(200, chat_completion(body["model"], action[1],
                                            {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}))


@pytest.fixture
def server():
    srv = Scripted()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def data_file(tmp_path: Path, rows) -> str:
    return str(save_examples(rows, tmp_path / "in.jsonl"))


def teach_args(srv: Scripted, data: str, out: Path, *extra: str) -> list[str]:
    return ["--teacher", srv.url, "--model", "teacher", "--rules", "rules/catalog/ecommerce.yaml", "--data", data,
            "--out", str(out), "--timeout", "5", *extra]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------------------------------------------- verification

def test_accepted_and_every_rejection_reason(server, tmp_path):
    rows = ROWS[:6]
    no_gold = rows[4].model_copy(update={"gold_steps": None})  # rule adherence is what catches it without gold steps
    rows = rows[:4] + [no_gold, rows[5]]
    e = rows
    other_label = next(lab for lab in RULES.label_ids if lab != e[1].label)
    # A label-consistent CoT (conclusion step restates it) whose own verdicts the rules decide otherwise.
    steps = {**e[4].gold_steps} if e[4].gold_steps else dict(ROWS[4].gold_steps)
    steps["category"] = "mismatch"  # category_mismatch decides Irrelevant
    violating = RULES.render(e[4].label, {**steps, "verdict": RULES.labels[e[4].label].name},
                             {s: "facts" for s in steps}) if e[4].label != 1 else None
    assert violating is not None, "pick a row whose gold label is not Irrelevant"
    server.script = {
        e[0].query: [("text", good(e[0]))],                                             # accepted
        e[1].query: [("text", RULES.render(other_label, {**e[1].gold_steps, "verdict": RULES.labels[other_label].name},
                                           {s: "facts" for s in e[1].gold_steps}))],    # wrong_label
        e[2].query: [("text", good(e[2], product="vague" if e[2].gold_steps["product"] == "clear" else "clear"))],
        e[3].query: [("text", "Label: 4\nI think the product is great!")],               # malformed
        e[4].query: [("text", violating)],                                               # rule_violation
        e[5].query: [("text", RULES.render(e[5].label, e[5].gold_steps))],               # restates_question
    }
    out = tmp_path / "out.jsonl"
    assert main(teach_args(server, data_file(tmp_path, rows), out)) == 0
    side = side_paths(out)
    reasons = {r["row"]: r["reason"] for r in read_jsonl(side["rejected"])}
    assert reasons == {e[1].id: "wrong_label", e[3].id: "malformed", e[4].id: "rule_violation",
                       e[5].id: "restates_question", e[2].id: "wrong_steps"}
    report = json.loads(side["report_json"].read_text())
    assert report["overall"] == {"rows": 6, "accepted": 1, "rate": round(1 / 6, 4)}
    assert report["rejections"] == {reason: 1 for reason in REJECTIONS}
    assert report["parse_errors"] == {"think_open": 1}
    # Rejected rows keep the template CoT (the ecommerce file's explain templates); the one without gold steps none.
    assert report["sources"] == {"teacher": 1, "guide": 0, "template": 4, "none": 1, "excluded": 0}
    written = {x.id: x for x in load_examples(out).examples}
    assert [x.id for x in load_examples(out).examples] == [x.id for x in rows]  # input order
    assert written[e[0].id].guide == good(e[0])
    assert f"The product is listed under {' > '.join(e[1].product.category)}" in written[e[1].id].guide
    assert written[no_gold.id].guide is None
    assert set(report["per_label"]) == {RULES.label_text(lab) for lab in RULES.label_ids}
    assert "plain" in report["per_query_type"] and report["teacher"]["prompt_tokens"] == 600
    md = side["report_md"].read_text()
    assert "Rows with an accepted CoT: 1 / 6" in md and "| restates_question | 1 |" in md


def test_samples_keep_best_and_all_correct_and_exclude(server, tmp_path):
    e = ROWS[0]
    plain = RULES.render(e.label, e.gold_steps, {s: "it fits" for s in e.gold_steps})  # accepted, cites no fact
    server.script = {e.query: [("text", "garbage"), ("text", plain), ("text", good(e))]}
    out = tmp_path / "best.jsonl"
    assert main(teach_args(server, data_file(tmp_path, [e, ROWS[1]]), out, "--samples", "3",
                           "--exclude-unaccepted")) == 0
    [row] = load_examples(out).examples  # ROWS[1] has no script: no accepted CoT, excluded
    assert row.guide == good(e)  # best: the one citing the product facts
    report = json.loads(side_paths(out)["report_json"].read_text())
    assert report["cots"] == {"answers": 6, "accepted": 2, "rejected": 4, "rate": round(2 / 6, 4), "no_answer": 0}
    assert report["sources"]["excluded"] == 1
    server.script = {e.query: [("text", plain), ("text", good(e)), ("text", "x")]}
    out = tmp_path / "all.jsonl"
    assert main(teach_args(server, data_file(tmp_path, [e]), out, "--samples", "3", "--keep", "all-correct",
                           "--no-cache")) == 0
    assert [x.id for x in load_examples(out).examples] == [e.id, f"{e.id}~t1"]


# ---------------------------------------------------------------------------------------------------- the prompt

def test_the_prompt_holds_the_atomic_rules_and_is_what_the_server_gets(server, tmp_path, capsys):
    negation = next(x for x in ROWS if x.gold_steps["query"] == "negation" and x.label == 4)
    data = data_file(tmp_path, [negation])
    assert main(teach_args(server, data, tmp_path / "o.jsonl", "--show-prompt", negation.id)) == 0
    shown = capsys.readouterr().out
    decision = RULES.decide(negation.gold_steps)
    assert f"Deciding rule {decision.rule_id}" in shown and decision.rule.message in shown
    # The hard rule one verdict away, with the verdict that would fire it.
    assert "Hard rule to rule out negation_violated, hard -> 2 Mismatch" in shown
    assert "It would fire if attributes were excluded_present" in shown
    assert all(f"gold verdict: {v}" in shown for v in negation.gold_steps.values())
    assert "Do not restate or paraphrase the step's question" in shown
    assert f"Label: {negation.label}\n<think>\n[query] <your reasoning> Verdict: negation" in shown
    server.script = {negation.query: [("text", good(negation))]}
    assert main(teach_args(server, data, tmp_path / "o.jsonl")) == 0
    assert server.requests[0]["messages"] == teacher_messages(negation, RULES)
    assert load_examples(tmp_path / "o.jsonl").examples[0].guide == good(negation)


def test_show_prompt_of_an_unknown_row_names_the_id_format(server, tmp_path, capsys):
    assert main(teach_args(server, data_file(tmp_path, ROWS[:2]), tmp_path / "o.jsonl", "--show-prompt", "nope")) == 2
    assert "no row with that id" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------- failures

def test_server_failures_are_retried_counted_and_never_crash(server, tmp_path):
    e, f = ROWS[0], ROWS[1]
    server.script = {e.query: [("status", 500), ("status", 429), ("drop",), ("garbage",), ("text", good(e))],
                     f.query: [("status", 503)]}
    out = tmp_path / "out.jsonl"
    assert main(teach_args(server, data_file(tmp_path, [e, f]), out, "--max-retries", "3", "--rounds", "1")) == 0
    report = json.loads(side_paths(out)["report_json"].read_text())
    t = report["teacher"]
    # Row e: 500, 429, drop are retried by the client; garbage is not, so the next round asks again and succeeds.
    # Row f: 4 tries of 503 per round, 2 rounds, then it keeps its template CoT.
    assert t["failures_by_kind"] == {"http_503": 2, "bad_response": 1} and t["failed_tries"] == 3
    assert t["retries"] == 3 + 2 * 3 and t["calls"] == 5 + 8
    assert report["sources"] == {"teacher": 1, "guide": 0, "template": 1, "none": 0, "excluded": 0}
    assert report["cots"]["no_answer"] == 1
    assert len(load_examples(out).examples) == 2


def test_resume_after_sigkill_finishes_every_row_once(server, tmp_path):
    rows = ROWS[:8]
    server.script = {x.query: [("text", good(x))] for x in rows}
    server.delay = 0.4
    out = tmp_path / "out.jsonl"
    args = teach_args(server, data_file(tmp_path, rows), out, "--concurrency", "1")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "trainers.teach", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ledger = side_paths(out)["ledger"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not ledger.exists() or ledger.read_text().count("\n") < 3):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = ledger.read_text().count("\n")
    assert 3 <= done_before < 8
    server.delay = 0.0
    assert main(args) == 2  # OUT exists: without --resume it says so
    assert main(args + ["--resume"]) == 0
    assert [x.id for x in load_examples(out).examples] == [x.id for x in rows]
    report = json.loads(side_paths(out)["report_json"].read_text())
    assert report["overall"]["accepted"] == 8 and report["teacher"]["sessions"] == 2
    asked = [r["messages"][-1]["content"].split("Query: ", 1)[1].split("\n", 1)[0] for r in server.requests]
    assert len(asked) <= 8 + 1  # only the row in flight at the kill is asked again


# ---------------------------------------------------------------------------------------------------- bad input

def test_bad_input_is_one_clear_error_each(server, tmp_path, capsys):
    no_label = tmp_path / "no_label.jsonl"
    row = json.loads(ROWS[0].model_dump_json())
    del row["label"]
    no_label.write_text(json.dumps(row) + "\n")
    assert main(teach_args(server, str(no_label), tmp_path / "a.jsonl")) == 2
    err = capsys.readouterr().err
    assert "no_label.jsonl:1" in err and "label" in err and "Traceback" not in err
    grocery = ROWS[0].model_copy(update={"gold_steps": {**ROWS[0].gold_steps, "freshness": "fresh"}})
    assert main(teach_args(server, data_file(tmp_path, [grocery]), tmp_path / "b.jsonl")) == 2
    assert "steps rule set 'ecommerce' does not know: 'freshness'" in capsys.readouterr().err
    dead = ["--teacher", f"http://127.0.0.1:{free_port()}/v1", "--rules", "ecommerce", "--data",
            data_file(tmp_path, ROWS[:1]), "--out", str(tmp_path / "c.jsonl")]
    assert main(dead) == 2
    err = capsys.readouterr().err
    assert "no server answers" in err and "Connection refused" in err
    assert main(teach_args(server, data_file(tmp_path, ROWS[:1]), tmp_path / "d.parquet")) == 2
    assert "must be a .jsonl file" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------------- SFT, real models

@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "model"
    model, tokenizer = build_tiny_lm([(ROOT / "data/synthetic/train.jsonl").read_text(encoding="utf-8")],
                                     hidden=32, layers=1)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_out_trains_with_sft(server, tmp_path, tiny):
    import torch

    from trainers.common.arguments import ShelfArguments
    from trainers.sft import RelevanceSFTConfig, build_sft_trainer

    rows = ROWS[:4]
    server.script = {x.query: [("text", good(x))] for x in rows[:2]}  # two teacher CoTs, two template CoTs
    out = tmp_path / "teach.jsonl"
    assert main(teach_args(server, data_file(tmp_path, rows), out)) == 0
    shelf = ShelfArguments(model_name_or_path=str(tiny), train_data=str(out), eval_data=None)
    config = RelevanceSFTConfig(output_dir=str(tmp_path / "run"), use_cpu=True, bf16=False, max_steps=2,
                                per_device_train_batch_size=2, learning_rate=1e-2, max_length=1024,
                                save_strategy="no", report_to=[], seed=0, disable_tqdm=True)
    trainer, _ = build_sft_trainer(shelf, config)
    assert len(trainer.train_dataset) == 4
    before = {k: v.detach().clone() for k, v in trainer.model.named_parameters()}
    trainer.train()
    assert any(not torch.equal(before[k], v) for k, v in trainer.model.named_parameters())


def test_a_local_model_folder_is_a_teacher(tmp_path, tiny):
    out = tmp_path / "local.jsonl"
    args = ["--teacher", str(tiny), "--rules", "ecommerce", "--data", data_file(tmp_path, ROWS[:2]), "--out",
            str(out), "--max-tokens", "8"]
    assert main(args) == 0
    report = json.loads(side_paths(out)["report_json"].read_text())
    # A random tiny model writes no CoT: both rejected as malformed, counted; the rows keep the template CoT.
    assert report["rejections"]["malformed"] == 2 and report["sources"]["template"] == 2
    assert report["teacher"]["completion_tokens"] > 0 and report["teacher"]["prompt_tokens"] > 0


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None,
                    reason='needs `pip install "transformers[serving]"` (fastapi, uvicorn)')
def test_through_a_real_transformers_serve(tmp_path, tiny):
    with ServeProcess(tiny) as srv:
        out = tmp_path / "serve.jsonl"
        args = ["--teacher", srv.base_url, "--model", srv.model, "--rules", "ecommerce", "--data",
                data_file(tmp_path, ROWS[:3]), "--out", str(out), "--max-tokens", "16", "--timeout", "60"]
        assert main(args) == 0
        report = json.loads(side_paths(out)["report_json"].read_text())
        assert report["cots"]["answers"] == 3 and report["rejections"]["malformed"] == 3
        assert report["sources"]["template"] == 3 and report["teacher"]["calls"] == 3
        assert main(args + ["--resume"]) == 0  # all rows done: nothing asked again
        assert json.loads(side_paths(out)["report_json"].read_text())["teacher"]["calls"] == 3
