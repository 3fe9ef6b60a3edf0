"""The synthetic product catalog: categories with product words, brands, models, attributes, needs and relations.

The tables (`tables_*.py`) are written in a compact text form so that forty categories stay readable; this module
parses them once into frozen dataclasses (`audit.py` checks them: every pin, need and negation names a real value).

Relations are judged per product word, not per category: `neighbours` (a tablet neighbours a 2-in-1 laptop, an
e-reader neighbours no laptop) and `fits` (a smartwatch band fits a smartwatch, not a smart ring).

    >>> from rules.data.synth.catalog import CATEGORIES, category_of
    >>> CATEGORIES["phones"].attrs_for("smartphone")["storage"].values
    ('64GB', '128GB', '256GB', '512GB', '1TB')
    >>> category_of("phone case").key
    'phone_accessories'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rules.data.synth import tables_fashion, tables_home, tables_leisure, tables_tech
from rules.data.synth.vocab import art, named_words

TIERS = {"*": 2, "": 1, ".": 0}  # premium, mid, budget
TIER_PRICE = {2: 1.7, 1: 1.0, 0: 0.55}  # default price factor of a tier against the category's band
TABLES = (tables_fashion, tables_tech, tables_home, tables_leisure)  # this order is the categories' order
PARENT = "@"  # "@parent": the models of the categories an accessory is for; "@watches": that category's models


# Pins: (key, value) pairs; a key pinned more than once allows any of its values ("colour: silver/grey" in a table),
# and a product word keeps the pinned values it has (Le Creuset: enameled cast iron pots, enameled steel kettles).
Pins = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Brand:
    name: str
    tier: int
    factor: float
    cores: tuple[str, ...]  # () = every product word of the category
    pins: Pins = ()  # facts true of every product of the brand


@dataclass(frozen=True)
class Model:
    brand: str
    name: str
    core: str
    pins: Pins = ()

    @property
    def full(self) -> str:
        return f"{self.brand} {self.name}"


@dataclass(frozen=True)
class Attr:
    key: str
    values: tuple[str, ...]
    ordered: bool  # neighbouring values (sizes) are a partial match
    cores: tuple[str, ...]  # () = every product word


@dataclass(frozen=True)
class Want:
    """One thing a query asks of an attribute; `good` satisfies it (for an exclusion: violates it)."""

    key: str
    said: str
    good: tuple[str, ...]
    partial: tuple[str, ...] = ()
    exclude: bool = False
    literal: bool = True  # `said` is a value ("navy"), not a described need ("stability support")


@dataclass(frozen=True)
class Need:
    """The hidden requirement behind a Q&A or knowledge query."""

    kind: str  # "qa" | "knowledge"
    texts: tuple[str, ...]
    noun: str  # what the query calls the product: "a phone", "running shoes"
    cores: tuple[str, ...]
    gist: str  # the world knowledge, in one clause
    wants: tuple[Want, ...] = ()


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    dept: str
    cores: tuple[str, ...]
    generic: str | None
    brands: tuple[Brand, ...]
    models: tuple[Model, ...]
    attrs: tuple[Attr, ...]
    prices: dict[str, tuple[float, float]]
    adjacent: tuple[str, ...]  # neighbouring categories ...
    near: dict[str, tuple[str, ...]]  # ... and, where not all of this one's words neighbour one of them, which do
    accessory_for: tuple[str, ...]
    fits: dict[str, tuple[str, ...]]  # accessory word -> the device words it fits (absent: every one)
    negations: tuple[tuple[str, str], ...]
    needs: tuple[Need, ...] = field(default=())
    model_pins: tuple[str, ...] = ()  # keys every model pins (a model name fixes its screen size and colours)

    def attrs_for(self, core: str) -> dict[str, Attr]:
        out: dict[str, Attr] = {}
        for attr in self.attrs:
            if not attr.cores or core in attr.cores:
                out.setdefault(attr.key, attr)
        return out

    def brands_for(self, core: str, tiers: tuple[int, ...] = (0, 1, 2)) -> list[Brand]:
        return [b for b in self.brands if b.tier in tiers and (not b.cores or core in b.cores)]

    def brand(self, name: str) -> Brand:
        return next(b for b in self.brands if b.name == name)

    def models_for(self, brand: str, core: str) -> list[Model]:
        return [m for m in self.models if m.brand == brand and m.core == core]

    def price_band(self, core: str) -> tuple[float, float]:
        return self.prices.get(core, self.prices["*"])


def pin_options(pins: Pins, key: str) -> tuple[str, ...]:
    return tuple(v for k, v in pins if k == key)


def signature(pins: Pins) -> dict[str, str]:
    """The facts pinned to one value: what a dupe of the product copies."""
    keys = [k for k, _ in pins]
    return {k: v for k, v in pins if keys.count(k) == 1}


def neighbours(have: Category, core: str, want: Category, cores: tuple[str, ...]) -> bool:
    """Whether product word `core` of `have` is a neighbour of a query for `cores` of another category `want`:
    the categories name each other, and each side's word is one that neighbours the other (where restricted)."""
    if have.key == want.key or want.key not in have.adjacent or have.key not in want.adjacent:
        return False
    mine, theirs = have.near.get(want.key), want.near.get(have.key)
    return (mine is None or core in mine) and (theirs is None or any(c in theirs for c in cores))


def fits(have: Category, core: str, want: Category, cores: tuple[str, ...]) -> bool:
    """Whether accessory word `core` of `have` is an accessory for a query for `cores` of `want`."""
    words = have.fits.get(core)
    return want.key in have.accessory_for and (words is None or any(c in words for c in cores))


# ---------------------------------------------------------------------------------------------- parsing

_BRAND = re.compile(r"^(?P<name>[^(){}]+?)(?P<tier>[*.]?)(?:x(?P<factor>\d+(?:\.\d+)?))?\s*(?:\{(?P<pins>[^}]*)\})?"
                    r"\s*(?:\((?P<cores>[^)]*)\))?$")


def _items(text: str, sep: str = ",") -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(sep) if part.strip())


def _pins(text: str | None) -> Pins:
    """'key: value, key: a/b' -> (key, value), (key, a), (key, b)."""
    return tuple((k.strip(), v) for k, _, vs in (p.partition(":") for p in _items(text or ""))
                 for v in _items(vs, "/"))


def _keyed(text: str) -> list[tuple[str, str]]:
    """'key: value; key: value' (negate, fits) -> [(key, value), ...]."""
    return [(k.strip(), v.strip()) for k, _, v in (n.partition(":") for n in _items(text, ";"))]


def _word_map(text: str) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """'key, key@word/word' (adjacent) -> the keys, and key -> the words of ours that neighbour it."""
    keys, words = [], {}
    for spec in _items(text):
        key, _, only = spec.partition("@")
        keys.append(key.strip())
        if only:
            words[key.strip()] = _items(only, "/")
    return tuple(keys), words


def _brands(text: str) -> tuple[Brand, ...]:
    out = []
    for spec in _items(text, ";"):
        m = _BRAND.match(spec)
        if m is None:
            raise ValueError(f"brand spec {spec!r}: expected 'Name[*|.][xFACTOR] {{key: value}} (core, core)'")
        tier = TIERS[m["tier"]]
        factor = float(m["factor"]) if m["factor"] else TIER_PRICE[tier]
        out.append(Brand(m["name"].strip(), tier, factor, _items(m["cores"] or ""), _pins(m["pins"])))
    return tuple(out)


def _models(text: str) -> tuple[Model, ...]:
    out = []
    for group in _items(text, ";"):
        brand, _, rest = group.partition(":")
        for spec in _items(rest, "|"):
            name, _, tail = spec.partition("=")
            core, _, pins = tail.partition("{")
            out.append(Model(brand.strip(), name.strip(), core.strip(), _pins(pins.rstrip("}"))))
    return tuple(out)


def _attrs(text: str) -> tuple[Attr, ...]:
    out = []
    for spec in _items(text, ";"):
        head, _, values = spec.partition(":")
        key, _, cores = head.partition("@")
        ordered = key.endswith("~")
        out.append(Attr(key.rstrip("~").strip(), _items(values), ordered, _items(cores, "/")))
    return tuple(out)


def _prices(text: str) -> dict[str, tuple[float, float]]:
    out = {}
    for spec in _items(text, ";"):
        core, _, band = spec.rpartition(":")
        lo, _, hi = band.partition("-")
        out[core.strip() or "*"] = (float(lo), float(hi))
    return out


def _category(spec: dict) -> Category:
    adjacent, near = _word_map(spec.get("adjacent", ""))
    cat = Category(
        key=spec["key"], name=spec["name"], dept=spec["dept"], cores=_items(spec["cores"]),
        generic=spec.get("generic"), brands=_brands(spec["brands"]), models=_models(spec.get("models", "")),
        attrs=_attrs(spec["attrs"]), prices=_prices(spec["price"]), adjacent=adjacent, near=near,
        accessory_for=_items(spec.get("accessory_for", "")),
        fits={word: _items(devices) for word, devices in _keyed(spec.get("fits", ""))},
        negations=tuple(_keyed(spec.get("negate", ""))), model_pins=_items(spec.get("model_pins", "")),
    )
    return replace(cat, needs=tuple(need for n in spec.get("needs", ()) for need in _needs(n, cat)))


def _needs(spec: tuple, cat: Category) -> list[Need]:
    """(kind, "text | text", noun, "core, core", gist, [(key, said, "good, good", "partial, partial"), ...]).

    A text that names product words of the need accepts only those ("frying pan for induction cooktop" wants a
    frying pan; a cookware set is only close), so texts are grouped by the words they name, one Need per group,
    whose wanted values are those its words have."""
    kind, texts, noun, cores, gist, wants = spec
    cores = _items(cores)
    groups: dict[tuple[str, ...], list[str]] = {}
    for text in _items(texts, "|"):
        named = tuple(c for c in cores if c in named_words(text, cores))
        groups.setdefault(named or cores, []).append(text)
    out = []
    for named, group in groups.items():
        values = {v for c in named for a in cat.attrs_for(c).values() for v in a.values}
        parsed = tuple(Want(k, said, tuple(v for v in _items(good) if v in values),
                            tuple(v for v in _items(part) if v in values), literal=False)
                       for k, said, good, part in wants)
        own = len(named) == 1 and len(cores) > 1  # narrowed to one word: the query's own noun for it
        out.append(Need(kind, tuple(group), art(named[0]) if own else noun, named, gist, parsed))
    return out


def _resolve_parents(cats: dict[str, Category]) -> dict[str, Category]:
    """Accessory attributes valued '@parent' list the models of the categories the accessories are for ('@watches':
    of that category), keeping the models of device words that every accessory word of the attribute fits."""
    out = {}
    for key, cat in cats.items():
        def models(ref: str, words: tuple[str, ...]) -> tuple[str, ...]:
            parents = cat.accessory_for if ref == "parent" else (ref,)
            return tuple(m.full for parent in parents for m in cats[parent].models
                         if all(m.core in cat.fits.get(w, (m.core,)) for w in words or cat.cores))
        attrs = tuple(Attr(a.key, models(a.values[0][1:], a.cores), False, a.cores)
                      if len(a.values) == 1 and a.values[0].startswith(PARENT) else a for a in cat.attrs)
        out[key] = Category(**{**cat.__dict__, "attrs": attrs})
    return out


CATEGORIES: dict[str, Category] = _resolve_parents({spec["key"]: _category(spec) for table in TABLES
                                                    for spec in table.SPECS})
KIN: frozenset[frozenset[str]] = frozenset(
    frozenset(_items(pair, "~")) for table in TABLES for pair in table.KIN)
_CORE_CATEGORY = {core: cat for cat in CATEGORIES.values() for core in cat.cores}


def category_of(core: str) -> Category:
    return _CORE_CATEGORY[core]


def kin(a: str, b: str) -> bool:
    """Two product words close enough that one half-serves a query for the other (walking for running shoes)."""
    return frozenset((a, b)) in KIN
