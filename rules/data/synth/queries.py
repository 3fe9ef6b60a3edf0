"""Shopper queries of the papers' kinds, each with its facts: plain, negation, alternative, Q&A and knowledge.

    >>> import random
    >>> from rules.data.synth.catalog import CATEGORIES
    >>> q = build_query("negation", CATEGORIES["footwear"], random.Random(3))
    >>> q.text, q.exclusion.said
    ('sneakers without leather', 'leather')                            # (illustrative)
"""

from __future__ import annotations

import random

from rules.data.synth.catalog import Category, exclusion, want_value
from rules.data.synth.facts import QueryFacts
from rules.data.synth.vocab import phrase

INTENTS = ("plain", "negation", "alternative", "qa", "knowledge")
BEFORE_NOUN = ("colour", "material", "gender", "shade")  # "navy leather loafers", not "loafers navy leather"
NEGATION_TEMPLATES = ("{noun} not {head}", "{noun} without {head}", "non-{head} {noun}", "{noun} no {head}")
FREE_TEMPLATES = ("{head}-free {noun}", "{noun} without {head}", "{head} free {noun}")  # "fragrance-free ..."
FREE_HEADS = ("fragrance", "plastic", "latex", "PVC", "nonstick")
ALTERNATIVE_TEMPLATES = ("dupe for {named}", "{named} dupe", "cheaper alternative to {named}",
                         "affordable {noun} like {named}", "{named} alternative", "budget {noun} similar to {named}")


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
    attrs = cat.attrs_for(core)
    if generic:  # a generic query ("nike shoes") can only ask what every product word has
        attrs = {k: a for k, a in attrs.items() if all(k in cat.attrs_for(c) for c in cat.cores)}
    keys = _pick_keys(attrs, rng)
    wants = [want_value(attrs[k], rng.choice(attrs[k].values)) for k in keys]
    cores, noun = (cat.cores, cat.generic) if generic else ((core,), core)
    text = _compose(brand, model.name if model else None, noun, wants, rng)
    return QueryFacts("plain", cat.key, cores, noun, text, brand, model.name if model else None, tuple(wants))


def _pick_keys(attrs: dict, rng: random.Random) -> list[str]:
    """0-2 attributes to ask for; an accessory query usually names what it must fit ("iphone 15 case")."""
    keys = [k for k in attrs if k != "compatible with"]
    chosen = rng.sample(keys, min(len(keys), rng.choice((0, 1, 1, 2))))
    if "compatible with" in attrs and rng.random() < 0.7:
        chosen.insert(0, "compatible with")
    return chosen


def _compose(brand: str | None, model: str | None, noun: str, wants: list, rng: random.Random) -> str:
    before = [phrase(w.key, w.said) for w in wants if w.key in BEFORE_NOUN and w.key != "gender"]
    after = [_after(w) for w in wants if w.key not in BEFORE_NOUN]
    gender = [w for w in wants if w.key == "gender"]
    if gender and rng.random() < 0.5:
        before.insert(0, phrase("gender", gender[0].said))
    elif gender:
        after.append(rng.choice(("for ", "")) + gender[0].said)
    name = [brand or "", model or ""]
    if model and rng.random() < 0.4:
        name = [model]  # "iphone 15 pro 256gb", "pegasus 41 running shoes"
    # Accessory queries name the device, often without its maker: "iphone 15 pro case".
    compat = [w.said.split(" ", 1)[-1] if rng.random() < 0.6 else w.said for w in wants if w.key == "compatible with"]
    words = [*name, *compat, *before, noun, *(a for a in after if a)]
    return " ".join(" ".join(w for w in words if w).lower().split())


def _after(want) -> str:
    if want.key == "compatible with":
        return ""  # already said before the noun
    return phrase(want.key, want.said)


def _negation(cat: Category, rng: random.Random) -> QueryFacts:
    key, head = rng.choice(cat.negations)
    cores = [c for c in cat.cores if key in cat.attrs_for(c) and exclusion(cat.attrs_for(c)[key], head).good
             and set(cat.attrs_for(c)[key].values) - set(exclusion(cat.attrs_for(c)[key], head).good)]
    core = rng.choice(cores)
    attrs = cat.attrs_for(core)
    wants = [exclusion(attrs[key], head)]
    extra = [k for k in attrs if k not in (key, "compatible with")]
    if extra and rng.random() < 0.35:
        k = rng.choice(extra)
        wants.append(want_value(attrs[k], rng.choice(attrs[k].values)))
    templates = FREE_TEMPLATES if head in FREE_HEADS else NEGATION_TEMPLATES
    base = _compose(None, None, core, wants[1:], rng)
    text = rng.choice(templates).format(noun=base, head=head.lower())
    return QueryFacts("negation", cat.key, (core,), core, text, wants=tuple(wants))


def _alternative(cat: Category, rng: random.Random) -> QueryFacts:
    brand = rng.choice([b for b in cat.brands if b.tier == 2])
    models = [m for m in cat.models if m.brand == brand.name]
    model = rng.choice(models) if models and rng.random() < 0.6 else None
    core = model.core if model else rng.choice(brand.cores or cat.cores)
    named = f"{brand.name} {model.name}" if model else f"{brand.name} {core}"
    text = rng.choice(ALTERNATIVE_TEMPLATES).format(named=named, noun=core).lower()
    return QueryFacts("alternative", cat.key, (core,), core, text, brand.name, model.name if model else None)
