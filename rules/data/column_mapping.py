"""How a row's columns become an `Example`: `ColumnMapping`, and the reading of the values it finds.

Our own layout needs no mapping (`load_examples("train.jsonl")`); a foreign one names its columns:

    >>> from rules.data import ColumnMapping, load_examples
    >>> mapping = ColumnMapping(id="pair_id", query="search_term", title="item_name", category="breadcrumb",
    ...                         category_sep="/", label="grade", labels={"good": 4, "ok": 3, "bad": 1},
    ...                         brand="maker", attribute_columns={"color": "colour"}, description=["bullets"])
    >>> load_examples("judgements.csv", mapping=mapping)

Ready mappings for public data sets (ESCI, WANDS) and their loaders are in `rules.data.mappings`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rules.data.errors import BadRow, Issue
from rules.data.example import Example, Product
from rules.data.formats import parse_json
from rules.errors import one_of

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
        nested = self.product is not None and (not is_missing(raw.get(self.product)) or self.title not in raw)
        data = {
            "id": self._required(raw, self.id, issues) if self.id else default_id,
            "query": self._required(raw, self.query, issues),
            "label": _label(raw.get(self.label), self.label, self.labels, issues),
            "product": self._nested(raw.get(self.product), issues) if nested else self._flat(raw, issues),
            "gold_steps": _text_mapping(raw.get(self.gold_steps), self.gold_steps, issues) or None
            if self.gold_steps else None,
            "query_type": _split(raw.get(self.query_type), self.query_type_sep) if self.query_type else [],
            "guide": None if not self.guide or is_missing(raw.get(self.guide)) else str(raw[self.guide]),
        }
        if issues:
            raise BadRow(issues)
        try:
            return Example.model_validate(data)
        except ValidationError as err:
            raise BadRow([self._schema_issue(e, nested) for e in err.errors()]) from None

    def _required(self, raw: dict, column: str, issues: list[Issue]) -> str | None:
        if is_missing(raw.get(column)):
            issues.append(Issue(column, "missing or empty", None, _MISSING_FIX))
            return None
        return _text(raw[column])

    def _flat(self, raw: dict, issues: list[Issue]) -> dict[str, Any]:
        attributes: dict[str, str] = {}
        given = _text_mapping(raw.get(self.attributes), self.attributes, issues) if self.attributes else {}
        pairs = list(given.items())
        pairs += self._features(raw.get(self.features), issues) if self.features else []
        pairs += [(name, _text(raw[c])) for c, name in self.attribute_columns.items() if not is_missing(raw.get(c))]
        for key, value in pairs:
            _add(attributes, key, value)
        texts = [_text(raw[c]) for c in self.description if not is_missing(raw.get(c))]
        return {"title": self._required(raw, self.title, issues),
                "category": _split(raw.get(self.category), self.category_sep) if self.category else [],
                "brand": None if not self.brand or is_missing(raw.get(self.brand)) else _text(raw[self.brand]),
                "attributes": attributes,
                "price": _price(raw.get(self.price), self.price, issues) if self.price else None,
                "description": "\n".join(texts) or None}

    def _nested(self, value: Any, issues: list[Issue]) -> dict[str, Any] | None:
        column = self.product or "product"
        value = _json(value, column) if isinstance(value, str) else value  # a CSV cell holds JSON
        if is_missing(value):
            issues.append(Issue(column, "missing or empty", None, _MISSING_FIX))
            return None
        if not isinstance(value, dict):
            issues.append(Issue(column, "not a mapping", value, 'write an object: {"title": ..., "category": [...]}'))
            return None
        product = {k: v for k, v in value.items() if not is_missing(v)}  # Parquet/`datasets` structs fill in None
        product["attributes"] = _text_mapping(value.get("attributes"), f"{column}.attributes", issues)
        if "price" in product:
            product["price"] = _price(product["price"], f"{column}.price", issues)
        if isinstance(product.get("category"), str):
            product["category"] = _split(product["category"], self.category_sep)
        return product

    def _features(self, value: Any, issues: list[Issue]) -> list[tuple[str, str]]:
        pairs = []
        for item in ([] if is_missing(value) else str(value).split(self.features_sep)):
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


def is_missing(value: Any) -> bool:
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


def _json(text: str, column: str) -> Any:
    """A CSV cell's JSON, or the text itself when it is not JSON (the caller says what it expected).

    JSON nested too deep to read ends the row here: nothing else of it can be trusted to load.
    """
    data, issue = parse_json(text)
    if issue is not None and data is None and issue.message.startswith("JSON nested"):
        raise BadRow([Issue(column, issue.message, None, issue.fix)])
    return text if issue is not None else data


def _label(value: Any, column: str, labels: dict[str, int] | None, issues: list[Issue]) -> int | None:
    if is_missing(value):
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
    if is_missing(value):
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
    if is_missing(value):
        return {}
    found = _json(value, column) if isinstance(value, str) else value
    if isinstance(found, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in found):
        found = dict(found)
    if not isinstance(found, dict):
        issues.append(Issue(column, "not a mapping", value, 'write a JSON object such as {"colour": "red"}'))
        return {}
    out = {}
    for key, item in found.items():
        if isinstance(item, (dict, list)):
            issues.append(Issue(f"{column}.{key}", "not a text value", item, "write each value as text"))
        elif not is_missing(item):  # a struct column gives every row every key: None where a row has none
            out[str(key)] = _text(item)
    return out


def _split(value: Any, sep: str) -> list[str]:
    if is_missing(value):
        return []
    parts = value if isinstance(value, (list, tuple)) else str(value).split(sep)
    return [_text(p) for p in parts if not is_missing(p)]


def _add(attributes: dict[str, str], key: str, value: str) -> None:
    """Add a fact; a key given twice (WANDS repeats feature keys) keeps both values."""
    if key in attributes and value not in attributes[key].split(", "):
        attributes[key] += f", {value}"
    else:
        attributes.setdefault(key, value)
