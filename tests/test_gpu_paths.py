"""GPU code paths checked on CPU (issue 15, item 4): precision, generation under sharded engines, stop ids, vLLM refusal.

Nothing here needs a GPU: bf16 training is CPU autocast on fp32 weights (what `bf16: true` does on a GPU through
accelerate), and the distributed helpers run as one process, where TRL's `unwrap_model_for_generation` is the
identity.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from trainers.common.arguments import ShelfArguments
from trainers.common.model_setup import load_policy, policy_dtype

# The learning rates of the GPU recipes: GRPO/AGRL/SRPO 1e-6, DPO 5e-7, SFT 1e-5.
RECIPE_LRS = [1e-6, 5e-7, 1e-5]


def test_a_bf16_config_loads_fp32_master_weights():
    assert policy_dtype(SimpleNamespace(bf16=True)) == torch.float32
    model, _ = load_policy(ShelfArguments(model_name_or_path="models/tiny"), SimpleNamespace(bf16=True))
    assert {p.dtype for p in model.parameters()} == {torch.float32}


def _share_moved(model, lr: float, steps: int = 3) -> float:
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    ids = torch.randint(6, model.config.vocab_size, (4, 24), generator=torch.Generator().manual_seed(0))
    for _ in range(steps):
        with torch.autocast("cpu", dtype=torch.bfloat16):  # what bf16: true does on a GPU
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    moved = sum((p.detach() != b).sum().item() for p, b in zip(model.parameters(), before))
    return moved / sum(b.numel() for b in before)


@pytest.mark.parametrize("lr", RECIPE_LRS)
def test_an_update_at_the_recipes_learning_rates_moves_every_weight(lr):
    model, _ = load_policy(ShelfArguments(model_name_or_path="models/tiny"), SimpleNamespace(bf16=True))
    assert _share_moved(model, lr) == 1.0
    if lr < 1e-5:  # the bug this guards against: bf16 weights swallow such updates
        assert _share_moved(model.to(torch.bfloat16), lr) < 0.5


@pytest.mark.parametrize("name", ["grpo", "agrl", "srpo"])
def test_a_vllm_recipe_without_vllm_installed_stops_at_parse_time(monkeypatch, name):
    """On a CUDA machine without vLLM: one line before any model is loaded (as `dpo_sample --backend vllm` does)."""
    import importlib
    import importlib.util

    from trainers.common.recipe import RecipeError
    from trainers.grpo.cli import parse_method

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "vllm" else real_find_spec(n, *a))
    method = importlib.import_module(f"trainers.{name}").METHOD
    cpu = ["--bf16", "false", "--use_cpu", "true", "--activation_checkpointing", "false"]  # only vLLM is missing
    with pytest.raises(RecipeError, match=r"use_vllm: vLLM is not installed here.*--use_vllm false"):
        parse_method(method, ["--config", f"trainers/recipes/{name}_gpu.yaml", *cpu])
    parse_method(method, ["--config", f"trainers/recipes/{name}_gpu.yaml", *cpu, "--use_vllm", "false"])


def test_both_generators_stop_on_the_tokenizer_and_generation_config_eos_ids():
    from transformers import GenerationConfig

    from trainers.evaluation.generation import Generator, stop_token_ids

    tokenizer = SimpleNamespace(eos_token_id=1, pad_token_id=0)
    assert stop_token_ids(tokenizer, GenerationConfig(eos_token_id=[7, 1])) == [1, 7]
    assert stop_token_ids(tokenizer, GenerationConfig(eos_token_id=7)) == [1, 7]
    assert stop_token_ids(tokenizer, None) == [1]

    class Model(torch.nn.Module):  # stands in for a model whose chat turn ends with <|im_end|> (id 7), not EOS
        generation_config = GenerationConfig(eos_token_id=7)

        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def generate(self, input_ids, eos_token_id, **kwargs):
            self.stops = eos_token_id
            return torch.cat([input_ids, torch.tensor([[5, 7, 0], [5, 5, 5]])], dim=1)

    class Tok:
        eos_token_id, pad_token_id, padding_side = 1, 0, "left"

        def __call__(self, text, add_special_tokens=False):
            return {"input_ids": [3, 4]}

        def batch_decode(self, rows, skip_special_tokens=True):
            return [" ".join(map(str, r.tolist())) for r in rows]

    model = Model()
    gen = Generator(model, Tok(), batch_size=2, max_new_tokens=3)
    gen.generate(["a", "b"])
    assert model.stops == [1, 7]
    assert gen.last_truncated == [[False], [True]]  # the row that ended with id 7 stopped, it was not cut


def test_tiny_models_can_be_built_with_heads_vllm_accepts(tmp_path, capsys):
    from trainers.common.tiny_model import build_tiny_lm, main

    default, _ = build_tiny_lm(hidden=64)
    assert default.config.num_attention_heads == 4 and default.config.head_dim == 16  # the fast test models: unchanged
    model, _ = build_tiny_lm(hidden=64, head_dim=32)
    assert (model.config.num_attention_heads, model.config.num_key_value_heads, model.config.head_dim) == (2, 2, 32)
    model(input_ids=torch.tensor([[1, 2, 3]]))  # a working model
    with pytest.raises(ValueError, match="must divide hidden 64.*--head-dim 32"):
        build_tiny_lm(hidden=64, head_dim=48)
    main(["--out", str(tmp_path / "m"), "--head-dim", "32"])
    assert "head size 32 (vLLM can load it)" in capsys.readouterr().out


class _EchoGenerator:
    """Stands in for `Generator`: completion = prompt + '!'; counts its calls (each is a collective on ZeRO-3)."""

    def __init__(self):
        self.calls = []

    def generate(self, prompts, **kwargs):
        self.calls.append(list(prompts))
        self.last_truncated = [[p.startswith("cut")] for p in prompts]
        return [[p + "!"] for p in prompts]


@pytest.mark.parametrize("n", [0, 1, 5, 8])
def test_sharded_generation_gives_every_rank_all_rows_with_equal_calls(n):
    from trainers.common.distributed_generation import ShardedGenerator

    prompts = [f"cut{i}" if i % 3 == 0 else f"p{i}" for i in range(n)]
    world, inners = 3, [_EchoGenerator() for _ in range(3)]
    ranks = [ShardedGenerator(inner, SimpleNamespace(process_index=r, num_processes=world)) for r, inner in
             enumerate(inners)]
    pieces = [r.local(prompts) for r in ranks]  # what each rank computes ...
    gathered = [p for piece in pieces for p in piece]  # ... and what gather_object gives every rank
    for rank in ranks:
        rank.gather = lambda _: gathered
        assert rank.generate(prompts) == [[p + "!"] for p in prompts]
        assert rank.last_truncated == [[p.startswith("cut")] for p in prompts]
    sizes = {len(call) for inner in inners for call in inner.calls}
    assert len(sizes) <= 1, "every rank must generate the same number of prompts (padding), or ZeRO-3/FSDP hangs"


def test_the_eval_callback_generates_and_logs_on_every_rank_inside_unwrap(monkeypatch):
    import contextlib

    import trainers.common.eval_callback as ec

    entered, logged = [], []

    @contextlib.contextmanager
    def fake_generation_model(trainer):
        entered.append(trainer.accelerator.process_index)
        yield trainer.model

    monkeypatch.setattr(ec, "generation_model", fake_generation_model)
    monkeypatch.setattr(ec, "evaluate_model", lambda *a, **k: {"decoded": {"macro_f1": 0.5, "accuracy": 0.5,
                        "parse_failure_rate": 0.0, "per_class": {}}, "steps": {}})
    for rank in (0, 1):
        trainer = SimpleNamespace(accelerator=SimpleNamespace(process_index=rank, num_processes=2),
                                  model=torch.nn.Linear(1, 1), processing_class=None, log=logged.append,
                                  is_world_process_zero=lambda rank=rank: rank == 0)
        cb = ec.RelevanceEvalCallback(examples=["x"], rules=None)
        cb.trainer = trainer
        assert cb.run(0) == ({} if rank else {"eval/macro_f1": 0.5, "eval/accuracy": 0.5,
                                              "eval/parse_failure_rate": 0.0})
        assert len(cb.history) == (0 if rank else 1)  # the history and reports live on rank 0
    metrics = {"eval/macro_f1": 0.5, "eval/accuracy": 0.5, "eval/parse_failure_rate": 0.0}
    # every rank generates and calls log() (Trainer's convention; its writers write on rank 0 only)
    assert entered == [0, 1] and logged == [metrics, metrics]


def test_the_pass_at_n_selection_runs_after_the_trainer_through_its_model(tmp_path, monkeypatch):
    """Same records as the plain-model pass on one process, but sampled through the built trainer's model."""
    import contextlib

    import trainers.common.distributed_generation as dg
    from rules import compile_rules
    from trainers.common.model_setup import load_tokenizer
    from trainers.grpo import METHOD, RelevanceGRPOConfig
    from trainers.grpo.cli import build_trainer
    from trainers.grpo.selection import SelectionArguments, SelectionError, prepare_examples
    from trainers.common.data import training_examples

    rules = compile_rules("rules/catalog/ecommerce.yaml")
    shelf = ShelfArguments(model_name_or_path="models/tiny", max_train_samples=3, eval_data=None, balance="natural")
    selection = SelectionArguments(pass_rate_samples=2, pass_rate_max_new_tokens=8)
    config = RelevanceGRPOConfig(output_dir=str(tmp_path / "trainer"), max_steps=1, per_device_train_batch_size=4,
                                 num_generations=4, max_completion_length=400, use_cpu=True, bf16=False,
                                 activation_checkpointing=False, report_to=[], seed=0)
    entered = []
    real = dg.generation_model

    @contextlib.contextmanager
    def recording(trainer):
        entered.append(trainer)
        with real(trainer) as model:
            yield model

    monkeypatch.setattr(dg, "generation_model", recording)
    with pytest.raises(SelectionError, match="all_wrong 3"):  # an untrained policy: every rollout is wrong
        build_trainer(METHOD, shelf, config, rules, selection)
    assert len(entered) == 1 and hasattr(entered[0], "accelerator")  # through the built trainer
    model, tokenizer = load_policy(shelf, config)
    plain = SimpleNamespace(output_dir=str(tmp_path / "plain"), seed=0, device="cpu", process_index=0, world_size=1,
                            resume_from_checkpoint=None)
    with pytest.raises(SelectionError):
        prepare_examples(shelf, plain, selection, rules, training_examples(shelf, rules, seed=0), model,
                         load_tokenizer("models/tiny"))
    assert (tmp_path / "trainer" / "pass_rates.jsonl").read_text() == (tmp_path / "plain" / "pass_rates.jsonl").read_text()


def test_the_pass_at_n_selection_goes_through_trls_colocated_vllm_engine(tmp_path, monkeypatch):
    """With use_vllm (colocate) the pass is one batched `LLM.generate` call of all prompts, N samples each, on the
    engine TRL built (a stand-in with vLLM's interface here); server mode keeps transformers generation."""
    from rules import compile_rules
    from rules.data import load_examples
    from tests.vllm_standin import StandInLLM, install
    from trainers.common.sampling import load_records
    from trainers.grpo import METHOD, RelevanceGRPOConfig
    from trainers.grpo.cli import build_trainer
    from trainers.grpo.selection import SelectionArguments, SelectionError, prepare_examples

    install(monkeypatch)
    rules = compile_rules("rules/catalog/ecommerce.yaml")
    shelf = ShelfArguments(model_name_or_path="models/tiny", max_train_samples=3, eval_data=None, balance="natural")
    config = RelevanceGRPOConfig(output_dir=str(tmp_path), max_steps=1, per_device_train_batch_size=4,
                                 num_generations=4, max_completion_length=400, use_cpu=True, bf16=False,
                                 activation_checkpointing=False, report_to=[], seed=0)
    trainer, _ = build_trainer(METHOD, shelf, config, rules)
    llm = StandInLLM(trainer.model, trainer.processing_class)
    trainer.use_vllm, trainer.vllm_generation = True, SimpleNamespace(llm=llm)  # what TRL's use_vllm builds
    config.use_vllm = True
    examples = load_examples("data/synthetic/train.jsonl").examples[:3]
    selection = SelectionArguments(pass_rate_samples=3, pass_rate_max_new_tokens=6)
    with pytest.raises(SelectionError, match="all_wrong 3"):  # an untrained policy: every rollout is wrong
        prepare_examples(shelf, config, selection, rules, examples, None, trainer.processing_class, trainer=trainer)
    assert len(llm.calls) == 1  # batched across prompts
    requests, params = llm.calls[0]
    assert len(requests) == 3 and params.n == 3 and params.max_tokens == 6 and params.temperature == 1.0
    assert params.stop_token_ids == [trainer.processing_class.eos_token_id]
    records = load_records(tmp_path / "pass_rates.jsonl")
    assert [r.id for r in records] == [e.id for e in examples] and all(len(r.completions) == 3 for r in records)

    config.vllm_mode = "server"  # the engine is another process: the transformers pass
    (tmp_path / "pass_rates.jsonl").unlink()
    with pytest.raises(SelectionError):
        prepare_examples(shelf, config, selection, rules, examples, None, trainer.processing_class, trainer=trainer)
    assert len(llm.calls) == 1
