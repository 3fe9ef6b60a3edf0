"""GRPO: real steps on a tiny model, the online filters on hand-made gathered batches, the offline difficulty and
diversity filters, recipes, and the TRL hooks this trainer relies on.

    pytest -q tests/test_grpo.py
"""

from __future__ import annotations

import inspect
import math
from collections import defaultdict
from types import SimpleNamespace

import pytest
import torch
from trl import GRPOTrainer

from rewards import RuleAwareReward
from rules import compile_rules
from rules.data import load_examples
from rules.data.loaders import to_dataset
from trainers.common.arguments import ShelfArguments
from trainers.common.data import prompts_of
from trainers.grpo.difficulty import difficulty_drop_reason, select_by_difficulty
from trainers.grpo.diversity import jaccard, near_duplicate_rows, record_drop_reason, select_diverse, shingles
from trainers.common.recipe import RecipeError, parse_recipe
from trainers.grpo.trainer import RelevanceGRPOConfig, RelevanceGRPOTrainer
from trainers.common.sampling import SampleRecord, save_records
from trainers.grpo.selection import SelectionArguments, SelectionError, prepare_examples
from trainers.common.tiny_model import build_tiny_lm

RULES = compile_rules("rules/catalog/ecommerce.yaml")
EXAMPLES = load_examples("data/synthetic/train.jsonl").examples[:40]


# --- TRL hooks this trainer overrides or calls (trainers/grpo/trainer.py, selection.py); the base hooks are in test_trl_integration ---
PINS = {
    "_get_train_sampler": ["self", "dataset"],
    "log": ["self", "logs", "start_time"],
    "_compute_loss": ["self", "model", "inputs"],
    "_calculate_rewards": ["self", "inputs", "prompts", "completions", "completion_ids_list"],
    "_generate_and_score_completions": ["self", "inputs"],
    "train": ["self", "resume_from_checkpoint", "trial", "ignore_keys_for_eval"],
    "_load_from_checkpoint": ["self", "resume_from_checkpoint", "model"],
}


@pytest.mark.parametrize("name,params", PINS.items())
def test_trl_hooks_we_rely_on_keep_their_signatures(name, params):
    assert list(inspect.signature(getattr(GRPOTrainer, name)).parameters) == params, (
        f"GRPOTrainer.{name} changed its signature; trainers/grpo/trainer.py must be updated")


def test_trl_still_logs_entropy_over_the_loss_mask():
    # the GRPO trainer blanks these metrics for all-masked micro-batches; it relies on TRL computing them in _compute_loss.
    source = inspect.getsource(GRPOTrainer._compute_loss)
    assert '_metrics[mode]["entropy"].append(global_masked_mean(entropies))' in source


# --- a few real GRPO steps -------------------------------------------------------------------------------------

def char_variety(completions, **_):
    """A reward with variance on an untrained model (the rule-aware reward is -1 for every malformed CoT)."""
    return [len(set(c)) / 10.0 for c in completions]


def test_grpo_steps_change_parameters_and_log_filters(tmp_path):
    model, tokenizer = build_tiny_lm()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    args = RelevanceGRPOConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, activation_checkpointing=False,
                               per_device_train_batch_size=8, num_generations=4, max_completion_length=12,
                               max_steps=3, learning_rate=1e-2, logging_steps=1, report_to=[], save_strategy="no",
                               seed=0, near_duplicate_rollouts="identical")
    trainer = RelevanceGRPOTrainer(model=model, reward_funcs=[RuleAwareReward(RULES), char_variety], args=args,
                                   train_dataset=to_dataset(EXAMPLES[:16], RULES), processing_class=tokenizer)
    trainer.train()
    assert trainer.state.global_step == 3
    changed = [n for n, p in model.named_parameters() if not torch.equal(p.detach(), before[n])]
    assert changed, "no parameter changed after 3 GRPO steps"
    history = trainer.state.log_history
    start = next(e for e in history if "data/label_mix_cv" in e)
    assert start["step"] == 0 and start["data/train_rows"] == 16
    steps = [e for e in history if "loss" in e]
    assert len(steps) == 3
    for entry in steps:
        assert {"filter/zero_variance_frac", "filter/near_duplicate_frac", "filter/masked_frac"} <= set(entry)
        # groups with reward variance train, so the policy entropy is a real, positive number
        assert entry["entropy"] is not None and entry["entropy"] > 0
    assert trainer.gathered_rewards.shape == (8, 2)
    assert len(trainer.gathered_completion_ids) == 8


def test_all_masked_batch_logs_no_fake_zero_entropy(tmp_path):
    model, tokenizer = build_tiny_lm()
    args = RelevanceGRPOConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, activation_checkpointing=False,
                               per_device_train_batch_size=4, num_generations=4, max_completion_length=8,
                               max_steps=1, logging_steps=1, report_to=[], save_strategy="no", seed=0)
    trainer = RelevanceGRPOTrainer(model=model, reward_funcs=[RuleAwareReward(RULES)], args=args,
                                   train_dataset=to_dataset(EXAMPLES[:4], RULES), processing_class=tokenizer)
    trainer.train()
    entry = next(e for e in trainer.state.log_history if "loss" in e)
    assert entry["filter/zero_variance_frac"] == 1.0 and entry["filter/masked_frac"] == 1.0
    assert entry["entropy"] is None  # TRL alone would log 0.0 here: a fake entropy collapse


# --- online filters on hand-made gathered batches ------------------------------------------------------------

def stub_trainer(gathered, process_index=0, mode="drop", near="off", completion_ids=None, num_generations=4):
    """A RelevanceGRPOTrainer without a model: only what the filters read."""
    trainer = object.__new__(RelevanceGRPOTrainer)
    trainer.gathered_rewards = torch.tensor(gathered, dtype=torch.float32)
    trainer.gathered_completion_ids = completion_ids
    trainer.reward_weights = torch.ones(trainer.gathered_rewards.shape[1])
    trainer.num_generations = trainer.num_generations_eval = num_generations
    trainer.model = SimpleNamespace(training=True)
    trainer.args = SimpleNamespace(zero_variance_groups=mode, near_duplicate_rollouts=near,
                                   near_duplicate_threshold=0.5)
    trainer.accelerator = SimpleNamespace(process_index=process_index, gather=lambda t: t.reshape(-1))
    trainer._metrics = {"train": defaultdict(list), "eval": defaultdict(list)}
    trainer.rows_masked, trainer.masked_global, trainer.group_signal = False, None, None
    return trainer


def local_batch(n_rows, length=5):
    mask = torch.ones(n_rows, length, dtype=torch.long)
    mask[:, -1] = 0  # right padding must survive untouched
    return {"completion_mask": mask, "num_items_in_batch": mask.sum()}


# 3 groups of 4 over 2 processes of 6 rows: group 1 (rows 4-7) straddles them. Rewards per row, 2 reward functions.
GATHERED = [
    [1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0],               # group 0: all equal -> zero variance
    [0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 0.0],               # group 1: varies only on process 0's half
    [math.nan, math.nan], [2.0, math.nan], [math.nan, math.nan], [math.nan, math.nan],  # group 2: one scorable
]


@pytest.mark.parametrize("process_index,dropped_rows", [(0, [0, 1, 2, 3]), (1, [2, 3, 4, 5])])
def test_zero_variance_filter_drops_exactly_the_flat_groups(process_index, dropped_rows):
    trainer = stub_trainer(GATHERED, process_index)
    batch = local_batch(6)
    original = batch["completion_mask"].clone()
    out = trainer._filter_zero_variance([{}] * 6, batch)
    for row in range(6):
        expected = torch.zeros_like(original[row]) if row in dropped_rows else original[row]
        assert torch.equal(out["completion_mask"][row], expected), f"process {process_index} row {row}"
    assert out["num_items_in_batch"].item() == out["completion_mask"].sum().item()
    assert trainer._metrics["train"]["filter/zero_variance_frac"] == [pytest.approx(2 / 3)]
    # Decided on the gathered rewards: process 1 sees only [0, 0] of group 1 and still keeps it.
    assert trainer.masked_global.tolist() == [True] * 4 + [False] * 4 + [True] * 4


def test_groups_a_subclass_gives_a_signal_survive_the_zero_variance_filter():
    # SRPO sets group_signal for groups whose completions carry a step term: group 0 is flat but keeps its rows.
    trainer = stub_trainer(GATHERED, 0)
    trainer.group_signal = torch.tensor([True, False, False])
    trainer._filter_zero_variance([{}] * 6, local_batch(6))
    assert trainer.masked_global.tolist() == [False] * 8 + [True] * 4
    assert trainer.group_signal is None  # used once: the next batch decides afresh


def test_zero_weight_keeps_the_batch_and_logs_the_share():
    trainer = stub_trainer(GATHERED, mode="zero_weight")
    batch = local_batch(6)
    original = batch["completion_mask"].clone()
    out = trainer._filter_zero_variance([{}] * 6, batch)
    assert torch.equal(out["completion_mask"], original) and not trainer.rows_masked
    assert trainer._metrics["train"]["filter/zero_variance_frac"] == [pytest.approx(2 / 3)]


def test_near_duplicate_rows_keep_the_first_and_keep_different_rewards():
    ids = [[1, 2, 3], [1, 2, 3], [1, 2, 3], [4, 5],      # group 0: row 2 repeats row 0 with another reward
           [7, 8, 9, 10], [7, 8, 9, 11], [9], [9]]        # group 1: bigram-similar rows 4/5; identical rows 6/7
    rewards = [1.0, 1.0, 0.0, 1.0, 0.5, 0.5, math.nan, math.nan]
    assert near_duplicate_rows(ids, rewards, 4, "identical") == [False, True, False, False,
                                                                 False, False, False, True]
    # rows 4 and 5 share 2 of 4 bigrams: Jaccard 0.5
    assert jaccard(shingles(ids[4]), shingles(ids[5])) == pytest.approx(0.5)
    assert near_duplicate_rows(ids, rewards, 4, "jaccard", 0.5)[4:6] == [False, True]
    assert near_duplicate_rows(ids, rewards, 4, "jaccard", 0.6)[4:6] == [False, False]
    assert near_duplicate_rows(ids, rewards, 4, "off") == [False] * 8
    with pytest.raises(ValueError, match="groups of 4"):
        near_duplicate_rows(ids[:7], rewards[:7], 4)


@pytest.mark.parametrize("process_index", [0, 1])
def test_near_duplicate_filter_decides_on_gathered_ids(process_index):
    # group 1 (rows 4-7) straddles the processes; row 6 (process 1) repeats row 4 (process 0) with the same reward.
    gathered = [[0.0], [1.0], [0.0], [1.0], [0.0], [1.0], [0.0], [2.0], [0.0], [1.0], [2.0], [3.0]]
    ids = [[i] for i in range(12)]
    ids[6] = [4]
    trainer = stub_trainer(gathered, process_index, near="identical", completion_ids=ids)
    out = trainer._filter_near_duplicates([{}] * 6, local_batch(6))
    masked = [row for row in range(6) if out["completion_mask"][row].sum() == 0]
    assert masked == ([] if process_index == 0 else [0])  # global row 6 = process 1's row 0
    assert trainer._metrics["train"]["filter/near_duplicate_frac"] == [pytest.approx(1 / 12)]


# --- offline difficulty and diversity filters --------------------------------------------------------------

def record(id_, correct, labels=None, verdicts=None, label=4):
    n = len(correct)
    labels = labels if labels is not None else [label if c else None for c in correct]
    verdicts = verdicts if verdicts is not None else [{"category": "match"} if lab else None for lab in labels]
    return SampleRecord(id_, label, ["..."] * n, labels, [0.0] * n, list(correct), verdicts)


def test_difficulty_rule_keeps_0_lt_correct_lt_gamma():
    assert difficulty_drop_reason(0, 8) == "all_wrong"
    assert difficulty_drop_reason(8, 8) == "too_easy"
    assert difficulty_drop_reason(7, 8) is None
    assert difficulty_drop_reason(5, 8, max_correct=5) == "too_easy"
    assert difficulty_drop_reason(4, 8, max_correct=5) is None
    records = [record("a", [0, 0, 0, 0]), record("b", [1, 1, 1, 1]), record("c", [1, 0, 0, 0]),
               record("d", [1, 1, 1, 0])]
    kept, dropped = select_by_difficulty(records)
    assert kept == {"c", "d"} and dropped == {"all_wrong": 1, "too_easy": 1}
    kept, dropped = select_by_difficulty(records, max_correct=3)
    assert kept == {"c"} and dropped == {"all_wrong": 1, "too_easy": 2}


def test_diversity_rule_needs_two_labels_or_two_verdict_patterns():
    same = record("same", [1, 1, 0], labels=[4, 4, None])
    two_labels = record("labels", [1, 0, 0], labels=[4, 3, 3])
    two_patterns = record("patterns", [1, 1], labels=[4, 4], verdicts=[{"category": "match"}, {"category": "partial"}])
    unparsable_only = record("garbage", [0, 0], labels=[None, None])
    assert record_drop_reason(same) == "not_diverse"
    assert record_drop_reason(unparsable_only) == "not_diverse"
    kept, dropped = select_diverse([same, two_labels, two_patterns, unparsable_only])
    assert kept == {"labels", "patterns"} and dropped == {"not_diverse": 2}


def run_config(tmp_path, **kw):
    return SimpleNamespace(output_dir=str(tmp_path), seed=0, device="cpu", process_index=0, world_size=1,
                           resume_from_checkpoint=kw.pop("resume_from_checkpoint", None), **kw)


class ScriptedGenerator:
    """Stands in for the policy in the pass: completions chosen per example id."""

    def __init__(self, script):
        self.by_prompt = {prompts_of([e], RULES, False)[0]: texts for e, texts in script}

    def generate(self, prompts, samples=1, temperature=0.0, progress=False):
        return [self.by_prompt[p][:samples] for p in prompts]


def scripted_pass():
    """Six examples: too easy, all wrong, two kept by difficulty (one diverse), one kept, one too easy."""
    e = EXAMPLES[:6]
    other = {ex.id: next(o for o in EXAMPLES if o.label != ex.label) for ex in e}

    def wrong(ex):
        return other[ex.id].guide

    script = [(e[0], [e[0].guide] * 4), (e[1], ["garbage"] * 4),
              (e[2], [e[2].guide, e[2].guide, wrong(e[2]), wrong(e[2])]),
              (e[3], [e[3].guide, "garbage", "garbage", "garbage"]),
              (e[4], [e[4].guide, wrong(e[4]), "garbage", "garbage"]), (e[5], [e[5].guide] * 4)]
    return e, script


def test_prepare_examples_samples_filters_and_writes_records(tmp_path, monkeypatch):
    examples, script = scripted_pass()
    monkeypatch.setattr("trainers.grpo.selection.make_generator", lambda *a: ScriptedGenerator(script))
    shelf = ShelfArguments(balance="natural")
    selection = SelectionArguments(pass_rate_samples=4)
    model = torch.nn.Linear(1, 1)
    kept, records = prepare_examples(shelf, run_config(tmp_path), selection, RULES, examples + examples[:2], model,
                                     None)
    assert [e.id for e in kept] == [examples[i].id for i in (2, 3, 4)]
    assert len(records) == 6 and [r.n_correct for r in records] == [4, 0, 2, 1, 1, 4]
    assert (tmp_path / "pass_rates.jsonl").is_file()
    monkeypatch.setattr("trainers.grpo.selection.make_generator", lambda *a: pytest.fail("the file must be reused"))
    # a resumed run reuses its own records, so it trains on the same prompts in the same order
    again, _ = prepare_examples(shelf, run_config(tmp_path, resume_from_checkpoint="latest"), selection, RULES,
                                examples + examples[:2], model, None)
    assert [e.id for e in again] == [e.id for e in kept]
    # diverse_only on the saved records (no sampling): example 3 wrote one label and one pattern only
    selection = SelectionArguments(pass_rate_file=str(tmp_path / "pass_rates.jsonl"), diverse_only=True)
    kept, _ = prepare_examples(shelf, run_config(tmp_path), selection, RULES, examples, model, None)
    assert [e.id for e in kept] == [examples[2].id, examples[4].id]


def test_selection_that_keeps_nothing_is_a_clear_error(tmp_path):
    path = save_records([record(e.id, [0, 0, 0, 0]) for e in EXAMPLES[:3]], tmp_path / "all_wrong.jsonl")
    selection = SelectionArguments(pass_rate_file=str(path))
    with pytest.raises(SelectionError, match=r"kept none of 3 .*all_wrong 3.*start from an SFT checkpoint"):
        prepare_examples(ShelfArguments(), run_config(tmp_path), selection, RULES, EXAMPLES[:3], None, None)
    easy = save_records([record(e.id, [1, 1, 1, 1]) for e in EXAMPLES[:3]], tmp_path / "all_right.jsonl")
    with pytest.raises(SelectionError, match=r"too_easy 3;.*raise max_correct"):
        prepare_examples(ShelfArguments(), run_config(tmp_path), SelectionArguments(pass_rate_file=str(easy)), RULES,
                         EXAMPLES[:3], None, None)
    with pytest.raises(SelectionError, match=r"no pass@N record for 1 of 4 .*other data"):
        prepare_examples(ShelfArguments(), run_config(tmp_path), selection, RULES, EXAMPLES[:4], None, None)


def test_real_pass_with_the_tiny_policy(tmp_path):
    """The real Generator path: an untrained policy writes no valid CoT, so the filter keeps nothing."""
    model, tokenizer = build_tiny_lm()
    selection = SelectionArguments(pass_rate_samples=2, pass_rate_max_new_tokens=8)
    with pytest.raises(SelectionError, match="all_wrong 3"):
        prepare_examples(ShelfArguments(), run_config(tmp_path), selection, RULES, EXAMPLES[:3], model, tokenizer)
    assert len((tmp_path / "pass_rates.jsonl").read_text().splitlines()) == 3
    assert model.training  # the pass leaves the policy in training mode


def test_selection_arguments_reject_bad_values():
    with pytest.raises(SelectionError, match="max_correct: gamma must be >= 2"):
        SelectionArguments(pass_rate_samples=4, max_correct=1)
    with pytest.raises(SelectionError, match="need pass@N records"):
        SelectionArguments(diverse_only=True)


# --- recipes -----------------------------------------------------------------------------------------------

TYPES = [ShelfArguments, RelevanceGRPOConfig, SelectionArguments]


def test_cpu_recipe_parses():
    shelf, config, selection = parse_recipe(TYPES, ["--config", "trainers/recipes/grpo_cpu.yaml"])
    assert config.use_cpu and not config.bf16 and config.num_generations >= 2
    assert config.zero_variance_groups == "drop" and shelf.balance == "class"


def test_gpu_recipe_parses_with_its_gpu_settings():
    from trainers.common.recipe import check_recipe

    data = check_recipe("trainers/recipes/grpo_gpu.yaml", TYPES)
    assert data["bf16"] and data["use_vllm"] and data["vllm_mode"] == "colocate" and data["activation_checkpointing"]
    # The same recipe on this CPU machine, with the GPU-only switches overridden, builds every config.
    shelf, config, selection = parse_recipe(TYPES, ["--config", "trainers/recipes/grpo_gpu.yaml", "--bf16", "false",
                                                    "--use_cpu", "true", "--activation_checkpointing", "false",
                                                    "--use_vllm", "false"])
    assert selection.pass_rate_samples > 0 and shelf.chat and config.vllm_mode == "colocate"


@pytest.mark.parametrize("key,suggestion", [("zero_varaince_groups", "zero_variance_groups"),
                                            ("pass_rate_sample", "pass_rate_samples")])
def test_misspelled_recipe_key_fails_naming_it(tmp_path, key, suggestion):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text(f"output_dir: {tmp_path}\nmax_steps: 2\n{key}: 1\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=rf"bad.yaml:3: unknown key '{key}'; did you mean '{suggestion}'"):
        parse_recipe(TYPES, ["--config", str(recipe)])


def test_bad_filter_value_is_rejected():
    with pytest.raises(ValueError, match="near_duplicate_rollouts: unknown value 'fuzzy'"):
        RelevanceGRPOConfig(output_dir="/tmp/x", use_cpu=True, bf16=False, near_duplicate_rollouts="fuzzy")
