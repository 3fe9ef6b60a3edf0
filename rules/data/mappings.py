"""How a row's columns become an `Example` (`ColumnMapping`), and ready loaders for two public data sets.

Our own layout needs no mapping (`load_examples("train.jsonl")`); a foreign one names its columns:

    >>> from rules.data import ColumnMapping, load_examples
    >>> mapping = ColumnMapping(id="pair_id", query="search_term", title="item_name", category="breadcrumb",
    ...                         category_sep="/", label="grade", labels={"good": 4, "ok": 3, "bad": 1},
    ...                         brand="maker", attribute_columns={"color": "colour"}, description=["bullets"])
    >>> load_examples("judgements.csv", mapping=mapping)

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

import json
import math
import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rules.data.example import Example, Product
from rules.data.loaders import BadRow, DataError, Issue, LoadResult, RawRow, RowProblem, collect, read_frame, \
    require_columns
from rules.errors import one_of

if TYPE_CHECKING:
    import pandas as pd

_MISSING_FIX = "every example needs one; fill it in or drop the row"
# Fields a layout may lack: absent columns are fine for the defaults, an error when named explicitly.
_OPTIONAL = ("product", "category", "brand", "price", "description", "attributes", "attribute_columns", "features",
             "gold_steps", "query_type", "guide")


class ColumnMapping(BaseModel):
    """Which source column gives each field of an `Example`; None where a layout has no such column.

    The defaults read our own layout: a nested `product` mapping (JSONL, Parquet, `datasets`) or flat columns
    (`title`, `category` as "A > B", `attributes` as a JSON object: what `save_examples` writes to CSV).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field("id", description="None: ids are `<file stem>-<row>`.")
    query: str = "query"
    label: str = "label"
    labels: dict[str, int] | None = Field(None, description="Raw label -> label id (ESCI_LABELS); None: integers.")
    product: str | None = Field("product", description="A column holding the whole product as a mapping.")
    title: str = "title"
    category: str | None = "category"
    category_sep: str = Field(" > ", min_length=1, description="Between the levels of a category given as text.")
    brand: str | None = "brand"
    price: str | None = "price"
    description: list[str] = Field(default_factory=lambda: ["description"], description="Free-text fact columns.")
    attributes: str | None = Field("attributes", description="A column holding a mapping (or a JSON object).")
    attribute_columns: dict[str, str] = Field(default_factory=dict, description="Column -> attribute name.")
    features: str | None = Field(None, description='A column of "key:value" items (WANDS product_features).')
    features_sep: str = Field("|", min_length=1)
    features_kv_sep: str = Field(":", min_length=1)
    gold_steps: str | None = "gold_steps"
    query_type: str | None = "query_type"
    query_type_sep: str = Field("|", min_length=1)
    guide: str | None = "guide"

    def columns(self) -> set[str]:
        """Every source column this mapping reads."""
        single = (self.id, self.query, self.label, self.product, self.title, self.category, self.brand, self.price,
                  self.attributes, self.features, self.gold_steps, self.query_type, self.guide)
        return {c for c in single if c} | set(self.description) | set(self.attribute_columns)

    def missing_columns(self, columns: list[str]) -> list[tuple[str, str]]:
        """(field, column) for each needed column the file lacks: required ones and optional ones named here."""
        have = set(columns)
        out = [(f, getattr(self, f)) for f in ("id", "query", "label") if getattr(self, f) not in have | {None}]
        if self.title not in have and (self.product is None or self.product not in have):
            out.append(("title", self.title))
        for name in (f for f in _OPTIONAL if f in self.model_fields_set):
            named = getattr(self, name)
            out += [(name, c) for c in ([named] if isinstance(named, str) else named or ()) if c not in have]
        return out

    def to_example(self, raw: dict[str, Any], default_id: str = "") -> Example:
        """One raw row (column -> value) as an Example; raises `BadRow` naming each bad column."""
        issues: list[Issue] = []
        # Nested unless the row gives flat columns instead (our CSV); with neither, the product is what is missing.
        nested = self.product is not None and (not _missing(raw.get(self.product)) or self.title not in raw)
        data = {
            "id": self._required(raw, self.id, issues) if self.id else default_id,
            "query": self._required(raw, self.query, issues),
            "label": _label(raw.get(self.label), self.label, self.labels, issues),
            "product": self._nested(raw.get(self.product), issues) if nested else self._flat(raw, issues),
            "gold_steps": _text_mapping(raw.get(self.gold_steps), self.gold_steps, issues) or None
            if self.gold_steps else None,
            "query_type": _split(raw.get(self.query_type), self.query_type_sep) if self.query_type else [],
            "guide": None if not self.guide or _missing(raw.get(self.guide)) else str(raw[self.guide]),
        }
        if issues:
            raise BadRow(issues)
        try:
            return Example.model_validate(data)
        except ValidationError as err:
            raise BadRow([self._schema_issue(e, nested) for e in err.errors()]) from None

    def _required(self, raw: dict, column: str, issues: list[Issue]) -> str | None:
        if _missing(raw.get(column)):
            issues.append(Issue(column, "missing or empty", None, _MISSING_FIX))
            return None
        return _text(raw[column])

    def _flat(self, raw: dict, issues: list[Issue]) -> dict[str, Any]:
        attributes: dict[str, str] = {}
        given = _text_mapping(raw.get(self.attributes), self.attributes, issues) if self.attributes else {}
        pairs = list(given.items())
        pairs += self._features(raw.get(self.features), issues) if self.features else []
        pairs += [(name, _text(raw[c])) for c, name in self.attribute_columns.items() if not _missing(raw.get(c))]
        for key, value in pairs:
            _add(attributes, key, value)
        texts = [_text(raw[c]) for c in self.description if not _missing(raw.get(c))]
        return {"title": self._required(raw, self.title, issues),
                "category": _split(raw.get(self.category), self.category_sep) if self.category else [],
                "brand": None if not self.brand or _missing(raw.get(self.brand)) else _text(raw[self.brand]),
                "attributes": attributes,
                "price": _price(raw.get(self.price), self.price, issues) if self.price else None,
                "description": "\n".join(texts) or None}

    def _nested(self, value: Any, issues: list[Issue]) -> dict[str, Any] | None:
        column = self.product or "product"
        value = _json(value) if isinstance(value, str) else value  # a CSV cell holds JSON
        if _missing(value):
            issues.append(Issue(column, "missing or empty", None, _MISSING_FIX))
            return None
        if not isinstance(value, dict):
            issues.append(Issue(column, "not a mapping", value, 'write an object: {"title": ..., "category": [...]}'))
            return None
        product = {k: v for k, v in value.items() if not _missing(v)}  # Parquet/`datasets` structs fill in None
        product["attributes"] = _text_mapping(value.get("attributes"), f"{column}.attributes", issues)
        if "price" in product:
            product["price"] = _price(product["price"], f"{column}.price", issues)
        if isinstance(product.get("category"), str):
            product["category"] = _split(product["category"], self.category_sep)
        return product

    def _features(self, value: Any, issues: list[Issue]) -> list[tuple[str, str]]:
        pairs = []
        for item in ([] if _missing(value) else str(value).split(self.features_sep)):
            key, sep, text = item.partition(self.features_kv_sep)
            if not item.strip() or (sep and not text.strip()):
                continue  # an empty item or an empty value states no fact
            if not sep or not key.strip():
                fix = f"write items as key{self.features_kv_sep}value separated by {self.features_sep!r}"
                issues.append(Issue(str(self.features), "not a key:value item", item.strip(), fix))
                continue
            pairs.append((key.strip(), text.strip()))
        return pairs

    def _schema_issue(self, error: dict, nested: bool) -> Issue:
        """A pydantic error of the assembled Example, named by the source column it came from."""
        loc, kind = error["loc"], error["type"]
        if loc[0] == "product" and len(loc) > 1:
            inner = ".".join(str(p) for p in loc[1:])
            flat = getattr(self, str(loc[1]), None) if loc[1] in ("title", "brand", "price") else None
            column = f"{self.product}.{inner}" if nested else flat or f"product.{inner}"
        else:
            column = str(getattr(self, str(loc[0]), None) or loc[0])
        if kind == "extra_forbidden":
            fields = ", ".join(Product.model_fields)
            return Issue(column, "unknown field", None, f"put it under attributes, or use one of: {fields}")
        if kind == "missing":
            return Issue(column, "missing", None, "add it")
        got = error.get("input")
        fix = "write a number" if kind.startswith(("float", "int", "greater")) else \
            "see rules/data/example.py for the expected shape"
        msg = error["msg"]
        return Issue(column, msg[0].lower() + msg[1:], None if isinstance(got, (dict, list)) else got, fix)


def _missing(value: Any) -> bool:
    """None, NaN (pandas' missing), pandas' NA, or blank text: no value."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))  # ids and codes that pandas read as floats (a column with gaps) stay "17"
    return str(value).strip()


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _label(value: Any, column: str, labels: dict[str, int] | None, issues: list[Issue]) -> int | None:
    if _missing(value):
        issues.append(Issue(column, "missing or empty", None, _MISSING_FIX))
    elif labels is not None:
        if _text(value) in labels:
            return labels[_text(value)]
        issues.append(Issue(column, "unknown label", value, f"{one_of(_text(value), list(labels))} "
                                                            "(or add it to ColumnMapping.labels)"))
    elif not isinstance(value, bool) and _text(value).lstrip("-").isdigit():
        return int(_text(value))
    else:
        issues.append(Issue(column, "not an integer label", value,
                            "write a label id such as 4, or translate text labels with ColumnMapping(labels={...})"))
    return None


def _price(value: Any, column: str, issues: list[Issue]) -> float | None:
    if _missing(value):
        return None
    try:
        price = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        price = math.nan
    if math.isfinite(price) and price >= 0:
        return price
    issues.append(Issue(column, "not a price", value,
                        "write a plain number >= 0 such as 12.99 (no currency sign), or leave it empty"))
    return None


def _text_mapping(value: Any, column: str, issues: list[Issue]) -> dict[str, str]:
    """A dict, a JSON object, or a Parquet map's (key, value) pairs, as text -> text."""
    if _missing(value):
        return {}
    found = _json(value) if isinstance(value, str) else value
    if isinstance(found, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in found):
        found = dict(found)
    if not isinstance(found, dict):
        issues.append(Issue(column, "not a mapping", value, 'write a JSON object such as {"colour": "red"}'))
        return {}
    out = {}
    for key, item in found.items():
        if isinstance(item, (dict, list)):
            issues.append(Issue(f"{column}.{key}", "not a text value", item, "write each value as text"))
        elif not _missing(item):  # a struct column gives every row every key: None where a row has none
            out[str(key)] = _text(item)
    return out


def _split(value: Any, sep: str) -> list[str]:
    if _missing(value):
        return []
    parts = value if isinstance(value, (list, tuple)) else str(value).split(sep)
    return [_text(p) for p in parts if not _missing(p)]


def _add(attributes: dict[str, str], key: str, value: str) -> None:
    """Add a fact; a key given twice (WANDS repeats feature keys) keeps both values."""
    if key in attributes and value not in attributes[key].split(", "):
        attributes[key] += f", {value}"
    else:
        attributes.setdefault(key, value)


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
    merged = _join(examples, products, keys, "product", products_path)
    fix = "use the products file of the same ESCI release (it has every product_id of every locale)"
    sides = [_Side("product", str(products_path), "product_id", frozenset(product_columns), fix)]
    return collect(_joined_rows(merged, sides), mapping, file=str(examples_path), fmt="esci", skip_bad=skip_bad,
                   used=mapping.columns() | {"query_id", "split", "small_version", "large_version", *keys})


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
    merged = _join(_join(labels, queries, ["query_id"], "query", files["query"]),
                   products, ["product_id"], "product", files["product"])
    sides = [_Side("query", str(files["query"]), "query_id", frozenset({mapping.query}), "add it to query.csv"),
             _Side("product", str(files["product"]), "product_id", frozenset(product_columns),
                   "add it to product.csv")]
    return collect(_joined_rows(merged, sides), mapping, file=str(files["label"]), fmt="wands", skip_bad=skip_bad,
                   used=mapping.columns() | {"query_id", "product_id"})


# --- Joins ------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Side:
    """A file joined onto the main one: its problems are reported there, and a key it lacks is a bad row."""

    name: str
    file: str
    key: str
    columns: frozenset[str]
    fix: str


def _numeric(column: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_numeric(column, errors="coerce")  # CSV gives "1", Parquet 1


def _join(left: pd.DataFrame, right: pd.DataFrame, on: list[str], name: str, file: str | Path) -> pd.DataFrame:
    """Left join; `right`'s `_row`/`_line` become `_row_<name>`/`_line_<name>` (NaN where nothing matched)."""
    twice = right[right.duplicated(on, keep=False)]
    if len(twice):
        first = twice.iloc[0]
        raise DataError([RowProblem(str(file), int(first["_line"]), on[0], f"duplicate {' + '.join(on)}",
                                    first[on[0]], "keep one row per key", row=int(first["_row"]))])
    return left.merge(right.rename(columns={"_row": f"_row_{name}", "_line": f"_line_{name}"}), on=on, how="left")


def _joined_rows(merged: pd.DataFrame, sides: list[_Side]) -> Iterator[RawRow]:
    for start in range(0, len(merged), 10_000):  # dicts in slices: a whole ESCI split as dicts is gigabytes
        for r in merged.iloc[start:start + 10_000].to_dict("records"):
            issue, origins = None, {}
            for side in sides:
                if _missing(r[f"_row_{side.name}"]):
                    message = f"not found in {Path(side.file).name}"
                    issue = issue or Issue(side.key, message, r[side.key], side.fix)
                    continue
                where = (side.file, int(r[f"_row_{side.name}"]), int(r[f"_line_{side.name}"]))
                origins.update(dict.fromkeys(side.columns, where))
            yield RawRow(int(r["_row"]), int(r["_line"]), r, issue, origins)
