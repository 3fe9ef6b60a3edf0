"""The Label Studio round trip: the labeling config and tasks we generate, and its JSON export into the store.

    pytest -q tests/test_label_studio.py

tests/fixtures/label_studio/ was made against a real Label Studio 1.23.2 (pip-installed in a venv of its own,
started on 127.0.0.1 with its default SQLite) by tests/scripts/label_studio_round_trip.py: the project was created
with config.xml, tasks.json imported, annotations posted, the project exported (export.json), one annotation edited
and the project exported again (export_edited.json); users.json is its GET /api/users. Label Studio itself is not
installed in CI (it pins its own Django stack; minutes to install): these files are the test input.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rules import compile_rules
from rules.data import DataError, load_examples
from verifiers.human import LABEL, AnnotationStore
from verifiers.human.candidates import read_candidates
from verifiers.human.labelstudio import (
    import_export,
    labeling_config,
    read_export,
    read_users,
    tasks,
)

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests/fixtures/label_studio"
RULES = compile_rules(ROOT / "rules/catalog/ecommerce.yaml")
USERS = read_users(FIX / "users.json")


def test_config_has_one_choice_group_per_step_with_its_question_and_verdicts_plus_the_label():
    xml = labeling_config(RULES)
    assert xml == (FIX / "config.xml").read_text()  # what the real server accepted
    root = ET.fromstring(xml)
    groups = {c.get("name"): [x.get("value") for x in c] for c in root.iter("Choices")}
    steps = [s for s in RULES.ruleset.steps if s.id != "verdict"]  # the conclusion step is the label
    assert groups == {**{s.id: list(s.verdicts) for s in steps}, "label": ["Excellent", "Related", "Mismatch",
                                                                         "Irrelevant"]}
    headers = [h.get("value") for h in root.iter("Header")]
    assert any(h.startswith("[attributes] Do the attributes the query asks for") for h in headers)
    names = [e.get("name") for e in root.iter() if e.get("name")]
    assert len(names) == len(set(names))  # Label Studio refuses duplicate names (it did, for "product")


def test_tasks_carry_the_facts_the_completion_and_the_models_verdicts_as_prediction():
    examples = {e.id: e for e in load_examples(ROOT / "data/synthetic/eval_balanced.jsonl").examples}
    candidates = read_candidates(ROOT / "data/annotate/candidates.jsonl", examples, RULES)
    picked = candidates[:5]  # the fourth does not parse
    made = tasks(RULES, picked)
    assert made == json.loads((FIX / "tasks.json").read_text())  # what the real server imported
    first = made[0]
    assert first["data"]["candidate"] == "candidates.jsonl:1" and first["data"]["gold"] == "gold label: 3 Related"
    assert {r["from_name"] for r in first["predictions"][0]["result"]} == {s for s in RULES.step_verdicts
                                                                            if s != "verdict"} | {"label"}
    broken = made[3]
    assert broken["data"]["parse_error"].startswith("does not parse (think_open)")
    assert [r["from_name"] for r in broken["predictions"][0]["result"]] == ["label"]  # its label line reads
    assert "gold" not in json.dumps(tasks(RULES, picked[:1], show_gold=False)[0]["data"]["gold"])


def test_real_export_into_the_store_with_provenance_and_only_new_annotations_on_reimport(tmp_path):
    with AnnotationStore(tmp_path / "a.db") as store:
        rows, counts = read_export(FIX / "export.json", RULES, users=USERS)
        assert counts == {"tasks": 5, "annotations": 5, "skipped": 1, "empty": 0, "already": 0}
        result = import_export(store, RULES, FIX / "export.json", users=USERS)
        assert (result.records, result.values) == (4, len(rows)) and result.batch == 1
        history = store.history()
        assert {r.annotator for r in history} == {"ana@example.com"}
        corrected = [r for r in history if r.field == "category" and r.reason]
        assert [(r.value, r.reason) for r in corrected] == [("adjacent", "a harness is next to collars")]
        source = corrected[0].source
        assert source.startswith("label-studio project ") and "(candidates.jsonl:2), lead 11.5 s" in source
        by_hand = [r for r in history if r.reason == "the completion does not parse; judged by hand"]
        assert [(r.field, r.value) for r in by_hand] == [(LABEL, "2")]
        assert all(r.time.startswith("20") and r.time.endswith("Z") for r in history)
        # The same export again: nothing new. The project exported after one edit: that edit only, as a new row.
        assert import_export(store, RULES, FIX / "export.json", users=USERS).batch is None
        edited = import_export(store, RULES, FIX / "export_edited.json", users=USERS)
        assert edited.records == 1
        labels = [r for r in store.history() if r.field == LABEL and "(candidates.jsonl:1)" in r.source]
        assert [r.source.rsplit(", ", 1)[1] for r in labels] == ["lead 10.5 s", "lead 14.5 s"]  # lead time grew
        assert [(r.value, r.reason) for r in labels] == [("3", None), ("1", "second look")]
        assert labels[0].time < labels[1].time  # the edit is current; the first value stays in the history


def test_without_the_user_list_annotators_are_named_by_id(tmp_path):
    rows, _ = read_export(FIX / "export.json", RULES)
    assert {r.annotator for r in rows} == {"label-studio-user-1"}
    assert read_users(None) == {} and read_users(FIX / "users.json") == {"1": "ana@example.com"}


def test_an_export_that_does_not_match_the_rule_file_fails_whole(tmp_path):
    # Another team's rule file: the step `category` is called `department` there.
    text = (ROOT / "rules/catalog/ecommerce.yaml").read_text()
    other = tmp_path / "other.yaml"
    other.write_text(text.replace("name: ecommerce", "name: other").replace("id: category", "id: department")
                     .replace("step: category", "step: department"))
    with pytest.raises(DataError) as err, AnnotationStore(tmp_path / "a.db") as store:
        import_export(store, compile_rules(other), FIX / "export.json", users=USERS)
    text = str(err.value)
    assert "steps.category: not a step of rule set other" in text and "nothing of" in text
    with AnnotationStore(tmp_path / "a.db") as store:
        assert store.count() == 0


@pytest.mark.parametrize("content, says", [
    ("{not json", "not JSON"),
    ('{"tasks": []}', "not a Label Studio JSON export"),
    ('[{"id": 1}]', "not a Label Studio JSON export"),
])
def test_files_that_are_not_an_export_name_the_fix(tmp_path, content, says):
    path = tmp_path / "export.json"
    path.write_text(content)
    with pytest.raises(DataError, match=says):
        read_export(path, RULES)


def test_bad_values_in_an_export_are_listed_with_task_and_annotation(tmp_path):
    export = json.loads((FIX / "export.json").read_text())
    result = export[0]["annotations"][0]["result"]
    next(r for r in result if r["from_name"] == "category")["value"]["choices"] = ["nearby"]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(export))
    with pytest.raises(DataError) as err:
        read_export(path, RULES)
    assert f"task {export[0]['id']} annotation {export[0]['annotations'][0]['id']}: steps.category" in str(err.value)
    assert "nearby" in str(err.value)


def test_command_line_config_tasks_and_import(tmp_path):
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "verifiers.human", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=120, check=False)

    rules = str(ROOT / "rules/catalog/ecommerce.yaml")
    config = cli("label-studio", "config", "--rules", rules)
    assert config.returncode == 0 and config.stdout == (FIX / "config.xml").read_text()
    out = tmp_path / "tasks.json"
    examples = str(ROOT / "data/synthetic/eval_balanced.jsonl")
    made = cli("label-studio", "tasks", "--rules", rules, "--examples", examples,
               "--candidates", str(ROOT / "data/annotate/candidates.jsonl"), "--out", str(out))
    assert made.returncode == 0 and len(json.loads(out.read_text())) == 24, made.stderr
    missing = cli("label-studio", "tasks", "--rules", rules)
    assert missing.returncode == 2 and "--examples, --candidates and --out" in missing.stderr
    db = str(tmp_path / "a.db")
    imported = cli("import", "--db", db, "--rules", rules, "--label-studio-users", str(FIX / "users.json"),
                   str(FIX / "export.json"))
    assert imported.returncode == 0 and imported.stdout.startswith("imported ") and "4 records" in imported.stdout
    again = cli("import", "--db", db, "--rules", rules, str(FIX / "export.json"))
    assert again.returncode == 0 and again.stdout.startswith("skipped ") and "no new annotations" in again.stdout
