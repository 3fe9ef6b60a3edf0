"""Query and product facts, product sampling, and the listing a judge sees (title, category path, attributes, price).

Facts are the ground truth the gold verdicts are computed from (`judge.py`); a listing is what the facts look like
on a marketplace, minus what a vague listing leaves out.

    >>> import random
    >>> from rules.data.synth.catalog import CATEGORIES
    >>> p = sample_product(CATEGORIES["footwear"], "running shoes", random.Random(0))
    >>> listing(p).title
    "Brooks Ghost 16 Men's Running Shoes - Navy, Mesh, Size 10"      # (illustrative)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from rules.data.example import Product
from rules.data.synth.catalog import CATEGORIES, Category, Model, Want, pin_options
from rules.data.synth.vocab import NOT_SEARCHED  # a title boasts, it never says "not water resistant"

# Facts a title spells out, in this order (the rest stay in the attribute table, as on real listings).
TITLE_KEYS = ("storage", "memory", "screen size", "capacity", "volume", "material", "colour", "shade", "size", "power",
              "water resistance", "thickness", "weight", "width", "wheel size", "case size")
GENDER_WORD = {"men": "Men's", "women": "Women's", "unisex": "Unisex"}


@dataclass(frozen=True)
class QueryFacts:
    intent: str  # plain | negation | alternative | qa | knowledge (the `query` step's verdict)
    category: str
    cores: tuple[str, ...]  # product words that satisfy the query
    noun: str  # what the query calls the product
    text: str
    brand: str | None = None
    model: str | None = None
    wants: tuple[Want, ...] = ()
    gist: str | None = None  # the world knowledge behind a Q&A or knowledge query

    @property
    def named(self) -> str | None:
        return f"{self.brand} {self.model}" if self.model else self.brand

    @property
    def exclusion(self) -> Want | None:
        return next((w for w in self.wants if w.exclude), None)


@dataclass(frozen=True)
class ProductFacts:
    category: str
    core: str
    brand: str
    model: str | None
    attrs: tuple[tuple[str, str], ...]
    price: float
    hidden: tuple[str, ...] = ()  # facts the listing leaves out: a vague listing

    @property
    def cat(self) -> Category:
        return CATEGORIES[self.category]

    def listed(self) -> dict[str, str]:
        return {k: v for k, v in self.attrs if k not in self.hidden}

    @property
    def named(self) -> str:
        return f"{self.brand} {self.model}" if self.model else self.brand

    def hide(self, key: str) -> "ProductFacts":
        return replace(self, hidden=(*self.hidden, key))


def round_price(value: float) -> float:
    """Shelf prices: 7.99, 24.99, 1,249.99."""
    return round(int(value) + 0.99 if value < 20 else int(value / 5) * 5 + 4.99, 2)


def sample_product(cat: Category, core: str, rng: random.Random, brand: str | None = None, model: Model | None = None,
                   tiers: tuple[int, ...] = (0, 1, 2), fixed: dict[str, str] | None = None,
                   max_price: float | None = None) -> ProductFacts:
    """A product of `core`; `fixed` facts are kept unless the brand or model pins another value (facts stay true)."""
    if model is None and brand is None:
        brand = rng.choice(cat.brands_for(core, tiers)).name
    if model is None and brand is not None:
        models = cat.models_for(brand, core)
        model = rng.choice(models) if models and rng.random() < 0.75 else None
    brand_spec = cat.brand(model.brand if model else brand)
    attrs = cat.attrs_for(core)
    values = {key: rng.choice(attr.values) for key, attr in attrs.items()}
    values.update({k: v for k, v in (fixed or {}).items() if k in values and v in attrs[k].values})
    for key, attr in attrs.items():  # a model's pins, else its brand's, where the product word has the values
        allowed = [v for v in pin_options(model.pins, key) if v in attr.values] if model else []
        allowed = allowed or [v for v in pin_options(brand_spec.pins, key) if v in attr.values]
        if allowed and values[key] not in allowed:
            values[key] = rng.choice(allowed)
    lo, hi = cat.price_band(core)
    price = rng.uniform(lo, hi) * brand_spec.factor
    if max_price is not None:
        price = min(price, max_price * rng.uniform(0.4, 0.8))
    return ProductFacts(cat.key, core, brand_spec.name, model.name if model else None, tuple(values.items()),
                        round_price(price))


def core_title(core: str) -> str:
    return " ".join(word[0].upper() + word[1:] for word in core.split())


def listing(p: ProductFacts) -> Product:
    """What a shopper sees: the title spells out the main facts; hidden facts appear nowhere."""
    facts = p.listed()
    head = [p.brand, p.model or "", GENDER_WORD.get(facts.get("gender", ""), ""),
            core_title(core_words(p.model, p.core))]
    title = " ".join(part for part in head if part)
    if "compatible with" in facts:
        title += f" for {facts['compatible with']}"
    details = [_title_fact(k, facts[k]) for k in TITLE_KEYS if k in facts and facts[k] not in NOT_SEARCHED][:3]
    if details:
        title += " - " + ", ".join(details)
    path = [p.cat.dept, p.cat.name, core_title(p.core)]
    return Product(title=title, category=path, brand=p.brand, attributes=facts, price=p.price)


def core_words(model: str | None, core: str) -> str:
    """The product word, minus what the model name already says ("Away The Carry-On Suitcase", not "...Carry-on")."""
    words = core.split()
    last = model.split()[-1].lower() if model else ""
    if last == words[-1].lower() or (model or "").lower().endswith(core.lower()):
        return ""
    return " ".join(words[1:] if last == words[0].lower() else words)


def _title_fact(key: str, value: str) -> str:
    if key == "size":
        return f"Size {value}" if value[0].isdigit() or value.isupper() else value.title()
    if key in ("water resistance", "thickness", "width", "wheel size", "case size", "screen size", "weight"):
        return value.replace(" in", '"') if key == "width" else value
    return value[0].upper() + value[1:]
