"""Multi-stage curricula (trainers/grpo/curriculum.py): stage validation, training order by pass-rate bucket and by query
type, TRL's batch geometry, and real GRPO runs that read the stages in order and resume mid-stage.

    pytest tests/test_curriculum.py
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from transformers import TrainerCallback

from rules import compile_rules
from rules.data import Example, Product, load_examples
from trainers.common.arguments import ShelfArguments
from trainers.grpo.curriculum import (CurriculumArguments, CurriculumCallback, apply_curriculum, build_order,
                                 check_curriculum, parse_stages, stage_prompts)
from trainers.common.recipe import RecipeError, parse_recipe
from trainers.grpo.trainer import RelevanceGRPOConfig, RelevanceGRPOTrainer
from trainers.grpo.cli import Method, build_trainer
from trainers.common.sampling import SampleRecord
from trainers.grpo.selection import SelectionArguments

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "trainers" / "recipes" / "srpo_curriculum_cpu.yaml"
TRAIN = str(ROOT / "data" / "synthetic" / "train.jsonl")
HARD = ["negation", "alternative", "qa", "knowledge"]
GRPO = Method("grpo", RelevanceGRPOConfig, RelevanceGRPOTrainer, "GRPO")


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One torch thread: on a shared 2-core machine two spinning threads run the tiny model ~7x slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def rules():
    return compile_rules(ROOT / "rules" / "catalog" / "ecommerce.yaml")


def example(i: int, types: list[str], label: int = 4) -> Example:
    return Example(id=f"e{i}", query=f"query {i}", product=Product(title=f"product {i}"), label=label,
                   query_type=types)


def record(example_id: str, n_correct: int, n: int = 4) -> SampleRecord:
    correct = [True] * n_correct + [False] * (n - n_correct)
    return SampleRecord(example_id, 4, ["x"] * n, [4] * n, [0.0] * n, correct, [None] * n)


def config(tmp_path, **kwargs) -> RelevanceGRPOConfig:
    base = dict(output_dir=str(tmp_path), use_cpu=True, bf16=False, activation_checkpointing=False,
                per_device_train_batch_size=4, num_generations=2, max_completion_length=8, learning_rate=1e-3,
                logging_steps=1, report_to=[], seed=0, save_strategy="no")
    return RelevanceGRPOConfig(**{**base, **kwargs})


# --- stage validation: every mistake one line naming the stage and the fix -------------------------------------

@pytest.mark.parametrize("value,message", [
    # a misspelled key gets the closest known one
    ([{"name": "a", "steps": 2, "pass_rat": [0, 1]}],
     "curriculum[0]: unknown key 'pass_rat'; did you mean 'pass_rate'"),
    # an empty stage (a stray `- {}` in the YAML) is not "the whole training set"
    ([{"name": "a", "steps": 2}, {}], "curriculum[1]: an empty or non-mapping stage"),
    ([{"name": "a"}], "curriculum[0]: 'steps' is missing"),
    ([{"name": "a", "steps": 0}], "curriculum[0].steps: Input should be greater than or equal to 1"),
    ([{"name": "a", "steps": 1, "pass_rate": [0.6, 0.2]}], "curriculum[0].pass_rate: give [low, high] with 0 <= low"),
    ([{"name": "a", "steps": 1, "pass_rate": [0.6]}], "curriculum[0].pass_rate: give two numbers [low, high]"),
    ([{"name": "a", "steps": 1, "query_type": []}], "curriculum[0].query_type: List should have at least 1 item"),
    ([{"name": "a", "steps": 1}, {"name": "a", "steps": 1}], "curriculum[1]: the stage name 'a' is already used"),
    ([], "curriculum: give a non-empty list of stages"),
    ("{name: a, steps: 1}", "curriculum: give a non-empty list of stages"),  # a mapping, not a list
    ("[{name: a, steps: 1", "curriculum: not a YAML/JSON list of stages"),
])
def test_bad_stages_are_one_line_errors(value, message):
    with pytest.raises(RecipeError) as err:
        CurriculumArguments(value)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_flag_string_json_yaml_and_off():
    as_json = CurriculumArguments('[{"name": "p", "query_type": ["plain"], "steps": 3}]')
    as_yaml = CurriculumArguments("[{name: p, query_type: plain, steps: 3}]")  # one type needs no list
    assert as_json.stages == as_yaml.stages and as_json.stages[0].query_type == ["plain"]
    assert as_json.curriculum == [{"name": "p", "steps": 3, "query_type": ["plain"]}]
    for off in (None, "", "none", "null"):
        assert CurriculumArguments(off).stages == []


def test_stages_from_a_yaml_file(tmp_path):
    path = tmp_path / "stages.yaml"
    path.write_text("- {name: easy, pass_rate: [0.5, 1.0], steps: 2}\n- {name: hard, pass_rate: [0, 0.5], steps: 4}\n")
    assert [(s.name, s.steps, s.pass_rate) for s in parse_stages(str(path))] == [
        ("easy", 2, (0.5, 1.0)), ("hard", 4, (0.0, 0.5))]


def test_recipe_list_and_command_line_string_through_trl_parser(tmp_path):
    """TrlParser sets a recipe's list as the argparse default (untouched); a flag arrives as a string."""
    types = [ShelfArguments, RelevanceGRPOConfig, SelectionArguments, CurriculumArguments]
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"output_dir: {tmp_path}\ncurriculum:\n  - {{name: plain, query_type: [plain], steps: 2}}\n"
                      "  - {name: hard, query_type: [negation, qa], steps: 3}\n")
    parsed = parse_recipe(types, ["--config", str(recipe)])[3]
    assert [(s.name, s.steps) for s in parsed.stages] == [("plain", 2), ("hard", 3)]
    flag = parse_recipe(types, ["--config", str(recipe), "--curriculum", '[{"name": "all", "steps": 5}]'])[3]
    assert [(s.name, s.steps) for s in flag.stages] == [("all", 5)]
    recipe.write_text(f"output_dir: {tmp_path}\ncurriculum:\n  - {{name: plain, query_typ: [plain], steps: 2}}\n")
    with pytest.raises(RecipeError, match=r"curriculum\[0\]: unknown key 'query_typ'; did you mean 'query_type'"):
        parse_recipe(types, ["--config", str(recipe)])


def test_bundled_recipe_parses_with_srpo_and_selects_from_the_training_set(rules):
    stages = CurriculumArguments(yaml.safe_load(RECIPE.read_text())["curriculum"]).stages
    assert [s.query_type for s in stages] == [["plain"], HARD]
    examples = load_examples(TRAIN).examples
    order, plans = build_order(stages, examples, None, [2 * s.steps for s in stages])
    assert [p.name for p in plans] == ["plain", "hard_queries"] and all(p.pool > 50 for p in plans)
    srpo = pytest.importorskip("trainers.srpo")  # the SRPO trainer is another module; its fields are in the recipe
    method = srpo.METHOD
    parsed = parse_recipe([ShelfArguments, method.config_cls, SelectionArguments, CurriculumArguments,
                           *method.extra_args], ["--config", str(RECIPE)])
    assert type(parsed[1]).__name__ == "SRPOConfig" and parsed[3].stages == stages


# --- the training order -------------------------------------------------------------------------------------------

def test_order_by_pass_rate_bucket():
    examples = [example(i, ["plain"]) for i in range(8)]
    records = [record(f"e{i}", c) for i, c in enumerate([0, 1, 2, 3, 4, 4, 2, 0])]  # rates 0 .25 .5 .75 1 1 .5 0
    stages = parse_stages([{"name": "easy", "pass_rate": [0.5, 1.0], "steps": 2},
                           {"name": "hard", "pass_rate": [0.0, 0.5], "steps": 3},
                           {"name": "never", "pass_rate": [0.0, 0.0], "steps": 1}])
    order, plans = build_order(stages, examples, records, [4, 6, 2], seed=0)
    ids = [e.id for e in order]
    # 0.5 opens the easy bucket (half-open [low, high)), 1.0 closes it; [0, 0] is exactly 0
    assert set(ids[:4]) <= {"e2", "e3", "e4", "e5", "e6"} and len(set(ids[:4])) == 4
    assert set(ids[4:10]) == {"e0", "e1", "e7"}
    assert set(ids[10:]) <= {"e0", "e7"}
    assert [(p.pool, p.prompts, p.first_step, p.last_step) for p in plans] == [(5, 4, 1, 2), (3, 6, 3, 5),
                                                                              (2, 2, 6, 6)]


def test_order_by_query_type_and_small_pools_repeat_evenly():
    examples = ([example(i, ["plain"]) for i in range(3)] + [example(i, ["negation", "near_miss"]) for i in range(3, 5)]
                + [example(i, ["qa"]) for i in range(5, 9)])
    stages = parse_stages([{"name": "plain", "query_type": ["plain"], "steps": 4},
                           {"name": "hard", "query_type": ["negation", "qa"], "steps": 2}])
    order, _ = build_order(stages, examples, None, [8, 4], seed=3)
    first, second = [e.id for e in order[:8]], [e.id for e in order[8:]]
    counts = Counter(first)
    assert set(counts) == {"e0", "e1", "e2"} and max(counts.values()) - min(counts.values()) <= 1
    assert set(second) <= {"e3", "e4", "e5", "e6", "e7", "e8"} and len(set(second)) == 4  # no repeat before a pass


def test_order_is_deterministic_per_seed():
    examples = [example(i, ["plain" if i % 2 else "qa"]) for i in range(40)]
    stages = parse_stages([{"name": "a", "query_type": ["plain"], "steps": 5}, {"name": "b", "steps": 5}])
    ids = lambda seed: [e.id for e in build_order(stages, examples, None, [10, 10], seed=seed)[0]]  # noqa: E731
    assert ids(0) == ids(0) and ids(1) == ids(1)
    assert ids(0) != ids(1)


@pytest.mark.parametrize("stages,records,message", [
    ([{"name": "x", "query_type": ["plain"], "steps": 1}, {"name": "easy", "pass_rate": [0.5, 1], "steps": 1}], None,
     "curriculum[1] (easy): a pass_rate stage needs the offline pass@N records; set pass_rate_samples"),
    ([{"name": "easy", "pass_rate": [0.5, 1], "steps": 1}], [record("e0", 2)],
     "curriculum[0] (easy): 1 training examples have no pass@N record (e.g. 'e1')"),
    ([{"name": "x", "query_type": ["negatoin"], "steps": 1}], None,
     "curriculum[0] (x).query_type: no training example has the query type 'negatoin'; did you mean 'negation'?"),
    ([{"name": "x", "steps": 1}, {"name": "top", "pass_rate": [0.9, 0.95], "steps": 1}],
     [record("e0", 2), record("e1", 4)], "curriculum[1] (top): no training example matches pass_rate [0.9, 0.95]"),
])
def test_stage_selection_errors(stages, records, message):
    examples = [example(0, ["plain"]), example(1, ["negation"])]
    with pytest.raises(RecipeError) as err:
        build_order(parse_stages(stages), examples, records, [2] * len(stages))
    assert message in str(err.value)


# --- TRL's schedule: prompts per optimizer step, max_steps, shuffle ----------------------------------------------

@pytest.mark.parametrize("kwargs,steps,prompts", [
    (dict(per_device_train_batch_size=4, num_generations=2), [2, 3], [4, 6]),        # 2 prompts per step
    (dict(per_device_train_batch_size=2, num_generations=2, gradient_accumulation_steps=2), [1, 2], [2, 4]),
    (dict(per_device_train_batch_size=4, num_generations=2, num_iterations=2), [2, 4], [2, 4]),  # reused batches
    (dict(per_device_train_batch_size=2, num_generations=2, gradient_accumulation_steps=2, steps_per_generation=4),
     [2, 4], [4, 8]),                                                                # one generation per 2 steps
])
def test_dataloader_reads_each_stage_in_its_own_steps(tmp_path, rules, tiny_model_dir, kwargs, steps, prompts):
    """The trainer's real dataloader: optimizer steps 1..s0 read only stage 0, the rest only stage 1, one epoch."""
    shelf = ShelfArguments(model_name_or_path=tiny_model_dir, train_data=TRAIN, eval_data="",
                           allow_truncation=True)  # rollouts of a few tokens: fast, cut on purpose
    cfg = config(tmp_path, **kwargs)
    stages = [{"name": "plain", "query_type": ["plain"], "steps": steps[0]},
              {"name": "hard", "query_type": HARD, "steps": steps[1]}]
    trainer, _ = build_trainer(GRPO, shelf, cfg, rules, curriculum=CurriculumArguments(stages))
    assert cfg.max_steps == sum(steps) and cfg.shuffle_dataset is False
    assert stage_prompts(CurriculumArguments(stages).stages, cfg) == prompts
    micro = [[row["query_type"] for row in batch] for batch in trainer.get_train_dataloader()]
    accumulation = cfg.gradient_accumulation_steps
    assert len(micro) == sum(steps) * accumulation  # exactly one epoch: the sampler never wraps to stage 0
    per_step = [sum(micro[i:i + accumulation], []) for i in range(0, len(micro), accumulation)]
    assert all("plain" in t for step in per_step[:steps[0]] for t in step)
    assert all(set(HARD) & set(t) for step in per_step[steps[0]:] for t in step)
    assert len(trainer.train_dataset) == sum(prompts)


def test_schedule_errors(tmp_path, rules):
    examples = [example(i, ["plain"]) for i in range(4)]
    stages = CurriculumArguments([{"name": "a", "steps": 2}, {"name": "b", "steps": 3}])
    with pytest.raises(RecipeError, match=r"max_steps \(8\) differs from the curriculum's 5 steps \(a 2 \+ b 3\)"):
        apply_curriculum(stages, config(tmp_path, max_steps=8), rules, examples, None)
    odd = config(tmp_path, num_iterations=2)
    with pytest.raises(RecipeError, match=r"curriculum\[1\] \(b\): 3 steps do not fill whole generation batches.*"
                                          r"make steps a multiple of 2"):
        apply_curriculum(stages, odd, rules, examples, None)
    with pytest.raises(RecipeError, match="curricula need a GRPO-family trainer"):
        apply_curriculum(stages, SimpleNamespace(max_steps=-1, seed=0), rules, examples, None)
    assert apply_curriculum(CurriculumArguments(), config(tmp_path), rules, examples, None) == (examples, [])


def test_check_before_loading_anything(tmp_path):
    """What a run can check right after parsing, before a model loads or the pass@N pass runs."""
    by_rate = CurriculumArguments([{"name": "easy", "pass_rate": [0.5, 1], "steps": 2}])
    with pytest.raises(RecipeError, match=r"curriculum\[0\] \(easy\): a pass_rate stage needs .* pass_rate_samples"):
        check_curriculum(by_rate, config(tmp_path), records_expected=False)
    cfg = config(tmp_path)
    check_curriculum(by_rate, cfg, records_expected=True)
    assert cfg.max_steps == 2 and cfg.shuffle_dataset is False
    with pytest.raises(RecipeError, match=r"max_steps \(3\) differs"):
        check_curriculum(by_rate, config(tmp_path, max_steps=3), records_expected=True)
    check_curriculum(CurriculumArguments(), config(tmp_path, max_steps=3), records_expected=False)  # no stages


# --- real GRPO runs: stage order and resuming mid-stage ------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    from trainers.common.tiny_model import build_tiny_lm

    path = tmp_path_factory.mktemp("tiny")
    model, tokenizer = build_tiny_lm([Path(TRAIN).read_text(encoding="utf-8")])
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


class Recorder(TrainerCallback):
    """The ids of the prompts each optimizer step trained on (the trainer's scored batch), optionally stopping."""

    def __init__(self, trainer, stop_at: int | None = None):
        self.trainer, self.stop_at, self.ids = trainer, stop_at, {}

    def on_step_end(self, args, state, control, **kwargs):
        self.ids[state.global_step] = sorted({row["id"] for row in self.trainer.batch_inputs})
        if state.global_step == self.stop_at:
            control.should_training_stop = True


STAGES = [{"name": "plain", "query_type": ["plain"], "steps": 1}, {"name": "hard", "query_type": HARD, "steps": 2}]


def run(tmp_path, rules, model_dir, stop_at=None, resume=None, trainer_attached=True):
    shelf = ShelfArguments(model_name_or_path=model_dir, train_data=TRAIN, eval_data="", max_train_samples=120,
                           allow_truncation=True)  # rollouts of a few tokens: fast, cut on purpose
    cfg = config(tmp_path, save_strategy="steps", save_steps=2, report_to=["tensorboard"] if trainer_attached else [])
    trainer, _ = build_trainer(GRPO, shelf, cfg, rules, curriculum=CurriculumArguments(STAGES))
    stage_cb = next(cb for cb in trainer.callback_handler.callbacks if isinstance(cb, CurriculumCallback))
    if trainer_attached:
        stage_cb.trainer = trainer  # the metric-window path (reaches every report_to target)
    recorder = Recorder(trainer, stop_at)
    trainer.add_callback(recorder)
    trainer.train(resume_from_checkpoint=resume)
    stages = {e["step"]: e["curriculum/stage"] for e in trainer.state.log_history if "curriculum/stage" in e}
    return recorder.ids, stages, trainer


def tensorboard_scalars(folder: Path, tag: str) -> list[tuple[int, float]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    values = []
    for events in sorted(folder.rglob("events.out.tfevents.*")):
        acc = EventAccumulator(str(events))
        acc.Reload()
        values += [(e.step, e.value) for e in acc.Scalars(tag)] if tag in acc.Tags()["scalars"] else []
    return values


def test_grpo_run_trains_stage_0_then_stage_1_and_resumes_mid_stage(tmp_path, rules, tiny_model_dir):
    by_id = {e.id: e for e in load_examples(TRAIN).examples}
    full, full_stages, trainer = run(tmp_path / "full", rules, tiny_model_dir)
    assert trainer.state.global_step == 3 and sorted(full) == [1, 2, 3]
    # 2 prompts per step, read in the order the curriculum wrote: step s trains rows 2(s-1), 2(s-1)+1
    rows = trainer.train_dataset["id"]
    assert full == {s: sorted(rows[2 * (s - 1):2 * s]) for s in (1, 2, 3)}
    assert all("plain" in by_id[i].query_type for i in full[1])
    assert all(set(HARD) & set(by_id[i].query_type) for s in (2, 3) for i in full[s])
    assert full_stages == {1: 0.0, 2: 1.0, 3: 1.0}
    assert tensorboard_scalars(tmp_path / "full", "train/curriculum/stage") == [(1, 0.0), (2, 1.0), (3, 1.0)]

    # Stopped after step 2 (one step into stage 1, checkpoint saved), then resumed in a fresh trainer.
    out = tmp_path / "resumed"
    first, _, stopped = run(out, rules, tiny_model_dir, stop_at=2, trainer_attached=False)
    assert stopped.state.global_step == 2 and (out / "checkpoint-2" / "trainer_state.json").is_file()
    rest, rest_stages, resumed = run(out, rules, tiny_model_dir, resume=str(out / "checkpoint-2"),
                                     trainer_attached=False)  # the on_log path: the log history still has it
    assert resumed.state.global_step == 3 and sorted(rest) == [3]
    assert {**first, **rest} == full  # the same prompts at every step as the uninterrupted run
    assert rest_stages[3] == 1.0
