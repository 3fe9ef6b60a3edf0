"""The miniature profile's search (issue 16, item 1): SFT settings of a from-scratch model on 2 CPU cores.

    python bench/mini_profile.py                                   # every setting below, one after the other
    python bench/mini_profile.py --settings terse_compact_h128 --eval-limit 400
    python bench/mini_profile.py --table                           # the table of what is recorded so far

Each setting builds its own tiny Llama and tokenizer (seeded; the tokenizer learns the training file's text),
runs SFT (`trainers.sft.build_sft_trainer`, so exactly the code of `python -m trainers.sft`) with an evaluation
of `--curve-limit` balanced rows every `eval_every` steps (the curve: macro-F1 against SFT minutes, evaluation
time taken out), then evaluates the final model greedily on `--eval-limit` rows of the balanced eval set.
Results are appended to `bench/results/mini_profile/results.jsonl` as each setting ends (rerun-safe: a setting already
recorded with the same fields is skipped unless --force), with the load average beside each timing, since the
machine is shared; the table is printed at the end and written to `results.md`.

Data: `data/synthetic_mini` (8,000 training rows, 400 balanced and 400 in-the-wild eval rows), generated on first
use with seed 0 (`trainers.common.generated_data`); a setting uses the first `rows` training rows.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from rules import ParseError  # noqa: E402

from trainers.common.arguments import ShelfArguments  # noqa: E402
from trainers.common.data import bundled_path, load_rule_set, load_split  # noqa: E402
from trainers.common.eval_callback import evaluate_model, flat_metrics  # noqa: E402
from trainers.sft import RelevanceSFTConfig, build_sft_trainer  # noqa: E402

DATA = "data/synthetic_mini"
OUT = ROOT / "bench" / "results" / "mini_profile"  # results (committed); models and runs under MODELS
MODELS = ROOT / "bench_out" / "mini_profile"


@dataclass(frozen=True)
class Setting:
    hidden: int = 128
    layers: int = 4
    vocab: int = 1024
    cot: str = "terse"  # cot_style
    prompt: str = "compact"  # prompt_style
    rows: int = 4000  # training rows (first N of data/synthetic_mini/train.jsonl)
    epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    lr: float = 3e-3
    batch: int = 16
    scheduler: str = "cosine"
    warmup: float = 0.05  # warmup ratio
    eval_every: int = 0  # curve points (0: a fifth of the run)
    heads: int = 0  # 0: the tiny model's default (max(4, hidden // 64))
    balance: str = "natural"  # or class (trainers.common.arguments.BALANCE)
    data: str = DATA  # a folder of the generator's splits (the eval sets do not depend on the training size)


# The settings tried, in the order they were run (the report's table keeps this order).
SETTINGS = {
    # screening: 4,000 rows, one epoch, batch 16 (250 steps), 96 eval rows
    "terse_bare_h128_v4k": Setting(prompt="bare", vocab=4096),
    "terse_compact_h128_v4k": Setting(vocab=4096),
    "terse_compact_h128": Setting(),
    "terse_compact_h256_v4k": Setting(hidden=256, vocab=4096),
    # the screens above all stayed on the prior plateau (loss ~0.11 per token = the verdicts' label-mix entropy):
    # more updates (batch 8) at two learning rates, a full epoch of 8,000 rows
    "bare_v4k_b8_lr1e-3": Setting(prompt="bare", vocab=4096, rows=8000, batch=8, lr=1e-3, eval_every=200),
    "bare_v4k_b8_lr3e-3": Setting(prompt="bare", vocab=4096, rows=8000, batch=8, lr=3e-3, eval_every=200),
    # lr 1e-3 leaves the plateau near step 400, 3e-3 does not (stopped at step ~800, still at 0.108): width, length
    "bare_v4k_h256_b8_lr1e-3": Setting(hidden=256, prompt="bare", vocab=4096, rows=8000, batch=8, lr=1e-3,
                                       eval_every=200),
    "bare_v4k_b8_lr1e-3_2ep": Setting(prompt="bare", vocab=4096, rows=8000, epochs=2, batch=8, lr=1e-3,
                                      eval_every=250),
    # h256 (2.9M) left the plateau a little earlier in steps but ran 2-3x slower per step (stopped at step 630:
    # loss 0.084 against 0.06 for h128 at the same wall time). The profile: h128, 4,000 steps, class-balanced rows
    # (trainers/recipes/sft_mini_cpu.yaml)
    "mini_profile": Setting(prompt="bare", vocab=4096, rows=8000, batch=8, lr=1e-3, max_steps=4000, warmup=0.03,
                            balance="class", eval_every=500),
    # the vocabulary at the learning rate that learns (same as bare_v4k_b8_lr1e-3 otherwise)
    "bare_v1k_b8_lr1e-3": Setting(prompt="bare", vocab=1024, rows=8000, batch=8, lr=1e-3, eval_every=200),
    "bare_v8k_b8_lr1e-3": Setting(prompt="bare", vocab=8192, rows=8000, batch=8, lr=1e-3, eval_every=200),
    # the profile's step time with 2 threads (120 steps), when the shared machine was quieter
    "mini_profile_steptime_2t": Setting(prompt="bare", vocab=4096, rows=8000, batch=8, lr=1e-3, max_steps=120,
                                        warmup=0.03, balance="class", eval_every=1000),
    # step time only (20 steps): the prose CoT and full prompt, on the same model
    "full_full_h128_v4k": Setting(cot="full", prompt="full", vocab=4096, max_steps=20),
    # second round (quiet machine, two settings at once with one thread each): the profile with the prompt
    # lower-cased (its tokenizer learns the lower-cased text too), then also 4x the training rows
    # (`python -m rules.data generate --out data/synthetic_mini32k --train 32000 --eval 400 --seed 0`)
    "uncased": Setting(prompt="uncased", vocab=4096, rows=8000, batch=8, lr=1e-3, max_steps=4000, warmup=0.03,
                       balance="class", eval_every=500),
    "uncased_32k": Setting(prompt="uncased", vocab=4096, rows=32000, batch=8, lr=1e-3, max_steps=4000, warmup=0.03,
                           balance="class", eval_every=500, data="data/synthetic_mini32k"),
}


def model_dir(s: Setting) -> Path:
    return MODELS / "models" / (f"h{s.hidden}_l{s.layers}_v{s.vocab}" + (f"_a{s.heads}" if s.heads else "")
                                + ("_uncased" if s.prompt == "uncased" else ""))


def build_model(s: Setting, train_file: str) -> Path:
    """The setting's from-scratch model (seed 0), built once per size and vocabulary."""
    from trainers.common.tiny_model import build_tiny_lm

    path = model_dir(s)
    if not (path / "config.json").is_file():
        text = Path(train_file).read_text(encoding="utf-8")  # an uncased prompt's words are the lower-cased text's
        model, tok = build_tiny_lm([text, text.lower()] if s.prompt == "uncased" else [text], 0, s.hidden, s.layers,
                                   s.vocab)
        if s.heads:  # rebuild with the asked head count (build_tiny_lm derives it from the width)
            from transformers import LlamaConfig, LlamaForCausalLM
            cfg = LlamaConfig(**{**model.config.to_dict(), "num_attention_heads": s.heads,
                                 "num_key_value_heads": s.heads})
            torch.manual_seed(0)
            model = LlamaForCausalLM(cfg)
        model.save_pretrained(path)
        tok.save_pretrained(path)
    return path


def seq_lengths(rows, tokenizer, n: int = 200) -> dict:
    """Median prompt and completion tokens of the first n training rows."""
    rows = rows[:n]
    return {"prompt_tokens": statistics.median(len(tokenizer(r["prompt"])["input_ids"]) for r in rows),
            "completion_tokens": statistics.median(len(tokenizer(r["completion"])["input_ids"]) for r in rows)}


def build_rows(shelf: ShelfArguments):
    from trainers.common.data import training_examples
    from trainers.sft.rows import policy_rows

    rules = load_rule_set(shelf)
    return policy_rows(training_examples(shelf, rules)[:200], rules).rows


def run(name: str, s: Setting, eval_limit: int, curve_limit: int, wild: bool) -> dict:
    train_file = bundled_path(f"{DATA}/train.jsonl")  # the tokenizer's text: the profile's 8,000 rows
    path = build_model(s, train_file)
    steps = s.max_steps if s.max_steps > 0 else int(s.epochs * s.rows / s.batch)
    shelf = ShelfArguments(model_name_or_path=str(path), train_data=bundled_path(f"{s.data}/train.jsonl"),
                           eval_data=f"{DATA}/eval_balanced.jsonl", eval_limit=curve_limit,
                           eval_every=s.eval_every or max(steps // 5, 1), eval_max_new_tokens=400 if s.cot == "full"
                           else 96, max_train_samples=s.rows, cot_style=s.cot, prompt_style=s.prompt,
                           balance=s.balance)
    config = RelevanceSFTConfig(
        output_dir=str(MODELS / "runs" / name), use_cpu=True, bf16=False, activation_checkpointing=False,
        max_length=1024, num_train_epochs=s.epochs, max_steps=s.max_steps, learning_rate=s.lr,
        lr_scheduler_type=s.scheduler, warmup_steps=max(int(s.warmup * steps), 1), per_device_train_batch_size=s.batch,
        logging_steps=max(steps // 20, 1), save_strategy="no", report_to=[], seed=0, dataloader_num_workers=0)
    trainer, callback = build_sft_trainer(shelf, config)
    lengths = seq_lengths(list(build_rows(shelf)), trainer.processing_class)
    load_before = os.getloadavg()[0]
    out = trainer.train()
    sft_s = out.metrics["train_runtime"] - callback.seconds
    load_after = os.getloadavg()[0]
    rules = load_rule_set(shelf)
    model = trainer.model
    result = {"setting": name, **asdict(s), "params": sum(p.numel() for p in model.parameters()),
              "steps": trainer.state.global_step, **lengths, "sft_minutes": sft_s / 60,
              "s_per_step": sft_s / max(trainer.state.global_step, 1), "load_avg": [load_before, load_after],
              "threads": torch.get_num_threads(),
              "curve": [{"step": h["step"], "sft_minutes": h["step"] * sft_s / 60 / max(trainer.state.global_step, 1),
                         "macro_f1": h.get("eval/macro_f1"), "parse_failure_rate": h.get("eval/parse_failure_rate")}
                        for h in callback.history]}
    for split, on in (("balanced", True), ("wild", wild)):
        if not on:
            continue
        examples = load_split(f"{DATA}/eval_{split}.jsonl", rules, shelf, eval_limit)
        started = time.perf_counter()
        report = evaluate_model(model, trainer.processing_class, examples, rules, False, shelf.eval_max_new_tokens)
        flat = flat_metrics(report)
        result[split] = {"n": len(examples), "eval_seconds": time.perf_counter() - started,
                         **{k.removeprefix("eval/"): v for k, v in flat.items()},
                         "samples": [(x["gold"], x["completion"]) for x in report["samples"][:4]]}
    trainer.save_model(str(MODELS / "runs" / name))  # a few MB; bench_out/ is not committed
    trainer.processing_class.save_pretrained(str(MODELS / "runs" / name))
    return result


def analyse(name: str, limit: int) -> dict:
    """Where a trained setting's errors are: the label line against the label its own step verdicts imply.

    Label-first, the label token comes before any step, so the model must decide it "in one forward pass"; the
    verdicts after it can be right while it is wrong. `own_decision` applies the rule set to the completion's own
    verdicts (what a think-first reading of the same completion would conclude)."""
    from trainers.evaluation.parts import classes
    from trainers.evaluation.generation import Generator
    from trainers.evaluation.lm import load_model
    from trainers.common.data import prompts_of

    s = SETTINGS[name] if name in SETTINGS else Setting()
    shelf = ShelfArguments(cot_style=s.cot, prompt_style=s.prompt)
    rules = load_rule_set(shelf)
    examples = load_split(f"{DATA}/eval_balanced.jsonl", rules, shelf, limit)
    model, tokenizer = load_model(str(MODELS / "runs" / name))
    texts = [c[0] for c in Generator(model, tokenizer, 16, 96).generate(prompts_of(examples, rules, False))]
    gold = [e.label for e in examples]
    line = [rules.read_label(t) for t in texts]
    own, steps = [], {}
    for t, e in zip(texts, examples):
        cot = rules.parse(t)
        verdicts = None if isinstance(cot, ParseError) else cot.verdicts
        decision = rules.try_decide(verdicts) if verdicts else None
        own.append(decision.label if decision else None)
        for step, verdict in e.gold_steps.items():
            if step != rules.ruleset.output.conclusion_step:
                steps.setdefault(step, []).append(bool(verdicts) and verdicts.get(step) == verdict)
    return {"setting": name, "n": len(examples),
            "label_line_macro_f1": classes(gold, line, rules)["macro_f1"],
            "own_decision_macro_f1": classes(gold, own, rules)["macro_f1"],
            "own_decision_accuracy": classes(gold, own, rules)["accuracy"],
            "step_accuracy": {k: sum(v) / len(v) for k, v in steps.items()}}


def table(rows: list[dict]) -> str:
    head = ("| setting | params | prompt / CoT tokens | steps | SFT min | s/step | load | macro-F1 | acc | parse fail "
            "| F1 4 / 3 / 2 / 1 | n |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        b = r.get("balanced", {})
        f1 = " / ".join(f"{b.get(f'f1_{k}', 0):.2f}" for k in (4, 3, 2, 1)) if b else "-"
        lines.append(f"| {r['setting']} | {r['params'] / 1e6:.2f}M | {r['prompt_tokens']:.0f} / "
                     f"{r['completion_tokens']:.0f} | {r['steps']} | {r['sft_minutes']:.1f} | {r['s_per_step']:.2f} | "
                     f"{r['load_avg'][0]:.1f}-{r['load_avg'][1]:.1f} | {b.get('macro_f1', float('nan')):.3f} | "
                     f"{b.get('accuracy', float('nan')):.3f} | {100 * b.get('parse_failure_rate', float('nan')):.1f}% "
                     f"| {f1} | {b.get('n', 0)} |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--settings", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    p.add_argument("--eval-limit", type=int, default=96, help="final evaluation: first N balanced rows")
    p.add_argument("--curve-limit", type=int, default=48, help="rows of the evaluations during training")
    p.add_argument("--wild", action="store_true", help="also evaluate the in-the-wild split at the end")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--force", action="store_true", help="rerun settings already recorded")
    p.add_argument("--table", action="store_true", help="only print the recorded table")
    p.add_argument("--analyse", metavar="SETTING", help="label line against the label of the model's own verdicts, "
                   "per-step verdict accuracy, for a setting already run (its model is in bench_out/mini_profile/runs)")
    p.add_argument("--tag", default="", help="suffix of the recorded setting name (repeats, other eval sizes)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.WARNING)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.analyse:
        found = analyse(args.analyse, args.eval_limit)
        with (OUT / "analysis.jsonl").open("a") as f:
            f.write(json.dumps(found) + "\n")
        print(json.dumps(found, indent=1))
        return 0
    results = OUT / "results.jsonl"
    done = [json.loads(x) for x in results.read_text().splitlines()] if results.is_file() else []
    if not args.table:
        for name in args.settings:
            key = name + args.tag
            if not args.force and any(r["setting"] == key for r in done):
                continue
            result = run(key, SETTINGS[name], args.eval_limit, args.curve_limit, args.wild)
            with results.open("a") as f:
                f.write(json.dumps(result) + "\n")
            done.append(result)
            print(table([result]).splitlines()[-1], flush=True)
    text = table(done)
    (OUT / "results.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
