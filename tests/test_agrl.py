"""AGRL: group selection, guides, replay, a few real steps on a tiny model, recipes.

    pytest -q tests/test_agrl.py
"""

from __future__ import annotations

import json
import math

import pytest
import torch
from datasets import Dataset

from rewards import RuleAwareReward
from rules import compile_rules
from trainers.agrl import replay
from trainers.agrl import AGRLConfig, AGRLTrainer, METHOD
from trainers.common.arguments import ShelfArguments
from trainers.grpo.curriculum import CurriculumArguments
from trainers.agrl.guides import gold_guide, hint_line, hint_prompt, written_label_correct
from trainers.common.recipe import RecipeError, check_recipe, parse_recipe
from trainers.grpo.selection import SelectionArguments
from trainers.common.tiny_model import build_tiny_lm

RULES = compile_rules("rules/catalog/ecommerce.yaml")
TRAIN = [json.loads(line) for line in open("data/synthetic/train.jsonl", encoding="utf-8")]


def _t(*values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.bool)


# ---------------------------------------------------------------------- group selection (gathered, global order)

def test_selection_threshold_and_per_group():
    correct = _t(0, 0, 0, 0,   # all wrong: triggered at any τ
                 1, 0, 0, 0,   # accuracy 0.25: triggered only when τ >= 0.25
                 1, 1, 0, 1)   # accuracy 0.75
    triggered, guided = replay.select_guided_rows(correct, 4, 0.0, 1)
    assert triggered.tolist() == [True, False, False]
    assert torch.nonzero(guided).flatten().tolist() == [3]  # the group's last wrong row
    triggered, guided = replay.select_guided_rows(correct, 4, 0.25, 2)
    assert triggered.tolist() == [True, True, False]
    assert torch.nonzero(guided).flatten().tolist() == [2, 3, 6, 7]
    # a correct rollout is never replaced, even when m exceeds the wrong ones
    _, guided = replay.select_guided_rows(_t(0, 1, 1, 0), 4, 0.5, 3)
    assert torch.nonzero(guided).flatten().tolist() == [0, 3]
    first, again = (replay.select_guided_rows(correct, 4, 0.25, 2) for _ in range(2))
    assert all(torch.equal(a, b) for a, b in zip(first, again))  # deterministic: every process computes alike


def test_selection_with_groups_straddling_processes():
    """2 processes x 6 rows, groups of 4: group 1 (rows 4-7) lives on both; each process slices the same choice."""
    correct = _t(0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1)
    _, guided = replay.select_guided_rows(correct, 4, 0.0, 1)
    local = [guided[p * 6:(p + 1) * 6] for p in range(2)]
    assert local[0].tolist() == [False, False, False, True, False, False]
    assert local[1].tolist() == [False, True, False, False, False, False]  # row 7: group 1's last row
    assert torch.equal(torch.cat(local), guided)


def test_replay_mixing_is_the_same_on_every_process():
    queue_a, queue_b = replay.ReplayQueue(4), replay.ReplayQueue(4)
    for q in (queue_a, queue_b):
        q.push([{"id": "hard-1"}, {"id": "hard-2"}])
    batch = [[{"id": f"new-{(p * 6 + i) // 4}"} for i in range(6)] for p in range(2)]
    out_a, groups_a = replay.mix_in_replays(batch[0], queue_a, 0.5, 4, 0, 2)
    out_b, groups_b = replay.mix_in_replays(batch[1], queue_b, 0.5, 4, 1, 2)
    assert groups_a == groups_b == [1, 2]  # ceil(0.5 x 3 groups) = 2: the batch's last two groups
    ids = [r["id"] for r in out_a + out_b]
    assert ids == ["new-0"] * 4 + ["hard-1"] * 4 + ["hard-2"] * 4
    assert len(queue_a) == len(queue_b) == 0 and queue_a.replayed == 2
    # triggered groups are queued once each, by the process holding their first row; replayed ones are not
    triggered = _t(1, 1, 1)
    mine = [replay.rows_to_queue(b, triggered, [2], 4, p) for p, b in enumerate(batch)]
    assert [g for part in mine for g, _ in part] == [0, 1]
    assert [r["id"] for r in replay.ordered_rows(mine[1] + mine[0])] == ["new-0", "new-1"]


def test_replay_count_and_capacity():
    assert replay.replay_count(0, 8, 0.25) == 0
    assert replay.replay_count(5, 8, 0.25) == 2 and replay.replay_count(1, 8, 0.25) == 1
    q = replay.ReplayQueue(2)
    q.push([{"id": i} for i in range(3)])
    assert [r["id"] for r in q.items] == [1, 2]  # oldest dropped
    with pytest.raises(ValueError, match="0 turns replay off"):
        replay.ReplayQueue(0)


# ---------------------------------------------------------------------- guides

def test_gold_guide_uses_the_row_guide_or_renders_gold_steps():
    row = dict(TRAIN[0])
    assert gold_guide(row, RULES) == row["guide"]
    # datasets fills steps that only other rows have with None: they are ignored
    rendered = gold_guide(dict(row, guide=None, gold_steps={**row["gold_steps"], "extra": None}), RULES)
    assert rendered == RULES.render(row["label"], row["gold_steps"])
    assert RULES.parse(rendered).label == row["label"]
    incomplete = dict(row, guide=None, gold_steps={"query": "plain"})
    assert gold_guide(incomplete, RULES) is None


def test_hint_names_label_and_decisive_rule():
    row = TRAIN[0]  # gold: attributes partial -> rule attribute_partial -> 3 Related
    line = hint_line(row, RULES)
    assert line.startswith("Hint: the correct label is 3 Related; the decisive rule is attribute_partial: ")
    assert RULES.decide(row["gold_steps"]).rule.message.split()[0] in line
    assert hint_line(dict(row, gold_steps=None), RULES) == "Hint: the correct label is 3 Related."
    assert hint_prompt("Query: x\n", line) == f"Query: x\n{line}\n"
    chat = [{"role": "system", "content": "s"}, {"role": "user", "content": "Query: x"}]
    assert hint_prompt(chat, line) == [chat[0], {"role": "user", "content": f"Query: x\n\n{line}"}]
    assert chat[1]["content"] == "Query: x"  # the original prompt is not modified
    with pytest.raises(ValueError, match="no label with id 9 in rule set"):
        hint_line(dict(row, label=9), RULES)


def test_written_label_correct_reads_the_label_line():
    guide = TRAIN[0]["guide"]
    assert written_label_correct(guide, 3, RULES) and not written_label_correct(guide, 4, RULES)
    assert written_label_correct(guide.split("<think>")[0], "Related", RULES)  # cut short: label line still counts
    assert written_label_correct([{"role": "assistant", "content": guide}], 3, RULES)
    assert not written_label_correct("garbage", 3, RULES) and not written_label_correct(None, 3, RULES)


# ---------------------------------------------------------------------- a real trainer on a tiny model

def _short_rows(n: int) -> list[dict]:
    """Training rows whose guides are short gold CoTs (terse reasons) so a CPU step stays fast."""
    rows = []
    for ex in TRAIN[:n]:
        guide = RULES.render(ex["label"], ex["gold_steps"], {s: "ok" for s in ex["gold_steps"]})
        rows.append({"prompt": f"Query: {ex['query']}\nTitle: {ex['product']['title']}\n", "id": ex["id"],
                     "label": ex["label"], "gold_steps": ex["gold_steps"], "guide": guide})
    return rows


@pytest.fixture(scope="module")
def tiny():
    return build_tiny_lm([open("data/synthetic/train.jsonl", encoding="utf-8").read()])


def _trainer(tiny, tmp_path, **overrides) -> AGRLTrainer:
    model, tokenizer = tiny
    settings = dict(output_dir=str(tmp_path), use_cpu=True, bf16=False, activation_checkpointing=False,
                    per_device_train_batch_size=8, num_generations=4, max_completion_length=96, max_steps=2,
                    learning_rate=1e-3, logging_steps=1, report_to=[], save_strategy="no", seed=0, beta=0.0,
                    replay_queue_size=4, generation_kwargs={"max_new_tokens": 12})  # short rollouts: a fast CPU test
    settings.update(overrides)
    return AGRLTrainer(model=model, reward_funcs=[RuleAwareReward(RULES)], args=AGRLConfig(**settings),
                       train_dataset=Dataset.from_list(_short_rows(8)), processing_class=tokenizer)


def test_guide_rows_replace_rollouts_and_are_scored_like_the_gold_cot(tiny, tmp_path):
    trainer = _trainer(tiny, tmp_path)
    rows = [r for r in _short_rows(2) for _ in range(4)]
    trainer.model.train()
    out = trainer._generate_and_score_completions(rows)
    guided = out["agrl_guided"]
    # untrained: every group is all wrong, so each of the 2 groups gets its last rollout replaced
    assert guided.tolist() == [False, False, False, True] * 2
    reward = RuleAwareReward(RULES)
    eos = trainer.eos_token_ids[0]
    for i in torch.nonzero(guided).flatten().tolist():
        ids = out["completion_ids"][i][out["completion_mask"][i].bool()].tolist()
        assert ids == trainer.processing_class(rows[i]["guide"], add_special_tokens=False)["input_ids"] + [eos]
        gold = reward(completions=[rows[i]["guide"]], label=[rows[i]["label"]], gold_steps=[rows[i]["gold_steps"]])
        assert trainer.gathered_rewards[i, 0].item() == pytest.approx(gold[0])
        assert gold[0] > max(trainer.gathered_rewards[~guided, 0].tolist())
    metrics = trainer._metrics["train"]
    assert metrics["agrl/trigger_rate"] == [1.0] and metrics["agrl/guided_fraction"] == [0.25]
    assert metrics["agrl/group_accuracy_mean"] == [0.0] and len(trainer.replay_queue) == 2


def test_lengths_and_token_counts_describe_the_trained_batch_after_the_guide_swap(tiny, tmp_path):
    trainer = _trainer(tiny, tmp_path)
    rows = [r for r in _short_rows(2) for _ in range(4)]
    trainer.model.train()
    out = trainer._generate_and_score_completions(rows)
    lengths = out["completion_mask"].sum(1).float()
    assert out["agrl_guided"].any() and lengths.max() > 12  # guides are longer than the 12-token rollouts
    metrics = trainer._metrics["train"]
    assert metrics["completions/mean_length"] == [pytest.approx(lengths.mean().item())]
    assert metrics["completions/max_length"] == [lengths.max().item()]
    guide_lengths = lengths[out["agrl_guided"]]  # guides end with EOS: terminated
    assert metrics["completions/max_terminated_length"] == [guide_lengths.max().item()]
    seen = out["prompt_mask"].sum().item() + lengths.sum().item()
    assert trainer.state.num_input_tokens_seen == seen and metrics["num_tokens"] == [seen]


def test_sampling_logprobs_of_guides_are_nan(tiny, tmp_path):
    """A backend that returns sampling log-probs (vLLM): guides get NaN, which TRL turns into an IS ratio of 1."""
    trainer = _trainer(tiny, tmp_path)
    original = trainer._generate_single_turn

    def with_logprobs(*args, **kwargs):
        ids, _ = original(*args, **kwargs)
        return ids, [[-1.0] * len(x) for x in ids]

    trainer._generate_single_turn = with_logprobs
    rows = [r for r in _short_rows(1) for _ in range(4)]
    trainer.model.train()
    trainer.batch_inputs = rows
    _, ids, _, completions, logprobs, *_ = trainer._generate([r["prompt"] for r in rows])
    assert all(math.isnan(v) for v in logprobs[3]) and len(logprobs[3]) == len(ids[3])
    assert all(v == -1.0 for row in logprobs[:3] for v in row)
    assert completions[3] == rows[3]["guide"]


def test_hint_guides_fall_back_to_gold_when_the_hinted_label_is_wrong(tiny, tmp_path):
    trainer = _trainer(tiny, tmp_path, guide_source="hint")
    seen = []
    original = trainer._tokenize_prompts
    trainer._tokenize_prompts = lambda prompts: seen.extend(prompts) or original(prompts)
    rows = [r for r in _short_rows(1) for _ in range(4)]
    trainer.model.train()
    out = trainer._generate_and_score_completions(rows)
    assert any(p.rstrip().endswith(hint_line(rows[0], RULES)) for p in seen)  # the hinted prompt was generated
    assert trainer._metrics["train"]["agrl/hint_fallback_rate"] == [1.0]  # untrained: the hint did not help
    assert out["agrl_guided"].tolist() == [False, False, False, True]


def test_agrl_steps_train_and_log(tiny, tmp_path):
    trainer = _trainer(tiny, tmp_path)
    before = {n: p.detach().clone() for n, p in trainer.model.named_parameters()}
    trainer.train()
    changed = [n for n, p in trainer.model.named_parameters() if not torch.equal(before[n], p)]
    assert changed, "no parameter moved"
    logs = {k for entry in trainer.state.log_history for k in entry}
    assert {"agrl/guided_fraction", "agrl/trigger_rate", "agrl/guide_reward_mean", "agrl/group_accuracy_mean",
            "agrl/replay_queue_size", "agrl/replay_hits", "agrl/guide_token_prob_mean"} <= logs
    assert "agrl/replay_accuracy" in logs  # a queued prompt came back in a later batch
    steps = [e for e in trainer.state.log_history if "agrl/trigger_rate" in e]
    assert len(steps) == 2 and all(e["agrl/trigger_rate"] == 1.0 for e in steps)
    assert all(e["agrl/guide_reward_mean"] > e["reward"] for e in steps)


def test_a_resumed_run_continues_with_the_same_replay_queue(tiny, tmp_path):
    import copy

    from transformers import TrainerCallback

    from trainers.agrl.replay import QUEUE_FILE

    first = _trainer(copy.deepcopy(tiny), tmp_path, max_steps=1, save_strategy="steps", save_steps=1)
    first.train()
    saved = [dict(r) for r in first.replay_queue.items]
    assert saved and (tmp_path / "checkpoint-1" / QUEUE_FILE).is_file()

    class FirstStep(TrainerCallback):
        queue = None

        def on_step_begin(self, args, state, control, **kwargs):
            if FirstStep.queue is None:
                FirstStep.queue = [dict(r) for r in resumed.replay_queue.items]

    resumed = _trainer(copy.deepcopy(tiny), tmp_path, max_steps=2, save_strategy="steps", save_steps=1)
    resumed.add_callback(FirstStep())
    resumed.train(resume_from_checkpoint=str(tmp_path / "checkpoint-1"))
    assert FirstStep.queue == saved  # step 2 starts from step 1's queue, not an empty one
    assert resumed.replay_queue.pushed >= first.replay_queue.pushed


def test_replay_queue_state_round_trips(tmp_path):
    queue = replay.ReplayQueue(3)
    queue.push([{"id": str(i), "label": i % 4 + 1, "gold_steps": {"a": "ok"}} for i in range(5)])
    queue.take(1)
    queue.save(tmp_path)
    again = replay.ReplayQueue(3)
    assert again.load(tmp_path) and list(again.items) == list(queue.items)
    assert (again.pushed, again.replayed) == (5, 1) and not replay.ReplayQueue(3).load(tmp_path / "none")


# ---------------------------------------------------------------------- recipes

ARG_TYPES = [ShelfArguments, AGRLConfig, SelectionArguments, CurriculumArguments]


def test_recipes_parse():
    _, config, *_ = parse_recipe(ARG_TYPES, ["--config", "trainers/recipes/agrl_cpu.yaml"], prog="agrl")
    assert (config.guide_source, config.off_policy, config.guides_per_group) == ("gold", "shaping", 1)
    assert config.replay_queue_size == 32 and config.use_cpu
    gpu = check_recipe("trainers/recipes/agrl_gpu.yaml", ARG_TYPES)
    assert gpu["use_vllm"] and gpu["vllm_mode"] == "colocate" and gpu["bf16"]
    shelf, config, *_ = parse_recipe(ARG_TYPES, ["--config", "trainers/recipes/agrl_gpu.yaml", "--bf16", "false",
                                                 "--use_cpu", "true", "--activation_checkpointing", "false",
                                                 "--use_vllm", "false"], prog="agrl")  # no GPU here
    assert config.vllm_mode == "colocate" and shelf.chat
    assert METHOD.config_cls is AGRLConfig and METHOD.trainer_cls is AGRLTrainer


def test_misspelled_and_bad_keys_fail(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("output_dir: x\nguide_treshold: 0.2\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"r\.yaml:2: unknown key 'guide_treshold'; did you mean 'guide_threshold'"):
        parse_recipe(ARG_TYPES, ["--config", str(recipe)], prog="agrl")
    recipe.write_text("output_dir: x\nguide_source: teacher\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"guide_source: unknown value 'teacher'; use one of \['gold', 'hint'\]"):
        parse_recipe(ARG_TYPES, ["--config", str(recipe)], prog="agrl")
    with pytest.raises(RecipeError, match="guides_per_group: 4 must be >= 1 and < num_generations"):
        parse_recipe(ARG_TYPES, ["--config", "trainers/recipes/agrl_cpu.yaml", "--guides_per_group", "4"],
                     prog="agrl")
