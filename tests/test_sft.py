"""SFT trainer: a few steps on a tiny local model, completion-only labels, CoT targets, recipes, the judge task.

    pytest tests/test_sft.py
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import torch

from rules.data.errors import DataError
from rules.data.prompt import build_prompt
from trainers.common.arguments import ShelfArguments
from trainers.common.data import load_rule_set, load_split
from trainers.common.recipe import RecipeError, parse_recipe, run_cli
from trainers.sft import RelevanceSFTConfig, build_sft_trainer, main, run_sft
from trainers.sft.rows import judge_rows, policy_rows
from trainers.common.tiny_model import build_tiny_lm

ROOT = Path(__file__).resolve().parent.parent
RECIPES = sorted((ROOT / "trainers" / "recipes").glob("sft_*.yaml"))
TRAIN = ROOT / "data" / "synthetic" / "train.jsonl"
SHELF = ShelfArguments()
RULES = load_rule_set(SHELF)
EXAMPLES = load_split(str(TRAIN), RULES, SHELF, 12)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("tiny") / "model"
    model, tokenizer = build_tiny_lm([TRAIN.read_text(encoding="utf-8")], hidden=32, layers=1)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


def config(tmp_path: Path, **kw) -> RelevanceSFTConfig:
    args = dict(output_dir=str(tmp_path / "run"), use_cpu=True, bf16=False, activation_checkpointing=False,
                max_steps=2, per_device_train_batch_size=2, learning_rate=1e-2, max_length=1024,
                save_strategy="no", report_to=[], logging_steps=1, seed=0, disable_tqdm=True)
    return RelevanceSFTConfig(**{**args, **kw})


def snapshot(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.named_parameters()}


def changed(before: dict[str, torch.Tensor], model) -> list[str]:
    return [k for k, v in model.named_parameters() if not torch.equal(before[k], v.detach())]


# ---------------------------------------------------------------------------------------------------- policy

def test_policy_sft_trains_and_masks_the_prompt(tiny, tmp_path):
    shelf = ShelfArguments(model_name_or_path=tiny, max_train_samples=8, eval_data=None)
    trainer, callback = build_sft_trainer(shelf, config(tmp_path))
    tokenizer = trainer.processing_class
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(2)])
    for row, example in enumerate(EXAMPLES[:2]):
        n_prompt = len(tokenizer(build_prompt(example, RULES), add_special_tokens=False)["input_ids"])
        labels, ids = batch["labels"][row], batch["input_ids"][row]
        assert (labels[:n_prompt] == -100).all()  # no loss on the prompt
        kept = labels[labels != -100]
        assert kept.numel() > 0 and torch.equal(kept, ids[n_prompt:n_prompt + kept.numel()])
        # The completion is the gold CoT followed by EOS, so the model learns to stop after </think>.
        assert kept[-1].item() == tokenizer.eos_token_id
        assert tokenizer.decode(kept[:-1]) == example.guide
    before = snapshot(trainer.model)
    trainer.train()
    assert trainer.state.global_step == 2
    assert changed(before, trainer.model), "no parameter changed after 2 SFT steps"
    assert callback.history == []  # eval_data empty: no evaluation


def test_run_sft_saves_model_tokenizer_and_eval_history(tiny, tmp_path):
    shelf = ShelfArguments(model_name_or_path=tiny, max_train_samples=4, eval_limit=2, eval_max_new_tokens=8)
    trainer, callback = run_sft(shelf, config(tmp_path, max_steps=1))
    out = Path(trainer.args.output_dir)
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    summary = json.loads((out / "shelfwise_eval.json").read_text())
    assert [e["step"] for e in summary["evaluations"]] == [0, 1] and summary["global_step"] == 1
    assert "eval/parse_failure_rate" in summary["evaluations"][-1]


def test_resume_latest_continues_from_the_newest_checkpoint(tiny, tmp_path):
    shelf = ShelfArguments(model_name_or_path=tiny, max_train_samples=4, eval_data=None)
    run_sft(shelf, config(tmp_path, max_steps=2, save_strategy="steps", save_steps=2))
    trainer, _ = run_sft(shelf, config(tmp_path, max_steps=3, save_strategy="steps", save_steps=2,
                                       resume_from_checkpoint="latest"))
    assert trainer.state.global_step == 3
    assert [x["step"] for x in trainer.state.log_history if "loss" in x] == [1, 2, 3]  # 1-2 read from checkpoint-2


def test_row_without_guide_is_rendered_from_gold_steps_or_skipped_and_counted(caplog):
    full = EXAMPLES[0].model_copy(update={"guide": None, "id": "no-guide"})
    partial = full.model_copy(update={"id": "partial", "gold_steps": {"query": "plain", "category": "match"}})
    none = full.model_copy(update={"id": "none", "gold_steps": None})
    contradicting = full.model_copy(update={"id": "contra", "label": 1})  # gold verdict step names another label
    with caplog.at_level(logging.INFO, logger="trainers.sft.rows"):
        rows = policy_rows([EXAMPLES[1], full, partial, none, contradicting], RULES)
    assert [r["id"] for r in rows.rows] == [EXAMPLES[1].id, "no-guide"]
    assert rows.counts == {"guide": 1, "rendered": 1, "incomplete_gold_steps": 1, "no_gold_steps": 1,
                           "invalid_gold_steps": 1}
    rendered = RULES.parse(rows.rows[1]["completion"])
    assert rendered.label == full.label and rendered.verdicts == full.gold_steps
    assert "skipped 3" in caplog.text
    with pytest.raises(DataError, match="no example has a gold CoT"):
        policy_rows([partial, none], RULES)


def test_chat_rows_are_conversational_prompt_completion():
    row = policy_rows(EXAMPLES[:1], RULES, chat=True).rows[0]
    assert row["prompt"][0]["role"] == "user" and row["completion"] == [
        {"role": "assistant", "content": EXAMPLES[0].guide}]


# ---------------------------------------------------------------------------------------------------- recipes

@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_bundled_recipes_parse(recipe):
    # Flags override the recipe: the GPU recipe's bf16 would otherwise be refused on this CPU-only machine.
    shelf, cfg = parse_recipe([ShelfArguments, RelevanceSFTConfig],
                              ["--config", str(recipe), "--bf16", "false", "--use_cpu", "true",
                               "--activation_checkpointing", "false"], prog="python -m trainers.sft")
    assert cfg.completion_only_loss is True and cfg.task in ("policy", "judge")
    assert cfg.output_dir.startswith("runs/") and cfg.max_length >= 900  # the longest row is ~880 tiny tokens
    assert (cfg.task == "judge") == (recipe.name == "sft_judge_cpu.yaml") == bool(cfg.judge_data)
    assert Path(shelf.train_data).suffix == ".jsonl"
    assert set(RECIPES) >= {ROOT / "trainers" / "recipes" / n for n in ("sft_cpu.yaml", "sft_gpu.yaml",
                                                                        "sft_judge_cpu.yaml")}


def test_misspelled_recipe_key_fails_naming_it(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "trainers" / "recipes" / "sft_cpu.yaml").read_text() + "learning_rat: 1.0e-4\n")
    line = len(bad.read_text().splitlines())
    with pytest.raises(RecipeError, match=rf"bad.yaml:{line}: unknown key 'learning_rat'; did you mean "
                                          r"'learning_rate'"):
        parse_recipe([ShelfArguments, RelevanceSFTConfig], ["--config", str(bad)])
    assert run_cli(main, ["--config", str(bad)]) == 2  # the command line: one line, exit 2
    assert capsys.readouterr().err.startswith(f"error: {bad}:{line}: unknown key 'learning_rat'")


def test_bad_task_and_missing_judge_data_are_recipe_errors(tmp_path):
    with pytest.raises(RecipeError, match="task: unknown value 'polcy'; use one of"):
        config(tmp_path, task="polcy")
    with pytest.raises(RecipeError, match="task judge needs judge_data"):
        config(tmp_path, task="judge")


# ---------------------------------------------------------------------------------------------------- judge

def judge_file(tmp_path: Path) -> Path:
    """Judge rows built the way `python -m verifiers.human build-judge` builds them: gold annotations in a store,
    a right and a wrong candidate per example, `judge_sft_rows`, `write_jsonl`."""
    from verifiers.human import AnnotationStore, HumanVerifier
    from verifiers.human.builders import judge_sft_rows, write_jsonl
    from verifiers.human.store import LABEL, Annotation

    conclusion = RULES.ruleset.output.conclusion_step
    examples = EXAMPLES[:3]
    with AnnotationStore(tmp_path / "annotations.db") as store:
        store.add([Annotation(e.id, step, value, "ana", "2026-11-20T09:30:00.000000Z", "gold")
                   for e in examples for step, value in e.gold_steps.items() if step != conclusion] +
                  [Annotation(e.id, LABEL, str(e.label), "ana", "2026-11-20T09:30:00.000000Z") for e in examples])
        human = HumanVerifier(store, RULES)
        wrong = {e.id: RULES.render(1, dict(e.gold_steps, category="mismatch", verdict="Irrelevant")) for e in examples}
        built = judge_sft_rows(human, [(e, c) for e in examples for c in (e.guide, wrong[e.id])])
    assert len(built) == 6, built.counts
    path = tmp_path / "judge_sft.jsonl"
    write_jsonl(built.rows, path)
    return path


def test_judge_task_trains_on_build_judge_rows(tiny, tmp_path):
    path = judge_file(tmp_path)
    rows = judge_rows(path)
    assert rows.rows[0]["completion"][0]["role"] == "assistant" and rows.rows[0]["prompt"][-1]["role"] == "user"
    shelf = ShelfArguments(model_name_or_path=tiny)
    with pytest.raises(RecipeError, match="--max_length 1024: 6 of 6 training rows need more"):
        build_sft_trainer(shelf, config(tmp_path, task="judge", judge_data=str(path)))  # judge rows: ~1,800 tokens
    trainer, callback = build_sft_trainer(shelf, config(tmp_path, task="judge", judge_data=str(path), max_steps=1,
                                                       max_length=2048))
    batch = trainer.data_collator([trainer.train_dataset[0]])
    answer = trainer.processing_class.decode(batch["labels"][0][batch["labels"][0] != -100])
    assert answer.startswith("[query] correct") and "[verdict] correct" in answer  # the judge's answer only
    before = snapshot(trainer.model)
    trainer.train()
    assert changed(before, trainer.model) and callback.history == []  # no policy evaluation for the judge


def test_bad_judge_rows_name_file_line_and_field(tmp_path):
    path = judge_file(tmp_path)
    good = path.read_text().splitlines()[0]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good + "\n" + json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n")
    with pytest.raises(DataError, match=r"bad.jsonl:2: messages: the last message must be the judge's"):
        judge_rows(bad)
    bad.write_text(good + "\n{oops\n")
    with pytest.raises(DataError, match=r"bad.jsonl:2: not valid JSON"):
        judge_rows(bad)
    with pytest.raises(FileNotFoundError, match="build-judge"):
        judge_rows(tmp_path / "missing.jsonl")
