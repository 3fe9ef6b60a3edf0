"""Relevance data: the example schema, prompts, loaders for JSONL/Parquet/CSV/`datasets` folders (with ESCI and
WANDS mappings), and the synthetic benchmark generator (`python -m rules.data generate`)."""

from rules.data.example import QUERY_TYPES, Example, Product
from rules.data.prompt import build_prompt, describe_product

__all__ = ["QUERY_TYPES", "Example", "Product", "build_prompt", "describe_product"]
from rules.data.loaders import DataError, LoadResult, RowProblem, load_examples, save_examples, to_dataset  # noqa: E402
from rules.data.mappings import ESCI, ESCI_LABELS, WANDS, WANDS_LABELS, ColumnMapping, load_esci, load_wands  # noqa: E402

__all__ += ["ESCI", "ESCI_LABELS", "WANDS", "WANDS_LABELS", "ColumnMapping", "DataError", "LoadResult", "RowProblem",
            "load_esci", "load_examples", "load_wands", "save_examples", "to_dataset"]
