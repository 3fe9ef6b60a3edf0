"""Pairing scenarios: for a query, find a product in a given relation to it (exact, near miss, accessory, ...).

A scenario only *aims* at a label (`SCENARIOS[name][0]`): the gold label is whatever the rule set's decision rules
make of the verdicts `judge.py` computes from the facts, and the generator keeps a pair only when the two agree,
so a table mistake shows up as rejected pairs, never as a wrong label.

    >>> aim, build, kinds = SCENARIOS["accessory"]
    >>> build(query_facts, random.Random(0))     # a case for a phone query, or None when there is none
"""

from __future__ import annotations

import random
from typing import Callable

from rules.data.synth.catalog import CATEGORIES, Category, fits, kin, neighbours, pin_options, signature
from rules.data.synth.facts import ProductFacts, QueryFacts, sample_product

Builder = Callable[[QueryFacts, random.Random], "ProductFacts | None"]


def _core_of(q: QueryFacts, rng: random.Random, key: str | None = None) -> str | None:
    cat = CATEGORIES[q.category]
    if q.model:
        return next(m.core for m in cat.models if m.brand == q.brand and m.name == q.model)
    cores = [c for c in q.cores if key is None or key in cat.attrs_for(c)]
    return rng.choice(cores) if cores else None


def _satisfying(q: QueryFacts, cat: Category, core: str, rng: random.Random) -> dict[str, str]:
    """Facts that meet every want the product word has an attribute for (so only the scenario's twist differs)."""
    fixed = {}
    for want in q.wants:
        attr = cat.attrs_for(core).get(want.key)
        pool = [v for v in attr.values if (v not in want.good) == want.exclude] if attr else []
        if pool:
            fixed[want.key] = rng.choice(pool)
    return fixed


def _same_brand(cat: Category, core: str, brand: str | None) -> str | None:
    return brand if brand and any(b.name == brand for b in cat.brands_for(core)) else None


def _product(q: QueryFacts, cat: Category, core: str, rng: random.Random, **kw) -> ProductFacts:
    """A product of `core` meeting the query's wants, by the query's brand (and model) where they make it; for an
    alternative query, by a cheaper brand at a lower price (what such a search returns)."""
    if q.intent == "alternative" and "brand" not in kw and q.category == cat.key:
        cheaper = [b.name for b in cat.brands_for(core, (0, 1)) if b.name != q.brand]
        lo, hi = cat.price_band(core)
        original = next((m for m in cat.models if m.brand == q.brand and m.name == q.model), None)
        # A dupe copies the original's signature facts (a Le Pliage dupe is nylon), just cheaper.
        copied = {**signature(cat.brand(q.brand).pins), **signature(original.pins if original else ())}
        kw.update(brand=rng.choice(cheaper) if cheaper else None, max_price=(lo + hi) / 2 * cat.brand(q.brand).factor,
                  fixed={**copied, **kw.get("fixed", {})})
    brand = kw.pop("brand", _same_brand(cat, core, q.brand))
    model = next((m for m in cat.models_for(brand, core) if m.name == q.model), None) if brand == q.brand else None
    fixed = {**_satisfying(q, cat, core, rng), **kw.pop("fixed", {})}
    return sample_product(cat, core, rng, brand=brand, model=model, fixed=fixed, **kw)


def exact(q: QueryFacts, rng: random.Random) -> ProductFacts | None:
    cat, core = CATEGORIES[q.category], _core_of(q, rng)
    if q.intent == "alternative":  # a cheaper brand's version of the product the shopper names (see _product)
        return _product(q, cat, core, rng)
    if q.model:
        model = next(m for m in cat.models if m.brand == q.brand and m.name == q.model)
        return sample_product(cat, core, rng, model=model, fixed=_satisfying(q, cat, core, rng))
    return _product(q, cat, core, rng)


def original(q: QueryFacts, rng: random.Random) -> ProductFacts | None:
    """The very brand (and model) an alternative query wants to avoid paying for."""
    if q.intent != "alternative":
        return None
    cat, core = CATEGORIES[q.category], _core_of(q, rng)
    model = next((m for m in cat.models if m.brand == q.brand and m.name == q.model), None)
    return sample_product(cat, core, rng, brand=q.brand, model=model)


def _far_words(q: QueryFacts, cat: Category) -> list[str]:
    """Words of `cat` that neither neighbour the query's nor are accessories for it (nor the devices of an
    accessory query: a phone for a phone-case query is not noise)."""
    here = CATEGORIES[q.category]
    if cat.key == here.key or cat.key in here.accessory_for:
        return []
    return [w for w in cat.cores if not neighbours(cat, w, here, q.cores) and not fits(cat, w, here, q.cores)]


def other_category(q: QueryFacts, rng: random.Random) -> ProductFacts | None:
    """Retrieval noise: another department, often sharing the brand or a colour word with the query (an e-reader
    for a laptop query is noise too: its category neighbours laptops, the word does not)."""
    far = [c for c in CATEGORIES.values() if _far_words(q, c)]
    same_brand = [c for c in far if q.brand and any(b.name == q.brand for b in c.brands)]
    cat = rng.choice(same_brand if same_brand and rng.random() < 0.6 else far)
    core = rng.choice(_far_words(q, cat))
    return _product(q, cat, core, rng)


def accessory(q: QueryFacts, rng: random.Random) -> ProductFacts | None:
    here = CATEGORIES[q.category]
    options = [(c, w) for c in CATEGORIES.values() for w in c.cores if fits(c, w, here, q.cores)]
    if not options:
        return None
    cat, core = rng.choice(options)
    fits_model = {}
    compat = cat.attrs_for(core).get("compatible with")
    if compat and q.named and q.model and q.named in compat.values:
        fits_model["compatible with"] = q.named  # a case *for the phone asked for*: the classic accessory confusion
    return _product(q, cat, core, rng, brand=None, fixed=fits_model)


def _word(q: QueryFacts, rng: random.Random, related: bool, adjacent: bool) -> tuple[Category, str] | None:
    here = CATEGORIES[q.category]
    cats = [CATEGORIES[k] for k in here.adjacent] if adjacent else [here]
    options = [(c, w) for c in cats for w in c.cores if w not in q.cores and any(kin(w, x) for x in q.cores) == related
               and (not adjacent or neighbours(c, w, here, q.cores))]
    return rng.choice(options) if options else None


def _near(related: bool, adjacent: bool) -> Builder:
    def build(q: QueryFacts, rng: random.Random) -> ProductFacts | None:
        found = _word(q, rng, related, adjacent)
        return _product(q, found[0], found[1], rng) if found else None
    return build


def other_brand(q: QueryFacts, rng: random.Random) -> ProductFacts | None:
    if q.brand is None or q.intent == "alternative":
        return None
    cat, core = CATEGORIES[q.category], _core_of(q, rng)
    brands = [b.name for b in cat.brands_for(core) if b.name != q.brand]
    return _product(q, cat, core, rng, brand=rng.choice(brands)) if brands else None


def other_model(q: QueryFacts, rng: random.Random) -> ProductFacts | None:
    if q.model is None or q.intent == "alternative":
        return None
    cat, core = CATEGORIES[q.category], _core_of(q, rng)
    models = [m for m in cat.models_for(q.brand, core) if m.name != q.model]
    return sample_product(cat, core, rng, model=rng.choice(models), fixed=_satisfying(q, cat, core, rng)) \
        if models else None


def _twist(kind: str) -> Builder:
    """Meet every want but one, which gets a wrong value ('mismatch'), a close one ('partial') or none ('vague')."""
    def build(q: QueryFacts, rng: random.Random) -> ProductFacts | None:
        cat = CATEGORIES[q.category]
        exclude = kind in ("excluded", "silent")
        wants = [w for w in q.wants if w.exclude == exclude]
        if not wants:
            return None
        want = rng.choice(wants)
        core = _core_of(q, rng, want.key)
        attr = cat.attrs_for(core).get(want.key) if core else None
        if attr is None:
            return None
        if kind in ("vague", "silent"):
            product = _product(q, cat, core, rng)
            return None if names_fact(product, want.key) else product.hide(want.key)
        pools = {"mismatch": [v for v in attr.values if v not in want.good + want.partial],
                 "partial": list(want.partial), "excluded": list(want.good)}
        pool = [v for v in pools[kind] if v in attr.values]
        return _product(q, cat, core, rng, fixed={want.key: rng.choice(pool)}) if pool else None
    return build


def names_fact(p: ProductFacts, key: str) -> bool:
    """Whether the product's model or brand fixes `key` (an Air Force 1 is leather): its listing cannot be vague
    about it to a judge who knows the name."""
    model = next((m for m in p.cat.models if m.brand == p.brand and m.name == p.model), None)
    return bool(pin_options(model.pins if model else (), key) or pin_options(p.cat.brand(p.brand).pins, key))


ANY = ("plain", "negation", "alternative", "qa", "knowledge")
WANTS = ("plain", "negation", "qa", "knowledge")  # query kinds that ask for attributes
# name -> (the label it aims at, builder, the query kinds it can apply to)
SCENARIOS: dict[str, tuple[int, Builder, tuple[str, ...]]] = {
    "exact": (4, exact, ANY),
    "original": (3, original, ("alternative",)),
    "other_category": (1, other_category, ANY),
    "accessory": (2, accessory, ANY),
    "other_core": (2, _near(related=False, adjacent=False), ANY),
    "adjacent_other_core": (2, _near(related=False, adjacent=True), ANY),
    "kin_core": (3, _near(related=True, adjacent=False), ANY),
    "adjacent_kin_core": (3, _near(related=True, adjacent=True), ANY),
    "other_brand": (2, other_brand, ("plain",)),
    "other_model": (2, other_model, ("plain",)),
    "attr_mismatch": (2, _twist("mismatch"), WANTS),
    "attr_partial": (3, _twist("partial"), WANTS),
    "vague": (3, _twist("vague"), ("plain", "qa", "knowledge")),  # negation: it would read as "silent"
    "excluded": (2, _twist("excluded"), ("negation",)),
    "silent": (3, _twist("silent"), ("negation",)),
}
