"""Ready `ColumnMapping`s and loaders for two public relevance data sets, each joined from several files.

Amazon Shopping Queries, ESCI (https://github.com/amazon-science/esci-data; the files are in Git LFS):

    git lfs install && git clone https://github.com/amazon-science/esci-data.git
    >>> from rules.data.mappings import load_esci
    >>> d = "esci-data/shopping_queries_dataset/"
    >>> load_esci(d + "shopping_queries_dataset_examples.parquet", d + "shopping_queries_dataset_products.parquet",
    ...           locale="us", split="test", version="small", limit=2000)

  E/S/C/I -> 4/3/2/1 (`ESCI_LABELS`). Exact is our Excellent. A Substitute misses part of the query but can stand
  in for the item: Related. A Complement is used together with the item (a case for a phone query): Mismatch, as the
  bundled rule `accessory_for_product` judges an accessory. Irrelevant is Irrelevant. Facts: product_brand ->
  product.brand, product_color -> attributes["colour"], description and bullet points -> product.description.

Wayfair WANDS (https://github.com/wayfair/WANDS): three tab-separated files, named .csv, in `dataset/`:

    git clone https://github.com/wayfair/WANDS.git
    >>> from rules.data.mappings import load_wands
    >>> load_wands("WANDS/dataset", limit=2000)

  Exact/Partial/Irrelevant -> 4/3/1 (`WANDS_LABELS`). WANDS calls a product Partial when it is the thing the query
  asks for but misses some of the query's modifiers: our Related (3, "right product type, but a secondary need is
  unmet"). A missed modifier may be a core need (brand, material) that our rules call Mismatch (2), but WANDS does
  not say which; 3 also keeps WANDS' relevant set {Exact, Partial} equal to our Good tier {4, 3}. Irrelevant
  spans a neighbouring product (our 2) and an unrelated one (our 1); 1 is its literal reading. To re-map:
  `load_wands(d, mapping=WANDS.model_copy(update={"labels": {"Exact": 4, "Partial": 2, "Irrelevant": 1}}))`.
  Facts: `category hierarchy` (" / "-separated) -> product.category, product_features ("key:value|...") and
  product_class -> attributes, product_description -> product.description.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rules.data.column_mapping import ColumnMapping
from rules.data.joins import JoinedFile, joined_rows, left_join, read_frame, require_columns
from rules.data.loaders import LoadResult, collect
from rules.errors import one_of

if TYPE_CHECKING:
    import pandas as pd


# --- Amazon Shopping Queries (ESCI) -----------------------------------------------------------------------------

ESCI_LABELS = {"E": 4, "S": 3, "C": 2, "I": 1}
ESCI = ColumnMapping(
    id="example_id", query="query", label="esci_label", labels=ESCI_LABELS, product=None, title="product_title",
    category=None, brand="product_brand", price=None, description=["product_description", "product_bullet_point"],
    attributes=None, attribute_columns={"product_color": "colour"}, gold_steps=None, query_type=None, guide=None)
_ESCI_CHOICES = {"locale": ("us", "es", "jp"), "split": ("train", "test"), "version": ("small", "large")}


def load_esci(examples_path: str | Path, products_path: str | Path, *, locale: str | None = "us",
              split: str | None = "test", version: str | None = "small", limit: int | None = None,
              skip_bad: bool = False, mapping: ColumnMapping = ESCI) -> LoadResult:
    """ESCI's examples joined with its products (Parquet as published, or CSV); see the module docstring.

    `locale`, `split` and `version` filter the examples (None keeps all), `limit` keeps the first rows left.
    A problem in a product column is reported at its row of the products file.
    """
    for name, value in (("locale", locale), ("split", split), ("version", version)):
        if value is not None and value not in _ESCI_CHOICES[name]:
            raise ValueError(f"{name}={value!r}: {one_of(value, list(_ESCI_CHOICES[name]))}, or None for all")
    own = {mapping.id, mapping.query, mapping.label} - {None}
    keys = ["product_id", "product_locale"]
    filters = (["split"] if split else []) + ([f"{version}_version"] if version else [])
    examples = read_frame(examples_path)
    require_columns(examples, examples_path, [*own, *keys, *filters])
    keep = examples["product_locale"] == locale if locale else examples["product_locale"].notna()
    if split:
        keep &= examples["split"] == split
    if version:
        keep &= _numeric(examples[f"{version}_version"]) == 1
    examples = examples[keep].head(limit) if limit is not None else examples[keep]
    product_columns = sorted(mapping.columns() - own)
    products = read_frame(products_path, columns=[*keys, *product_columns])
    require_columns(products, products_path, [*keys, *product_columns])
    products = products[products["product_id"].isin(examples["product_id"])]  # only what the join needs
    merged = left_join(examples, products, keys, "product", products_path)
    fix = "use the products file of the same ESCI release (it has every product_id of every locale)"
    sides = [JoinedFile("product", str(products_path), "product_id", frozenset(product_columns), fix)]
    return collect(joined_rows(merged, sides), mapping, file=str(examples_path), fmt="esci", skip_bad=skip_bad,
                   used=mapping.columns() | {"query_id", "split", "small_version", "large_version", *keys})


def _numeric(column: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_numeric(column, errors="coerce")  # CSV gives "1", Parquet 1


# --- Wayfair WANDS --------------------------------------------------------------------------------------------------

WANDS_LABELS = {"Exact": 4, "Partial": 3, "Irrelevant": 1}
WANDS = ColumnMapping(
    id="id", query="query", label="label", labels=WANDS_LABELS, product=None, title="product_name",
    # " / " and not "/": names such as "Indoor/Outdoor Rugs" are one level
    category="category hierarchy", category_sep=" / ", brand=None, price=None, description=["product_description"],
    attributes=None, features="product_features", attribute_columns={"product_class": "class"}, gold_steps=None,
    query_type=None, guide=None)


def load_wands(folder: str | Path, *, limit: int | None = None, skip_bad: bool = False,
               mapping: ColumnMapping = WANDS) -> LoadResult:
    """WANDS' label.csv joined with query.csv and product.csv (tab-separated) in `folder`; see the module docstring.

    `limit` keeps the first rows of label.csv. A problem in a query or product column is reported at its row of
    query.csv or product.csv.
    """
    files = {name: Path(folder) / f"{name}.csv" for name in ("label", "query", "product")}
    for file in files.values():
        if not file.exists():
            raise FileNotFoundError(f"{file}: no such file; pass the dataset/ folder of "
                                    "`git clone https://github.com/wayfair/WANDS.git`")
    labels = read_frame(files["label"])
    require_columns(labels, files["label"], [c for c in (mapping.id, "query_id", "product_id", mapping.label) if c])
    labels = labels.head(limit) if limit is not None else labels
    queries = read_frame(files["query"])
    require_columns(queries, files["query"], ["query_id", mapping.query])
    product_columns = sorted(mapping.columns() - {mapping.id, mapping.query, mapping.label})
    products = read_frame(files["product"])
    require_columns(products, files["product"], ["product_id", *product_columns])
    merged = left_join(left_join(labels, queries, ["query_id"], "query", files["query"]),
                       products, ["product_id"], "product", files["product"])
    sides = [JoinedFile("query", str(files["query"]), "query_id", frozenset({mapping.query}), "add it to query.csv"),
             JoinedFile("product", str(files["product"]), "product_id", frozenset(product_columns),
                        "add it to product.csv")]
    return collect(joined_rows(merged, sides), mapping, file=str(files["label"]), fmt="wands", skip_bad=skip_bad,
                   used=mapping.columns() | {"query_id", "product_id"})
