"""SRPO: λ = 0 is GRPO, hand-made step advantages, training steps on parseable CoTs, recipes (trainers/srpo/trainer.py).

Parseable completions from an untrained tiny model: TRL's `rollout_func` hands back gold CoTs of the data set
(the row's own, then other rows' with other labels and step verdicts), so rewards, step scores and the token
alignment are the real ones; only the sampling is replaced.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
from datasets import Dataset
from trl import GRPOConfig, GRPOTrainer

from rewards import RuleAwareReward, StepScore
from rules import compile_rules
from rules.data.loaders import load_examples, to_dataset
from trainers.common.arguments import ShelfArguments
from trainers.grpo.curriculum import CurriculumArguments
from trainers.common.recipe import RecipeError, parse_recipe
from trainers.grpo.selection import SelectionArguments
from trainers.srpo import SRPOConfig, SRPOTrainer, main
from trainers.srpo.step_advantages import StepValue, normalise_steps, token_step_term
from trainers.common.tiny_model import build_tiny_lm

ROOT = Path(__file__).resolve().parent.parent
RULES = compile_rules(ROOT / "rules" / "catalog" / "ecommerce.yaml")
EXAMPLES = load_examples(ROOT / "data" / "synthetic" / "train.jsonl").examples[:16]
# Short prompts keep the tests fast; the columns (label, gold_steps, ...) are the real ones.
DATASET = to_dataset(EXAMPLES[:4], RULES).map(lambda row: {"prompt": f"Query: {row['query']}\n"})
COMMON = dict(use_cpu=True, bf16=False, activation_checkpointing=False, per_device_train_batch_size=8,
              num_generations=4, learning_rate=1e-2, logging_steps=1, report_to=[], save_strategy="no", seed=0,
              max_steps=2)


@pytest.fixture(scope="module")
def tiny():
    return build_tiny_lm([e.guide for e in EXAMPLES])


def guide_rollouts(trainer_tokenizer):
    """rollout_func: for the k-th completion of a prompt, the gold CoT of row (row + 3k): mixed right and wrong."""
    index = {row["prompt"]: i for i, row in enumerate(DATASET)}

    def rollout(prompts, trainer):
        tok = trainer.processing_class
        seen: dict[str, int] = {}
        prompt_ids, completion_ids = [], []
        for p in prompts:
            k = seen[p] = seen.get(p, -1) + 1
            guide = EXAMPLES[(index[p] + 3 * k) % len(EXAMPLES)].guide
            prompt_ids.append(tok(p, add_special_tokens=False)["input_ids"])
            completion_ids.append(tok(guide, add_special_tokens=False)["input_ids"] + [tok.eos_token_id])
        return {"prompt_ids": prompt_ids, "completion_ids": completion_ids, "logprobs": None}

    return rollout


def length_reward(completions, **_):
    """A second reward that varies even when every sampled completion is malformed (for non-zero gradients)."""
    return [len(c) / 50.0 for c in completions]


def _train(cls, config_cls, tiny, folder, rollout=False, **extra):
    model, tokenizer = tiny
    args = config_cls(output_dir=str(folder / cls.__name__), **COMMON, **extra)
    kwargs = {"rollout_func": guide_rollouts(tokenizer)} if rollout else {}
    rewards = [RuleAwareReward(RULES)] + ([] if rollout else [length_reward])
    trainer = cls(model=copy.deepcopy(model), reward_funcs=rewards, args=args, train_dataset=DATASET,
                  processing_class=tokenizer, **kwargs)
    trainer.train()
    losses = [e["loss"] for e in trainer.state.log_history if "loss" in e]
    return trainer, losses


def _same_parameters(a, b) -> bool:
    """Trainers (or models) with bit-identical parameters."""
    a, b = getattr(a, "model", a), getattr(b, "model", b)
    return all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))


GUIDED = dict(max_completion_length=400, zero_variance_groups="zero_weight")


@pytest.fixture(scope="module")
def grpo_guided(tiny, tmp_path_factory):
    """Plain trl.GRPOTrainer on the gold-CoT rollouts: the reference for λ = 0 and for λ > 0."""
    return _train(GRPOTrainer, GRPOConfig, tiny, tmp_path_factory.mktemp("grpo"), rollout=True,
                  max_completion_length=400)


# ---------------------------------------------------------------------------------------------- (a) λ = 0 is GRPO


def test_step_coef_zero_is_grpo_when_sampling(tiny, tmp_path):
    """Sampled completions (malformed: no step terms), so this checks the (B, T) plumbing and the RNG stream."""
    grpo, grpo_losses = _train(GRPOTrainer, GRPOConfig, tiny, tmp_path, max_completion_length=12)
    srpo, srpo_losses = _train(SRPOTrainer, SRPOConfig, tiny, tmp_path, step_coef=0.0,
                               zero_variance_groups="zero_weight", max_completion_length=12)
    assert len(grpo_losses) == 2 and srpo_losses == grpo_losses
    assert _same_parameters(grpo, srpo) and not _same_parameters(grpo, tiny[0])  # identical, and trained


def test_step_coef_zero_is_grpo_with_step_scores(tiny, tmp_path, grpo_guided):
    """Parseable completions: the step term is computed (and logged), multiplied by 0, and changes nothing."""
    grpo, grpo_losses = grpo_guided
    srpo, srpo_losses = _train(SRPOTrainer, SRPOConfig, tiny, tmp_path, rollout=True, step_coef=0.0, **GUIDED)
    assert len(grpo_losses) == 2 and srpo_losses == grpo_losses
    assert _same_parameters(grpo, srpo) and not _same_parameters(grpo, tiny[0])
    fracs = [e["srpo/step_token_frac"] for e in srpo.state.log_history if "srpo/step_token_frac" in e]
    assert fracs and min(fracs) > 0


# ------------------------------------------------------------------------------------- (b) hand-made advantages

# One group of four: steps a = [2, 5) and b = [6, 9) of each text; completion 3 did not parse (no steps).
GROUP = [
    [StepValue("a", 2, 5, 1.0, True), StepValue("b", 6, 9, -1.0, True)],  # right a, first error at b
    [StepValue("a", 2, 5, 1.0, False), StepValue("b", 6, 9, 1.0, False)],  # all right, nothing critical
    [StepValue("a", 2, 5, -1.0, True), StepValue("b", 6, 9, 1.0, False)],  # first error at a
    [],
]
STARTS = [0, 2, 4, 5, 6, 8, 9, None]  # label, a, a, gap, b, b, after, special token
HI, LO = (2 / 3) / (12 / 9) ** 0.5, -(4 / 3) / (12 / 9) ** 0.5  # per step: values {1, 1, -1}, sample std

EXPECTED = {
    "critical": [[0, HI, HI, 0, LO, LO, 0, 0], [0] * 8, [0, LO, LO, 0, 0, 0, 0, 0], [0] * 8],
    "all": [[0, HI, HI, 0, LO, LO, 0, 0], [0, HI, HI, 0, HI, HI, 0, 0], [0, LO, LO, 0, HI, HI, 0, 0], [0] * 8],
    # a token gets its step's value plus the later steps'; the label token (before every step) gets the sum
    "process": [[HI + LO] * 3 + [LO] * 3 + [0, 0], [2 * HI] * 3 + [HI] * 3 + [0, 0],
                [LO + HI] * 3 + [HI] * 3 + [0, 0], [0] * 8],
}


@pytest.mark.parametrize("mode", list(EXPECTED))
def test_hand_made_step_terms(mode):
    norm = normalise_steps(GROUP, group=4, scale="group")
    got = [token_step_term(STARTS, steps, values, mode) for steps, values in zip(GROUP, norm)]
    assert torch.allclose(torch.tensor(got), torch.tensor(EXPECTED[mode], dtype=torch.float32), atol=1e-3)


def test_normalisation_is_per_group_and_step_and_skips_what_cannot_compare():
    other = [[StepValue("a", 0, 1, 1.0, True)], [StepValue("a", 0, 1, 1.0, True)],  # all alike: 0
             [StepValue("a", 0, 1, None, True)], [StepValue("b", 0, 1, -1.0, True)]]  # unscored; alone: 0
    norm = normalise_steps(GROUP + other, group=4, scale="none")
    assert norm[0] == pytest.approx([2 / 3, -4 / 3]) and norm[4:] == [[0.0], [0.0], [None], [0.0]]
    with pytest.raises(ValueError, match="groups of 4"):
        normalise_steps(GROUP[:3], group=4)


class FixedVerifier:
    """A step source with hand-set scores for the i-th completion of the batch (spans from the real parse)."""

    def __init__(self, scores):
        self.scores, self.seen = scores, []
        self.counts = {}

    def step_scores(self, completions, **columns):
        self.seen.append(list(completions))
        out = []
        for text, marks in zip(completions, self.scores):
            cot = RULES.parse(text)
            out.append([StepScore(s.id, s.start, s.end, s.verdict, score, "fixed", "hand-set", crit)
                        for s, (score, crit) in zip(cot.steps, marks)])
        return out


def test_adjust_scored_batch_builds_the_token_advantages(tiny, tmp_path):
    model, tokenizer = tiny
    guides = [EXAMPLES[i].guide for i in range(4)]
    marks = [[(1.0, False)] * 7, [(1.0, False)] * 6 + [(-1.0, True)], [(-1.0, True)] + [(1.0, False)] * 6,
             [(1.0, False)] * 7]
    verifier = FixedVerifier(marks)
    args = SRPOConfig(output_dir=str(tmp_path), **COMMON, step_coef=0.5, critical_steps="all", max_completion_length=400)
    trainer = SRPOTrainer(model=copy.deepcopy(model), reward_funcs=[RuleAwareReward(RULES)], args=args,
                          train_dataset=DATASET, processing_class=tokenizer, step_verifier=verifier)
    rows = [tokenizer(g, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id] for g in guides]
    width = max(map(len, rows)) + 3
    ids = torch.tensor([r + [tokenizer.pad_token_id] * (width - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    outcome = torch.tensor([1.0, -1.0, 0.5, -0.5])
    out = trainer.adjust_scored_batch([{"prompt": "p"}] * 4, {"completion_ids": ids, "completion_mask": mask,
                                                               "advantages": outcome.clone()})
    assert verifier.seen == [guides]  # the texts TRL's reward saw: specials and padding skipped
    # Steps 0..5 are right in all four (no variance: 0); the verdict (6) is wrong only in completion 1, the
    # query step (0) only in completion 2: values {1, 1, 1, -1} -> -1.5 / 1 and 0.5 / 1 (sample std 1).
    expected = outcome.unsqueeze(1).repeat(1, width)
    for i, guide in enumerate(guides):
        cot = RULES.parse(guide)
        offset = 0
        for t, token in enumerate(rows[i][:-1]):
            piece = tokenizer.decode([token])
            step = next((k for k, s in enumerate(cot.steps) if s.start <= offset < s.end), None)
            z = {(1, 6): -1.5, (2, 0): -1.5}.get((i, step), 0.5 if step in (0, 6) else 0.0)
            expected[i, t] += 0.5 * (z / (1 + 1e-4)) if step is not None else 0.0
            offset += len(piece)
    assert out["advantages"].shape == (4, width)
    assert torch.allclose(out["advantages"], expected, atol=1e-4)
    logged = {k: v[-1] for k, v in trainer._metrics["train"].items() if k.startswith("srpo/")}
    assert logged["srpo/unparsed_frac"] == 0 and logged["srpo/critical_steps"] == 0.5
    assert 0 < logged["srpo/step_token_frac"] < 1 and logged["srpo/step_adv_abs_max"] == pytest.approx(0.75, 1e-3)
    # The one group has step terms: the zero-variance filter must keep it even if its outcome rewards were flat.
    assert trainer.group_signal.tolist() == [True]


def test_a_failing_verifier_leaves_outcome_advantages(tiny, tmp_path):
    class Broken:
        def step_scores(self, completions, **columns):
            raise RuntimeError("judge server down")

    model, tokenizer = tiny
    args = SRPOConfig(output_dir=str(tmp_path), **COMMON, max_completion_length=400)
    trainer = SRPOTrainer(model=copy.deepcopy(model), reward_funcs=[RuleAwareReward(RULES)], args=args,
                          train_dataset=DATASET, processing_class=tokenizer, step_verifier=Broken())
    ids = torch.tensor([[5, 6, 7]] * 4)
    out = trainer.adjust_scored_batch([{"prompt": "p"}] * 4, {"completion_ids": ids, "completion_mask": torch.ones(4, 3),
                                                               "advantages": torch.tensor([1.0, 0.0, -1.0, 0.0])})
    assert torch.equal(out["advantages"], torch.tensor([[1.0] * 3, [0.0] * 3, [-1.0] * 3, [0.0] * 3]))


# ------------------------------------------------------------------------- (c) training on parseable completions


class SpySRPO(SRPOTrainer):
    """Records what TRL's reward saw and what SRPO decoded, to check they are the same texts."""

    reward_texts: list = []
    step_texts: list = []

    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        self.reward_texts.append(list(completions))
        return super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)

    def _step_values(self, inputs, texts):
        self.step_texts.append(list(texts))
        return super()._step_values(inputs, texts)


@pytest.mark.parametrize("mode", ["critical", "process"])
def test_srpo_trains_on_parseable_completions(tiny, tmp_path, grpo_guided, mode):
    trainer, losses = _train(SpySRPO, SRPOConfig, tiny, tmp_path, rollout=True, step_coef=0.5, critical_steps=mode,
                             **GUIDED)
    assert trainer.state.global_step == 2 and all(torch.isfinite(torch.tensor(losses)))
    assert not _same_parameters(trainer, tiny[0])  # parameters changed ...
    assert losses != grpo_guided[1] and not _same_parameters(trainer, grpo_guided[0])  # ... unlike GRPO's
    assert trainer.step_texts and trainer.step_texts == trainer.reward_texts  # decoded as TRL did for the reward
    logs = {k: v for e in trainer.state.log_history for k, v in e.items() if k.startswith("srpo/")}
    assert logs["srpo/source_facts"] > 0 and logs["srpo/unparsed_frac"] == 0
    assert logs["srpo/step_token_frac"] > 0 and logs["srpo/step_adv_abs_max"] > 0
    if mode == "critical":
        assert logs["srpo/critical_steps"] > 0


# ------------------------------------------------------------------------------------------------- (d) recipes

TYPES = [ShelfArguments, SRPOConfig, SelectionArguments, CurriculumArguments]


def test_cpu_recipe_parses():
    shelf, config, *_ = parse_recipe(TYPES, ["--config", "trainers/recipes/srpo_cpu.yaml"])
    assert isinstance(config, SRPOConfig) and config.step_sources == "facts" and config.critical_steps == "critical"
    assert shelf.rules == "ecommerce" and config.use_cpu


def test_gpu_recipe_parses_with_cpu_overrides():
    # bf16 and vLLM need a GPU; every key must still be known and every value valid.
    _, config, *_ = parse_recipe(TYPES, ["--config", "trainers/recipes/srpo_gpu.yaml", "--bf16", "false",
                                         "--use_vllm", "false", "--activation_checkpointing", "false"])
    assert config.step_sources.startswith("judge:http") and config.step_judge_model == "judge"


@pytest.mark.parametrize("line,message", [
    ("step_coeff: 0.5", r":2: unknown key 'step_coeff'; did you mean 'step_coef'"),
    ("step_sources: jduge:http://x", r"unknown source 'jduge'"),
    ("step_sources: judge", r"'judge' needs an argument"),
    ("critical_steps: first", r"critical_steps: unknown value 'first'"),
    ("step_coef: -1", r"step_coef: must be a finite number >= 0"),
])
def test_bad_recipes_fail_clearly(tmp_path, line, message):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text(f"output_dir: {tmp_path}\n{line}\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=message):
        parse_recipe(TYPES, ["--config", str(recipe)])


def test_cli_reports_a_misspelled_key_in_one_line(tmp_path, capsys):
    from trainers.common.recipe import run_cli

    recipe = tmp_path / "bad.yaml"
    recipe.write_text("step_coeff: 0.5\n", encoding="utf-8")
    assert run_cli(main, ["--config", str(recipe)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean 'step_coef'" in err[0]


def test_missing_annotation_database_is_an_error_before_training(tiny, tmp_path):
    model, tokenizer = tiny
    args = SRPOConfig(output_dir=str(tmp_path), **COMMON, step_sources=f"human:{tmp_path}/none.db,facts")
    with pytest.raises(RecipeError, match="human"):
        SRPOTrainer(model=model, reward_funcs=[RuleAwareReward(RULES)], args=args, train_dataset=DATASET,
                    processing_class=tokenizer)


def test_spans_that_do_not_fit_the_text_drop_the_step_terms(tiny, tmp_path):
    class Custom:  # completion 0: overlapping spans; 1: a span past the end; 2 and 3: valid, opposite scores
        def step_scores(self, completions, **columns):
            assert completions == ["abcdefghij"] * 4
            return [[StepScore("a", 0, 3, "x", 1.0, "f", "", True), StepScore("b", 2, 5, "x", -1.0, "f", "", True)],
                    [StepScore("a", 0, 99, "x", 1.0, "f", "", True)],
                    [StepScore("a", 0, 10, "x", 1.0, "f", "", True)], [StepScore("a", 0, 10, "x", -1.0, "f", "", True)]]

    model, tokenizer = tiny
    args = SRPOConfig(output_dir=str(tmp_path), **COMMON, critical_steps="all")
    trainer = SRPOTrainer(model=copy.deepcopy(model), reward_funcs=[RuleAwareReward(RULES)], args=args,
                          train_dataset=DATASET, processing_class=tokenizer, step_verifier=Custom())
    ids = torch.tensor([tokenizer.encode("abcdefghij", add_special_tokens=False)] * 4)
    outcome = torch.tensor([1.0, 0.0, -1.0, 0.0])
    out = trainer.adjust_scored_batch([{"prompt": "p"}] * 4, {"completion_ids": ids, "completion_mask": torch.ones_like(ids),
                                                               "advantages": outcome.clone()})
    step = 0.5 * (1 / 2 ** 0.5) / (1 + 1e-4 / 2 ** 0.5)  # λ · (±1 - 0) / (sample std √2 + 1e-4)
    expected = outcome.unsqueeze(1) + torch.tensor([[0.0], [0.0], [step], [-step]])
    assert torch.allclose(out["advantages"], expected.expand_as(out["advantages"]), atol=1e-5)
