"""The miniature profile's options: the terse CoT (`output.reasoning: terse`), the compact and bare prompts
(`prompt.style`), their trainer arguments (`cot_style`, `prompt_style`) and data generated on first use.

A terse CoT must be an ordinary CoT to everything downstream: the same parser, the same rewards and step scores
as the full CoT with the same verdicts, and step spans from header to verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rewards import RuleAwareReward
from rules import ParseError, compile_rules, load_rules
from rules.data import load_examples
from rules.data.prompt import PROMPT_STYLES, build_prompt
from trainers.common.arguments import ShelfArguments
from trainers.common.data import load_rule_set, load_split

ROOT = Path(__file__).resolve().parent.parent
CATALOG = "rules/catalog/ecommerce.yaml"
EVAL = "data/synthetic/eval_balanced.jsonl"


def _with(output: dict | None = None, prompt: dict | None = None):
    rs = load_rules(CATALOG)
    update = {}
    if output:
        update["output"] = rs.output.model_copy(update=output)
    if prompt:
        update["prompt"] = rs.prompt.model_copy(update=prompt)
    return compile_rules(rs.model_copy(update=update))


@pytest.fixture(scope="module")
def full():
    return compile_rules(CATALOG)


@pytest.fixture(scope="module")
def terse():
    return _with({"reasoning": "terse"})


@pytest.fixture(scope="module")
def examples():
    return load_examples(EVAL).examples


def test_terse_cots_round_trip_through_the_unchanged_parser(full, terse, examples):
    for think_first in (False, True):
        rules = _with({"reasoning": "terse", "order": "think_first"}) if think_first else terse
        same_order = _with({"order": "think_first"}) if think_first else full
        for e in examples:
            gold = full.parse(e.guide)
            text = rules.render(gold.label, gold.verdicts, {s.id: s.reasoning for s in gold.steps})
            assert "shopper" not in text and text.count(" - Verdict: ") == len(full.step_verdicts)
            for parser in (rules, same_order):  # `reasoning` changes rendering only, never parsing
                cot = parser.parse(text)
                assert not isinstance(cot, ParseError), (text, cot)
                assert (cot.label, cot.verdicts) == (gold.label, gold.verdicts)


def test_a_terse_cot_is_a_verdict_line_per_step(terse):
    text = terse.render(2, dict(query="negation", product="clear", category="match", core_product="match",
                                brand_model="not_mentioned", attributes="excluded_present"))
    assert text == ("Label: 2\n<think>\n[query] - Verdict: negation\n[product] - Verdict: clear\n"
                    "[category] - Verdict: match\n[core_product] - Verdict: match\n"
                    "[brand_model] - Verdict: not_mentioned\n[attributes] - Verdict: excluded_present\n"
                    "[verdict] - Verdict: Mismatch\n</think>")
    for step in terse.parse(text).steps:  # spans still run from the header to the verdict
        assert text[step.start:step.end] == f"[{step.id}] - Verdict: {step.verdict}"


def test_rewards_and_step_scores_are_the_same_on_terse_and_full_cots(full, terse, examples):
    reward = RuleAwareReward(full)
    for e in examples[:40]:
        gold = full.parse(e.guide)
        for verdicts, label in ((gold.verdicts, gold.label), ({**gold.verdicts, "category": "mismatch"}, 1)):
            verdicts = {**verdicts, "verdict": full.labels[label].name}
            texts = [full.render(label, verdicts), terse.render(label, verdicts)]
            scored = reward.score_all(texts, label=[e.label] * 2, gold_steps=[e.gold_steps] * 2)
            assert scored[0].total == scored[1].total and scored[0].components == scored[1].components
            assert [(s.step, s.score, s.source) for s in scored[0].steps] == \
                [(s.step, s.score, s.source) for s in scored[1].steps]


def test_the_default_prompt_is_unchanged_and_the_styles_shrink_it(full, examples):
    e = examples[0]
    text = build_prompt(e, full)
    assert text.startswith("Judge how relevant") and text == build_prompt(e, full, style="full")
    compact, bare = build_prompt(e, full, style="compact"), build_prompt(e, full, style="bare")
    tail = text[text.index("Query: "):]
    assert compact.endswith(tail) and bare == tail
    assert compact.startswith("Labels: 4 3 2 1\n[query] plain|negation|alternative|qa|knowledge\n")
    assert "shopper" not in compact and len(compact) < len(text) / 2
    for step in full.step_verdicts:
        assert f"[{step}] " in compact


def test_the_rule_set_chooses_the_style_and_an_argument_overrides_it(full, examples):
    e = examples[0]
    compact = _with(prompt={"style": "compact"})
    assert build_prompt(e, compact) == build_prompt(e, full, style="compact")
    assert build_prompt(e, compact, style="full") == build_prompt(e, full)
    assert build_prompt(e, compact, chat=True) == [{"role": "user", "content": build_prompt(e, compact)}]
    with pytest.raises(ValueError, match="prompt style 'tiny' is unknown; use one of"):
        build_prompt(e, full, style="tiny")
    assert set(PROMPT_STYLES) == {"full", "compact", "bare", "uncased"}


def test_the_uncased_prompt_lowers_the_pair_and_nothing_else(full, examples):
    e = next(x for x in examples if x.product.title != x.product.title.lower())
    bare, uncased = build_prompt(e, full, style="bare"), build_prompt(e, full, style="uncased")
    assert uncased == bare.lower() and uncased != bare
    assert _with(prompt={"style": "uncased"}).ruleset.prompt.style == "uncased"
    with pytest.raises(ValueError, match="prompt_style: unknown value 'lower'; use one of full, compact, bare, uncased"):
        ShelfArguments(prompt_style="lower")


def test_a_rule_file_can_ask_for_the_miniature_options(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(f"name: mini\nextends: {(tmp_path.cwd() / CATALOG).resolve()}\n"
                    "output: {reasoning: terse}\nprompt: {style: compact}\n")
    rules = compile_rules(path)
    assert rules.ruleset.output.reasoning == "terse" and rules.ruleset.output.conclusion_step == "verdict"
    assert rules.ruleset.prompt.style == "compact"
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: bad\nextends: {(tmp_path.cwd() / CATALOG).resolve()}\nprompt: {{style: short}}\n")
    with pytest.raises(Exception, match="style"):
        compile_rules(bad)


def test_trainer_arguments_thread_the_options_to_rules_guides_and_prompts(examples):
    shelf = ShelfArguments(cot_style="terse", prompt_style="compact")
    rules = load_rule_set(shelf)
    assert (rules.ruleset.output.reasoning, rules.ruleset.prompt.style) == ("terse", "compact")
    loaded = load_split(EVAL, rules, shelf, 8)
    for before, after in zip(examples, loaded):
        assert after.guide.count(" - Verdict: ") == 7 and rules.parse(after.guide).verdicts == \
            rules.parse(before.guide).verdicts
    plain = ShelfArguments()
    assert load_split(EVAL, load_rule_set(plain), plain, 8)[0].guide == examples[0].guide
    for field, value in (("cot_style", "short"), ("prompt_style", "tiny")):
        with pytest.raises(ValueError, match=f"{field}: unknown value"):
            ShelfArguments(**{field: value})


def test_data_generated_on_first_use_is_the_generator_command_output(tmp_path, monkeypatch):
    from rules.data.__main__ import main as data_main
    from trainers.common import generated_data
    from trainers.common.data import bundled_path

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(generated_data.GENERATED_DATA, "gen/mini", {"train": 40, "eval": 8, "seed": 3})
    assert generated_data.generated_spec("gen/other/train.jsonl") is None
    assert bundled_path("gen/mini/train.jsonl") == "gen/mini/train.jsonl"
    assert not generated_data.ensure_generated("gen/mini/train.jsonl")  # already there: nothing to do
    try:
        data_main(["generate", "--out", "by_hand", "--train", "40", "--eval", "8", "--seed", "3"])
    except SystemExit as stop:
        assert not stop.code
    for name in ("train", "eval_balanced", "eval_wild"):
        assert (tmp_path / "gen/mini" / f"{name}.jsonl").read_bytes() == \
            (tmp_path / "by_hand" / f"{name}.jsonl").read_bytes()


def test_a_set_generated_with_exclusions_repeats_none_of_their_pairs_and_matches_its_command(tmp_path, monkeypatch,
                                                                                           capsys):
    """A pool drawn with another seed builds the sets it excludes first, repeats none of their (query, title)
    pairs, and is byte for byte what its logged `python -m rules.data generate ... --exclude` command writes."""
    import shlex

    from rules.data.__main__ import main as data_main
    from trainers.common import generated_data

    monkeypatch.chdir(tmp_path)
    base = {"train": 300, "eval": 40, "seed": 0}
    pool = {"train": 300, "eval": 4, "seed": 2, "exclude": ["gen/base/train.jsonl", "gen/base/eval_wild.jsonl",
                                                             "gen/base/eval_balanced.jsonl"]}
    monkeypatch.setitem(generated_data.GENERATED_DATA, "gen/base", base)
    monkeypatch.setitem(generated_data.GENERATED_DATA, "gen/pool", pool)
    assert generated_data.ensure_generated("gen/pool/train.jsonl")
    assert (tmp_path / "gen/base/eval_wild.jsonl").is_file()  # built first, as the pool needed it

    def pairs(path):
        return {(r.query.lower(), r.product.title.lower()) for r in load_examples(path).examples}

    excluded = set().union(*(pairs(path) for path in pool["exclude"]))
    assert len(excluded) == 380 and not pairs("gen/pool/train.jsonl") & excluded
    unexcluded = generated_data.generate_command("plain", {k: v for k, v in pool.items() if k != "exclude"})
    assert data_main(shlex.split(unexcluded)[3:]) == 0
    assert pairs("plain/train.jsonl") & excluded  # the same seed without --exclude repeats some: the test can fail
    assert data_main(shlex.split(generated_data.generate_command("by_hand", pool))[3:]) == 0
    for name in ("train", "eval_balanced", "eval_wild"):
        assert (tmp_path / "gen/pool" / f"{name}.jsonl").read_bytes() == \
            (tmp_path / "by_hand" / f"{name}.jsonl").read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        data_main(["generate", "--out", "x", "--seed", "2", "--exclude", "gen/nope.jsonl"])
    assert stop.value.code == 2
    assert "--exclude gen/nope.jsonl: no such file or folder" in capsys.readouterr().err
    (tmp_path / "notes.md").write_text("# not data\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        data_main(["generate", "--out", "x", "--seed", "2", "--exclude", "notes.md"])
    err = capsys.readouterr().err
    assert stop.value.code == 2  # the loader's own message names the extensions, for every command that reads data
    assert "--exclude notes.md: " in err and "(got '.md'); rename it to one of .csv / .jsonl" in err


def test_the_miniature_recipe_runs_from_data_and_a_model_built_on_first_use(tmp_path, monkeypatch):
    """`python -m trainers.sft --config trainers/recipes/sft_mini_cpu.yaml`, two steps, on a small generated set."""
    import json
    from pathlib import Path

    from trainers.common import generated_data
    from trainers.sft import main

    recipe = Path(__file__).resolve().parent.parent / "trainers" / "recipes" / "sft_mini_cpu.yaml"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(generated_data.GENERATED_DATA, "data/synthetic_mini", {"train": 48, "eval": 8, "seed": 0})
    assert main(["--config", str(recipe), "--output_dir", str(tmp_path / "run"), "--max_steps", "2",
                 "--eval_limit", "4", "--eval_max_new_tokens", "8", "--report_to", "none"]) == 0
    assert len((tmp_path / "data/synthetic_mini/eval_balanced.jsonl").read_text().splitlines()) == 8
    config = json.loads((tmp_path / "models/tiny_mini/config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"]) == (128, 4)
    assert (tmp_path / "run" / "shelfwise_eval.json").is_file()
    # the evaluator asks the saved judge the way it was trained (bare prompt, terse CoT)
    assert json.loads((tmp_path / "run" / "shelfwise_judge.json").read_text()) == {
        "rules": "ecommerce", "prompt_style": "bare", "cot_order": "label_first", "cot_style": "terse"}
    # the later stages of the shipped warm start continue from it (bench/build_warm_start.py)
    again = recipe.with_name("sft_mini_continue_cpu.yaml")
    assert main(["--config", str(again), "--model_name_or_path", str(tmp_path / "run"), "--output_dir",
                 str(tmp_path / "run2"), "--max_steps", "2", "--eval_limit", "4", "--eval_max_new_tokens", "8",
                 "--report_to", "none", "--seed", "1"]) == 0
    assert json.loads((tmp_path / "run2" / "shelfwise_judge.json").read_text())["prompt_style"] == "bare"


def test_the_miniature_dev_rows_and_rl_pool_repeat_no_row_of_the_sets_they_must_not_see():
    """The dev rows (settings are chosen on them) and the pool of fresh RL prompts are drawn with their own seeds and
    exclude the SFT rows and the eval sets (the pool the dev rows too); the exclusion itself is tested above."""
    import yaml

    from trainers.common import generated_data

    specs = generated_data.GENERATED_DATA
    assert len({spec["seed"] for spec in specs.values()}) == len(specs)  # one seed per job
    sft = yaml.safe_load((ROOT / "trainers" / "recipes" / "sft_mini_cpu.yaml").read_text())
    sft_folder = generated_data.generated_spec(sft["train_data"])[0]
    sft_sets = {sft["train_data"], sft["eval_data"], str(sft_folder / "eval_wild.jsonl")}
    dev = specs["data/synthetic_mini_dev"]
    assert sft_sets <= set(dev["exclude"])
    assert sft_sets | {f"data/synthetic_mini_dev/{split}.jsonl" for split in ("eval_balanced", "eval_wild")} <= \
        set(specs["data/synthetic_mini_rl"]["exclude"])


def test_a_generated_folder_is_found_by_its_absolute_path_from_another_directory(tmp_path, monkeypatch):
    """Bench scripts name the repository's data by absolute path and may run from anywhere: the folder is still
    generated on first use (a fresh clone has none of it; CI failed on exactly this), its exclusions resolved
    against the repository too."""
    from trainers.common import generated_data

    repo = tmp_path / "repo"
    monkeypatch.setattr(generated_data, "_REPO", repo)
    monkeypatch.setitem(generated_data.GENERATED_DATA, "gen/base", {"train": 40, "eval": 8, "seed": 0})
    monkeypatch.setitem(generated_data.GENERATED_DATA, "gen/pool",
                        {"train": 40, "eval": 4, "seed": 2, "exclude": ["gen/base/train.jsonl"]})
    monkeypatch.chdir(tmp_path)  # not the repository
    assert generated_data.ensure_generated(repo / "gen/pool/train.jsonl")
    assert (repo / "gen/pool/train.jsonl").is_file() and (repo / "gen/base/train.jsonl").is_file()
    assert not (tmp_path / "gen").exists()  # nothing written relative to the working directory
    assert generated_data.generated_spec(tmp_path / "elsewhere/train.jsonl") is None
