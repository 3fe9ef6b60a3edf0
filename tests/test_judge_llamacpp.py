"""End to end through a REAL server that returns logprobs: llama-cpp-python's OpenAI-compatible server, on the CPU.

    pip install -e ".[llamacpp]"           # llama-cpp-python[server] (a C++ build, minutes) and gguf
    python -m pytest tests/test_judge_llamacpp.py -q

`transformers serve` ignores `logprobs` (tests/test_judge_serve.py); this is the logprob path: the tiny Llama of
trainers.tiny_model written as GGUF (with the `gguf` package, no llama.cpp checkout) and served by
`python -m llama_cpp.server`. A GBNF grammar (llama.cpp's `grammar` request field, sent through `extra_body`) makes
the random model follow the judge's answer format, so every step is scored P(correct) from the log-probabilities.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

from rules import compile_rules
from trainers.common.tiny_model import build_tiny_lm
from verifiers.judge import OpenAIBackend, StepJudge
from verifiers.judge.base import Completion, TokenLogprob
from verifiers.judge.prompt import answer_steps

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("gguf") is None,
                       reason='needs `pip install -e ".[llamacpp]"` (llama-cpp-python[server] and gguf): '
                              "the only CPU server here that returns logprobs"),
]

RULES = compile_rules("rules/catalog/ecommerce.yaml")
STEPS = answer_steps(RULES)
ROWS = [json.loads(line) for line in open("data/synthetic/eval_balanced.jsonl", encoding="utf-8")][:4]


def write_gguf(model, tokenizer, path) -> None:
    """trainers.tiny_model's Llama as GGUF, as llama.cpp's convert_hf_to_gguf.py writes it (f32)."""
    import gguf

    cfg = model.config
    n_head, n_kv = cfg.num_attention_heads, cfg.num_key_value_heads
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // n_head
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_kv)
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(float((getattr(cfg, "rope_parameters", None) or {}).get("rope_theta", 10000.0)))
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    w.add_vocab_size(len(tokenizer))
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    # A byte-level BPE with GPT-2's split regex: llama.cpp's "gpt2" tokenizer with the "gpt-2" pre-tokenizer (the
    # converter cannot tell by its hash and refuses; it is the same split).
    vocab = tokenizer.get_vocab()
    tokens = sorted(vocab, key=vocab.get)
    special = {t.content for t in tokenizer.added_tokens_decoder.values()}
    merges = json.loads(tokenizer.backend_tokenizer.to_str())["model"]["merges"]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types([gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in tokens])
    w.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in merges])
    w.add_bos_token_id(tokenizer.bos_token_id)
    w.add_eos_token_id(tokenizer.eos_token_id)
    w.add_pad_token_id(tokenizer.pad_token_id)
    w.add_chat_template(tokenizer.chat_template)

    def rope_permute(t, heads):  # HF's rotate-half q/k rows -> GGML's interleaved pairs
        return t.reshape(heads, 2, t.shape[0] // heads // 2, *t.shape[1:]).swapaxes(1, 2).reshape(t.shape)

    sd = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    w.add_tensor("token_embd.weight", sd["model.embed_tokens.weight"])
    w.add_tensor("output_norm.weight", sd["model.norm.weight"])
    if not cfg.tie_word_embeddings:
        w.add_tensor("output.weight", sd["lm_head.weight"])
    names = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
             "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm"}
    for i in range(cfg.num_hidden_layers):
        for hf, gg in names.items():
            t = sd[f"model.layers.{i}.{hf}.weight"]
            t = rope_permute(t, n_head) if gg == "attn_q" else rope_permute(t, n_kv) if gg == "attn_k" else t
            w.add_tensor(f"blk.{i}.{gg}.weight", np.ascontiguousarray(t, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """base URL of `python -m llama_cpp.server` with the tiny model on 127.0.0.1; stopped by its PID at the end."""
    folder = tmp_path_factory.mktemp("tiny_gguf")
    model, tokenizer = build_tiny_lm(seed=1)
    write_gguf(model, tokenizer, folder / "tiny.gguf")
    port = free_port()
    log = open(folder / "server.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(folder / "tiny.gguf"),
                             "--model_alias", "tiny", "--host", "127.0.0.1", "--port", str(port),
                             "--n_ctx", "4096", "--n_threads", str(min(4, os.cpu_count() or 1))],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"llama_cpp.server did not come up (exit {proc.poll()}):\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def answer_grammar(steps) -> str:
    """GBNF for `[step] correct|incorrect: reason` lines, one per step: what parse_answer accepts."""
    lines = ' "\\n" '.join(f'"[{s}] " decision ": " reason' for s in steps)
    return f'root ::= {lines}\ndecision ::= "correct" | "incorrect"\nreason ::= [a-z]{{2,8}}\n'


def test_raw_chat_completion_has_per_token_logprobs(server):
    body = {"model": "tiny", "messages": [{"role": "user", "content": "Is a harness a collar?"}],
            "max_tokens": 8, "temperature": 0, "logprobs": True, "top_logprobs": 5}
    request = urllib.request.Request(server + "/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        data = json.load(response)
    content = data["choices"][0]["logprobs"]["content"]
    assert content and all({"token", "logprob", "top_logprobs"} <= set(t) for t in content)
    assert all(len(t["top_logprobs"]) == 5 and t["logprob"] <= 0 for t in content)


def test_backend_returns_token_logprobs(server):
    backend = OpenAIBackend(server, model="tiny", max_tokens=8, timeout=60.0)
    [done] = backend.complete_batch([[{"role": "user", "content": "Is a harness a collar?"}]])
    assert isinstance(done, Completion) and done.tokens
    assert all(isinstance(t, TokenLogprob) and len(t.top) == 5 for t in done.tokens)
    assert "".join(t.token for t in done.tokens) == done.text  # decision_probability lines tokens up with text
    assert backend.counters["no_logprobs"] == 0


def test_step_judge_scores_from_logprobs(server):
    backend = OpenAIBackend(server, model="tiny", max_tokens=160, timeout=120.0, concurrency=2,
                            extra_body={"grammar": answer_grammar(STEPS)})
    judge = StepJudge(RULES, backend)
    results = judge.score_batch([r["query"] for r in ROWS], [r["product"] for r in ROWS], [r["guide"] for r in ROWS])
    assert [len(r) for r in results] == [len(STEPS)] * len(ROWS)
    for steps in results:
        for s in steps:
            assert s.score is not None and 0.0 <= s.score <= 1.0, s.reason
            assert "from logprobs" in s.reason, s.reason
    stats = judge.stats()
    assert stats["no_logprobs"] == stats["fallbacks"] == stats["unparseable"] == stats["failures"] == 0, stats
    assert stats["steps_scored"] == len(ROWS) * len(STEPS)
