"""Relevance data: the example schema, prompts, loaders for JSONL/Parquet/CSV/`datasets` folders (with ESCI and
WANDS mappings), and the synthetic benchmark generator (`python -m rules.data generate`)."""

from rules.data.example import QUERY_TYPES, Example, Product
from rules.data.prompt import build_prompt, describe_product

__all__ = ["QUERY_TYPES", "Example", "Product", "build_prompt", "describe_product"]
