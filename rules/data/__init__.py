"""Relevance data: the example schema, prompts, loaders for JSONL/Parquet/CSV/`datasets` folders (with ESCI and
WANDS mappings), and the synthetic benchmark generator (`python -m rules.data generate`)."""

from rules.data.column_mapping import ColumnMapping
from rules.data.errors import DataError, RowProblem
from rules.data.example import QUERY_TYPES, Example, Product
from rules.data.loaders import LoadResult, load_examples, save_examples, to_dataset
from rules.data.mappings import ESCI, ESCI_LABELS, WANDS, WANDS_LABELS, load_esci, load_wands
from rules.data.prompt import build_prompt, describe_product

__all__ = ["ESCI", "ESCI_LABELS", "QUERY_TYPES", "WANDS", "WANDS_LABELS", "ColumnMapping", "DataError", "Example",
           "LoadResult", "Product", "RowProblem", "build_prompt", "describe_product", "load_esci", "load_examples",
           "load_wands", "save_examples", "to_dataset"]
