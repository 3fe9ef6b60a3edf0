"""The offline human verifier: SQLite store (concurrency, history, schema), conflict policies, import/export,
agreement stats, step scores, training-data builders, and the command line end to end.

    pytest -q tests/test_human_verifier.py
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import pickle
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rewards import RuleAwareReward
from rules import compile_rules
from rules.data import DataError, load_examples
from rules.data.errors import BadRow
from verifiers.human import (
    LABEL,
    Annotation,
    AnnotationStore,
    HumanVerifier,
    StoreError,
    cohen_kappa,
    compute_stats,
    dpo_pairs,
    export,
    import_file,
    judge_sft_rows,
    parse_policy,
    resolve,
    write_jsonl,
)
from verifiers.human.records import RecordChecker
from verifiers.hybrid import HybridVerifier, Source

ROOT = Path(__file__).parent.parent
RULES_PATH = str(ROOT / "rules" / "catalog" / "ecommerce.yaml")
RULES = compile_rules(RULES_PATH)
FIX = Path(__file__).parent / "fixtures" / "annotations"
EXAMPLES = {e.id: e for e in load_examples(Path(__file__).parent / "fixtures" / "data" / "examples.jsonl").examples}
GOLD = dict(query="plain", product="clear", category="match", core_product="match", brand_model="not_mentioned",
            attributes="partial")


def ann(field: str, value: str, who: str, day: int, example: str = "e1", reason: str | None = None) -> Annotation:
    return Annotation(example, field, value, who, f"2026-11-{day:02d}T00:00:00.000000Z", reason)


@pytest.fixture
def store(tmp_path):
    with AnnotationStore(tmp_path / "a.db") as s:
        yield s


# ---------------------------------------------------------------------------------------------------- the store

def _writer(path: str, who: str, barrier, spans, n: int) -> None:
    """One process: open the store and write n transactions of 5 rows, released together with the other writer."""
    barrier.wait()
    store = AnnotationStore(path, timeout=30)  # both open the fresh file at once: schema creation races too
    barrier.wait()  # and both write at once
    begin = time.monotonic()
    for i in range(n):
        store.add([ann("category", "match", who, 1, example=f"{who}-{i}-{k}") for k in range(5)], file=f"{who}-{i}")
    spans.put((begin, time.monotonic()))
    store.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.db")
    ctx = multiprocessing.get_context("spawn")  # not fork: the test process may hold torch threads
    barrier, spans = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(path, who, barrier, spans, 60)) for who in ("ana", "bob")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]  # a "database is locked" would have crashed a writer
    (a0, a1), (b0, b1) = spans.get(timeout=5), spans.get(timeout=5)
    assert a0 < b1 and b0 < a1  # the two writing phases overlapped in time
    with AnnotationStore(path, create=False) as store:
        assert store.count() == 600 and len(store.imports()) == 120
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_writer_waits_for_the_lock_instead_of_failing(store):
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process mid-import
    writer = threading.Thread(target=store.add, args=([ann("category", "match", "ana", 1)],))
    writer.start()
    writer.join(0.3)
    assert writer.is_alive()  # waiting (busy_timeout), not failed with "database is locked"
    assert holder.execute("SELECT COUNT(*) FROM annotations").fetchone()[0] == 0
    holder.execute("COMMIT")
    writer.join(10)
    assert not writer.is_alive() and store.count() == 1


def test_an_edit_keeps_the_previous_value_and_rows_cannot_be_changed(store):
    store.add([ann("attributes", "match", "ana", 1, reason="looked blue")])
    store.add([ann("attributes", "partial", "ana", 2, reason="navy, not blue")])
    [vote] = store.votes(["e1"])
    assert (vote.value, vote.reason) == ("partial", "navy, not blue")
    assert [a.value for a in store.history(["e1"])] == ["match", "partial"]
    # An import of an older file does not override a newer edit: time decides, insertion order breaks ties.
    store.add([ann("attributes", "mismatch", "ana", 1)])
    assert store.votes(["e1"])[0].value == "partial"
    raw = sqlite3.connect(store.path, isolation_level=None)  # autocommit: a refused statement holds no lock
    for sql in ("UPDATE annotations SET value = 'x'", "DELETE FROM annotations"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(sql)
    raw.close()


def test_unknown_schema_version_and_foreign_files_are_refused_clearly(tmp_path):
    path = tmp_path / "old.db"
    AnnotationStore(path).close()
    with sqlite3.connect(path) as conn:  # as a later schema's migration would: meta is otherwise append-only
        conn.execute("DROP TRIGGER meta_no_update")
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99; this shelfwise reads version 1"):
        AnnotationStore(path)
    (tmp_path / "notes.db").write_text("not a database at all " * 100)
    with pytest.raises(StoreError, match="not a usable SQLite annotation store"):
        AnnotationStore(tmp_path / "notes.db")
    with pytest.raises(StoreError, match="no annotation store there"):
        AnnotationStore(tmp_path / "missing.db", create=False)


# ---------------------------------------------------------------------------------------------------- policies

# One field, four annotators. ana edited (match -> partial): she votes once, with her latest value.
TABLE = [ann("attributes", "match", "ana", 1), ann("attributes", "mismatch", "bob", 2),
         ann("attributes", "partial", "ana", 3), ann("attributes", "mismatch", "cy", 4),
         ann("attributes", "partial", "dan", 5)]


@pytest.mark.parametrize("policy, value, who, why", [
    ("latest", "partial", "dan", "latest of 4"),                       # dan wrote last
    ("majority", "partial", "dan", "tied at 2 of 4, latest wins"),     # partial 2 (ana, dan) vs mismatch 2 (bob, cy)
    ("priority:cy,ana", "mismatch", "cy", "priority cy"),              # first listed annotator who annotated
    ("priority:eve,bob", "mismatch", "bob", "priority bob"),           # eve did not annotate: next in the list
    ("priority:eve", "partial", "dan", "latest (no listed annotator)"),
])
def test_conflict_policies_on_a_hand_made_table(store, policy, value, who, why):
    store.add(TABLE)
    got = resolve(store.votes(), policy)["e1"]["attributes"]
    assert (got.value, got.annotation.annotator, got.why) == (value, who, why)
    assert len(got.votes) == 4


def test_majority_without_a_tie_and_bad_policy_names(store):
    store.add(TABLE + [ann("attributes", "mismatch", "eve", 6), ann("attributes", "mismatch", "fay", 0)])
    got = resolve(store.votes(), "majority")["e1"]["attributes"]
    assert (got.value, got.annotation.annotator, got.why) == ("mismatch", "eve", "majority 4 of 6")
    with pytest.raises(ValueError, match="did you mean 'majority'"):
        parse_policy("majorty")
    with pytest.raises(ValueError, match="priority needs annotators"):
        parse_policy("priority:")


# ---------------------------------------------------------------------------------------------------- import / export

def test_jsonl_and_csv_import(store):
    a = import_file(store, RULES, FIX / "ana.jsonl")
    b = import_file(store, RULES, FIX / "bob.csv")
    assert (a.records, a.values, b.records, b.values) == (3, 12, 3, 8)
    current = resolve(store.votes(["q4-p9"]), "latest")["q4-p9"]
    assert current["attributes"].annotation.reason == "not blue at all"  # reasons.attributes column
    assert current["attributes"].annotation.source == "bob.csv:4"
    assert current["attributes"].annotation.time == "2026-11-21T00:00:00.000000Z"  # a date without zone is UTC
    ana = {(x.field, x.value) for x in store.history(["q4-p9"]) if x.annotator == "ana"}
    assert ana == {("attributes", "partial"), (LABEL, "3")}  # steps.verdict "Related" is stored as label 3
    assert "category" not in {x.field for x in store.history(["q2-p7"]) if x.annotator == "bob" and x.value == ""}


def test_a_bad_line_writes_nothing_of_its_file_and_says_where(store):
    import_file(store, RULES, FIX / "ana.jsonl")
    before = store.count(), len(store.imports())
    with pytest.raises(DataError) as err:
        import_file(store, RULES, FIX / "bad.jsonl")  # line 1 is fine; lines 2 and 3 are not
    lines = str(err.value).splitlines()
    assert lines[0].startswith(f"{FIX / 'bad.jsonl'}:2: steps.attributes: not a verdict of this step (got 'blue')")
    assert lines[1].startswith(f"{FIX / 'bad.jsonl'}:3: label: not a label of rule set ecommerce (got 7)")
    assert "nothing of" in lines[-1]
    with pytest.raises(DataError, match=r"bad.csv:3 \(row 2\): annotator: missing"):
        import_file(store, RULES, FIX / "bad.csv")
    assert (store.count(), len(store.imports())) == before


A = {"id": "e1", "annotator": "ana"}


@pytest.mark.parametrize("record, says", [
    (dict(A, steps={"colour": "match"}), "steps.colour: not a step of rule set ecommerce"),    # typo'd step id
    (dict(A, steps={"category": "blue"}), "steps.category: not a verdict of this step"),
    (dict(A, label="Great"), "label: not a label of rule set ecommerce"),
    (dict(A, label=True), "label: not a label"),                                               # True == 1, not label 1
    (dict(A, label=3, steps={"verdict": "Excellent"}), "steps.verdict: disagrees with label 3"),  # conclusion step
    (dict(A, label=3, reasons={"attributes": "navy"}), "reasons.attributes: a reason for a step this record does not"),
    (dict(A, id=5, label=3), "id: not text"),                                                  # ids are strings
    ({"id": "e1", "label": 3}, "annotator: missing"),
    (dict(A, time="yesterday", label=3), "time: not an ISO 8601 time"),
    (dict(A, label=3, lable=3), "lable: unknown key"),                                        # no silently ignored key
    (dict(A, steps={"category": ""}), "steps: nothing annotated"),                           # empty = not annotated
])
def test_record_checks_name_the_field_and_the_fix(record, says):
    with pytest.raises(BadRow) as err:
        RecordChecker(RULES).annotations(record, "x.jsonl:1")
    assert any(f"{i.column}: {i.message}".startswith(says) for i in err.value.issues), err.value.issues


def test_csv_header_repeats_in_one_file_and_a_default_annotator(tmp_path, store):
    odd = tmp_path / "odd.csv"
    odd.write_text("id,annotator,colour\ne1,ana,red\n")
    with pytest.raises(DataError, match=r"odd.csv:1: colour: unknown column; .*steps.<step> or reasons.<step>"):
        import_file(store, RULES, odd)
    twice = tmp_path / "twice.jsonl"  # the same id, annotator and time with two values: which is current?
    twice.write_text('{"id": "e1", "annotator": "ana", "time": "2026-11-20", "label": 3}\n'
                     '{"id": "e1", "annotator": "ana", "time": "2026-11-20", "label": 2}\n')
    with pytest.raises(DataError, match=r"twice.jsonl:2: label: line 1 gives '3' for the same id"):
        import_file(store, RULES, twice)
    plain = tmp_path / "plain.csv"
    plain.write_text("id,label,category\ne1,3,match\n")
    assert import_file(store, RULES, plain, annotator="cy").values == 2
    assert {a.annotator for a in store.history()} == {"cy"}


def test_export_round_trips_current_values_and_history(tmp_path, store):
    import_file(store, RULES, FIX / "ana.jsonl")
    import_file(store, RULES, FIX / "bob.csv")
    for name, history, policy in (("cur.jsonl", False, "majority"), ("cur.csv", False, "priority:ana"),
                                  ("all.jsonl", True, "latest"), ("all.csv", True, "latest")):
        export(store, tmp_path / name, rules=RULES, history=history, policy=policy)
        with AnnotationStore(tmp_path / f"{name}.db") as again:
            import_file(again, RULES, tmp_path / name)
            export(again, tmp_path / f"again-{name}", rules=RULES, history=history, policy=policy)
            if history:  # every row again, with its annotator, time, reason and original source
                key = lambda a: (a.example_id, a.field, a.annotator, a.time, a.value, a.reason, a.source)  # noqa: E731
                assert sorted(map(key, again.history())) == sorted(map(key, store.history()))
            else:
                want = {(i, f): r.annotation.reason for i, fs in resolve(store.votes(), policy).items()
                        for f, r in fs.items()}
                got = {(i, f): r.annotation.reason for i, fs in resolve(again.votes(), policy).items()
                       for f, r in fs.items()}
                assert got == want
        assert (tmp_path / f"again-{name}").read_text() == (tmp_path / name).read_text()


# ---------------------------------------------------------------------------------------------------- stats

def test_stats_match_hand_computed_agreement_and_kappa(store):
    ana = "m m m m m a a a x x".split()  # m match, a adjacent, x mismatch
    bob = "m m m m a a a x x m".split()
    names = {"m": "match", "a": "adjacent", "x": "mismatch"}
    rows = [ann("category", names[v], who, 1, example=f"e{i}") for who, vals in (("ana", ana), ("bob", bob))
            for i, v in enumerate(vals)]
    rows.append(ann("category", "adjacent", "cy", 1, example="e0"))  # a third opinion on e0
    rows += [ann(LABEL, "4", "ana", 1, example=f"only-label-{i}") for i in range(2)]
    rows += [ann("product", "clear", who, 1, example="e0") for who in ("ana", "bob")]
    store.add(rows)
    stats = compute_stats(store.votes(), RULES)
    category = next(f for f in stats.fields if f.field == "category")
    assert (stats.examples, category.annotated, category.coverage, category.multi) == (12, 10, 10 / 12, 10)
    # Pairs: e0 has 3 annotators (3 pairs, 1 agreeing: ana-bob), e1..e9 one pair each, 6 of them agreeing.
    assert category.agreement == pytest.approx(7 / 12)
    # ana-bob on 10 items: observed 7/10; marginals m5 a3 x2 for both, expected (25 + 9 + 4) / 100 = 0.38.
    ab = next(p for p in category.pairs if p.annotators == ("ana", "bob"))
    assert ab.kappa == pytest.approx((0.7 - 0.38) / (1 - 0.38))
    assert cohen_kappa([names[v] for v in ana], [names[v] for v in bob]) == pytest.approx(0.32 / 0.62)
    # ana-cy and bob-cy: one item each, disagreeing, expected 0: kappa 0. Field kappa is the mean over pairs.
    assert category.kappa == pytest.approx((0.32 / 0.62 + 0 + 0) / 3)
    product = next(f for f in stats.fields if f.field == "product")
    assert (product.agreement, product.kappa) == (1.0, None)  # always the same single value: kappa undefined
    assert stats.annotators["ana"].examples == 12 and stats.annotators["cy"].values == 1
    assert [f.field for f in stats.fields][-1] == "label"


# ---------------------------------------------------------------------------------------------------- the verifier

@pytest.fixture
def human(store):
    store.add([ann("attributes", "partial", "ana", 20, "q1", "navy, not blue"),
               ann("category", "match", "ana", 20, "q1"), ann(LABEL, "3", "ana", 20, "q1"),
               ann("category", "adjacent", "bob", 21, "q2")])
    return HumanVerifier(store, RULES)


def test_steps_score_plus_one_minus_one_or_none_with_a_reason(human):
    text = RULES.render(4, dict(GOLD, attributes="match"))  # attributes wrong, label one too high
    steps = {s.step: s for s in human.score("q1", text)}
    assert [s for s in steps] == list(RULES.step_verdicts)
    assert (steps["category"].score, steps["category"].reason) == (1.0, "annotator ana (2026-11-20): category=match")
    assert steps["attributes"].score == -1.0
    assert steps["attributes"].reason == "annotator ana (2026-11-20): attributes=partial, not match (navy, not blue)"
    assert (steps["verdict"].score, steps["verdict"].reason) == (
        -1.0, "annotator ana (2026-11-20): label=3 Related, not 4 Excellent")  # the conclusion step has the label
    assert (steps["query"].score, steps["query"].reason) == (None, "no human annotation for this step")
    assert {s.source for s in steps.values()} == {"human"}
    assert all(text[s.start:s.end].startswith(f"[{s.step}]") for s in steps.values())
    right = human.score("q1", RULES.parse(RULES.render(3, GOLD)))  # a ParsedCoT is accepted as is
    assert [s.score for s in right if s.score is not None] == [1.0, 1.0, 1.0]


def test_malformed_completions_give_no_steps_and_log_why(human, caplog):
    with caplog.at_level(logging.INFO, logger="verifiers.human.verifier"):
        assert human.score("q1", "Label: 3") == []
        assert human.score("q1", None) == []
    assert "think_open" in caplog.text and human.counts["malformed"] == 2


def test_a_batch_is_one_query_and_works_as_a_hybrid_source(human):
    queries = []
    human.store._conn.set_trace_callback(lambda sql: queries.append(sql) if sql.lstrip().startswith("SELECT") else None)
    texts = [RULES.render(3, GOLD), RULES.render(3, GOLD), [{"role": "assistant", "content": RULES.render(3, GOLD)}]]
    batch = human.step_scores(texts, id=["q1", "q2", "unknown"])
    assert len(queries) == 1
    assert [s.score for s in batch[1] if s.score is not None] == [-1.0]  # bob: category adjacent
    assert {s.reason for s in batch[2]} == {"no human annotations for unknown"}
    hybrid = HybridVerifier(RULES, [Source("human", human), Source("facts", RuleAwareReward(RULES))])
    [steps] = hybrid.step_scores([RULES.render(4, GOLD)], id=["q1"], label=[3], gold_steps=[GOLD])
    assert {s.step: s.source for s in steps}["attributes"] == "human"
    assert {s.step: s.source for s in steps}["query"] == "facts"
    clone = pickle.loads(pickle.dumps(human))  # to dataloader workers / other processes: reopens by path
    assert clone.step_scores(texts, id=["q1", "q2", "unknown"]) == batch


# ---------------------------------------------------------------------------------------------------- builders

def test_builders_write_judge_messages_and_dpo_pairs_trl_reads(tmp_path, store):
    import_file(store, RULES, FIX / "ana.jsonl")  # q1-p1: every step and label 4
    human = HumanVerifier(store, RULES)
    q1 = EXAMPLES["q1-p1"]
    gold = {k: v for k, v in q1.gold_steps.items() if k != "verdict"}
    right, wrong = RULES.render(4, gold), RULES.render(2, dict(gold, attributes="excluded_present"))
    candidates = [(q1, right), (q1, wrong), (q1, "Label: 4"), (EXAMPLES["q5-p3"], right)]
    sft = judge_sft_rows(human, candidates)
    assert len(sft) == 2 and sft.counts["malformed"] == 1 and sft.counts["not_annotated"] == 1
    roles = [m["role"] for m in sft.rows[1]["messages"]]
    answer = sft.rows[1]["messages"][-1]["content"].splitlines()
    assert roles == ["user", "assistant"] and len(answer) == len(RULES.step_verdicts)
    assert answer[5] == "[attributes] incorrect: it is match, not excluded_present: mesh upper, no leather"
    assert answer[0] == "[query] correct: mesh upper, no leather"
    # The rows are in the generative judge's own format: what a judge trained on them writes, it can parse.
    from verifiers.judge.answer import parse_answer

    parsed = parse_answer(sft.rows[1]["messages"][-1]["content"], list(RULES.step_verdicts))
    assert isinstance(parsed, tuple) and len(parsed) == len(RULES.step_verdicts), parsed
    pairs = dpo_pairs(human, candidates, pairs_per_example=3)
    assert len(pairs) == 2 and pairs.counts["no_correct"] == 1  # q5-p3: not annotated
    first = pairs.rows[0]
    assert first["chosen"] == [{"role": "assistant", "content": right}]
    assert first["rejected"][0]["content"] == wrong and pairs.rows[1]["rejected"][0]["content"] == "Label: 4"
    assert first["prompt"][0]["role"] == "user"
    # No correct sample: the gold CoT (Example.guide) is chosen, else the CoT the annotations spell out.
    assert dpo_pairs(human, [(q1, wrong)], oracle=True).rows[0]["chosen_source"] == "guide"
    oracle = dpo_pairs(human, [(q1.model_copy(update={"guide": None}), wrong)], oracle=True)
    assert oracle.rows[0]["chosen_source"] == "annotations"
    assert RULES.parse(oracle.rows[0]["chosen"][0]["content"]).label == 4
    assert dpo_pairs(human, [(q1, wrong)]).counts["no_correct"] == 1  # without oracle: no pair
    import datasets
    from trl.data_utils import is_conversational

    for name, rows in (("sft.jsonl", sft.rows), ("dpo.jsonl", pairs.rows)):
        write_jsonl(rows, tmp_path / name)
        data = datasets.load_dataset("json", data_files=str(tmp_path / name), split="train")
        assert len(data) == len(rows) and is_conversational(data[0])


# ---------------------------------------------------------------------------------------------------- command line

def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "verifiers.human", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_cli_end_to_end_exit_codes_and_one_line_errors(tmp_path):
    db = str(tmp_path / "cli.db")
    run = cli("import", "--db", db, "--rules", RULES_PATH, str(FIX / "ana.jsonl"), str(FIX / "bob.csv"),
              str(FIX / "bad.jsonl"))
    assert run.returncode == 1 and run.stdout.count("imported ") == 2
    assert run.stderr.splitlines()[0].startswith("error: ") and "bad.jsonl:2: steps.attributes" in run.stderr
    again = cli("import", "--db", db, "--rules", RULES_PATH, str(FIX / "ana.jsonl"))
    assert again.returncode == 0 and again.stdout.startswith("skipped ")
    stats = cli("stats", "--db", db, "--rules", RULES_PATH, "--json")
    assert stats.returncode == 0 and json.loads(stats.stdout)["examples"] == 3
    show = cli("show", "--db", db, "q4-p9", "--policy", "priority:ana", "--json")
    assert show.returncode == 0 and json.loads(show.stdout)["steps"]["attributes"]["value"] == "partial"
    assert "edited later" not in cli("show", "--db", db, "q4-p9").stdout
    out = tmp_path / "out.csv"
    assert cli("export", "--db", db, "--out", str(out), "--rules", RULES_PATH, "--history").returncode == 0
    assert out.read_text().count("\n") == 7  # header + 6 records
    candidates = tmp_path / "samples.jsonl"
    candidates.write_text("".join(json.dumps({"id": "q1-p1", "completion": RULES.render(4, g)}) + "\n" for g in (
        {k: v for k, v in EXAMPLES["q1-p1"].gold_steps.items() if k != "verdict"}, dict(GOLD, query="negation"))))
    examples = str(Path(__file__).parent / "fixtures" / "data" / "examples.jsonl")
    build = ("--db", db, "--rules", RULES_PATH, "--examples", examples, "--candidates", str(candidates))
    dpo = cli("build-dpo", *build, "--out", str(tmp_path / "dpo.jsonl"))
    assert dpo.returncode == 0 and len((tmp_path / "dpo.jsonl").read_text().splitlines()) == 1, dpo.stderr
    (tmp_path / "bad_samples.jsonl").write_text('{"id": "q9", "completion": "x"}\n')
    failures = [  # (arguments, exit status, what the one line says)
        (("show", "--db", db, "q4-p0"), 1, "no annotations for 'q4-p0'"),
        (("show", "--db", db, "q4-p9", "--policy", "newest"), 1, "unknown conflict policy 'newest'"),
        (("stats", "--db", str(tmp_path / "none.db"), "--rules", RULES_PATH), 1, "no annotation store there"),
        (("export", "--db", db, "--out", str(tmp_path / "x.csv")), 1, "needs the rule file"),
        (("export", "--db", db, "--out", str(tmp_path / "x.xlsx")), 1, "cannot tell the format"),
        (("import", "--db", db, "--rules", RULES_PATH), 2, "the following arguments are required: FILE"),
        (("import", "--db", db, "--rules", "nope.yaml", str(FIX / "ana.jsonl")), 1, "nope.yaml"),
        (("import", "--db", str(tmp_path / "no" / "x.db"), "--rules", RULES_PATH, "f.jsonl"), 1, "does not exist"),
        ((), 2, "the following arguments are required: command"),
    ]
    for args, status, says in failures:
        run = cli(*args)
        assert (run.returncode, "Traceback" in run.stderr) == (status, False), (args, run.stderr)
        assert len(run.stderr.splitlines()) == 1 and run.stderr.startswith("error: ") and says in run.stderr, args
    bad = cli("build-dpo", *build[:-1], str(tmp_path / "bad_samples.jsonl"), "--out", "x.jsonl")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    bad_file = tmp_path / "bad_samples.jsonl"
    assert bad.stderr.splitlines() == [  # every bad line, then what to do (as the annotation queue's reader)
        (f"error: {bad_file}:1: id: no such example in --examples (got 'q9'); give the id of an example of the "
         "--examples file"),
        f"error: 1 bad line in {bad_file}; fix them and start again"]


def test_show_keeps_its_columns_apart_for_long_names_and_sub_second_times(tmp_path, capsys):
    from verifiers.human.__main__ import main

    db = tmp_path / "wide.db"
    with AnnotationStore(db) as s:
        s.add([Annotation("e1", "attributes", "partial", "annotator_with_a_long_name", "2026-11-20T09:30:00.123456Z",
                          None), ann("attributes", "not_mentioned", "ana", 21)])
    assert main(["show", "--db", str(db), "e1"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("      ")]
    assert len(rows) == 2
    for cell in ("annotator_with_a_long_name", "2026-11-20T09:30:00.123456Z", "not_mentioned"):
        line = next(r for r in rows if cell in r)
        after = line[line.index(cell) + len(cell):]
        assert after.startswith("  "), line  # at least two spaces before the next column
    starts = {line.index("[") for line in rows}  # the source column lines up
    assert len(starts) == 1
