"""`python -m rules diff`: exact decision impact (checked by brute force), extends, data relabelling, case flips,
stale annotations in a real store, reward deltas computed by hand, git revisions, and a located error for every
bad input."""

from __future__ import annotations

import itertools
import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from rules import compile_rules
from rules.__main__ import main
from rules.data import load_examples
from rules.diff import data_impact, decision_impact, structure_changes
from rules.diff.decisions import union_grid

ROOT = Path(__file__).resolve().parent.parent
ECOMMERCE = str(ROOT / "rules/catalog/ecommerce.yaml")
STORE_BRANDS = str(ROOT / "rules/catalog/examples/store_brands.yaml")
CASES = str(ROOT / "rules/catalog/ecommerce.cases.yaml")
WILD = str(ROOT / "data/synthetic/eval_wild.jsonl")

SMALL = """name: small
scale:
  labels:
    - {{id: 3, name: Good, token: "3"}}
    - {{id: 2, name: Okay, token: "2"}}
    - {{id: 1, name: Bad, token: "1"}}
steps:
  - {{id: a, question: Which a, verdicts: [{a}]}}
  - {{id: b, question: Which b, verdicts: [p, q]}}
  - {{id: c, question: Which c, verdicts: [u, v, w]}}
decision:
  rules:
{rules}
  default: Okay
reward:
  components: [{{type: label}}]
"""
OLD_RULES = """    - {id: bad_a, message: m, when: {step: a, is: x}, label: Bad}
    - {id: good_pu, message: m, when: {all: [{step: b, is: p}, {step: c, is: u}]}, label: Good}
    - {id: bad_w, message: m, when: {step: c, is: w}, label: Bad}"""
# bad_a narrowed to b = q; a new rule before bad_w; good_pu's label changed; a verdict z added to step a.
NEW_RULES = """    - {id: bad_a, message: m, when: {all: [{step: a, is: x}, {step: b, is: q}]}, label: Bad}
    - {id: good_pu, message: m, when: {all: [{step: b, is: p}, {step: c, is: u}]}, label: Okay}
    - {id: good_zw, message: m, when: {all: [{step: a, in: [y, z]}, {step: c, is: w}]}, label: Good}
    - {id: bad_w, message: m, when: {step: c, is: w}, label: Bad}"""


def small(tmp_path: Path, name: str, rules: str, verdicts: str = "x, y") -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(SMALL.format(a=verdicts, rules=rules), encoding="utf-8")
    return str(path)


def brute_force(old, new) -> tuple[Counter, set, Counter]:
    """Every combination of the union grid, decided one by one: changes, cells, and cells only NEW allows."""
    grid = union_grid(old, new)
    changes, cells, only_new = Counter(), {}, Counter()
    for combo in itertools.product(*grid.values()):
        verdicts = dict(zip(grid, combo))
        ok = [all(v in r.step_verdicts[s] for s, v in verdicts.items() if s in r.step_verdicts) for r in (old, new)]
        if ok == [False, True]:
            d = new.decide(verdicts)
            only_new[(new.label_text(d.label), d.rule_id)] += 1
        if not all(ok):
            continue
        a, b = old.decide(verdicts), new.decide(verdicts)
        if (a.label, a.rule_id) != (b.label, b.rule_id):
            key = (old.label_text(a.label), a.rule_id, new.label_text(b.label), b.rule_id)
            changes[key] += 1
            cells.setdefault(key, set()).add(combo)
    return changes, cells, only_new


def boxes(transition, grid) -> set:
    out = set()
    for p in transition.patterns:
        out |= set(itertools.product(*[p.verdicts.get(s, grid[s]) for s in grid]))
    return out


def test_decision_impact_is_exact_on_a_small_grid(tmp_path):
    old = compile_rules(small(tmp_path, "old", OLD_RULES))
    new = compile_rules(small(tmp_path, "new", NEW_RULES, "x, y, z"))
    impact = decision_impact(old, new)
    changes, cells, only_new = brute_force(old, new)
    assert impact.source == "grid" and impact.grid_size == 3 * 2 * 3 and impact.compared == 2 * 2 * 3
    got = {(t.old_label, t.old_rule, t.new_label, t.new_rule): t.count for t in impact.transitions}
    assert got == dict(changes)
    # Hand-checked too: a = x and b = p is no longer bad_a; c = u goes to good_pu (now Okay), c = v to the
    # default, c = w to bad_w (same label, another rule).
    assert changes[("1 Bad", "bad_a", "2 Okay", "default")] == 1
    assert changes[("1 Bad", "bad_a", "2 Okay", "good_pu")] == 1
    assert changes[("1 Bad", "bad_a", "1 Bad", "bad_w")] == 1
    grid = {s: [v for v in vs if v != "z"] for s, vs in union_grid(old, new).items()}
    for t in impact.transitions:  # the patterns describe exactly the changed cells
        assert t.undescribed == 0
        assert boxes(t, grid) == cells[(t.old_label, t.old_rule, t.new_label, t.new_rule)]
    assert {(t.new_label, t.new_rule): t.count for t in impact.only_new} == dict(only_new)
    assert impact.label_changes == sum(n for k, n in changes.items() if k[0] != k[2])


def test_a_pattern_reads_like_the_rule(tmp_path):
    old = compile_rules(small(tmp_path, "old", OLD_RULES))
    new = compile_rules(small(tmp_path, "new", NEW_RULES, "x, y, z"))
    t = next(t for t in decision_impact(old, new).transitions if t.old_rule == t.new_rule == "good_pu")
    assert t.head() == "3 Good -> 2 Okay, 1 combination, still decided by good_pu"
    assert [p.text for p in t.patterns] == ["a = y and b = p and c = u"]
    t = next(t for t in decision_impact(old, new).transitions if t.new_rule == "default")
    assert t.head() == "1 Bad -> 2 Okay, 1 combination, now decided by default (was bad_a)"
    assert [p.text for p in t.patterns] == ["a = x and b = p and c = v"]


def test_catalog_worked_example_counts(tmp_path):
    impact = decision_impact(compile_rules(ECOMMERCE), compile_rules(STORE_BRANDS))
    [t] = impact.transitions
    # product (2 verdicts) x attributes in {match, not_mentioned} (2); every other step is fixed by the rule.
    assert (t.old_label, t.old_rule, t.new_label, t.new_rule, t.count) == \
        ("2 Mismatch", "brand_mismatch", "3 Related", "store_brand_substitute", 4)
    assert t.patterns[0].text == ("query = plain and category = match and core_product = match and "
                                  "brand_model = mismatch and attributes in {match, not_mentioned}")


def test_too_large_a_grid_falls_back_to_the_data(tmp_path):
    old, new = compile_rules(ECOMMERCE), compile_rules(STORE_BRANDS)
    rows = [e.gold_steps for e in load_examples(WILD).examples]
    impact = decision_impact(old, new, data=rows, limit=100)
    assert impact.source == "data" and impact.grid_size == 1800
    [t] = impact.transitions
    distinct = {tuple(sorted((k, v) for k, v in r.items() if k != "verdict")) for r in rows
                if old.decide(r).label != new.decide(r).label}
    assert t.count == len(distinct)
    assert decision_impact(old, new, data=None, limit=100).source == "none"


def test_a_base_file_change_shows_through_its_child(tmp_path):
    for side, label in (("old", "Bad"), ("new", "Good")):
        folder = tmp_path / side
        folder.mkdir()
        small(folder, "base", OLD_RULES.replace("{step: c, is: w}, label: Bad", f"{{step: c, is: w}}, label: {label}"))
        (folder / "child.yaml").write_text("name: child\nextends: base.yaml\ndecision:\n  remove: [good_pu]\n")
    old, new = compile_rules(tmp_path / "old/child.yaml"), compile_rules(tmp_path / "new/child.yaml")
    assert [str(c) for c in structure_changes(old, new)] == ["rule bad_w changed: label: 1 Bad -> 3 Good"]
    [t] = decision_impact(old, new).transitions
    # The child reads only a and c (good_pu, the one rule reading b, is removed): one cell, a = y and c = w.
    assert (t.old_label, t.new_label, t.count, t.patterns[0].text) == ("1 Bad", "3 Good", 1, "a = y and c = w")


def test_structure_changes(tmp_path):
    old = compile_rules(small(tmp_path, "old", OLD_RULES))
    new = compile_rules(small(tmp_path, "new", NEW_RULES, "x, y, z"))
    text = [str(c) for c in structure_changes(old, new)]
    assert "step a changed: verdicts: ['x', 'y'] -> ['x', 'y', 'z']" in text
    assert any(t.startswith("rule good_zw added: at 3, before bad_w") for t in text)
    assert "rule bad_a changed: when: a = x -> a = x and b = q" in text
    assert "rule good_pu changed: label: 3 Good -> 2 Okay" in text
    moved = small(tmp_path, "moved", "\n".join(reversed(OLD_RULES.splitlines())))
    # Reversed: one rule can stay put, the two others moved around it.
    assert len([c for c in structure_changes(old, compile_rules(moved)) if c.kind == "moved"]) == 2


def test_data_impact_and_relabelled_round_trip(tmp_path, capsys):
    out = tmp_path / "relabelled.jsonl"
    code = main(["diff", ECOMMERCE, STORE_BRANDS, "--data", WILD, "--write-relabelled", str(out), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    old, new = compile_rules(ECOMMERCE), compile_rules(STORE_BRANDS)
    examples = load_examples(WILD).examples
    moved = [e.id for e in examples if old.decide(e.gold_steps).label != new.decide(e.gold_steps).label]
    [t] = report["data"]["transitions"]
    assert (t["old"], t["new"], t["ids"]) == ("2 Mismatch", "3 Related", moved) and moved
    assert report["data"]["by_query_type"] == {"plain": {"2 Mismatch -> 3 Related": len(moved)}}
    back = load_examples(out)
    assert back.ignored_columns == ["label_before", "relabelled"]
    assert [e.id for e in back.examples] == [e.id for e in examples]
    assert all(e.label == new.decide(e.gold_steps).label for e in back.examples)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows if r["relabelled"]] == moved
    for e in back.examples:
        if e.id in moved:  # the guide is re-rendered: it parses, and says the new label
            parsed = new.parse(e.guide)
            assert parsed.label == 3 and parsed.verdicts["verdict"] == "Related"
            assert "store_brand_substitute" in parsed.steps[-1].reasoning


def test_stale_gold_steps(tmp_path):
    old = compile_rules(small(tmp_path, "old", OLD_RULES, "x, y, z"))
    new = compile_rules(small(tmp_path, "new", OLD_RULES))
    from rules.data import Example, Product

    rows = [Example(id=f"e{i}", query="q", product=Product(title="t"), label=2, gold_steps=g)
            for i, g in enumerate([{"a": "z", "b": "p", "c": "v"}, {"a": "y", "b": "p", "c": "v"}])]
    impact = data_impact(old, new, rows)
    assert impact.stale == {"a = z": ["e0"]}
    assert impact.changed == 0


def test_case_flips_both_ways(capsys):
    from rewards.diff import case_flips

    old, new = compile_rules(ECOMMERCE), compile_rules(STORE_BRANDS)
    [forward] = case_flips(old, new, [CASES])
    assert [c for c, _ in forward.broken] == ["brand_mismatch_adidas_for_nike", "discriminative_hallucination_is_gated"]
    assert "deciding rule: expected brand_mismatch, got store_brand_substitute" in forward.broken[0][1]
    [back] = case_flips(new, old, [CASES])
    assert back.fixed == [c for c, _ in forward.broken] and not back.broken


def test_stale_annotations_in_a_real_store(tmp_path, capsys):
    from verifiers.human.store import LABEL, Annotation, AnnotationStore

    db = tmp_path / "annotations.db"
    t = "2026-01-01T00:00:00Z"
    with AnnotationStore(db) as store:
        store.add([Annotation("e1", "a", "x", "ana", t), Annotation("e2", "a", "y", "ana", t),
                   Annotation("e1", "a", "x", "bob", t), Annotation("e1", "b", "p", "bob", t),
                   Annotation("e1", "c", "u", "ana", t), Annotation("e1", LABEL, "2", "ana", t)])
        store.add([Annotation("e2", "a", "x", "ana", "2026-01-02T00:00:00Z")])  # an edit: still one vote
    old = small(tmp_path, "old", OLD_RULES)
    new_text = Path(small(tmp_path, "new", OLD_RULES, "x, y, z")).read_text()
    Path(tmp_path / "new.yaml").write_text(new_text.replace("Which c,", "Which c now,"))
    code = main(["diff", old, str(tmp_path / "new.yaml"), "--annotations", str(db), "--format", "json"])
    report = json.loads(capsys.readouterr().out)["annotations"]
    assert code == 0
    assert report["steps"] == {"a": "verdicts: added z", "c": "question changed"}
    assert report["by_step_and_annotator"] == [{"step": "a", "annotator": "ana", "count": 2},
                                               {"step": "a", "annotator": "bob", "count": 1},
                                               {"step": "c", "annotator": "ana", "count": 1}]
    assert (report["annotations"], report["stale"], report["invalid_verdicts"]) == (5, 4, 0)


G = {"query": "plain", "product": "clear", "category": "match", "core_product": "match", "brand_model": "mismatch",
     "attributes": "match"}  # a store brand of the very product: 2 under OLD, 3 under NEW
FULL = dict(G, brand_model="not_mentioned")  # 4 under both
WRONG = dict(G, category="mismatch", core_product="mismatch", attributes="not_mentioned")


def test_reward_deltas_by_hand(tmp_path):
    from rewards.diff import reward_deltas

    old, new = compile_rules(ECOMMERCE), compile_rules(STORE_BRANDS)
    rows = [("g1", G, 2, 3, G), ("g1", G, 2, 2, G), ("g1", G, 2, 1, WRONG), ("g2", FULL, 4, 4, FULL)]
    path = tmp_path / "completions.jsonl"
    path.write_text("".join(json.dumps({"id": g, "label": lab, "gold_steps": gold,
                                        "completion": old.render(wrote, steps)}) + "\n"
                            for g, gold, lab, wrote, steps in rows))
    d = reward_deltas(old, new, [str(path)])
    # Weights: format 0.1, label 1.0, steps 0.5, consistency 0.3 (sum 1.9); gates cap at 0.
    # Gold label 2 (OLD) and 3 (NEW), decided from the gold steps.
    # writes 3 over G: OLD: own steps decide 2 (hard brand_mismatch) -> gated 0.0; NEW: all right -> 1.0
    # writes 2 over G: OLD: all right -> 1.0; NEW: label 0.3, inconsistent -> gated 0.0
    # writes 1 over WRONG: OLD: gold hard rule brand_mismatch gives 2, not 1 -> gated 0.0;
    #                      NEW: (0.1 + 0 + 0.5 * 3/6 + 0.3) / 1.9 = 0.65 / 1.9, no gate
    # writes 4 over FULL: 1.0 under both.
    c = 0.65 / 1.9
    assert d.completions == d.scored == 4 and d.groups == 2 and d.changed == 3
    assert d.mean_old == pytest.approx(2 / 4) and d.mean_new == pytest.approx((2 + c) / 4)
    assert d.rank_changes == 2  # g1: ranks (2, 1, 2) -> (1, 3, 2)
    assert [(m.old, round(m.new, 6)) for m in d.largest] == [(0.0, 1.0), (1.0, 0.0), (0.0, round(c, 6))]
    assert d.largest[0].where == f"{path}:1" and d.largest[0].why == "writes 3, NEW decides 3 by store_brand_substitute"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True, timeout=60)


def test_git_revisions_resolve_extends_at_the_same_revision(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "rules").mkdir(parents=True)
    small(repo / "rules", "base", OLD_RULES)
    (repo / "rules/child.yaml").write_text("name: child\nextends: base.yaml\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    small(repo / "rules", "base", OLD_RULES.replace("label: Good", "label: Okay"))  # edited in the work tree
    monkeypatch.chdir(repo)
    code = main(["diff", "main:rules/child.yaml", "rules/child.yaml", "--fail-on", "labels"])
    out = capsys.readouterr().out
    assert code == 1
    assert "rule good_pu changed: label: 3 Good -> 2 Okay" in out
    assert main(["diff", "main:rules/child.yaml", "HEAD:rules/child.yaml", "--fail-on", "any"]) == 0
    capsys.readouterr()
    (repo / "rules/broken.yaml").write_text("name: broken\nextends: base.yaml\nsteps: 3\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "broken")
    assert main(["diff", "main:rules/child.yaml", "main:rules/broken.yaml"]) == 2
    assert capsys.readouterr().out.startswith("main:rules/broken.yaml:3: steps:")


def test_summary_markdown_and_fail_on(capsys):
    assert main(["diff", ECOMMERCE, STORE_BRANDS, "--fail-on", "labels"]) == 1
    text = capsys.readouterr().out
    summary = text.split("\n\n")[0].splitlines()
    assert summary[2] == "decisions (exact, 1800 verdict combinations): 4 change label, 0 only their deciding rule"
    assert main(["diff", ECOMMERCE, ECOMMERCE, "--fail-on", "any"]) == 0
    assert "structure: no changes" in capsys.readouterr().out
    assert main(["diff", ECOMMERCE, STORE_BRANDS, "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("### Rule diff: `") and "<details><summary>Details</summary>" in md


BAD_COMPLETIONS = '{"id": "g", "label": 2, "completion": "Label: 2"}\n{"id": "g", "label": 2}\n'


@pytest.mark.parametrize("args,expected", [
    (["nope.yaml", ECOMMERCE], "nope.yaml: no such rule file, bundled rule set or git revision; give a path"),
    (["{bad}", ECOMMERCE], "bad.yaml:3: steps: "),
    (["nosuchrev:rules/x.yaml", ECOMMERCE], "nosuchrev:rules/x.yaml: git cannot read nosuchrev:rules/x.yaml ("),
    ([ECOMMERCE, STORE_BRANDS, "--data", "{missing}"], "missing.jsonl: no such file or folder"),
    ([ECOMMERCE, STORE_BRANDS, "--data", "{bad_data}"], "bad_data.jsonl:1: label: "),
    ([ECOMMERCE, STORE_BRANDS, "--completions", "{bad_completions}"],
     "bad_completions.jsonl:2: completion: a completion text is required"),
    ([ECOMMERCE, STORE_BRANDS, "--cases", "{bad}"], "bad.yaml:1: rules: required key missing"),
    ([ECOMMERCE, STORE_BRANDS, "--annotations", "{bad_data}"], "--annotations "),
    ([ECOMMERCE, STORE_BRANDS, "--write-relabelled", "x.jsonl"], "--write-relabelled: there is no data to relabel"),
    ([ECOMMERCE, STORE_BRANDS, "--data", WILD, "--write-relabelled", "{out_csv}"],
     "out.csv: --write-relabelled: relabelled data is written as JSONL (got '.csv'); give a path ending in .jsonl"),
    ([ECOMMERCE, "{other_scale}"], "other.yaml: the files have different label scales (OLD: 4 Excellent"),
])
def test_every_bad_input_is_one_located_line(tmp_path, capsys, args, expected):
    files = {"bad": tmp_path / "bad.yaml", "missing": tmp_path / "missing.jsonl", "bad_data": tmp_path / "bad_data.jsonl",
             "bad_completions": tmp_path / "bad_completions.jsonl", "out_csv": tmp_path / "out.csv",
             "other_scale": tmp_path / "other.yaml"}
    files["bad"].write_text("name: bad\nextends: ecommerce\nsteps: 3\n")
    files["bad_data"].write_text('{"id": "x", "query": "q", "product": {"title": "t"}, "label": "nine"}\n')
    files["bad_completions"].write_text(BAD_COMPLETIONS)
    small(tmp_path, "other", OLD_RULES)
    args = [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    assert main(["diff", *args]) == 2
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert expected in first.replace(str(tmp_path) + "/", ""), out


def test_unrelated_files_still_compare_structure(tmp_path, capsys):
    other = small(tmp_path, "other", OLD_RULES)
    assert main(["diff", ECOMMERCE, other]) == 2
    assert "rerun with --structure-only" in capsys.readouterr().out
    assert main(["diff", ECOMMERCE, other, "--structure-only"]) == 0
    out = capsys.readouterr().out
    assert "label 4 removed" in out and "step a added" in out and "decisions (exact" not in out


def test_the_readme_worked_example_prints_what_the_readme_shows(capsys, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("$ python -m rules diff rules/catalog/ecommerce.yaml"):].split("```")[0]
    lines = block.splitlines()
    command_lines = [lines[0]] + [line for line in lines[1:4] if line.startswith("    --")]
    args = " ".join(line.rstrip("\\").strip() for line in command_lines).split()[5:]
    shown = lines[len(command_lines):lines.index("")]
    monkeypatch.chdir(ROOT)
    assert main(["diff", *args]) == int(block.split("$ echo $?")[1].split()[0])
    assert capsys.readouterr().out.split("\n\n")[0].splitlines() == shown
