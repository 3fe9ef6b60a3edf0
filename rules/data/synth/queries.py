"""Shopper queries of the papers' kinds, each with its facts: plain, negation, alternative, Q&A and knowledge.

    >>> import random
    >>> from rules.data.synth.catalog import CATEGORIES
    >>> q = build_query("negation", CATEGORIES["footwear"], random.Random(3))
    >>> q.text, q.exclusion.said
    ('sneakers without leather', 'leather')                            # (illustrative)
"""

from __future__ import annotations

import random

from rules.data.synth.catalog import Attr, Category, Want, pin_options
from rules.data.synth.facts import QueryFacts, core_words
from rules.data.synth.vocab import NOT_SEARCHED, NOT_SEARCHED_KEYS, compare, members, phrase

INTENTS = ("plain", "negation", "alternative", "qa", "knowledge")
NEGATION_TEMPLATES = ("{noun} not {head}", "{noun} without {head}", "non-{head} {noun}", "{noun} no {head}")
FREE_TEMPLATES = ("{head}-free {noun}", "{noun} without {head}", "{head} free {noun}")  # "fragrance-free ..."
FREE_HEADS = ("fragrance", "plastic", "latex", "PVC", "nonstick")
HEAD_TEMPLATES = {"nonstick": ("{noun} without nonstick coating", "{noun} not nonstick", "uncoated {noun}")}
COLOUR_TEMPLATES = ("{noun} not {head}", "{noun} any colour but {head}", "{noun} in any colour except {head}")
ALTERNATIVE_TEMPLATES = ("dupe for {named}", "{named} dupe", "cheaper alternative to {named}",
                         "affordable {noun} like {named}", "{named} alternative", "budget {noun} similar to {named}")


def want_value(attr: Attr, value: str, said: str | None = None) -> Want:
    """A literal attribute request ("navy", "size 10"): which listed values match it or come close."""
    good = tuple(v for v in attr.values if compare(attr.key, value, v, attr.values, attr.ordered) == "match")
    part = tuple(v for v in attr.values if compare(attr.key, value, v, attr.values, attr.ordered) == "partial")
    return Want(attr.key, said or value, good, part)


def exclusion(attr: Attr, head: str) -> Want:
    return Want(attr.key, head, tuple(v for v in attr.values if v in members(attr.key, head)), exclude=True)


def eligible(intent: str, cat: Category) -> bool:
    if intent == "negation":
        return bool(cat.negations)
    if intent == "alternative":
        return any(b.tier == 2 for b in cat.brands)
    if intent in ("qa", "knowledge"):
        return any(n.kind == intent for n in cat.needs)
    return True


def build_query(intent: str, cat: Category, rng: random.Random) -> QueryFacts:
    builders = {"plain": _plain, "negation": _negation, "alternative": _alternative}
    if intent in builders:
        return builders[intent](cat, rng)
    need = rng.choice([n for n in cat.needs if n.kind == intent])
    return QueryFacts(intent, cat.key, need.cores, need.noun, rng.choice(need.texts), wants=need.wants, gist=need.gist)


def _plain(cat: Category, rng: random.Random) -> QueryFacts:
    generic = cat.generic is not None and rng.random() < 0.25
    core = rng.choice(cat.cores)
    brand = model = None
    if rng.random() < 0.45:
        brand = rng.choice(cat.brands if generic else cat.brands_for(core))
        models = [m for m in cat.models if m.brand == brand.name and (generic or m.core == core)]
        if models and rng.random() < 0.5:
            model = rng.choice(models)
            core = model.core
        brand = brand.name
    options = {k: _options(cat, brand, model, k, a) for k, a in cat.attrs_for(core).items()}
    # A fact the name fixes is not asked ("jitterbug flip2 with sos button"); one it narrows is asked within it
    attrs = {k: a for k, a in cat.attrs_for(core).items() if len(options[k]) != 1}
    if generic:  # a generic query ("nike shoes") can only ask what every product word has
        attrs = {k: a for k, a in attrs.items() if all(k in cat.attrs_for(c) for c in cat.cores)}
    keys = _pick_keys(attrs, rng)
    wants = [want_value(attrs[k], rng.choice([v for v in _values(attrs[k]) if not options[k] or v in options[k]]
                                             or _values(attrs[k]))) for k in keys]
    cores, noun = (cat.cores, cat.generic) if generic else ((core,), core)
    text = _compose(brand, model.name if model else None, noun, wants, rng)
    return QueryFacts("plain", cat.key, cores, noun, text, brand, model.name if model else None, tuple(wants))


def _options(cat: Category, brand: str | None, model, key: str, attr) -> list[str]:
    """The values a named model (else brand) can have for `key`; [] when the name leaves it open."""
    for pins in ((model.pins if model else ()), (cat.brand(brand).pins if brand else ())):
        allowed = [v for v in pin_options(pins, key) if v in attr.values]
        if allowed:
            return allowed
    return []


def _pick_keys(attrs: dict, rng: random.Random) -> list[str]:
    """0-2 attributes to ask for; an accessory query usually names what it must fit ("iphone 15 case")."""
    keys = [k for k in attrs if k != "compatible with" and k not in NOT_SEARCHED_KEYS and searched(attrs[k])]
    chosen = rng.sample(keys, min(len(keys), rng.choice((0, 1, 1, 2))))
    if "compatible with" in attrs and rng.random() < 0.7:
        chosen.insert(0, "compatible with")
    return chosen


def searched(attr) -> bool:
    """Whether shoppers search by the attribute (nobody types "passive isolation earbuds" or "touchscreen tablet")."""
    return len(attr.values) > 1 and any(v not in NOT_SEARCHED for v in attr.values)  # one value: no choice


def _values(attr) -> list[str]:
    return [v for v in attr.values if v not in NOT_SEARCHED] or list(attr.values)


def _compose(brand: str | None, model: str | None, noun: str, wants: list, rng: random.Random) -> str:
    """Word order as shoppers type it: name, then before-noun words, the noun, then after-noun words."""
    before, after = [], []
    for want in wants:
        where, words = phrase(want.key, want.said)
        if want.key == "compatible with" and rng.random() < 0.6:
            words = words.split(" ", 1)[-1]  # "iphone 15 pro case": the device, often without its maker
        if want.key == "gender" and rng.random() < 0.5:
            where, words = "after", rng.choice(("for ", "")) + want.said
        (before if where == "before" else after).append(words)
    name = [brand or "", model or ""]
    if model and any(ch.isdigit() for ch in model) and rng.random() < 0.4:
        name = [model]  # "iphone 15 pro 256gb", "pegasus 41 running shoes" (not "ceramic cookware set": a material?)
    noun = core_words(model, noun) if model else noun  # "cerave hydrating facial cleanser", not "... cleanser cleanser"
    words = [*name, *before, noun, *after]
    return " ".join(" ".join(w for w in words if w).lower().split())


def _negation(cat: Category, rng: random.Random) -> QueryFacts:
    key, head = rng.choice(cat.negations)
    cores = [c for c in cat.cores if key in cat.attrs_for(c) and exclusion(cat.attrs_for(c)[key], head).good
             and set(cat.attrs_for(c)[key].values) - set(exclusion(cat.attrs_for(c)[key], head).good)]
    core = rng.choice(cores)
    attrs = cat.attrs_for(core)
    wants = [exclusion(attrs[key], head)]
    extra = [k for k in attrs
             if k not in (key, "compatible with") and k not in NOT_SEARCHED_KEYS and searched(attrs[k])]
    if extra and rng.random() < 0.35:
        k = rng.choice(extra)
        wants.append(want_value(attrs[k], rng.choice(_values(attrs[k]))))
    templates = HEAD_TEMPLATES.get(head) or (FREE_TEMPLATES if head in FREE_HEADS else COLOUR_TEMPLATES
                                             if key == "colour" else NEGATION_TEMPLATES)
    base = _compose(None, None, core, wants[1:], rng)
    text = rng.choice(templates).format(noun=base, head=head.lower())
    return QueryFacts("negation", cat.key, (core,), core, text, wants=tuple(wants))


def _alternative(cat: Category, rng: random.Random) -> QueryFacts:
    brand = rng.choice([b for b in cat.brands if b.tier == 2])
    models = [m for m in cat.models if m.brand == brand.name]
    model = rng.choice(models) if models and rng.random() < 0.6 else None
    core = model.core if model else rng.choice(brand.cores or cat.cores)
    named = f"{brand.name} {model.name}" if model else brand.name
    template = rng.choice(ALTERNATIVE_TEMPLATES)
    if "{noun}" not in template and (model is None or rng.random() < 0.5):
        named += f" {core}"  # "lululemon align leggings dupe", "dupe for goyard tote bag"
    text = template.format(named=named, noun=core).lower()
    return QueryFacts("alternative", cat.key, (core,), core, text, brand.name, model.name if model else None)
