"""Build a tiny causal LM and its tokenizer locally (no model hub), for CPU demos and tests.

    python -m trainers.tiny_model --out models/tiny          # ~1 MB, seconds on a CPU

A byte-level BPE trained on the bundled rule catalog (and any extra text files given with --text), and a
2-layer Llama. Llama, not Qwen2: Qwen2's tokenizer class override changes token ids in transformers 5. The
folder loads with `AutoModelForCausalLM.from_pretrained` / `AutoTokenizer.from_pretrained` like any checkpoint.

The default tiny models have 4 heads of size 16 (fast CPU tests). vLLM's FlashAttention backend supports head
sizes 32-256 only, so a model meant for a vLLM path (GPU recipes, `--backend vllm`, `vllm serve`) needs
`--head-dim 32` or more:

    python -m trainers.tiny_model --out models/tiny_vllm --head-dim 32   # 2 heads of 32: vLLM can load it
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

CATALOG = Path(__file__).resolve().parents[2] / "rules" / "catalog"
SPECIAL = ["<pad>", "<eos>", "<bos>", "<|user|>", "<|assistant|>", "<|system|>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<eos>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def build_tokenizer(texts: list[str], vocab_size: int = 1024) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>")
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


VLLM_HEAD_DIMS = (32, 256)  # head sizes vLLM's FlashAttention backend supports


def attention_heads(hidden: int, head_dim: int | None = None) -> int:
    """Heads of a tiny model: max(4, hidden // 64) by default (head size 16 at hidden 64), hidden // head_dim if given."""
    if head_dim is None:
        return max(4, hidden // 64)
    if head_dim < 1 or hidden % head_dim:
        raise ValueError(f"head_dim {head_dim} must divide hidden {hidden}; for vLLM pick a size in "
                         f"{VLLM_HEAD_DIMS[0]}-{VLLM_HEAD_DIMS[1]} that divides it (e.g. --head-dim 32)")
    return hidden // head_dim


def build_tiny_lm(texts: list[str] | None = None, seed: int = 0, hidden: int = 64, layers: int = 2,
                  vocab_size: int = 1024, head_dim: int | None = None) -> tuple[LlamaForCausalLM, PreTrainedTokenizerFast]:
    """The model and tokenizer; `head_dim` >= 32 for models that vLLM must load (the default gives 16 at hidden 64)."""
    corpus = [p.read_text(encoding="utf-8") for p in sorted(CATALOG.glob("*.yaml"))] + list(texts or [])
    tokenizer = build_tokenizer(corpus, vocab_size)
    torch.manual_seed(seed)
    heads = attention_heads(hidden, head_dim)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
                         head_dim=hidden // heads,
                         max_position_embeddings=4096, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id,
                         tie_word_embeddings=True)
    return LlamaForCausalLM(config), tokenizer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m trainers.tiny_model", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder to write the model and tokenizer to")
    parser.add_argument("--text", nargs="*", default=[], help="extra text/JSONL files for the tokenizer")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--head-dim", type=int, default=None, help="attention head size (default: 4 heads, 16 at "
                        "hidden 64); vLLM's FlashAttention needs 32-256, so use 32 or more for vLLM paths")
    args = parser.parse_args(argv)
    texts = [Path(p).read_text(encoding="utf-8") for p in args.text]
    try:
        model, tokenizer = build_tiny_lm(texts, args.seed, args.hidden, args.layers, head_dim=args.head_dim)
    except ValueError as err:
        parser.error(str(err))
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)
    params = sum(p.numel() for p in model.parameters())
    head = model.config.head_dim
    vllm = "vLLM can load it" if VLLM_HEAD_DIMS[0] <= head <= VLLM_HEAD_DIMS[1] else \
        f"vLLM cannot load it (FlashAttention needs head size {VLLM_HEAD_DIMS[0]}-{VLLM_HEAD_DIMS[1]}: --head-dim 32)"
    print(f"wrote {args.out}: {params / 1e6:.2f}M parameters, vocabulary {len(tokenizer)}, head size {head} ({vllm})")
