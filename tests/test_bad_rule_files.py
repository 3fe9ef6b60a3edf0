"""Malformed rule files: each gives ONE problem that names its file and the right line, and says how to fix it.

Most fixtures in tests/fixtures/bad_rules/ are tests/fixtures/good_rules/minimal.yaml with one small edit; their
first line (`# Bad: ...`) replaces minimal's first comment, so every other line keeps its number and the
expected lines below can be checked against minimal.yaml by eye. The `child_*` fixtures extend the bundled
rules/catalog/ecommerce.yaml instead.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rules import Problem, RuleFileError, compile_rules, load_rules

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "fixtures" / "bad_rules"
GOOD = ROOT / "tests" / "fixtures" / "good_rules"
MINIMAL = GOOD / "minimal.yaml"
ECOMMERCE = ROOT / "rules" / "catalog" / "ecommerce.yaml"


@dataclass(frozen=True)
class Bad:
    fixture: str  # file name in tests/fixtures/bad_rules/
    line: int  # the line the problem names
    says: tuple[str, ...]  # substrings of str(problem): what is wrong, and the fix
    path: str  # the field path the problem names ("" for problems with the file as a whole)
    reported_in: str | None = None  # the file the problem names, when not the fixture itself


TABLE = [
    # --- YAML syntax -----------------------------------------------------------------------------------------
    # `question:` indented deeper than `id:`: PyYAML's "mapping values are not allowed here", on that line.
    Bad("bad_indent.yaml", 13, ("invalid YAML", "mapping values are not allowed here", "indentation"), ""),
    # `hard:` indented one space less than its siblings.
    Bad("dedented_key.yaml", 28, ("invalid YAML", "line this entry up"), ""),
    # A tab in the indentation.
    Bad("tab_indent.yaml", 14, ("invalid YAML", "indent with spaces, not tabs"), ""),
    # `token: "2}`: the quote swallows text up to the next quote on line 9, where YAML fails; blame line 8.
    Bad("unclosed_quote.yaml", 8, ("quote opened on this line is not closed before line 9", "close the quote"), ""),
    # The last quote of the file never closes: the scanner hits the end; blame the opening quote.
    Bad("unclosed_quote_eof.yaml", 16, ("a quoted value is never closed", "add the closing quote"), ""),
    # `when: {step: category, is: mismatch` without `}`: YAML notices on the next line; blame the `{`.
    Bad("unclosed_brace.yaml", 26, ("the `{` opened on this line is not closed before line 27", "close it"), ""),
    # An empty file, and one with only comments: both are "no document".
    Bad("empty.yaml", 1, ("the file is empty", "write a rule set"), ""),
    Bad("comments_only.yaml", 1, ("the file is empty",), ""),
    # A top-level list instead of a mapping.
    Bad("top_level_list.yaml", 2, ("must be a YAML mapping", "not a list", "start with `name:"), ""),
    # `label:` twice in one rule: PyYAML would silently keep the last; the second one's line, full path.
    Bad("duplicate_key.yaml", 33, ("duplicate key (first at line 32)", "keep one of the two"), "decision.rules[1].label"),
    # --- shape (pydantic) --------------------------------------------------------------------------------------
    # Top-level typo `decison:`: one problem with a hint, not also "decision missing".
    Bad("unknown_top_key.yaml", 22, ("unknown key", "did you mean 'decision'?"), "decison"),
    # `wieght` in a reward component: the hint and the allowed list are those of that component.
    Bad("unknown_nested_key.yaml", 38, ("unknown key", "did you mean 'weight'?", "allowed here: type, weight, partial_credit"),
        "reward.components[1].wieght"),
    # `lable:` in a rule: one problem (the missing `label` is the same typo).
    Bad("rule_key_typo.yaml", 32, ("unknown key", "did you mean 'label'?"), "decision.rules[1].lable"),
    # `iss:` in a step test: the hint comes from the condition's keys (step, is, in).
    Bad("condition_key_typo.yaml", 26, ("unknown key", "did you mean 'is'?", "allowed here: step, is, in"),
        "decision.rules[0].when.iss"),
    # Wrong types: a weight given as a word, `hard:` neither true nor false.
    Bad("weight_not_number.yaml", 38, ("valid number", "(got 'high')", "write a number"), "reward.components[1].weight"),
    Bad("hard_not_bool.yaml", 28, ("valid boolean", "(got 'maybe')", "write true or false"), "decision.rules[0].hard"),
    # `label: yes`: YAML reads a boolean, which a lax int would take as label id 1; label ids are strict.
    Bad("label_is_boolean.yaml", 32, ("valid integer or a valid string", "(got True)", "write a label id or name"),
        "decision.rules[1].label"),
    # A rule with no `label:`: the rule's own line (the key is not there to point at).
    Bad("rule_without_label.yaml", 29, ("required key missing", "add `label:`"), "decision.rules[1].label"),
    # Bad ids: a space, and CamelCase.
    Bad("id_with_space.yaml", 15, ("not a valid id", "(got 'product attributes')", "lower_snake_case"), "steps[1].id"),
    Bad("id_uppercase.yaml", 24, ("not a valid id", "(got 'CategoryMismatch')", "lower_snake_case"), "decision.rules[0].id"),
    # A condition with none of all/any/not/step (`stp:`).
    Bad("condition_no_key.yaml", 26, ("exactly one of the keys all, any, not or step", "{step: category, is: mismatch}"),
        "decision.rules[0].when"),
    # An unknown reward component type: the `type:` value, with a hint.
    Bad("unknown_component_type.yaml", 37, ("unknown type", "(got 'fromat')", "did you mean 'format'?"),
        "reward.components[0].type"),
    # --- static checks -----------------------------------------------------------------------------------------
    # A step test with both `is` and `in`, and one with neither.
    Bad("condition_is_and_in.yaml", 26, ("exactly one of `is` or `in`; this one has both",), "decision.rules[0].when"),
    Bad("condition_neither_is_nor_in.yaml", 26, ("exactly one of `is` or `in`; this one has neither",),
        "decision.rules[0].when"),
    # `in: []`: a step test no verdict can pass.
    Bad("condition_empty_in.yaml", 31, ("at least 1 item", "give at least one entry"),
        "decision.rules[1].when.in"),
    # References to things that do not exist: a step, a verdict, a label.
    Bad("unknown_step.yaml", 31, ("unknown step", "(got 'attribute')", "did you mean 'attributes'?"),
        "decision.rules[1].when.step"),
    Bad("unknown_verdict.yaml", 26, ("has no verdict 'mismatched'", "did you mean 'mismatch'?"), "decision.rules[0].when.is"),
    Bad("unknown_label.yaml", 32, ("unknown label", "(got 'Related')", "3/Exact, 2/Partial, 1/Irrelevant"),
        "decision.rules[1].label"),
    # Duplicates: the second occurrence is the one reported.
    Bad("duplicate_step_id.yaml", 15, ("duplicate step id", "(got 'category')", "rename"), "steps[1].id"),
    Bad("duplicate_rule_id.yaml", 29, ("duplicate rule id", "(got 'category_mismatch')", "rename"), "decision.rules[1].id"),
    Bad("duplicate_label_token.yaml", 8, ("duplicate label token", "(got '3')"), "scale.labels[1].token"),
    # Labels 2, 3, 1: the label that breaks the order, not the `labels:` key.
    Bad("labels_out_of_order.yaml", 8, ("highest id to the lowest, but 3 comes after 2", "most relevant label first"),
        "scale.labels[1].id"),
    # A rule that can never fire: shadowed by an earlier rule, or contradictory in itself.
    Bad("shadowed_rule.yaml", 31, ("'attribute_gap' can never fire", "the earlier rule 'category_mismatch' matches", "move it above"),
        "decision.rules[1].when"),
    Bad("contradictory_rule.yaml", 31, ("contradictory", "category = match and category = mismatch"), "decision.rules[1].when"),
    # Combinations no rule decides, and no `default:`.
    Bad("no_default.yaml", 22, ("1 verdict combination undecided", "category=match, attributes=match", "add `default: <label>`"),
        "decision"),
    # `before:` and `decision.remove` only mean something in a file that extends another.
    Bad("before_in_base.yaml", 33, ("`before` only applies in a file that extends another",), "decision.rules[1].before"),
    Bad("remove_in_base.yaml", 34, ("`remove` only applies in a file that extends another",), "decision.remove"),
    # Reward and output settings that cannot work.
    Bad("gate_below_malformed.yaml", 40, ("must score above a malformed one", "above reward.malformed (-1.0)"),
        "reward.gates[0].reward"),
    Bad("label_line_no_placeholder.yaml", 45, ("must contain {label} exactly once", "(got 'Label: <label>')"),
        "output.label_line"),
    # Numbers must be finite and in range (issue 11): YAML reads .inf / .nan as floats, and one NaN or infinity
    # in a weight or cap makes every reward NaN; NaN also slips past `<=` range checks (it compares false).
    Bad("weight_infinite.yaml", 37, ("finite number", "(got inf)", ".inf and .nan"), "reward.components[0].weight"),
    Bad("malformed_nan.yaml", 41, ("finite number", "(got nan)"), "reward.malformed"),
    Bad("gate_reward_nan.yaml", 40, ("finite number", "(got nan)"), "reward.gates[0].reward"),
    Bad("partial_credit_nan.yaml", 38, ("finite number", "(got nan)"), "reward.components[1].partial_credit[1]"),
    Bad("weights_overflow.yaml", 36, ("weights add up to more than a float can hold",), "reward.components"),
    Bad("malformed_positive.yaml", 41, ("must score below every parsed one", "(got 0.5)", "use a negative value"),
        "reward.malformed"),
    # Gates: the consistency gate must cap at or below the hard-rule gate; types are checked like components'.
    Bad("consistency_gate_above_hard_gate.yaml", 41, ("contradicts its own reasoning", "at most -0.5"),
        "reward.gates[1].reward"),
    Bad("gate_type_typo.yaml", 40, ("unknown type", "(got 'consistncy')", "did you mean 'consistency'?"),
        "reward.gates[0].type"),
    Bad("duplicate_consistency_gate.yaml", 41, ("duplicate consistency gate", "keep one"), "reward.gates[1].type"),
    # Formats that pass the types but can never parse: markers inside tokens, verdicts, questions, other markers,
    # and (caught by the render -> parse round trip) a label line that looks like a step header or spans two lines.
    Bad("label_token_think_close.yaml", 8, ("label token contains the marker output.think_close", "choose a token"),
        "scale.labels[1].token"),
    Bad("label_token_verdict_marker.yaml", 9, ("output.verdict_marker", "(got 'Verdict:1')"), "scale.labels[2].token"),
    Bad("label_line_think_open.yaml", 46, ("contains the marker output.think_open", "remove '<think>'"),
        "output.label_line"),
    Bad("step_header_think_close.yaml", 46, ("contains the marker output.think_close",), "output.step_header"),
    Bad("verdict_marker_inside_think.yaml", 46, ("output.think_open contain one another", "distinct markers"),
        "output.verdict_marker"),
    Bad("verdict_holds_marker.yaml", 14, ("verdict contains the marker output.think_open", "rename the verdict"),
        "steps[0].verdicts[2]"),
    Bad("question_holds_marker.yaml", 13, ("question contains the marker output.verdict_marker", "reword"),
        "steps[0].question"),
    Bad("label_line_like_step_header.yaml", 46, ("does not parse back", "repeated_label", "distinct texts"),
        "output.label_line"),
    Bad("label_line_two_lines.yaml", 46, ("does not parse back", "missing_label", "each on one line"),
        "output.label_line"),
    # The conclusion step's verdicts are not the label names: blamed where the wrong name is, fix in label order.
    Bad("conclusion_verdicts_not_labels.yaml", 20, ("verdicts must be exactly the label names", "[Exact, Partial, Irrelevant]"),
        "steps[2].verdicts"),
    # --- extends -----------------------------------------------------------------------------------------------
    # A base file that does not exist.
    Bad("extends_missing.yaml", 3, ("no such file", "no_such_base.yaml", "relative to this file"), "extends"),
    # Two files extending each other: the `extends:` that closes the loop is blamed.
    Bad("circular_a.yaml", 3, ("circular extends", "make one of these files stand alone"), "extends",
        reported_in="circular_b.yaml"),
    Bad("circular_b.yaml", 3, ("circular extends",), "extends", reported_in="circular_a.yaml"),
    # A child removes a rule its base does not have (`attributes_gap` for `attribute_gap`).
    Bad("remove_unknown_rule.yaml", 6, ("no such rule in the base file", "did you mean 'attribute_gap'?"), "decision.remove[1]"),
    # A child inserts `before:` an id the base does not have.
    Bad("child_before_unknown.yaml", 11, ("no such id to insert before", "did you mean 'alternative_gets_original'?"),
        "decision.rules[0].before"),
    # An error in the child: the child's file and line, and the child's own rule index (not the merged one).
    Bad("child_unknown_verdict.yaml", 12, ("has no verdict 'unclear'", "did you mean 'clear'?"),
        "decision.rules[0].when.all[1].is"),
    # An error inherited from the base: the base's file and line.
    Bad("child_of_bad_base.yaml", 38, ("did you mean 'weight'?",), "reward.components[1].wieght",
        reported_in="unknown_nested_key.yaml"),
]


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    assert caught.value.problems, "RuleFileError without problems"
    return caught.value.problems


def reported_file(bad: Bad) -> str:
    return str(BAD / (bad.reported_in or bad.fixture))


@pytest.mark.parametrize("bad", [pytest.param(b, id=b.fixture.removesuffix(".yaml")) for b in TABLE])
def test_bad_rule_file_gives_one_located_problem(bad: Bad) -> None:
    problems = problems_of(BAD / bad.fixture)
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    text = str(problem)
    assert problem.file == reported_file(bad)
    assert (problem.line, problem.path) == (bad.line, bad.path), text
    assert text.startswith(f"{reported_file(bad)}:{bad.line}:"), text
    for piece in bad.says:
        assert piece in text, f"{piece!r} not in {text!r}"
    assert problem.fix and text.endswith(f"; {problem.fix}"), text


def test_every_fixture_is_in_the_table() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(b.fixture for b in TABLE)


def test_minimal_rule_file_is_valid() -> None:
    compiled = compile_rules(MINIMAL)
    assert [r.id for r in compiled.rules] == ["category_mismatch", "attribute_gap"]


def test_fixtures_are_small_variants_of_minimal() -> None:
    # Only files of minimal's size: the others (extends, empty, list) are a few lines of their own.
    minimal = MINIMAL.read_text().splitlines()[1:]
    for path in sorted(BAD.glob("*.yaml")):
        lines = path.read_text().splitlines()
        if len(lines) < 30:
            continue
        assert lines[0].startswith("# Bad: "), f"{path.name}: line 1 should say what is wrong"
        changed = [d for d in difflib.ndiff(minimal, lines[1:]) if d[:1] in "+-"]
        assert len(changed) <= 6, f"{path.name} is not a small variant of minimal.yaml: {changed}"


# ---------------------------------------------------------------- extends: a valid child


def test_child_overrides_in_place_and_inserts_before() -> None:
    base = [r.id for r in load_rules(ECOMMERCE).decision.rules]
    child = load_rules(GOOD / "child.yaml")
    ids = [r.id for r in child.decision.rules]
    expected = list(base)
    expected.insert(base.index("alternative_gets_original"), "vague_alternative")
    assert ids == expected
    overridden = child.decision.rules[ids.index("vague_listing")]
    assert (overridden.label, overridden.message) == ("Mismatch", "A listing too vague to confirm the match is a mismatch.")
    assert [s.id for s in child.steps] == [s.id for s in load_rules(ECOMMERCE).steps]
    assert child.name == "ecommerce_strict_vague" and child.reward == load_rules(ECOMMERCE).reward


def test_child_rules_decide() -> None:
    rules = compile_rules(GOOD / "child.yaml")
    verdicts = {"query": "alternative", "product": "vague", "category": "match", "core_product": "match",
                "brand_model": "match", "attributes": "match"}
    assert rules.decide(verdicts).rule_id == "vague_alternative"  # inserted ahead of alternative_gets_original
    assert rules.decide({**verdicts, "query": "plain"}).rule_id == "vague_listing"
    assert rules.decide({**verdicts, "query": "plain"}).label == 2  # the override's label, Mismatch


def _line(path: Path, number: int) -> str:
    return path.read_text().splitlines()[number - 1]


def test_error_in_child_names_the_child_file_and_line() -> None:
    child = BAD / "child_unknown_verdict.yaml"
    [problem] = problems_of(child)
    assert (problem.file, problem.line) == (str(child), 12)
    assert "unclear" in _line(child, 12)


def test_error_inherited_from_base_names_the_base_file_and_line() -> None:
    [problem] = problems_of(BAD / "child_of_bad_base.yaml")
    base = BAD / "unknown_nested_key.yaml"
    assert (problem.file, problem.line) == (str(base), 38)
    assert "wieght" in _line(base, 38)


def test_error_in_base_rule_seen_through_child_names_base(tmp_path: Path) -> None:
    # The child is fine; its override makes a base rule unreachable. The shadowed rule is the base's.
    child = tmp_path / "child.yaml"
    child.write_text(
        f"name: shadowing_child\nextends: '{ECOMMERCE}'\n"
        "decision:\n  rules:\n"
        "    - id: category_mismatch\n"
        "      message: Any category but an exact match is irrelevant.\n"
        "      when: {step: category, in: [mismatch, accessory]}\n"
        "      label: Irrelevant\n"
    )
    [problem] = problems_of(child)
    assert problem.file == str(ECOMMERCE)
    assert "accessory_for_product" in problem.message and "can never fire" in problem.message
    assert "step: category, is: accessory" in _line(ECOMMERCE, problem.line)
    assert problem.path == "decision.rules[1].when"


# ---------------------------------------------------------------- no traceback, whatever the edit


def _edits(lines: list[str]):
    """Each line deleted, doubled, and each `key: value` given values of the wrong shape."""
    junk = ["[]", "{}", "null", "x y", "yes", "-1", "{a: 1}", "[[1]]", "'", "{", "&a [*a]", "!!binary aGk="]
    for i, line in enumerate(lines):
        yield lines[:i] + lines[i + 1:]
        yield lines[: i + 1] + lines[i:]
        key = re.match(r"^(\s*(?:- )?[\w$]+:)", line)
        for value in junk if key else []:
            yield lines[:i] + [f"{key.group(1)} {value}\n"] + lines[i + 1:]


def test_no_edit_of_minimal_gives_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "edited.yaml"
    outcomes = {"ok": 0, "problems": 0}
    for lines in _edits(MINIMAL.read_text().splitlines(keepends=True)):
        path.write_text("".join(lines))
        try:
            compile_rules(path)
            outcomes["ok"] += 1
        except RuleFileError as err:
            outcomes["problems"] += 1
            for problem in err.problems:
                assert problem.file == str(path) and problem.line >= 1 and problem.fix, str(problem)
    assert outcomes["problems"] > 300


# ---------------------------------------------------------------- the command line


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rules", "check", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_reports_a_bad_file_without_traceback() -> None:
    result = run_check("tests/fixtures/bad_rules/unknown_nested_key.yaml")
    assert result.returncode != 0
    assert "tests/fixtures/bad_rules/unknown_nested_key.yaml:38: reward.components[1].wieght:" in result.stdout
    assert "did you mean 'weight'?" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_accepts_the_bundled_rules() -> None:
    result = run_check("rules/catalog/ecommerce.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rules/catalog/ecommerce.yaml: ok" in result.stdout


def test_cli_accepts_a_valid_child() -> None:
    result = run_check("--no-cases", "tests/fixtures/good_rules/child.yaml")  # no case file beside it
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_lists_every_bad_file_given_at_once() -> None:
    paths = [f"tests/fixtures/bad_rules/{b.fixture}" for b in TABLE]
    result = run_check(*paths)
    out = result.stdout
    assert result.returncode != 0
    assert "Traceback" not in out + result.stderr
    for bad in TABLE:
        where = os.path.relpath(reported_file(bad), ROOT)
        assert f"{where}:{bad.line}:" in out, f"{bad.fixture}: no {where}:{bad.line}: in the output"
    assert len(out.strip().splitlines()) == len(TABLE)  # one line per file: one problem each


# ---------------------------------------------------------------- huge values and deep nesting: located, not a traceback

_DEEP = "nested more than 64 levels deep"
_BIG = "integer too large"
# (name, edit of minimal.yaml, line blamed, what the problem says). Each of these raised ValueError (Python's
# 4,300-digit int limit) or RecursionError (PyYAML's recursive composer, pydantic) before.
HUGE = [
    ("int_5000_digits", ("{id: 3, name: Exact", "{id: " + "3" * 5000 + ", name: Exact"), 7, _BIG + " (5000 digits)"),
    ("negative_int", ("{id: 3, name: Exact", "{id: -" + "9" * 5000 + ", name: Exact"), 7, _BIG),
    ("hex_int", ("{id: 3, name: Exact", "{id: 0x" + "f" * 5000 + ", name: Exact"), 7, _BIG),  # reads, never prints
    ("sexagesimal_int", ("{id: 3, name: Exact", "{id: " + "59:" * 2000 + "1, name: Exact"), 7, _BIG),
    ("int_past_64_bits", ("weight: 1.0}", "weight: " + "9" * 30 + "}"), 38, _BIG),
    ("int_as_key", ("default: Exact", "default:\n    ? " + "7" * 5000 + "\n    : x"), 34, _BIG),  # `?`: keys > 1024
    ("flow_list_5000_deep", ("default: Exact", "default: " + "[" * 5000 + "]" * 5000), 33, _DEEP),
    ("flow_map_5000_deep", ("default: Exact", "default: " + "{a: " * 5000 + "1" + "}" * 5000), 33, _DEEP),
    ("block_list_3000_deep", ("default: Exact", "default:\n    " + "- " * 3000 + "1"), 34, _DEEP),
    ("block_map_3000_deep", ("default: Exact", "default:\n" + "".join(" " * (i + 3) + f"k{i}:\n" for i in range(3000))),
     95, _DEEP),
    # A well-formed condition nested 400 `not`s deep: pydantic's own recursion guard gave a 2,000-character path.
    ("condition_400_nots", ("when: {step: category, is: mismatch}",
                            "when: " + "{not: " * 400 + "{step: category, is: mismatch}" + "}" * 400), 26, _DEEP),
    # Aliases nest deeper than the text: each level is two lines deep in the file, 200 levels in the tree.
    ("alias_chain", ("default: Exact", "default: Exact\njunk:\n  x0: &x0 [1]\n"
                     + "".join(f"  x{i}: &x{i} [*x{i - 1}]\n" for i in range(1, 200))), 35, _DEEP + " (through aliases)"),
]


@pytest.mark.parametrize("name, edit, line, says", HUGE, ids=[h[0] for h in HUGE])
def test_huge_value_or_deep_nesting_is_one_located_problem(tmp_path: Path, name, edit, line, says) -> None:
    text = MINIMAL.read_text()
    assert edit[0] in text
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(edit[0], edit[1], 1))
    [problem] = problems_of(path)
    assert (problem.file, problem.line) == (str(path), line), str(problem)
    assert says in problem.message and problem.fix, str(problem)
    assert len(str(problem)) - len(str(path)) < 160 and "\n" not in str(problem)


def test_nesting_a_rule_file_needs_still_loads(tmp_path: Path) -> None:
    # 20 levels of `not` around a step test: deep for a person, far inside the limit.
    path = tmp_path / "nested.yaml"
    path.write_text(MINIMAL.read_text().replace(
        "when: {step: category, is: mismatch}", "when: " + "{not: {not: " * 10 + "{step: category, is: mismatch}" + "}}" * 10))
    assert [r.id for r in compile_rules(path).rules] == ["category_mismatch", "attribute_gap"]


def test_cli_reports_huge_and_deep_files_in_one_line_each(tmp_path: Path) -> None:
    text = MINIMAL.read_text()
    paths = []
    for name, edit, line, _ in HUGE[:1] + HUGE[6:9]:
        paths.append(tmp_path / f"{name}.yaml")
        paths[-1].write_text(text.replace(edit[0], edit[1], 1))
    result = run_check("--no-cases", *map(str, paths))
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    assert len(result.stdout.strip().splitlines()) == len(paths), result.stdout


# ---------------------------------------------------------------- extends: a bundled rule set by name

CHILD = "name: grocery\nextends: {base}\ndescription: Groceries, on the e-commerce rules.\n"


@pytest.mark.parametrize("base", ["ecommerce", "ecommerce.yaml", "' ecommerce '"])
def test_extends_a_bundled_name_from_anywhere(tmp_path: Path, base: str) -> None:
    # The child lives far from the catalog, as in a team's repo with shelfwise installed in site-packages.
    child = tmp_path / "team" / "grocery.yaml"
    child.parent.mkdir()
    child.write_text(CHILD.format(base=base))
    rules = load_rules(child)
    assert [s.id for s in rules.steps] == [s.id for s in load_rules(ECOMMERCE).steps]
    assert (rules.name, rules.description) == ("grocery", "Groceries, on the e-commerce rules.")


def test_extends_a_bundled_child_by_name(tmp_path: Path) -> None:
    # apparel extends ecommerce.yaml by a relative path inside the catalog; both resolve.
    child = tmp_path / "kids.yaml"
    child.write_text("name: kids\nextends: apparel\n")
    assert [s.id for s in load_rules(child).steps] == [s.id for s in load_rules(ROOT / "rules/catalog/apparel.yaml").steps]


def test_a_file_beside_the_child_wins_over_the_bundled_name(tmp_path: Path) -> None:
    (tmp_path / "ecommerce.yaml").write_text(MINIMAL.read_text())
    child = tmp_path / "child.yaml"
    child.write_text("name: child\nextends: ecommerce.yaml\n")
    assert [s.id for s in load_rules(child).steps] == ["category", "attributes", "verdict"]


@pytest.mark.parametrize("base, says", [
    ("ecomerce", "did you mean 'ecommerce'?"),              # a typo of a bundled name
    ("ECOMMERCE", "bundled rule set: apparel, ecommerce"),  # names are lower_snake_case, as the files
    ("../ecommerce", "nor a bundled rule set"),             # a path is a path: never looked up in the catalog
    ("catalog/ecommerce", "nor a bundled rule set"),
    ("ecommerce.cases", "nor a bundled rule set"),          # a case file is not a rule set
    ("ecommerce.cases.yaml", "nor a bundled rule set"),
])
def test_extends_something_that_is_neither_a_file_nor_a_bundled_name(tmp_path: Path, base: str, says: str) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(CHILD.format(base=base))
    [problem] = problems_of(child)
    assert (problem.file, problem.line, problem.path) == (str(child), 2, "extends")
    assert says in str(problem), str(problem)


def test_extends_by_name_keeps_cycle_protection(tmp_path: Path) -> None:
    # `ecommerce.yaml` beside the file is the file itself (a file beside wins): still a cycle.
    (tmp_path / "ecommerce.yaml").write_text("name: mine\nextends: ecommerce.yaml\n")
    [problem] = problems_of(tmp_path / "ecommerce.yaml")
    assert "circular extends" in problem.message
    # `ecommerce` (no file of that exact name beside it) is the bundled rule set, not a loop back to itself.
    (tmp_path / "ecommerce.yaml").write_text("name: mine\nextends: ecommerce\n")
    assert load_rules(tmp_path / "ecommerce.yaml").name == "mine"


def test_compile_rules_takes_a_bundled_name() -> None:
    assert compile_rules("ecommerce").source == str(ECOMMERCE)
    assert [r.id for r in load_rules("apparel.yaml").decision.rules] == \
        [r.id for r in load_rules(ROOT / "rules/catalog/apparel.yaml").decision.rules]
