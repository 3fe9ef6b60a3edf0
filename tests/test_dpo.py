"""DPO on pass@N pairs: the pairing rules, the pass@k curve, the sampling command and a few DPO steps (CPU).

    pytest tests/test_dpo.py
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from rules import compile_rules
from rules.data import load_examples
from rules.data.errors import DataError
from rules.data.prompt import build_prompt
from trainers.common.arguments import ShelfArguments
from trainers.dpo import RelevanceDPOConfig, load_pairs, main as dpo_main, run_dpo
from trainers.dpo.pairs import pair_records, pairing_order, pairs_of, pass_at_n_curve
from trainers.dpo.sample import SamplingArguments, main as sample_main
from trainers.common.model_setup import ensure_tiny_model
from trainers.common.recipe import RecipeError, parse_recipe, run_cli
from trainers.common.sampling import SampleRecord, load_records

RULES = compile_rules("rules/catalog/ecommerce.yaml")
TRAIN = "data/synthetic/train.jsonl"
EXAMPLE = load_examples(TRAIN).examples[0]  # label 3, with a guide and complete gold steps
RECIPES = Path("trainers/recipes")


def record(texts, labels, rewards, gold=3, id_=EXAMPLE.id):
    return SampleRecord(id_, gold, list(texts), list(labels), list(rewards), [lab == gold for lab in labels],
                        [None] * len(texts))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(ensure_tiny_model(tmp_path_factory.mktemp("model") / "tiny", TRAIN))


# ---------------------------------------------------------------- pairing rules


def test_mixed_prompt_pairs_best_correct_with_most_harmful_wrong():
    rec = record(["good-a", "wrong-label", "garbage", "good-b"], [3, 2, None, 3], [0.9, 0.1, -1.0, 0.5])
    case, pairs = pairs_of(rec, max_pairs=4)
    assert case == "mixed"
    # Ranks: correct by reward (0, 3), wrong lowest reward first (2, 1); a cycle first, then the rest.
    assert [(p.chosen_index, p.rejected_index) for p in pairs] == [(0, 2), (3, 1), (0, 1), (3, 2)]
    assert {p.chosen_source for p in pairs} == {"sample"} and {p.case for p in pairs} == {"mixed"}
    assert pairs[0].chosen == "good-a" and pairs[0].rejected == "garbage" and pairs[0].rejected_label is None
    assert pairs[0].chosen_reward == 0.9 and pairs[0].rejected_reward == -1.0


def test_limit_per_prompt():
    rec = record(["g1", "g2", "w1", "w2", "w3"], [3, 3, 1, 2, None], [1.0, 0.8, 0.0, 0.2, -1.0])
    for limit in (1, 2, 3):
        assert len(pairs_of(rec, max_pairs=limit)[1]) == limit
    assert len(pairs_of(rec, max_pairs=100)[1]) == 6  # every distinct combination once
    with pytest.raises(ValueError, match="max_pairs_per_prompt"):
        pair_records([rec], [EXAMPLE], RULES, max_pairs_per_prompt=0)


def test_none_correct_uses_the_gold_cot():
    rec = record(["wrong-a", "garbage"], [2, None], [0.2, -1.0])
    pairs, stats = pair_records([rec], [EXAMPLE], RULES, max_pairs_per_prompt=4)
    assert [p.chosen for p in pairs] == [EXAMPLE.guide, EXAMPLE.guide]
    assert [p.rejected for p in pairs] == ["garbage", "wrong-a"]  # most harmful first
    assert {p.chosen_source for p in pairs} == {"gold"} and {p.case for p in pairs} == {"none_correct"}
    assert stats.cases["none_correct"] == 1 and stats.as_dict()["chosen_source"] == {"sample": 0, "gold": 2}


def test_gold_cot_rendered_from_steps_when_no_guide_else_skipped_and_counted():
    rec = record(["wrong"], [2], [0.0])
    no_guide = EXAMPLE.model_copy(update={"guide": None})
    pairs, _ = pair_records([rec], [no_guide], RULES)
    assert pairs[0].chosen == RULES.render(EXAMPLE.label, EXAMPLE.gold_steps)
    assert RULES.parse(pairs[0].chosen).label == EXAMPLE.label
    # A guide that does not parse to the gold label and incomplete gold steps: nothing to choose, counted.
    broken = EXAMPLE.model_copy(update={"guide": "Label: 1\nnot a CoT", "gold_steps": {"category": "match"}})
    pairs, stats = pair_records([rec], [broken], RULES)
    assert pairs == [] and stats.cases["no_gold"] == 1 and stats.bad_guides == 1
    assert stats.as_dict()["pairs_per_prompt"] == {"0": 1}


def test_all_correct_gives_no_pair_and_is_counted():
    pairs, stats = pair_records([record(["a", "b"], [3, 3], [1.0, 0.9])], [EXAMPLE], RULES)
    assert pairs == [] and stats.as_dict()["cases"] == {"mixed": 0, "none_correct": 0, "all_correct": 1,
                                                        "no_gold": 0}


def test_unparsable_counts_as_wrong_and_its_share_is_reported():
    recs = [record(["ok", "garbage"], [3, None], [1.0, -1.0], id_="a"),
            record(["ok", "wrong"], [3, 2], [1.0, 0.1], id_="b")]
    pairs, stats = pair_records(recs, {}, RULES)
    assert [(p.id, p.rejected) for p in pairs] == [("a", "garbage"), ("b", "wrong")]
    assert stats.rejected_unparsable == 1 and stats.as_dict()["rejected_unparsable_share"] == 0.5


def test_no_duplicate_pairs_and_never_identical_texts():
    rec = record(["A", "A", "B", "B"], [3, 3, 2, 2], [1.0, 1.0, 0.0, 0.0])
    _, pairs = pairs_of(rec, max_pairs=10)
    assert [(p.chosen, p.rejected) for p in pairs] == [("A", "B")]
    # A wrong sample identical to the gold CoT is never paired with it.
    rec = record([EXAMPLE.guide, "other"], [2, 2], [-0.5, 0.0])
    pairs, stats = pair_records([rec], [EXAMPLE], RULES, max_pairs_per_prompt=5)
    assert [p.rejected for p in pairs] == ["other"] and stats.identical_skipped == 1
    assert all(p.chosen != p.rejected for p in pairs)


def test_pairing_is_deterministic_and_covers_each_combination_once():
    recs = [record([f"g{i}" for i in range(3)] + [f"w{i}" for i in range(4)], [3] * 3 + [2, 1, None, 4],
                   [0.5, 0.7, 0.7, 0.0, -0.2, -1.0, 0.1], id_=str(k)) for k in range(3)]
    first, second = pair_records(recs, {}, RULES, 5), pair_records(recs, {}, RULES, 5)
    assert first[0] == second[0] and first[1].as_dict() == second[1].as_dict()
    assert [p.chosen_index for p in first[0][:3]] == [1, 2, 0]  # ties broken by sample index
    order = pairing_order(3, 4)
    assert sorted(order) == [(i, j) for i in range(3) for j in range(4)]
    assert order[:4] == [(0, 0), (1, 1), (2, 2), (0, 3)]


def test_pair_rows_in_chat_mode_are_message_lists():
    _, pairs = pairs_of(record(["ok", "bad"], [3, 1], [1.0, 0.0]), max_pairs=1)
    row = pairs[0].row([{"role": "user", "content": "q"}], chat=True)
    assert row["chosen"] == [{"role": "assistant", "content": "ok"}]
    assert row["rejected"] == [{"role": "assistant", "content": "bad"}] and row["case"] == "mixed"
    assert pairs[0].row("q", chat=False)["chosen"] == "ok"


# ---------------------------------------------------------------- pass@k


def test_pass_at_k_curve_on_a_hand_table():
    t, f = True, False
    recs = [record(["x"] * 4, [3 if c else 2 for c in row], [0.0] * 4, id_=str(i))
            for i, row in enumerate([[t, f, f, f], [f, f, f, f], [t, t, f, f]])]
    curve = pass_at_n_curve(recs)
    # Rows: pass@1 1/4, 0, 2/4; pass@2 1-C(3,2)/C(4,2)=1/2, 0, 1-1/6; pass@3 3/4, 0, 1; pass@4 1, 0, 1.
    expected = {1: 0.75 / 3, 2: (0.5 + 5 / 6) / 3, 3: 1.75 / 3, 4: 2 / 3}
    assert list(curve) == [1, 2, 3, 4]
    assert all(curve[k] == pytest.approx(v, abs=1e-12) for k, v in expected.items())


# ---------------------------------------------------------------- the sampling command


@pytest.mark.parametrize("chat", [False, True])
def test_sampling_command_end_to_end(tiny, tmp_path, chat):
    out = tmp_path / "samples"
    argv = ["--config", str(RECIPES / "dpo_sample_cpu.yaml"), "--model_name_or_path", tiny, "--max_train_samples",
            "3", "--n", "2", "--max_new_tokens", "12", "--batch_size", "2", "--output_dir", str(out),
            "--chat", str(chat).lower()]
    assert run_cli(sample_main, argv) == 0
    records = load_records(out / "samples.jsonl")
    assert len(records) == 3 and all(len(r.completions) == len(r.correct) == 2 for r in records)
    report = json.loads((out / "pass_at_n.json").read_text())
    assert list(report["pass_at_k"]) == ["1", "2"] and report["prompts"] == 3 and report["samples"] == 6
    pairs = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    assert 0 < report["pairing"]["pairs"] == len(pairs) <= 3 * 2
    examples = {e.id: e for e in load_examples(TRAIN).examples[:3]}
    for row in pairs:
        assert row["prompt"] == build_prompt(examples[row["id"]], RULES, chat)
        assert row["case"] in ("mixed", "none_correct") and row["chosen"] != row["rejected"]
        assert isinstance(row["chosen"], list) == chat
    if chat:
        return
    # Pairing saved samples again, without sampling: the same pairs.
    again = tmp_path / "again"
    assert run_cli(sample_main, argv[:-4] + ["--output_dir", str(again), "--samples_from",
                                             str(out / "samples.jsonl")]) == 0
    assert (again / "pairs.jsonl").read_text() == (out / "pairs.jsonl").read_text()


def test_sampling_arguments_are_checked():
    with pytest.raises(RecipeError, match="backend: unknown value 'vlm'"):
        SamplingArguments(backend="vlm")
    with pytest.raises(RecipeError, match="temperature"):
        SamplingArguments(temperature=0)


# ---------------------------------------------------------------- DPO


def write_pairs(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_few_dpo_steps_change_the_parameters(tiny, tmp_path):
    guide = EXAMPLE.guide
    rows = [{"prompt": build_prompt(e, RULES), "chosen": e.guide, "rejected": guide.replace("Label: 3", "Label: 1"),
             "id": e.id, "case": "none_correct"} for e in load_examples(TRAIN).examples[:4]]
    pairs = write_pairs(tmp_path / "pairs.jsonl", rows)
    shelf = ShelfArguments(model_name_or_path=tiny, eval_limit=2, eval_max_new_tokens=8)
    config = RelevanceDPOConfig(output_dir=str(tmp_path / "out"), pairs=str(pairs), use_cpu=True, bf16=False,
                                activation_checkpointing=False, max_steps=2, learning_rate=1e-3,
                                per_device_train_batch_size=2, report_to=[], save_strategy="no", logging_steps=1,
                                seed=0)
    run = run_dpo(shelf, config)
    before, after = load_file(f"{tiny}/model.safetensors"), load_file(tmp_path / "out" / "model.safetensors")
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert len(changed) >= len(before) // 2
    assert run.trainer.state.global_step == 2
    assert [h["step"] for h in run.callback.history] == [0, 2] and "eval/macro_f1" in run.callback.history[0]
    summary = json.loads(run.summary.read_text())
    assert summary["global_step"] == 2 and len(summary["evaluations"]) == 2
    assert any("rewards/margins" in entry for entry in run.trainer.state.log_history)


@pytest.mark.parametrize("name", ["dpo_cpu", "dpo_gpu", "dpo_sample_cpu", "dpo_sample_gpu"])
def test_recipes_parse(name):
    from trainers.dpo.sample import SamplingArguments as Sampling

    classes = [ShelfArguments, Sampling] if "sample" in name else [ShelfArguments, RelevanceDPOConfig]
    argv = ["--config", str(RECIPES / f"{name}.yaml")]
    if name == "dpo_gpu" and not torch.cuda.is_available():
        argv += ["--bf16", "false", "--use_cpu", "true"]  # this machine cannot do bf16; the keys are what is tested
    shelf, second = parse_recipe(classes, argv)
    assert shelf.rules == "ecommerce"
    if "sample" in name:
        assert second.backend == ("vllm" if "gpu" in name else "transformers")
    else:
        assert second.pairs.endswith("pairs.jsonl") and second.beta == 0.1


@pytest.mark.parametrize("name,typo,fix", [("dpo_cpu", "pair", "pairs"),
                                           ("dpo_sample_cpu", "max_pair_per_prompt", "max_pairs_per_prompt")])
def test_misspelled_recipe_key_is_named(tmp_path, capsys, name, typo, fix):
    recipe = tmp_path / "r.yaml"
    text = (RECIPES / f"{name}.yaml").read_text()
    recipe.write_text(text + f"{typo}: x\n")
    line = len(text.splitlines()) + 1
    main = dpo_main if name == "dpo_cpu" else sample_main
    assert run_cli(main, ["--config", str(recipe)]) == 2
    err = capsys.readouterr().err
    assert f"r.yaml:{line}: unknown key {typo!r}; did you mean {fix!r}?" in err and len(err.splitlines()) == 1


def test_missing_pairs_file_is_a_clear_error(tmp_path, capsys):
    argv = ["--config", str(RECIPES / "dpo_cpu.yaml"), "--pairs", str(tmp_path / "none.jsonl"),
            "--output_dir", str(tmp_path / "out")]
    assert run_cli(dpo_main, argv) == 2
    err = capsys.readouterr().err
    assert "none.jsonl" in err and "run python -m trainers.dpo_sample first" in err
    assert not (tmp_path / "out").exists()


def test_bad_pair_rows_name_file_line_and_column(tmp_path):
    good = {"prompt": "Q", "chosen": "A", "rejected": "B"}
    path = write_pairs(tmp_path / "pairs.jsonl", [good, {"prompt": "Q", "chosen": "A"}, "{not json",
                                                  {**good, "rejected": "A"}, {**good, "chosen": ["x"]}])
    with pytest.raises(DataError) as err:
        load_pairs(path)
    lines = str(err.value).splitlines()
    assert lines[0].startswith(f"{path}:2: rejected: missing column")
    assert lines[1].startswith(f"{path}:3:") and "not JSON" in lines[1]
    assert lines[2].startswith(f"{path}:4: rejected: identical to chosen")
    assert lines[3].startswith(f"{path}:5: chosen: expected non-empty text")
    assert all("python -m trainers.dpo_sample" in line for line in lines[:4])
    # Pairs in one format and chat in the other: evaluation would prompt differently from training.
    from trainers.dpo import pairs_dataset

    with pytest.raises(RecipeError, match="chat is true"):
        pairs_dataset(write_pairs(tmp_path / "ok.jsonl", [good]), chat=True)
    with pytest.raises(DataError, match="no pairs"):
        load_pairs(write_pairs(tmp_path / "empty.jsonl", []))
    shutil.rmtree(tmp_path)
