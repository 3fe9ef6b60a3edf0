"""What attribute values mean: colour shade families, material families, gender fit, ordered scales.

The generator never hand-assigns a verdict: it compares a wanted value with a listing's value here.

    >>> compare("colour", "blue", "navy", values=())      # a shade of the family asked for
    'partial'
    >>> compare("material", "leather", "suede", values=())  # suede is leather
    'match'
    >>> compare("size", "10", "10.5", values=("9.5", "10", "10.5"), ordered=True)
    'partial'
"""

from __future__ import annotations

import re

# Family head -> members. A query naming the head of a colour family and a listing naming another shade is the
# rule set's own "navy for blue" partial; a material head is a kind (suede *is* leather), so members match it.
FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    "colour": {
        "black": ("black", "jet black"),
        "white": ("white", "ivory", "cream", "off-white"),
        "grey": ("grey", "charcoal", "graphite", "heather grey"),
        "blue": ("blue", "navy", "royal blue", "light blue"),
        "red": ("red", "burgundy", "crimson"),
        "green": ("green", "olive", "sage", "forest green"),
        "pink": ("pink", "blush", "rose", "hot pink"),
        "purple": ("purple", "lavender", "plum"),
        "brown": ("brown", "tan", "camel", "cognac"),
        "beige": ("beige", "khaki", "sand"),
        "yellow": ("yellow", "mustard"),
        "silver": ("silver", "stainless steel", "chrome"),
        "gold": ("gold", "rose gold"),
    },
    "material": {
        "leather": ("leather", "full-grain leather", "suede", "nubuck"),
        "cotton": ("cotton", "organic cotton", "pima cotton"),
        "wool": ("wool", "merino wool", "lambswool"),
        "polyester": ("polyester", "recycled polyester"),
        "plastic": ("plastic", "BPA-free plastic", "ABS plastic", "polycarbonate"),
        "nonstick": ("nonstick aluminium", "ceramic nonstick"),
        "cast iron": ("cast iron", "enameled cast iron"),
        "wood": ("wood", "solid oak", "walnut", "bamboo"),
    },
    "scent": {"fragrance": ("lavender", "rose", "citrus", "vanilla", "sandalwood")},
}

# Gender of a listing that serves a shopper who asked for the key: unisex fits everyone.
GENDER_FITS = {"men": ("men", "unisex"), "women": ("women", "unisex"), "unisex": ("unisex",)}


def family_of(key: str, value: str) -> str | None:
    for head, members in FAMILIES.get(key, {}).items():
        if value == head or value in members:
            return head
    return None


def members(key: str, head: str) -> tuple[str, ...]:
    """Every value that counts as `head` (itself included): what a negation query excludes."""
    return tuple(dict.fromkeys((head, *FAMILIES.get(key, {}).get(head, ()))))


def compare(key: str, wanted: str, value: str, values: tuple[str, ...], ordered: bool = False) -> str:
    """'match' | 'partial' | 'mismatch' for one attribute the shopper asked for."""
    if value == wanted:
        return "match"
    if key == "gender":
        return "match" if value in GENDER_FITS.get(wanted, ()) else "mismatch"
    family = family_of(key, value)
    if key in ("colour", "material") and family is not None and family == family_of(key, wanted):
        if key == "material" and wanted == family:
            return "match"  # a kind of what was asked for: full-grain leather for "leather"
        return "partial"  # a sibling shade or material: navy for "blue", suede for "nubuck"
    if ordered and wanted in values and value in values:
        return "partial" if abs(values.index(wanted) - values.index(value)) == 1 else "mismatch"
    return "mismatch"


def relation(key: str, wanted: str, value: str) -> str:
    """A few words on how a partial value relates to the wanted one, for the gold reasoning."""
    family = family_of(key, value)
    if key == "colour" and family == wanted:
        return f"a shade of {wanted}"
    if key == "colour" and family is not None:
        return f"another shade of {family}"
    if key == "material" and family is not None:
        return f"a related kind of {family}"
    return "the neighbouring size" if key in ("size", "storage") else "one step off"


# How a shopper writes a wanted value, and where: before the product word ("adjustable dumbbells") or after it
# ("moisturizer for oily skin"). Keys not listed go after the noun as the bare value ("256gb", "65 inch").
QUERY_FORM: dict[str, tuple[str, str]] = {
    "colour": ("before", "{v}"), "material": ("before", "{v}"), "shade": ("before", "{v} shade"),
    "gender": ("before", "{v}"), "size": ("after", "size {v}"), "frame size": ("after", "{v} frame"),
    "skin type": ("after", "for {v} skin"), "age": ("after", "for {v}"), "players": ("after", "for {v}"),
    "attachments": ("after", "with {v}"), "filter": ("after", "with {v}"), "lumbar support": ("after", "with {v}"),
    "special feature": ("after", "with {v}"), "laptop fit": ("after", "that {v}"), "plate material": ("after", "{v}"),
    "temperature rating": ("after", "rated {v}"), "compatible with": ("before", "{v}"), "pieces": ("after", "{v}"),
    **{k: ("before", "{v}") for k in ("type", "panel", "display", "opacity", "nickel", "theme", "insulation",
                                      "season", "light", "care", "scent family", "finish", "formula", "screen",
                                      "noise control", "cushioning", "support", "key ingredient", "graphics")},
}
# Values a listing states but no shopper searches for ("no diffuser", "not water resistant").
NOT_SEARCHED = frozenset((
    "passive isolation", "no noise cancelling", "not water resistant", "standard filter", "no diffuser",
    "no lumbar support", "fixed lumbar support", "no laptop sleeve", "contains nickel", "fixed screen", "non-touch",
    "integrated graphics", "spot clean only", "semi-sheer", "flat cushion", "back-clip", "single-wall stainless steel",
    "minimal cushioning", "moderate cushioning", "lightly insulated", "washable", "light filtering", "neutral",
))
NOT_SEARCHED_KEYS = frozenset(("works with",))


def phrase(key: str, value: str) -> tuple[str, str]:
    """(position, words) of a wanted value in a query: ("after", "size 10"), ("before", "men's")."""
    if key == "gender":
        return "before", {"men": "men's", "women": "women's"}.get(value, value)
    if key == "skin type" and value == "all skin types":
        return "after", "for all skin types"
    if key == "size" and value.lower() in ("twin", "full", "queen", "king", "california king"):
        return "before", value  # "queen mattress"
    where, form = QUERY_FORM.get(key, ("after", "{v}"))
    words = form.format(v=value)
    return where, words.replace(" GB", "GB") if key in ("storage", "memory") else words


AN_WORDS, A_WORDS = ("LED",), ("USB-C",)  # said "an el-ee-dee", "a you-ess-bee"


def art(core: str) -> str:
    """'a smartphone', 'an e-reader', 'an LED TV', 'running shoes' (plural product words take no article)."""
    if core.endswith("s") and not core.endswith("ss"):
        return core
    first = core.split()[0]
    vowel = first in AN_WORDS or (first[0].lower() in "aeiou" and first not in A_WORDS)
    return ("an " if vowel else "a ") + core


def named_words(text: str, words) -> set[str]:
    """The product words a text names ("frying pan for induction" names 'frying pan'), longest first wins."""
    low = text.lower()
    hits = {w for w in words if re.search(rf"\b{re.escape(w.lower())}s?\b", low)}
    return {w for w in hits if not any(w != o and w.lower() in o.lower() for o in hits)}
