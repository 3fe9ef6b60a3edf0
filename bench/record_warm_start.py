"""Record what the shipped warm start scores, for tests/test_warm_start.py (run after rebuilding it).

    python bench/record_warm_start.py          # writes data/warm_start/sft_mini/scores.json

Greedy decoding of the first 40 balanced eval rows of data/synthetic_mini with the miniature's prompt and CoT
format (trainers/recipes/sft_mini_cpu.yaml): the predicted label of each row and the macro-F1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WARM_START = ROOT / "data" / "warm_start" / "sft_mini"
ROWS = 40


def greedy_predictions(model_dir: str | Path, shelf, rows: int | None) -> tuple[list[int], list[int | None], object]:
    """Gold labels and greedy predictions of `model_dir` on the first `rows` of `shelf`'s eval set, asked with its
    prompt and CoT format; and the compiled rules. Shared with bench/demo_seeds.py."""
    from trainers.common.data import load_rule_set, load_split, prompts_of
    from trainers.evaluation import parts
    from trainers.evaluation.generation import Generator
    from trainers.evaluation.lm import load_model

    rules = load_rule_set(shelf)
    examples = load_split(shelf.eval_data, rules, shelf, rows)
    model, tokenizer = load_model(str(model_dir), "cpu")
    completions = Generator(model, tokenizer, batch_size=20, max_new_tokens=shelf.eval_max_new_tokens).generate(
        prompts_of(examples, rules, shelf.chat), samples=1, temperature=0.0)
    records = parts.records([c[0] for c in completions], examples, rules)
    return [e.label for e in examples], [r.pred_label for r in records], rules


def score(model_dir: Path = WARM_START, rows: int = ROWS) -> dict:
    import torch

    from trainers.common.arguments import ShelfArguments
    from trainers.common.recipe import parse_recipe
    from trainers.evaluation import parts
    from trainers.sft import RelevanceSFTConfig

    torch.set_num_threads(2)
    shelf = parse_recipe([ShelfArguments, RelevanceSFTConfig],
                         ["--config", str(ROOT / "trainers" / "recipes" / "sft_mini_cpu.yaml")])[0]
    gold, pred, rules = greedy_predictions(model_dir, shelf, rows)
    report = parts.classes(gold, pred, rules)
    return {"rows": rows, "predictions": pred, "macro_f1": report["macro_f1"],
            "parse_failure_rate": report["parse_failure_rate"]}


if __name__ == "__main__":
    result = score()
    (WARM_START / "scores.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"macro_f1={result['macro_f1']:.4f} parse_failure_rate={result['parse_failure_rate']:.4f} rows={ROWS}")
