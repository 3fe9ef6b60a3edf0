"""A deterministic synthetic relevance benchmark, hard in the papers' ways (negation, affordable alternatives,
Q&A and knowledge queries, near-miss categories, accessories), labelled by a rule set's own decision rules.

    python -m rules.data generate --out data/synthetic --train 2000 --eval 400 --seed 0
    python -m rules.data show data/synthetic/eval_wild.jsonl -n 20 --shuffle 1

    >>> from rules.data.synth import generate, write_splits
    >>> splits = generate(train=600, eval_size=200, seed=0)   # {"train", "eval_balanced", "eval_wild"} -> [Example]

Modules: `vocab` (what values mean), `catalog` + `tables_*` (categories, brands, models, needs), `facts` (query and
product facts, listings), `queries` (query kinds), `pairs` (pairing scenarios), `judge` (gold verdicts and
reasons), `examples` (labels by the rule set, guides, stratified splits), `stats` (files and counts), `audit` (table
checks, facts against model names and device kinds included).
"""

from rules.data.synth.audit import catalog_problems, category_problems
from rules.data.synth.catalog import CATEGORIES
from rules.data.synth.examples import LABEL_MIX, generate, make_example
from rules.data.synth.stats import format_table, split_stats, write_splits

__all__ = ["CATEGORIES", "LABEL_MIX", "catalog_problems", "category_problems", "format_table", "generate",
           "make_example", "split_stats", "write_splits"]
