"""Evaluation and label-first deployment scoring, used with or without training.

    python -m trainers.evaluate --model runs/srpo_cpu --data data/synthetic/eval_balanced.jsonl

- `cli`: the evaluator command (decoded CoTs + CumPT; report.json, report.md, figures);
- `parts`: the parts of an evaluation (gold checks, decoded metrics, pass@k, CumPT metrics);
- `metrics`: per-class F1, macro-F1, rule adherence, hallucination rate, pass@k (numpy only);
- `report`: the report as Markdown; `figures`: PNG figures and training curves;
- `cumpt`: cumulative-probability tiering (TaoSR1) and its calibration;
- `label_scoring`: prefill-only scoring of the label tokens (transformers or vLLM);
- `generation`: batched generation (transformers or vLLM); `lm`: loading a model and its tokenizer.

This room imports only `rules`, `rewards` and `verifiers`, never the trainers.
"""
