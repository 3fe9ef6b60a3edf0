"""Build a tiny causal LM and its tokenizer locally (no model hub), for CPU demos and tests.

    python -m trainers.tiny_model --out models/tiny          # ~1 MB, seconds on a CPU

A byte-level BPE trained on the bundled rule catalog (and any extra text files given with --text), and a
2-layer Llama. Llama, not Qwen2: Qwen2's tokenizer class override changes token ids in transformers 5. The
folder loads with `AutoModelForCausalLM.from_pretrained` / `AutoTokenizer.from_pretrained` like any checkpoint.
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


def build_tiny_lm(texts: list[str] | None = None, seed: int = 0, hidden: int = 64, layers: int = 2,
                  vocab_size: int = 1024) -> tuple[LlamaForCausalLM, PreTrainedTokenizerFast]:
    corpus = [p.read_text(encoding="utf-8") for p in sorted(CATALOG.glob("*.yaml"))] + list(texts or [])
    tokenizer = build_tokenizer(corpus, vocab_size)
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden,
                         num_hidden_layers=layers, num_attention_heads=max(4, hidden // 64),
                         num_key_value_heads=max(4, hidden // 64),
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
    args = parser.parse_args(argv)
    texts = [Path(p).read_text(encoding="utf-8") for p in args.text]
    model, tokenizer = build_tiny_lm(texts, args.seed, args.hidden, args.layers)
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.out}: {params / 1e6:.2f}M parameters, vocabulary {len(tokenizer)}")
