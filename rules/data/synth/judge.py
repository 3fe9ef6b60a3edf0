"""Gold step verdicts, with a short reason each, computed from query facts and product facts only.

The label is never set here: the rule set's decision rules turn these verdicts into it (`examples.py`).

    >>> verdicts, reasons = judge(query_facts, product_facts)
    >>> verdicts["attributes"], reasons["attributes"]
    ('partial', 'Colour: the shopper wants blue; the listing says navy, a shade of blue.')
"""

from __future__ import annotations

from rules.data.synth.catalog import CATEGORIES, Want, fits, kin, neighbours
from rules.data.synth.facts import ProductFacts, QueryFacts, core_words
from rules.data.synth.vocab import art, relation

# The steps (and the verdicts of each) that the judge computes: a rule set must have exactly these, plus its
# conclusion step, for the generator to label with it (`examples.check_rules`).
STEPS = {
    "query": ("plain", "negation", "alternative", "qa", "knowledge"),
    "product": ("clear", "vague"),
    "category": ("match", "adjacent", "accessory", "mismatch"),
    "core_product": ("match", "partial", "mismatch"),
    "brand_model": ("match", "mismatch", "not_mentioned"),
    "attributes": ("match", "partial", "mismatch", "not_mentioned", "excluded_present"),
}
# One attribute's outcome -> its weight when several attributes are asked: the worst outcome decides the step.
# "absent": this kind of product has no such attribute at all (a tablet has no memory), unlike "missing" (unstated).
SEVERITY = {"excluded": 5, "mismatch": 4, "partial": 3, "missing": 2, "absent": 2, "match": 1}
STEP_VERDICT = {"excluded": "excluded_present", "mismatch": "mismatch", "partial": "partial",
                "missing": "not_mentioned", "absent": "not_mentioned", "match": "match"}
INTENT_NOTE = {"plain": "a plain product query", "negation": "a negation query",
               "alternative": "an affordable-alternative query", "qa": "a question",
               "knowledge": "it needs world knowledge"}


def judge(q: QueryFacts, p: ProductFacts) -> tuple[dict[str, str], dict[str, str]]:
    """Step id -> verdict and step id -> reason, for every step but the conclusion."""
    category, category_why = _category(q, p)
    core, core_why = _core(q, p)
    brand, brand_why = _brand(q, p)
    attrs, attrs_why = _attributes(q, p, category, core)
    vague = [w.key for w in q.wants if w.key in p.hidden]
    verdicts = {"query": q.intent, "product": "vague" if vague else "clear", "category": category,
                "core_product": core, "brand_model": brand, "attributes": attrs}
    reasons = {"query": _query_why(q), "product": _product_why(p, vague), "category": category_why,
               "core_product": core_why, "brand_model": brand_why, "attributes": attrs_why}
    return verdicts, reasons


def _query_why(q: QueryFacts) -> str:
    if q.intent in ("qa", "knowledge"):
        return f"The shopper wants {q.noun} ({q.text!r}); {INTENT_NOTE[q.intent]}: {q.gist}."
    if q.intent == "alternative":
        target = q.named if q.model else f"{q.brand} {q.noun}"
        return f"The shopper wants a cheaper alternative to the {target}; {INTENT_NOTE[q.intent]}."
    asks = [q.named] if q.named else []
    asks += [f"{w.key} {w.said}" for w in q.wants if not w.exclude]
    excl = q.exclusion
    what = art(q.noun) + (f" ({', '.join(asks)})" if asks else "") + (f" with no {excl.said}" if excl else "")
    return f"The shopper asks for {what}; {INTENT_NOTE[q.intent]}."


def _product_why(p: ProductFacts, vague: list[str]) -> str:
    facts = p.listed()
    shown = [f"{k} {v}" for k, v in facts.items() if k != "compatible with"][:3]
    fits = f" for the {facts['compatible with']}" if "compatible with" in facts else ""
    head = " ".join(filter(None, (p.named, core_words(p.model, p.core)))) + fits
    if vague:
        return f"{head}; the listing does not give its {' or '.join(vague)}, which the query asks about."
    return f"{head}" + (f", {', '.join(shown)}" if shown else "") + f", at {p.price:.2f}."


def _category(q: QueryFacts, p: ProductFacts) -> tuple[str, str]:
    want, have = CATEGORIES[q.category], p.cat
    if have.key == want.key:
        return "match", f"{have.name}, the category asked for."
    if neighbours(have, p.core, want, q.cores):
        return "adjacent", f"{have.name}, a neighbouring category to the {want.name.lower()} asked for."
    if fits(have, p.core, want, q.cores):
        return "accessory", f"{have.name}: {art(p.core)} is an accessory for {want.name.lower()}, not one itself."
    if want.key in have.adjacent or want.key in have.accessory_for:  # the categories touch, these words do not
        return "mismatch", f"{have.name}: {art(p.core)} has nothing to do with {_asked(q)}; another category."
    return "mismatch", f"{have.name}, which has nothing to do with {want.name.lower()}."


def unserved(q: QueryFacts, p: ProductFacts) -> list[str]:
    """What the query asks of the product that this kind of product does not have at all (a tablet has no memory)."""
    attrs = p.cat.attrs_for(p.core)
    return [w.key for w in q.wants if not w.exclude and w.key not in attrs]


def _asked(q: QueryFacts) -> str:
    return q.noun if q.intent in ("qa", "knowledge") else art(q.noun)  # a need's noun has its article already


def _core(q: QueryFacts, p: ProductFacts) -> tuple[str, str]:
    asked = _asked(q)
    if p.core in q.cores:
        how = "as asked" if art(p.core) == art(q.noun) or art(p.core) == asked else f"which counts as {asked} here"
        return "match", f"The product is {art(p.core)}, {how}."
    close = next((c for c in q.cores if kin(p.core, c)), None)
    lacks = unserved(q, p)
    if close is not None and lacks:  # a close word serves only a query it can answer
        return "mismatch", (f"The product is {art(p.core)}: close to {art(close)}, but the query turns on "
                            f"{' and '.join(lacks)}, which {p.core} listings do not state, so it cannot stand in for "
                            f"{asked} here.")
    if close is not None:
        return "partial", f"The product is {art(p.core)}: close to {art(close)}, but not the same product."
    if q.intent in ("qa", "knowledge") and p.cat.key == q.category:  # "an instant camera, not a camera" is false
        return "mismatch", f"The product is {art(p.core)}; the need calls for {_either(q.cores)}."
    return "mismatch", f"The product is {art(p.core)}, not {asked}."


def _either(words: tuple[str, ...]) -> str:
    named = [art(w) for w in words]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


def _brand(q: QueryFacts, p: ProductFacts) -> tuple[str, str]:
    if q.brand is None:
        device = next((w.said for w in q.wants if w.key == "compatible with"), None)
        if device is not None:  # "duro mdv106 watch strap": a model is named, but as what the product must fit
            return "not_mentioned", f"The query names the device it fits ({device}), not a brand to buy."
        return "not_mentioned", "The query names no brand or model."
    original = q.intent == "alternative"
    if p.brand == q.brand and (q.model is None or p.model == q.model):
        if original:
            return "match", f"It is {p.named} itself, the original the shopper wants to replace."
        return "match", f"{p.named}, as named."
    if original:
        return "mismatch", f"{p.named} is another brand than {q.named}, at {p.price:.2f}."
    return "mismatch", f"The query names {q.named}; this is {p.named}" + ("" if p.named.endswith(".") else ".")


def _attributes(q: QueryFacts, p: ProductFacts, category: str, core: str) -> tuple[str, str]:
    if not q.wants:
        return "not_mentioned", "The query asks for no particular attribute."
    if category == "mismatch":  # what the shopper asks of one product says nothing of another
        return "not_mentioned", f"Not applicable: {art(p.core)} is from another category."
    if category == "accessory" or core == "mismatch":
        return "not_mentioned", f"Not applicable: the query asks them of {_asked(q)}, not of {art(p.core)}."
    facts, attrs = p.listed(), p.cat.attrs_for(p.core)
    outcomes = [(w, _outcome(w, facts.get(w.key), w.key in attrs)) for w in q.wants]
    worst = max((o for _, o in outcomes), key=SEVERITY.__getitem__)
    return STEP_VERDICT[worst], " ".join(_attr_why(w, facts.get(w.key), o, p.core) for w, o in outcomes)


def _outcome(want: Want, value: str | None, has_key: bool = True) -> str:
    if value is None:
        return "missing" if has_key else "absent"
    if want.exclude:
        return "excluded" if value in want.good else "match"
    return "match" if value in want.good else "partial" if value in want.partial else "mismatch"


def _attr_why(w: Want, value: str | None, outcome: str, core: str) -> str:
    key = w.key[0].upper() + w.key[1:]
    if outcome == "absent":
        if w.key == "compatible with":
            return f"{key}: not applicable, {art(core)} is not made for a particular device."
        return f"{key}: not applicable, {core} listings do not state it."
    if w.exclude:
        if outcome == "missing":
            return f"{key}: not stated, so it may have the {w.said} the shopper excludes."
        if outcome == "excluded":
            kind = "" if value == w.said else f", a kind of {w.said}"
            return f"{key}: {value}{kind}, which the shopper excludes."
        return f"{key}: {value}, so no {w.said}."
    wanted = f"the shopper wants {w.said}" if w.literal else f"the need is {w.said}"
    if outcome == "missing":
        return f"{key}: {wanted}; the listing does not say."
    if outcome == "match":
        return f"{key}: {value}, as asked." if value == w.said else f"{key}: {value}, which meets it ({wanted})."
    if outcome == "partial":
        how = relation(w.key, w.said, value) if w.literal else "close, but not quite it"
        return f"{key}: {wanted}; the listing says {value}, {how}."
    return f"{key}: {wanted}; the listing says {value}."
