"""Candidates to try the annotation page (and Label Studio) on: the bundled examples' gold CoTs, some with a step
made wrong, some with a wrong label only, a few that do not parse. Deterministic for a seed.

    python -m verifiers.human.demo_candidates --examples data/synthetic/eval_balanced.jsonl \\
        --rules rules/catalog/ecommerce.yaml --out data/annotate/candidates.jsonl --n 24 --seed 0

Per example, in turn: the gold CoT as written; one step changed and the label decided again from the changed
verdicts; one step changed, the label kept (reasoning and label disagree); every fourth item is either the gold
CoT again or (each third time) a completion cut before its steps, which does not parse.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

from rules import ParseError, compile_rules


def candidates(examples, rules, n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    conclusion = rules.ruleset.output.conclusion_step
    out = []
    for i, ex in enumerate(e for e in examples if e.guide):
        if len(out) == n:
            break
        cot = rules.parse(ex.guide)
        if isinstance(cot, ParseError):
            continue
        verdicts = {s.id: s.verdict for s in cot.steps if s.id != conclusion}
        reasons = {s.id: s.reasoning for s in cot.steps if s.id != conclusion}
        kind, text = i % 4, ex.guide
        if kind in (1, 2):
            step = rng.choice(sorted(verdicts))
            verdicts[step] = rng.choice([v for v in rules.step_verdicts[step] if v != verdicts[step]])
            decided = rules.try_decide(verdicts)
            label = decided.label if kind == 1 and decided is not None else cot.label
            text = rules.render(label, verdicts, reasons)
        elif kind == 3 and i % 12 == 3:
            text = ex.guide.split("\n")[0] + "\nThe product looks fine to me."
        out.append({"id": ex.id, "completion": text})
    return out


def main(argv: list[str] | None = None) -> int:
    from rules.data.loaders import load_examples

    parser = argparse.ArgumentParser(prog="python -m verifiers.human.demo_candidates",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--examples", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--n", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = candidates(load_examples(args.examples).examples, compile_rules(args.rules), args.n, args.seed)
    with open(args.out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    print(f"wrote {len(rows)} candidates to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
