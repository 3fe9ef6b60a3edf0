"""Examples and splits: pair queries with products, compute gold steps, label (by the rule set) and gold CoT.

    python -m rules.data generate --out data/synthetic --train 2000 --eval 400 --seed 0

    >>> from rules.data.synth import generate
    >>> splits = generate(train=600, eval_size=200, seed=0)     # {"train": [...], "eval_balanced": [...], ...}

Determinism: every split draws from its own `random.Random(f"{seed}:{split}")` (string seeds hash the same in
every process), and the eval splits are drawn first, so their content does not depend on `--train`.

Stratification: a split's rows are dealt over (label, query kind) cells, the label mix times the kind mix, so that
the kind of query says nothing about the label (rejection sampling on labels alone would make most Related rows
alternative queries). Under `ecommerce.yaml` every kind reaches every label; what a kind cannot reach is some of
the *rules*: `negation_violated`/`negation_unconfirmed` need a negation query, `alternative_gets_original`/
`alternative_fulfilled` an alternative one, `brand_mismatch` a plain query naming a brand (alternative queries
name one but are exempt), `attribute_*` a query asking for attributes (never an alternative one), and
`vague_listing` a plain, qa or knowledge one (a negation query with a vague listing is `negation_unconfirmed`).
A cell no scenario can fill under another rule set falls back to the label's other kinds.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from rules import CompiledRuleSet, compile_rules
from rules.data.example import Example
from rules.data.synth.catalog import CATEGORIES
from rules.data.synth.facts import ProductFacts, QueryFacts, listing
from rules.data.synth.judge import STEPS, judge
from rules.data.synth.pairs import SCENARIOS
from rules.data.synth.queries import INTENTS, build_query, eligible

DEFAULT_RULES = Path(__file__).resolve().parents[2] / "catalog" / "ecommerce.yaml"
SPLITS = ("eval_balanced", "eval_wild", "train")  # drawing order: eval sets first
# Label mixes by label id. The wild mix is TaoSR1's in-the-wild eval set; train leans towards the rarer
# Related label so that every decision rule gets examples (class balance is a trainer's choice, not ours).
LABEL_MIX = {
    "train": {4: 0.35, 3: 0.25, 2: 0.25, 1: 0.15},
    "eval_balanced": {4: 0.25, 3: 0.25, 2: 0.25, 1: 0.25},
    "eval_wild": {4: 0.50, 3: 0.05, 2: 0.36, 1: 0.09},
}
# Query kinds: the wild set is mostly plain queries, as search logs are; the others over-sample the hard kinds.
INTENT_MIX = {
    "train": dict(zip(INTENTS, (0.40, 0.15, 0.15, 0.15, 0.15))),
    "eval_balanced": dict(zip(INTENTS, (0.40, 0.15, 0.15, 0.15, 0.15))),
    "eval_wild": dict(zip(INTENTS, (0.60, 0.10, 0.10, 0.10, 0.10))),
}
TRIES_PER_SCENARIO = 60
# Why the deciding rule applies, in this example's terms; a rule set with other rule ids gets the rule's message.
VERDICT_WHY = {
    "category_mismatch": "The product is from another category",
    "accessory_for_product": "It is an accessory for the product asked for, not the product",
    "core_product_mismatch": "It is another product than the one asked for",
    "negation_violated": "It has the very attribute the shopper excludes",
    "alternative_gets_original": "It is the original the shopper wants a cheaper alternative to",
    "brand_mismatch": "It is not the brand or model the shopper names",
    "attribute_mismatch": "An attribute the shopper asks for contradicts the listing",
    "adjacent_category": "It comes from a neighbouring category and only half serves the need",
    "core_product_partial": "It is a close relative of the product asked for, not the product itself",
    "attribute_partial": "Everything else fits, but an attribute agrees only in part",
    "negation_unconfirmed": "The listing does not confirm that the excluded attribute is absent",
    "vague_listing": "The listing leaves out facts needed to confirm the match",
    "alternative_fulfilled": "It is another brand's version of the product asked for, as the shopper wants",
    "full_match": "Category, product, brand and attributes all agree",
}


def quotas(n: int, mix: dict, ahead: dict | None = None) -> dict:
    """Counts per key summing to n, each within one of n * share (largest remainder; ties go to the keys least
    `ahead` of their share so far, then to the first key)."""
    raw = {key: n * share for key, share in mix.items()}
    counts = {key: int(value) for key, value in raw.items()}
    order = list(mix)
    tie = ahead or {}
    ranked = sorted(raw, key=lambda k: (counts[k] - raw[k], tie.get(k, 0), order.index(k)))
    for key in ranked[: n - sum(counts.values())]:
        counts[key] += 1
    return counts


def cell_quotas(n: int, labels: dict[int, float], intents: dict[str, float]) -> dict[tuple[int, str], int]:
    """(label, query kind) -> count: each label's quota split by the kind mix, rounding so kinds stay on their
    shares over the whole split too."""
    ahead = dict.fromkeys(intents, 0.0)
    cells = {}
    for label, k in quotas(n, labels).items():
        for intent, count in quotas(k, intents, ahead).items():
            cells[(label, intent)] = count
            ahead[intent] += count - k * intents[intent]
    return cells


def check_rules(rules: CompiledRuleSet, source: str = "the rule set") -> None:
    """The generator computes the ecommerce steps only: a rule set must have exactly those (and a conclusion)."""
    conclusion = rules.ruleset.output.conclusion_step
    steps = {s.id: tuple(s.verdicts) for s in rules.ruleset.steps if s.id != conclusion}
    wanted = ", ".join(f"{k} ({'/'.join(v)})" for k, v in STEPS.items())
    missing = [k for k in STEPS if k not in steps]
    extra = [k for k in steps if k not in STEPS]
    verdicts = [f"its step {k} lacks verdict(s) {', '.join(v for v in STEPS[k] if v not in steps[k])}" for k in STEPS
                if k in steps and set(STEPS[k]) - set(steps[k])]
    if missing or extra or verdicts:
        found = "; ".join(filter(None, [missing and f"it lacks step(s) {', '.join(missing)}",
                                        extra and f"it has step(s) the generator cannot compute: {', '.join(extra)}",
                                        *verdicts]))
        raise ValueError(f"{source}: the synthetic generator computes the ecommerce steps only, {wanted}; {found}")


def make_example(rules: CompiledRuleSet, q: QueryFacts, p: ProductFacts, example_id: str) -> Example:
    """The gold label is the rule set's decision on the computed verdicts; the guide is rendered from both."""
    verdicts, reasons = judge(q, p)
    decision = rules.decide(verdicts)
    conclusion = rules.ruleset.output.conclusion_step
    name = rules.labels[decision.label].name
    if conclusion:
        verdicts[conclusion] = name
        rule = decision.rule
        why = VERDICT_WHY.get(rule.id, rule.message.rstrip(".")) if rule else "No rule matches"
        reasons[conclusion] = f"{why} ({decision.rule_id}), so {name}."
    tags = [q.intent]
    if verdicts["category"] == "accessory":
        tags.append("accessory")
    if verdicts["category"] == "adjacent" or (verdicts["category"] == "match" and verdicts["core_product"] != "match"):
        tags.append("near_miss")
    return Example(id=example_id, query=q.text, product=listing(p), label=decision.label, gold_steps=verdicts,
                   query_type=tags, guide=rules.render(decision.label, verdicts, reasons))


def pair(example: Example) -> tuple[str, str]:
    """What makes two examples the same to the generator: the query and the product title, case aside."""
    return example.query.lower(), example.product.title.lower()


def scenarios_for(label: int, intent: str) -> list[str]:
    return [name for name, (aim, _, kinds) in SCENARIOS.items() if aim == label and intent in kinds]


def _draw(label: int, intent: str, first: str | None, rules: CompiledRuleSet, rng: random.Random,
          seen: set[tuple[str, str]], example_id: str) -> Example | None:
    """Try scenario `first` (then the cell's others) on fresh queries of kind `intent` until one gives a new pair
    that the rules label `label`; None when none does."""
    others = [name for name in scenarios_for(label, intent) if name != first]
    cats = [c for c in CATEGORIES.values() if eligible(intent, c)]
    for name in [first, *rng.sample(others, len(others))] if first else rng.sample(others, len(others)):
        _, build, _ = SCENARIOS[name]
        for _ in range(TRIES_PER_SCENARIO):
            cat = rng.choice(cats)
            query = build_query(intent, cat, rng)
            product = build(query, rng)
            if product is None:
                continue
            example = make_example(rules, query, product, example_id)
            key = pair(example)
            if example.label == label and key not in seen:  # the facts, not the scenario's aim, decide the label
                seen.add(key)
                return example
    return None


def generate_split(split: str, n: int, rules: CompiledRuleSet, seed: int, seen: set[tuple[str, str]]) -> list[Example]:
    """Quotas per (label, query kind) cell; within a cell, scenarios are dealt from a shuffled deck (each once per
    round) so that even a small split covers every relation, and so every decision rule the scenarios reach."""
    rng = random.Random(f"{seed}:{split}")
    counts = cell_quotas(n, LABEL_MIX[split], INTENT_MIX[split])
    targets = [cell for cell, k in counts.items() for _ in range(k)]
    rng.shuffle(targets)
    decks: dict[tuple[int, str], list[str]] = {}
    examples = []
    for i, (label, intent) in enumerate(targets):
        if not decks.get((label, intent)):  # a scenario made for this kind alone is what its slice is about: twice
            names = [n for n in scenarios_for(label, intent) for _ in range(2 if SCENARIOS[n][2] == (intent,) else 1)]
            decks[(label, intent)] = rng.sample(names, len(names))
        first = decks[(label, intent)].pop() if decks[(label, intent)] else None
        example = _draw(label, intent, first, rules, rng, seen, f"{split}-{i:05d}")
        fallbacks = [k for k in INTENT_MIX[split] if k != intent]  # only where a rule set leaves the cell empty
        while example is None and fallbacks:
            example = _draw(label, fallbacks.pop(0), None, rules, rng, seen, f"{split}-{i:05d}")
        if example is None:
            raise RuntimeError(f"no example with label {label} from any scenario; the rule set may not reach it "
                               "from the generator's scenarios")
        examples.append(example)
    return examples


def generate(train: int, eval_size: int, seed: int = 0, rules: CompiledRuleSet | str | Path = DEFAULT_RULES,
             exclude: Iterable[Example] = ()) -> dict[str, list[Example]]:
    """All three splits; no (query, product title) pair appears twice, within or across splits, nor any pair of
    the `exclude` examples (another set's: a pool of RL prompts drawn with another seed must not repeat the eval rows)."""
    compiled = rules if isinstance(rules, CompiledRuleSet) else compile_rules(rules)
    check_rules(compiled, str(rules) if not isinstance(rules, CompiledRuleSet) else "the rule set")
    labels = len(compiled.labels)
    if train < 1 or eval_size < 1:
        raise ValueError(f"split sizes must be positive: train {train}, eval {eval_size}")
    if eval_size % labels:
        raise ValueError(f"--eval {eval_size}: a balanced split needs a multiple of {labels} (the number of labels); "
                         f"try {eval_size - eval_size % labels or labels}")
    sizes = {"eval_balanced": eval_size, "eval_wild": eval_size, "train": train}
    seen = {pair(example) for example in exclude}
    drawn = {split: generate_split(split, sizes[split], compiled, seed, seen) for split in SPLITS}
    return {split: drawn[split] for split in ("train", "eval_balanced", "eval_wild")}
