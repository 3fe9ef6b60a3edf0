"""Throughput of RuleAwareReward against TRL's think_format_reward, and its worst case on 64 KB completions.

    python bench/reward_throughput.py

Measures, single process, with time.perf_counter, a warm-up, then the best of several repeats (the median is
printed too; the best is the least disturbed by other load on a shared machine):
  1. completions/s of RuleAwareReward called as GRPOTrainer calls it (batches of 64, log_metric and log_extra
     given) on a seeded mix of good, wrong and malformed 150-400-token CoTs (tokens ~ chars/4), as plain
     strings and in TRL's conversational form;
  2. completions/s of trl.rewards.think_format_reward on the same texts, and the ratio to ours;
  3. ms to score one adversarial completion: 64 KB with the rule set's output.max_chars (8000) on (rejected
     early), the same designs sized just under the limit, and with the limit lifted (parsed in full) at
     16/64/256 KB to show that parsing is linear; think_format_reward on the same 64 KB texts.
Targets: >= 20,000 completions/s, within 5x of think_format_reward, 64 KB in < 5 ms.
"""

import platform
import random
import statistics
import time
from pathlib import Path

import trl
from trl.rewards import think_format_reward

from rewards import RuleAwareReward
from rules import compile_rules, load_rules

CATALOG = Path(__file__).resolve().parent.parent / "rules" / "catalog" / "ecommerce.yaml"
BATCH, BATCHES, REPEATS, SEED = 64, 32, 7, 20240607
MIN_CHARS, MAX_CHARS = 150 * 4, 400 * 4  # 150-400 tokens at ~4 chars per token

# (core product, brand, model, attributes, category path, another brand)
PRODUCTS = [
    ("running shoes", "Nike", "Pegasus 40", "men's size 10, black", "Sports > Running > Shoes", "Brooks"),
    ("wireless earbuds", "Sony", "WF-1000XM5", "noise cancelling, black", "Electronics > Audio", "Anker"),
    ("yoga mat", "Lululemon", "The Mat 5mm", "non-slip, not PVC", "Sports > Yoga > Mats", "Gaiam"),
    ("phone case", "Spigen", "Tough Armor", "iPhone 15 Pro, clear", "Electronics > Phone Accessories", "OtterBox"),
    ("down jacket", "The North Face", "McMurdo", "women's, size M, olive", "Clothing > Outerwear", "Columbia"),
    ("espresso machine", "Breville", "Bambino Plus", "stainless steel, 15 bar", "Home > Kitchen > Coffee", "Gaggia"),
    ("hiking backpack", "Osprey", "Talon 22", "22 L, rain cover, navy", "Bags > Backpacks > Hiking", "Deuter"),
    ("face moisturizer", "CeraVe", "PM Lotion", "fragrance-free, dry skin", "Beauty > Skin Care", "Cetaphil"),
]
QUERIES = ["{brand} {core} {attr}", "{core} {attr}", "{brand} {model}", "cheap alternative to {brand} {core}",
           "{core} not leather", "best {core} for beginners", "{core} like the one {brand} makes"]
SENTENCES = {
    "query": ["The shopper searched for \"{q}\", so the core need is {core}.",
              "The query names a product word ({core}) and constraints a listing can confirm or contradict.",
              "Nothing in \"{q}\" needs outside knowledge beyond knowing what {brand} sells."],
    "product": ["The listing title is \"{title}\" and the bullets describe materials, sizes and box contents.",
                "It is sold as {other} {model}; the images and the spec table agree with the title.",
                "The description states {attr} explicitly, which is enough to compare against the query."],
    "category": ["The listing sits under {cat}, which is where a search for {core} should land.",
                 "The category path is {cat}; I compare it with the category the query implies.",
                 "Accessories and spare parts are filed nearby, so I check it is not a case, strap or refill."],
    "core_product": ["The product word in the title is {core}, the same item the query names.",
                     "I check whether it is the {core} itself or a bundle that covers only part of the need.",
                     "A set or kit would only partly satisfy the query, so I look at what is actually shipped."],
    "brand_model": ["The query mentions {brand}; the listing brand field says {other}.",
                    "Model names matter here: {model} is a specific line and look-alikes are common on {cat}.",
                    "For an alternative query another brand is expected, so {other} is not a problem by itself."],
    "attributes": ["The query asks for {attr}; the listing gives colour, size and material in its spec table.",
                   "I compare each attribute in turn: gender, size, colour and material from title and bullets.",
                   "Navy for blue or a neighbouring size would be a partial match rather than a full one."],
    "verdict": ["Putting the steps together and applying the relevance rules in order gives the label above.",
                "The first decision rule that matches decides; later matching rules do not change the outcome."],
}


def sink(*args, **kwargs):  # TRL's log_metric / log_extra
    return None


def reason(rng, step, verdict, ctx):
    said = " ".join(s.format(**ctx) for s in rng.sample(SENTENCES[step], rng.randint(1, 2)))
    return f"{said} So this is {verdict.replace('_', ' ')}." if rng.random() < 0.5 else said


def render(rng, rules, label, verdicts):
    """A CoT for one random query/product pair, its reasoning resampled until it is 150-400 tokens."""
    core, brand, model, attr, cat, other = rng.choice(PRODUCTS)
    q, seller = rng.choice(QUERIES).format(brand=brand, core=core, attr=attr, model=model), rng.choice([brand, other])
    ctx = dict(q=q, core=core, brand=brand, model=model, attr=attr, cat=cat, other=seller,
               title=f"{seller} {model} {core.title()} - {attr}")
    said = {**verdicts, rules.ruleset.output.conclusion_step: rules.labels[label].name}
    while True:
        text = rules.render(label, verdicts, {s: reason(rng, s, v, ctx) for s, v in said.items()})
        if MIN_CHARS <= len(text) <= MAX_CHARS:
            return text


def wrong_answer(rng, rules, verdicts):
    mode, own = rng.choice(["label", "steps", "both"]), dict(verdicts)
    if mode != "label":
        for step in rng.sample(sorted(own), rng.randint(1, 2)):
            own[step] = rng.choice([v for v in rules.step_verdicts[step] if v != own[step]])
    label = rules.decide(own).label
    if mode != "steps":
        label = rng.choice([x for x in rules.label_ids if x != label])
    return own, label


def _lines(fn):  # a malformation of the list of lines, at a random line index in [lo, hi)
    return lambda lo, hi: lambda t, rng: "\n".join(fn(t.split("\n"), rng.randrange(lo, hi)))


MALFORMED = {  # label line, <think>, 7 step lines, </think>
    "truncated": lambda t, rng: t[: int(len(t) * rng.uniform(0.3, 0.9))],
    "swapped_steps": _lines(lambda ls, i: ls[:i] + [ls[i + 1], ls[i]] + ls[i + 2:])(2, 8),
    "missing_step": _lines(lambda ls, i: ls[:i] + ls[i + 1:])(2, 9),
    "repeated_step": _lines(lambda ls, i: ls[:i + 1] + ls[i:])(2, 9),
    "missing_label": lambda t, rng: t.split("\n", 1)[1],
    "duplicated_label": lambda t, rng: t.split("\n", 1)[0] + "\n" + t,
    "missing_think_close": lambda t, rng: t.replace("</think>", ""),
    "two_verdicts": lambda t, rng: t.replace(" Verdict: ", " Verdict: match, Verdict: ", 1),
    "unknown_verdict": _lines(lambda ls, i: ls[:i] + [ls[i].rsplit(" ", 1)[0] + " probably"] + ls[i + 1:])(2, 9),
    "trailing_text": lambda t, rng: t + "\nHope this helps!",
}


def build_pool(rng, rules, n):
    """(prompt, completion, gold label, gold steps, kind): half good, a quarter wrong, a quarter malformed."""
    pool, steps = [], [s for s in rules.step_verdicts if s != rules.ruleset.output.conclusion_step]
    while len(pool) < n:
        verdicts = {s: rng.choice(rules.step_verdicts[s]) for s in steps}
        gold_label = rules.decide(verdicts).label
        gold = verdicts if rng.random() < 0.7 else {s: verdicts[s] for s in rng.sample(sorted(verdicts), 3)}
        kind = rng.choice(["good", "good", "wrong", "malformed"])
        own, label = wrong_answer(rng, rules, verdicts) if kind == "wrong" else (verdicts, gold_label)
        text = render(rng, rules, label, own)
        if kind == "malformed":
            kind = rng.choice(sorted(MALFORMED))
            text = MALFORMED[kind](text, rng)
        ok = kind in ("good", "wrong")
        assert ok != (type(rules.parse(text)).__name__ == "ParseError"), (kind, text)
        if MIN_CHARS <= len(text) <= MAX_CHARS:  # malformed ones too stay 150-400 tokens
            pool.append((f"Query: {len(pool)}\nProduct: ...", text, gold_label, gold, kind))
    return pool


def batches_of(pool, conversational=False):
    out = []
    for i in range(0, len(pool), BATCH):
        chunk = pool[i:i + BATCH]
        texts = [c[1] for c in chunk]
        comps = [[{"role": "assistant", "content": t}] for t in texts] if conversational else texts
        out.append(([c[0] for c in chunk], comps, [c[2] for c in chunk], [c[3] for c in chunk]))
    return out


def call(reward, batch):
    prompts, comps, labels, golds = batch
    return reward(prompts=prompts, completions=comps, label=labels, gold_steps=golds, log_metric=sink, log_extra=sink)


def timed(fn, items):
    """Seconds for one pass of fn over items: (best, median) of REPEATS passes after a warm-up pass."""
    times = []
    for _ in range(REPEATS + 1):
        start = time.perf_counter()
        for item in items:
            fn(item)
        times.append(time.perf_counter() - start)
    return min(times[1:]), statistics.median(times[1:])


def ms_each(fn, text):
    """Best ms of one call on one completion; calls are looped to about 20 ms per timed pass."""
    start = time.perf_counter()
    fn(text)
    number = max(1, min(2000, int(0.02 / max(time.perf_counter() - start, 1e-7))))
    return timed(fn, [text] * number)[0] / number * 1e3


def fill(head, unit, tail, size):
    room = max(0, size - len(head) - len(tail))
    return head + (unit * (room // len(unit) + 1))[:room] + tail


def adversarial(good):
    """Designs: name -> function(size) giving a completion of exactly `size` characters."""
    label, steps, end = good.split("\n", 1)[0], good[: -len("\n</think>")], "</think>"  # steps: label to last step
    first, later = steps.split("\n", 3)[2:]
    head = f"{label}\n<think>\n{first.rsplit(' Verdict:', 1)[0]} "  # a valid CoT up to the first step's verdict
    mid = f" Verdict: {first.rsplit(' ', 1)[1]}\n{later}\n{end}"  # ... and from there on
    return {
        "query_header_repeats": lambda n: fill("", "[query] ", "", n),
        "verdict_padding": lambda n: fill(head, "Verdict: ", mid, n),
        "think_fragments": lambda n: fill("", "<think>", "", n),
        "step_header_lines": lambda n: fill(f"{label}\n<think>\n", "[query]\n", end, n),
        "fake_header_lines": lambda n: fill(f"{steps}\n", "[no such]\n", end, n),
        "long_line_valid": lambda n: fill(head, "very long reasoning ", mid, n),
        "blank_lines_valid": lambda n: fill(steps, "\n", f"\n{end}", n),
        "short_lines_valid": lambda n: fill(head, "x\n", mid, n),
        "unicode_valid": lambda n: fill(head, "鞋子é ", mid, n),
    }


def unlimited(path):
    rs = load_rules(path)
    output = rs.output.model_copy(update={"max_chars": 10**7})
    return RuleAwareReward(compile_rules(rs.model_copy(update={"output": output})))


def throughput_table(reward, pool):
    plain, conv = batches_of(pool), batches_of(pool, conversational=True)
    think = [[[{"content": t}] for t in b[1]] for b in plain]
    moved = [[[{"content": "\n".join(t.partition("\n")[::-2])}] for t in b[1]] for b in plain]  # label line last
    rate = lambda fn, batches: [len(pool) / t for t in timed(fn, batches)]  # noqa: E731  (best, median) /s
    rows = [("RuleAwareReward (str)", rate(lambda b: call(reward, b), plain)),
            ("RuleAwareReward (conversational)", rate(lambda b: call(reward, b), conv)),
            ("trl think_format_reward", rate(think_format_reward, think)),
            ("  same, label line moved last *", rate(think_format_reward, moved))]
    print(f"\n{'reward function':34} {'best /s':>12} {'median /s':>12} {'us/compl.':>10}")
    for name, (best, median) in rows:
        print(f"{name:34} {best:12,.0f} {median:12,.0f} {1e6 / best:10.2f}")
    print("* think-first layout, so its regex scans the whole text instead of failing at 'Label:' at char 0")
    return [r[1][0] for r in rows]


def adversarial_table(reward, free, good, limit):
    designs = adversarial(good)
    cols = ["64K on", "<limit on", "16K off", "64K off", "256K off", "us/KB 16K", "us/KB 256K", "think 64K"]
    print(f"\nms per completion; on/off: output.max_chars {limit + 1} / lifted; <limit: {limit} chars; "
          "us/KB: limit off; think: think_format_reward")
    print(f"{'adversarial design':24} " + " ".join(f"{c:>10}" for c in cols) + "  parse (off, 64K)")
    ours, lifted = (lambda t: call(reward, (["q"], [t], [4], [{}]))), (lambda t: call(free, (["q"], [t], [4], [{}])))
    rows = []
    for name, make in designs.items():
        assert len(make(65536)) == 65536, name
        on, at_limit = ms_each(ours, make(65536)), ms_each(ours, make(limit))
        off = [ms_each(lifted, make(k * 1024)) for k in (16, 64, 256)]
        think = ms_each(lambda t: think_format_reward([[{"content": t}]]), make(65536))
        rows.append([on, at_limit, *off, off[0] * 1e3 / 16, off[2] * 1e3 / 256, think])
        parsed = free.rules.parse(make(65536))
        print(f"{name:24} " + " ".join(f"{v:10.3f}" for v in rows[-1]) + f"  {getattr(parsed, 'code', 'ok')}")
    worst = [max(col) for col in zip(*rows)]
    print(f"{'worst case':24} " + " ".join(f"{v:10.3f}" for v in worst))
    return worst[0], worst[3], worst[1]


def main():
    print(f"# reward throughput: python {platform.python_version()} ({platform.python_implementation()}), "
          f"trl {trl.__version__}, {platform.machine()} {platform.system()}")
    reward, rng = RuleAwareReward.from_yaml(CATALOG), random.Random(SEED)
    pool = build_pool(rng, reward.rules, BATCH * BATCHES)
    chars = [len(p[1]) for p in pool]
    kinds = {k: sum(p[4] == k for p in pool) for k in sorted({p[4] for p in pool})}
    mean = statistics.mean(chars)
    print(f"# {len(pool)} completions in {BATCHES} batches of {BATCH}, seed {SEED}, best of {REPEATS} repeats")
    print(f"# chars mean {mean:.0f} min {min(chars)} max {max(chars)}; est. tokens (chars/4) mean {mean / 4:.0f} "
          f"range {min(chars) / 4:.0f}-{max(chars) / 4:.0f}")
    bad = sum(v for k, v in kinds.items() if k in MALFORMED)
    print(f"# mix: good {kinds['good']}, wrong {kinds['wrong']}, malformed {bad} ("
          + ", ".join(f"{k} {v}" for k, v in kinds.items() if k in MALFORMED) + ")")
    ours, conv, think, think_scanning = throughput_table(reward, pool)
    good = next(p[1] for p in pool if p[4] == "good")
    limit = reward.rules.ruleset.output.max_chars - 1
    worst_on, worst_off, worst_at_limit = adversarial_table(reward, unlimited(CATALOG), good, limit)
    ratio, verdict = think / ours, (lambda ok: "met" if ok else "MISSED")
    ratio_scanning = think_scanning / ours
    print(f"\n# targets: >= 20,000/s {verdict(ours >= 20000)}; within 5x of think_format {verdict(ratio <= 5)} "
          f"({ratio:.2f}x; {ratio_scanning:.2f}x when its regex scans the text); 64 KB < 5 ms: limit on {verdict(worst_on < 5)}, limit off {verdict(worst_off < 5)}")
    print(f"completions_per_s={ours:.0f} conversational_per_s={conv:.0f} think_format_per_s={think:.0f} "
          f"ratio_vs_think_format={ratio:.2f} ratio_vs_think_format_scanning={ratio_scanning:.2f} adversarial_64kb_ms={worst_on:.4f} "
          f"adversarial_64kb_nolimit_ms={worst_off:.3f} mean_tokens={mean / 4:.0f} "
          f"adversarial_at_limit_ms={worst_at_limit:.3f}")


if __name__ == "__main__":
    main()
