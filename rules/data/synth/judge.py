"""Gold step verdicts, with a short reason each, computed from query facts and product facts only.

The label is never set here: the rule set's decision rules turn these verdicts into it (`examples.py`).

    >>> verdicts, reasons = judge(query_facts, product_facts)
    >>> verdicts["attributes"], reasons["attributes"]
    ('partial', 'Colour: the shopper wants blue; the listing says navy, a shade of blue.')
"""

from __future__ import annotations

from rules.data.synth.catalog import CATEGORIES, Want, kin
from rules.data.synth.facts import ProductFacts, QueryFacts
from rules.data.synth.vocab import relation

# One attribute's outcome -> its weight when several attributes are asked: the worst outcome decides the step.
SEVERITY = {"excluded": 5, "mismatch": 4, "partial": 3, "missing": 2, "match": 1}
STEP_VERDICT = {"excluded": "excluded_present", "mismatch": "mismatch", "partial": "partial",
                "missing": "not_mentioned", "match": "match"}
AN_WORDS, A_WORDS = ("LED",), ("USB-C",)  # said "an el-ee-dee", "a you-ess-bee"
INTENT_NOTE = {"plain": "a plain product query", "negation": "a negation query",
               "alternative": "an affordable-alternative query", "qa": "a question",
               "knowledge": "it needs world knowledge"}


def judge(q: QueryFacts, p: ProductFacts) -> tuple[dict[str, str], dict[str, str]]:
    """Step id -> verdict and step id -> reason, for every step but the conclusion."""
    category, category_why = _category(q, p)
    core, core_why = _core(q, p)
    brand, brand_why = _brand(q, p)
    attrs, attrs_why = _attributes(q, p)
    vague = [w.key for w in q.wants if w.key in p.hidden]
    verdicts = {"query": q.intent, "product": "vague" if vague else "clear", "category": category,
                "core_product": core, "brand_model": brand, "attributes": attrs}
    reasons = {"query": _query_why(q), "product": _product_why(p, vague), "category": category_why,
               "core_product": core_why, "brand_model": brand_why, "attributes": attrs_why}
    return verdicts, reasons


def art(core: str) -> str:
    """'a smartphone', 'an e-reader', 'an LED TV', 'running shoes' (plural product words take no article)."""
    if core.endswith("s") and not core.endswith("ss"):
        return core
    first = core.split()[0]
    vowel = first in AN_WORDS or (first[0].lower() in "aeiou" and first not in A_WORDS)
    return ("an " if vowel else "a ") + core


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
    head = f"{p.named} {p.core}{fits}"
    if vague:
        return f"{head}; the listing does not give its {' or '.join(vague)}, which the query asks about."
    return f"{head}" + (f", {', '.join(shown)}" if shown else "") + f", at {p.price:.2f}."


def _category(q: QueryFacts, p: ProductFacts) -> tuple[str, str]:
    want, have = CATEGORIES[q.category], p.cat
    if have.key == want.key:
        return "match", f"{have.name}, the category asked for."
    if have.key in want.adjacent:
        return "adjacent", f"{have.name}, a neighbouring category to the {want.name.lower()} asked for."
    if want.key in have.accessory_for:
        return "accessory", f"{have.name}: {art(p.core)} is an accessory for {want.name.lower()}, not one itself."
    return "mismatch", f"{have.name}, which has nothing to do with {want.name.lower()}."


def _core(q: QueryFacts, p: ProductFacts) -> tuple[str, str]:
    asked = q.noun if q.intent in ("qa", "knowledge") else art(q.noun)  # a need's noun has its article already
    if p.core in q.cores:
        how = "as asked" if p.core == q.noun else f"which counts as {asked} here"
        return "match", f"The product is {art(p.core)}, {how}."
    close = next((c for c in q.cores if kin(p.core, c)), None)
    if close is not None:
        return "partial", f"The product is {art(p.core)}: close to {art(close)}, but not the same product."
    return "mismatch", f"The product is {art(p.core)}, not {asked}."


def _brand(q: QueryFacts, p: ProductFacts) -> tuple[str, str]:
    if q.brand is None:
        return "not_mentioned", "The query names no brand or model."
    original = q.intent == "alternative"
    if p.brand == q.brand and (q.model is None or p.model == q.model):
        if original:
            return "match", f"It is {p.named} itself, the original the shopper wants to replace."
        return "match", f"{p.named}, as named."
    if original:
        return "mismatch", f"{p.named} is another brand than {q.named}, at {p.price:.2f}."
    return "mismatch", f"The query names {q.named}; this is {p.named}."


def _attributes(q: QueryFacts, p: ProductFacts) -> tuple[str, str]:
    if not q.wants:
        return "not_mentioned", "The query asks for no particular attribute."
    facts = p.listed()
    outcomes = [(w, _outcome(w, facts.get(w.key))) for w in q.wants]
    worst = max((o for _, o in outcomes), key=SEVERITY.__getitem__)
    return STEP_VERDICT[worst], " ".join(_attr_why(w, facts.get(w.key), o) for w, o in outcomes)


def _outcome(want: Want, value: str | None) -> str:
    if value is None:
        return "missing"
    if want.exclude:
        return "excluded" if value in want.good else "match"
    return "match" if value in want.good else "partial" if value in want.partial else "mismatch"


def _attr_why(w: Want, value: str | None, outcome: str) -> str:
    key = w.key[0].upper() + w.key[1:]
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
        how = relation(w.key, w.said, value) if w.literal else "only part of it"
        return f"{key}: {wanted}; the listing says {value}, {how}."
    return f"{key}: {wanted}; the listing says {value}."
