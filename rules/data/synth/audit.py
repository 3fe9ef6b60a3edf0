"""Consistency checks of the catalog tables: a typo in a table would otherwise give silently odd data.

    python -c "from rules.data.synth.audit import catalog_problems; print(catalog_problems())"   # [] when clean
"""

from __future__ import annotations

from collections import Counter

from rules.data.synth.catalog import CATEGORIES, KIN, TABLES, Attr, Category
from rules.data.synth.vocab import members


_NONE = Attr("", (), False, ())


def catalog_problems() -> list[str]:
    """Every inconsistency in the tables, one line each, naming the category and the bad value."""
    problems = _unique_cores()
    for cat in CATEGORIES.values():
        problems += _brands_and_models(cat) + _shadowed(cat) + _relations(cat) + _negations(cat) + _needs(cat)
    cores = {core for cat in CATEGORIES.values() for core in cat.cores}
    problems += [f"KIN: unknown product word {w!r}" for pair in KIN for w in sorted(pair) if w not in cores]
    return problems


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


def _relations(cat: Category) -> list[str]:
    out = []
    for other in cat.adjacent:
        if other not in CATEGORIES:
            out.append(f"{cat.key}: adjacent category {other!r} does not exist")
        elif cat.key not in CATEGORIES[other].adjacent:
            out.append(f"{cat.key}: adjacent to {other!r} but not the other way round")
    out += [f"{cat.key}: accessory for unknown {p!r}" for p in cat.accessory_for if p not in CATEGORIES]
    return out


def _negations(cat: Category) -> list[str]:
    out = []
    for key, head in cat.negations:
        values = {v for core in cat.cores if key in cat.attrs_for(core) for v in cat.attrs_for(core)[key].values}
        hits = values & set(members(key, head))
        if not hits or not values - hits:
            out.append(f"{cat.key}: negation 'not {head}' needs {key} values with and without it; has {sorted(values)}")
    return out


def _needs(cat: Category) -> list[str]:
    out = []
    for need in cat.needs:
        where = f"{cat.key}: need {need.texts[0]!r}"
        out += [f"{where}: unknown product word {c!r}" for c in need.cores if c not in cat.cores]
        cores = [c for c in need.cores if c in cat.cores]
        for want in need.wants:
            # Every product word of the need states the attribute; a value may exist for some words only
            # (no Chromebook has 32GB: for a video-editing query it simply never satisfies the need).
            out += [f"{where}: {c!r} has no attribute {want.key!r}" for c in cores if want.key not in cat.attrs_for(c)]
            values = {v for c in cores if want.key in cat.attrs_for(c) for v in cat.attrs_for(c)[want.key].values}
            out += [f"{where}: no product has {want.key} {v!r}" for v in want.good + want.partial if v not in values]
    return out
