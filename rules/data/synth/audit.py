"""Consistency checks of the catalog tables: a typo in a table would otherwise give silently odd data.

    python -c "from rules.data.synth.audit import catalog_problems; print(catalog_problems())"   # [] when clean

Beyond names that must exist, a few checks of facts a shopper would catch: an accessory is for a device kind it
fits (no smartwatch band for a ring), a model fixes the facts its name states (a G14 is 14 inch, a Black Bay is
black) and those its category says every model pins, a product without a colour has none (a screen protector), and
a need whose query names a product word accepts that word only (a cookware set is not a frying pan).
"""

from __future__ import annotations

import re
from collections import Counter

from rules.data.synth.catalog import CATEGORIES, KIN, TABLES, Attr, Category, Model, pin_options
from rules.data.synth.vocab import FAMILIES, art, members, named_words

_NONE = Attr("", (), False, ())
COLOURLESS = ("screen protector", "memory card", "camera lens")  # products that come in no colour
SIZE_KEYS = ("screen size",)  # keys whose whole-inch number a model name may state ("Zephyrus G14", "Blade 16")


def catalog_problems() -> list[str]:
    """Every inconsistency in the tables, one line each, naming the category and the bad value."""
    problems = _unique_cores()
    for cat in CATEGORIES.values():
        problems += category_problems(cat)
    cores = {core for cat in CATEGORIES.values() for core in cat.cores}
    problems += [f"KIN: unknown product word {w!r}" for pair in KIN for w in sorted(pair) if w not in cores]
    return problems


def category_problems(cat: Category, cats: dict[str, Category] = CATEGORIES) -> list[str]:
    """The checks of one category (`cats`: the catalog it lives in, for its relations)."""
    return (_brands_and_models(cat) + _shadowed(cat) + _relations(cat, cats) + _negations(cat) + _needs(cat, cats)
            + _compatibility(cat, cats) + _model_facts(cat) + _colourless(cat))


def _unique_cores() -> list[str]:
    specs = [spec for table in TABLES for spec in table.SPECS]
    counts = Counter(core.strip() for spec in specs for core in spec["cores"].split(","))
    return [f"product word {core!r} is in {n} categories; it must name one" for core, n in counts.items() if n > 1]


def _pin_problems(cat: Category, where: str, core: str, pins) -> list[str]:
    attrs, out = cat.attrs_for(core), []
    for key, value in pins:
        if key not in attrs:
            out.append(f"{cat.key}: {where} pins {key!r}, which {core!r} does not have")
        elif value not in attrs[key].values:
            out.append(f"{cat.key}: {where} pins {key}={value!r}; values are {attrs[key].values}")
    return out


def _brands_and_models(cat: Category) -> list[str]:
    out = []
    for brand in cat.brands:
        out += [f"{cat.key}: brand {brand.name} makes unknown {c!r}" for c in brand.cores if c not in cat.cores]
        for key, value in brand.pins:  # a brand pin must hold for at least one product word it makes
            if not any(value in cat.attrs_for(c).get(key, _NONE).values for c in brand.cores or cat.cores):
                out.append(f"{cat.key}: brand {brand.name} pins {key}={value!r}, which none of its products has")
    names = {b.name: b for b in cat.brands}
    for model in cat.models:
        brand = names.get(model.brand)
        if brand is None or model.core not in cat.cores or (brand.cores and model.core not in brand.cores):
            out.append(f"{cat.key}: model {model.full} = {model.core!r} does not fit its brand's product words")
            continue
        out += _pin_problems(cat, f"model {model.full}", model.core, model.pins)
    for core in cat.cores:
        if not cat.brands_for(core):
            out.append(f"{cat.key}: no brand makes {core!r}")
        if cat.brands_for(core, (2,)) and not cat.brands_for(core, (0, 1)):
            out.append(f"{cat.key}: {core!r} has premium brands but no cheaper alternative")
    return out


def _shadowed(cat: Category) -> list[str]:
    """The first spec of a key that applies to a product word wins, so a specific spec after a general one is dead."""
    out, general = [], set()
    for attr in cat.attrs:
        if attr.cores and attr.key in general:
            out.append(f"{cat.key}: '{attr.key}@{'/'.join(attr.cores)}' comes after the general '{attr.key}' spec "
                       "and never applies; move it first")
        if not attr.cores:
            general.add(attr.key)
    return out


def _relations(cat: Category, cats: dict[str, Category]) -> list[str]:
    out = []
    for other in cat.adjacent:
        if other not in cats:
            out.append(f"{cat.key}: adjacent category {other!r} does not exist")
        elif cat.key not in cats[other].adjacent:
            out.append(f"{cat.key}: adjacent to {other!r} but not the other way round")
    for other, words in cat.near.items():
        out += [f"{cat.key}: '{other}@' names unknown product word {w!r}" for w in words if w not in cat.cores]
    out += [f"{cat.key}: accessory for unknown {p!r}" for p in cat.accessory_for if p not in cats]
    devices = {c for p in cat.accessory_for if p in cats for c in cats[p].cores}
    for word, fitted in cat.fits.items():
        out += [f"{cat.key}: fits names unknown accessory word {word!r}"] if word not in cat.cores else []
        out += [f"{cat.key}: {word!r} fits {d!r}, no product word of {cat.accessory_for}" for d in fitted
                if d not in devices]
    return out


def _negations(cat: Category) -> list[str]:
    out = []
    for key, head in cat.negations:
        values = {v for core in cat.cores if key in cat.attrs_for(core) for v in cat.attrs_for(core)[key].values}
        hits = values & set(members(key, head))
        if not hits or not values - hits:
            out.append(f"{cat.key}: negation 'not {head}' needs {key} values with and without it; has {sorted(values)}")
    return out


def _needs(cat: Category, cats: dict[str, Category]) -> list[str]:
    out = []
    words = [c for other in cats.values() for c in other.cores]
    for need in cat.needs:
        where = f"{cat.key}: need {need.texts[0]!r}"
        out += [f"{where}: unknown product word {c!r}" for c in need.cores if c not in cat.cores]
        for text in need.texts:  # "frying pan for induction" must not accept a cookware set as a full answer
            named = named_words(text, words)
            if named and set(need.cores) != named:
                out.append(f"{cat.key}: need {text!r} names {sorted(named)} but accepts {list(need.cores)}")
        cores = [c for c in need.cores if c in cat.cores]
        for want in need.wants:
            # Every product word of the need states the attribute; a value may exist for some words only
            # (no Chromebook has 32GB: for a video-editing query it simply never satisfies the need).
            out += [f"{where}: {c!r} has no attribute {want.key!r}" for c in cores if want.key not in cat.attrs_for(c)]
            values = {v for c in cores if want.key in cat.attrs_for(c) for v in cat.attrs_for(c)[want.key].values}
            out += [f"{where}: no product has {want.key} {v!r}" for v in want.good + want.partial if v not in values]
    return out


def _compatibility(cat: Category, cats: dict[str, Category]) -> list[str]:
    """An accessory says which device it is for only for a device of a kind it fits ('fits' in the tables)."""
    out = []
    models = {m.full: m for p in cat.accessory_for if p in cats for m in cats[p].models}
    for core in cat.cores:
        attr = cat.attrs_for(core).get("compatible with")
        if attr is None:
            continue
        if core not in cat.fits:
            out.append(f"{cat.key}: {core!r} names the device it is for but has no 'fits' entry (which device kinds)")
            continue
        pinned = [v for b in cat.brands_for(core) for v in pin_options(b.pins, "compatible with")]
        for value in dict.fromkeys((*attr.values, *pinned)):
            model = models.get(value)
            if model is None:
                out.append(f"{cat.key}: {core!r} is for {value!r}, no model of {cat.accessory_for}")
            elif model.core not in cat.fits[core]:
                out.append(f"{cat.key}: {art(core)} for {value!r}, {art(model.core)}, which it does not fit")
    return out


def _model_facts(cat: Category) -> list[str]:
    out = []
    for model in cat.models:
        attrs = cat.attrs_for(model.core)
        out += [f"{cat.key}: model {model.full} must pin {key!r} (model_pins)" for key in cat.model_pins
                if key in attrs and not pin_options(model.pins, key)]
        out += _name_sizes(cat, model, attrs) + _name_colours(cat, model, attrs)
    return out


def _whole(value: str) -> int:
    return int(float(value.split()[0]))


def _name_sizes(cat: Category, model: Model, attrs: dict[str, Attr]) -> list[str]:
    """A size the model name states ("G14", "Blade 16", "Fire HD 10") is the one it pins."""
    out = []
    numbers = {int(float(n)) for n in re.findall(r"(?<![\d.])\d+(?:\.\d+)?", model.name)}
    for key in SIZE_KEYS:
        if key not in attrs:
            continue
        stated = numbers & {_whole(v) for v in attrs[key].values}
        pins = pin_options(model.pins, key)
        if stated and (not pins or any(_whole(p) not in stated for p in pins)):
            out.append(f"{cat.key}: model {model.full} names a {key} of {sorted(stated)}; it pins {list(pins)}")
    return out


def _name_colours(cat: Category, model: Model, attrs: dict[str, Attr]) -> list[str]:
    """A colour the model name states ("Black Bay", "Little Green") is the one it pins (where the category has that
    colour at all: the Khaki Field watch is a line, not a colour)."""
    if "colour" not in attrs:
        return []
    name = model.name.lower()
    for head, shades in FAMILIES["colour"].items():
        if not set(members("colour", head)) & set(attrs["colour"].values):
            continue
        said = [s for s in (head, *shades) if re.search(rf"\b{re.escape(s)}\b", name)]
        pins = pin_options(model.pins, "colour")
        if said and (not pins or any(p not in members("colour", head) for p in pins)):
            return [f"{cat.key}: model {model.full} is named {said[0]!r}; it pins colour {list(pins)}"]
    return []


def _colourless(cat: Category) -> list[str]:
    return [f"{cat.key}: {c!r} comes in no colour, yet has colour values" for c in cat.cores
            if c in COLOURLESS and "colour" in cat.attrs_for(c)]
