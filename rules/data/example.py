"""The relevance example: one query-product pair with its gold judgement, the same shape everywhere.

Loaders produce it, the synthetic generator writes it, trainers turn it into TRL rows (`to_row`), and the
column names that reach TRL reward functions are its field names (`label`, `gold_steps`, `query_type`, ...).

    >>> Example(id="q1-p7", query="running shoes not leather",
    ...         product=Product(title="Pegasus 40 Mesh Running Shoe", category=["Shoes", "Running"], brand="Nike"),
    ...         label=4, gold_steps={"query": "negation", "attributes": "match"}, query_type=["negation"])
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

QUERY_TYPES = ("plain", "negation", "alternative", "qa", "knowledge", "accessory", "near_miss")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Product(_Strict):
    title: str = Field(min_length=1)
    category: list[str] = Field(default_factory=list, description="Category path, most general first.")
    brand: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict, description="Structured facts: colour, size, material...")
    price: float | None = Field(default=None, ge=0)
    description: str | None = None


class Example(_Strict):
    id: str = Field(min_length=1)
    query: str = Field(min_length=1)
    product: Product
    label: int = Field(description="A label id of the rule set (e.g. 4 Excellent ... 1 Irrelevant).")
    gold_steps: dict[str, str] | None = Field(default=None, description="Step id -> gold verdict, where known.")
    query_type: list[str] = Field(default_factory=list, description=f"Slice tags, e.g. {', '.join(QUERY_TYPES)}.")
    guide: str | None = Field(default=None, description="A gold CoT in the rule set's format (SFT target, replay guide).")

    def to_row(self, prompt: str | list[dict[str, str]] | None = None) -> dict[str, Any]:
        """A flat dict for `datasets`: the fields, plus `prompt` when given (what TRL trainers read)."""
        row = self.model_dump(mode="json")
        if prompt is not None:
            row["prompt"] = prompt
        return row
