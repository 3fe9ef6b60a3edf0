"""The synthetic benchmark: determinism, gold labels from the rule set, parseable guides, split mixes, coverage,
the meaning of attribute values, and the shipped files in data/synthetic (regenerated and compared byte for byte).

    pytest tests/test_synthetic.py
"""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from rewards import RuleAwareReward
from rules import compile_rules
from rules.data.__main__ import main
from rules.data.example import QUERY_TYPES, Example
from rules.data.loaders import save_examples
from rules.data.synth import CATEGORIES, LABEL_MIX, catalog_problems, generate
from rules.data.synth.audit import category_problems
from rules.data.synth.catalog import Attr
from rules.data.synth.examples import INTENT_MIX, quotas
from rules.data.synth.facts import ProductFacts, QueryFacts
from rules.data.synth.judge import judge
from rules.data.synth.queries import INTENTS, exclusion, want_value
from rules.data.synth.stats import jsonl
from rules.data.synth.vocab import compare

ROOT = Path(__file__).resolve().parents[1]
CATALOG = str(ROOT / "rules/catalog/ecommerce.yaml")
SHIPPED = ROOT / "data/synthetic"
FILES = ("train.jsonl", "eval_balanced.jsonl", "eval_wild.jsonl", "stats.json")


@pytest.fixture(scope="module")
def rules():
    return compile_rules(CATALOG)


@pytest.fixture(scope="module")
def splits(rules):
    return generate(train=400, eval_size=100, seed=0, rules=rules)


def everything(splits) -> list[Example]:
    return [e for rows in splits.values() for e in rows]


def test_catalog_tables_are_consistent_and_wide():
    assert catalog_problems() == []
    assert len(CATEGORIES) >= 30


def test_same_seed_same_bytes_and_another_seed_other_data(rules):
    def text(seed: int) -> str:
        return "".join(jsonl(rows) for rows in generate(60, 20, seed, rules).values())
    assert text(0) == text(0)
    assert text(0) != text(1)


def test_eval_splits_do_not_depend_on_the_train_size(rules):
    small, large = generate(10, 20, 3, rules), generate(50, 20, 3, rules)
    assert small["eval_balanced"] == large["eval_balanced"]
    assert small["eval_wild"] == large["eval_wild"]


def test_gold_label_is_the_rule_sets_decision_on_the_gold_steps(rules, splits):
    for e in everything(splits):
        assert e.label == rules.decide(e.gold_steps).label, e.id
        assert e.gold_steps["verdict"] == rules.labels[e.label].name, e.id


def test_every_guide_parses_back_to_its_gold(rules, splits):
    for e in everything(splits):
        parsed = rules.parse(e.guide)
        assert not hasattr(parsed, "code"), (e.id, parsed)
        assert parsed.label == e.label and parsed.verdicts == e.gold_steps, e.id


def test_the_reward_gives_every_guide_full_marks(splits):
    rows = everything(splits)
    reward = RuleAwareReward.from_yaml(CATALOG)
    values = reward(prompts=[e.query for e in rows], completions=[e.guide for e in rows],
                    label=[e.label for e in rows], gold_steps=[e.gold_steps for e in rows])
    assert values == [1.0] * len(rows)


def test_balanced_split_has_equal_labels(splits):
    assert set(Counter(e.label for e in splits["eval_balanced"]).values()) == {25}


def test_wild_split_has_the_taosr1_mix(splits):
    counts = Counter(e.label for e in splits["eval_wild"])
    assert counts == {4: 50, 3: 5, 2: 36, 1: 9}  # TaoSR1: L4 50% / L3 5% / L2 36% / L1 9%
    for n in (7, 137, 400):  # other sizes: within rounding of every share, summing to n
        got = quotas(n, LABEL_MIX["eval_wild"])
        assert sum(got.values()) == n and all(abs(got[k] - n * s) < 1 for k, s in LABEL_MIX["eval_wild"].items())


def test_every_decision_rule_decides_some_train_example(rules, splits):
    decided = Counter(rules.decide(e.gold_steps).rule_id for e in splits["train"])
    assert {r.id for r in rules.rules} <= set(decided), {r.id for r in rules.rules} - set(decided)


def test_the_query_kind_says_nothing_about_the_label(splits):
    """Labels x query kinds are stratified: every label has every kind, near the split's kind mix."""
    for name in ("train", "eval_balanced"):
        rows = splits[name]
        for label in {e.label for e in rows}:
            kinds = Counter(e.gold_steps["query"] for e in rows if e.label == label)
            n = sum(kinds.values())
            for intent in INTENTS:
                share = n * INTENT_MIX[name][intent]
                assert kinds[intent] >= 1 and abs(kinds[intent] - share) <= 1, (name, label, kinds)
    wild = Counter((e.label, e.gold_steps["query"]) for e in splits["eval_wild"])
    assert all(wild[(1, intent)] >= 1 for intent in INTENTS), wild  # 9 Irrelevant rows: one of each hard kind


def test_train_spans_the_catalog_and_the_hard_query_types(splits):
    train = splits["train"]
    assert len({e.product.category[1] for e in train}) >= 30
    tags = Counter(t for e in train for t in e.query_type)
    assert all(tags[t] >= 5 for t in QUERY_TYPES), tags


def test_no_query_product_pair_appears_twice(splits):
    keys = [(e.query.lower(), e.product.title.lower()) for e in everything(splits)]
    assert len(keys) == len(set(keys))


def test_a_balanced_split_needs_a_multiple_of_the_label_count(rules):
    with pytest.raises(ValueError, match="multiple of 4"):
        generate(10, 10, 0, rules)


def test_shipped_files_are_exactly_what_the_documented_command_writes(tmp_path):
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    command = next(line.strip() for line in readme.splitlines() if "rules.data generate --out data/synthetic" in line)
    args = shlex.split(command)[3:]  # drop "python -m rules.data"
    args[args.index("--out") + 1] = str(tmp_path)
    assert main(args) == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), f"{name}: rerun `{command}`"


def test_show_prints_rows_a_person_can_read(capsys, tmp_path):
    assert main(["show", str(SHIPPED / "eval_wild.jsonl"), "-n", "2", "--guide"]) == 0
    out = capsys.readouterr().out
    assert out.count("   query    ") == 2 and "rule " in out and "<think>" in out and "(2 of 100 rows)" in out
    rows = generate(4, 4, 0)["eval_balanced"]
    save_examples(rows, tmp_path / "rows.csv")  # any format load_examples reads
    assert main(["show", str(tmp_path / "rows.csv"), "-n", "3"]) == 0
    assert "(3 of 4 rows)" in capsys.readouterr().out
    assert main(["show", str(tmp_path / "missing.jsonl")]) == 1
    assert "missing.jsonl: no such file" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--train", "-5"], "argument --train: must be at least 1, got -5"),
    (["--eval", "0"], "argument --eval: must be at least 1, got 0"),
    (["--eval", "10"], "--eval 10: a balanced split needs a multiple of 4"),
    (["--train", "many"], "argument --train: expected a whole number, got 'many'"),
    (["--rules", str(ROOT / "rules/catalog/apparel.yaml")], "computes the ecommerce steps only"),
    (["--rules", "no/such/rules.yaml"], "file not found"),
])
def test_generate_rejects_bad_arguments_with_a_message(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["generate", "--out", str(tmp_path / "out"), "--train", "4", "--eval", "4", *args])
    assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_generate_refuses_an_output_path_that_is_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit):
        main(["generate", "--out", str(tmp_path / "file"), "--train", "4", "--eval", "4"])
    assert "is a file; give a folder" in capsys.readouterr().err
    assert main(["generate", "--out", str(tmp_path / "file" / "sub"), "--train", "4", "--eval", "4"]) == 1
    assert "cannot write there" in capsys.readouterr().err


# What values mean: one row per phenomenon the attribute verdicts rest on.
COMPARE = [
    ("colour", "blue", "navy", (), False, "partial"),  # a shade of the family asked for (the rule set's own example)
    ("colour", "navy", "royal blue", (), False, "partial"),  # sibling shades
    ("colour", "blue", "red", (), False, "mismatch"),
    ("material", "leather", "suede", (), False, "match"),  # suede *is* leather
    ("material", "suede", "leather", (), False, "partial"),  # but leather is not suede
    ("gender", "men", "unisex", (), False, "match"),  # unisex fits everyone
    ("gender", "men", "women", (), False, "mismatch"),
    ("size", "10", "10.5", ("9.5", "10", "10.5", "11"), True, "partial"),  # a neighbouring size
    ("size", "10", "11", ("9.5", "10", "10.5", "11"), True, "mismatch"),
    ("size", "queen", "king", ("full", "queen", "king"), False, "mismatch"),  # bed sizes are not neighbours
    ("scent", "lavender", "rose", (), False, "mismatch"),  # only colours and materials have families
]


@pytest.mark.parametrize("key, wanted, value, values, ordered, expected", COMPARE)
def test_attribute_values_compare_by_meaning(key, wanted, value, values, ordered, expected):
    assert compare(key, wanted, value, values, ordered) == expected


def test_verdicts_and_reasons_come_from_the_facts():
    colour = Attr("colour", ("blue", "navy", "red"), False, ())
    material = Attr("material", ("leather", "suede", "mesh"), False, ())
    query = QueryFacts("negation", "footwear", ("sneakers",), "sneakers", "blue sneakers not leather",
                       wants=(exclusion(material, "leather"), want_value(colour, "blue")))
    shoe = ProductFacts("footwear", "sneakers", "Nike", None, (("colour", "navy"), ("material", "suede")), 80.0)
    verdicts, reasons = judge(query, shoe)
    assert verdicts["attributes"] == "excluded_present"  # suede is leather: the exclusion wins over the shade
    assert "suede, a kind of leather" in reasons["attributes"] and "navy, a shade of blue" in reasons["attributes"]
    verdicts, reasons = judge(query, shoe.hide("material"))  # the worst outcome decides: partial beats unstated
    assert (verdicts["product"], verdicts["attributes"]) == ("vague", "partial")
    only_negation = QueryFacts("negation", "footwear", ("sneakers",), "sneakers", "sneakers not leather",
                               wants=(exclusion(material, "leather"),))
    verdicts, reasons = judge(only_negation, shoe.hide("material"))
    assert (verdicts["product"], verdicts["attributes"]) == ("vague", "not_mentioned")
    assert "may have the leather the shopper excludes" in reasons["attributes"]


# The catalog audit catches facts a shopper would catch: each row breaks one table the way a reviewer found it broken.
def _repin(cat, name, *pins):
    """The category with model `name` pinned to `pins` instead of its own."""
    models = tuple(replace(m, pins=pins) if m.name == name else m for m in CATEGORIES[cat].models)
    return replace(CATEGORIES[cat], models=models)


def _prepend_attr(cat, attr):
    return replace(CATEGORIES[cat], attrs=(attr, *CATEGORIES[cat].attrs))


BROKEN = [
    (_repin("laptops", "ROG Zephyrus G14", ("screen size", "15.6 inch"), ("colour", "grey")),
     "ROG Zephyrus G14 names a screen size of [14]"),
    (_repin("consoles", "Xbox Series S", ("storage", "512GB")), "Xbox Series S must pin 'colour'"),
    (_repin("watches", "Black Bay 58", ("colour", "blue")), "Black Bay 58 is named 'black'"),
    (_prepend_attr("watch_accessories", Attr("compatible with", ("Oura Ring Gen3",), False, ("smartwatch band",))),
     "a smartwatch band for 'Oura Ring Gen3', a smart ring, which it does not fit"),
    (_prepend_attr("phone_accessories", Attr("colour", ("blue",), False, ("screen protector",))),
     "'screen protector' comes in no colour"),
    (replace(CATEGORIES["camera_accessories"], fits={}), "'camera lens' names the device it is for but has no 'fits'"),
    (replace(CATEGORIES["cookware"], needs=(replace(CATEGORIES["cookware"].needs[0],
                                                    texts=("frying pan for induction cooktop",)),)),
     "names ['frying pan'] but accepts ['frying pan', 'saucepan', 'cookware set']"),
]


@pytest.mark.parametrize("cat, problem", BROKEN)
def test_the_audit_catches_facts_that_contradict_names_and_kinds(cat, problem):
    assert category_problems(CATEGORIES[cat.key]) == []
    assert any(problem in p for p in category_problems(cat)), category_problems(cat)


def _label(rules, q, p):
    return rules.decide(judge(q, p)[0]).label


def _need(cat, text):
    need = next(n for n in CATEGORIES[cat].needs if text in n.texts)
    return QueryFacts(need.kind, cat, need.cores, need.noun, text, wants=need.wants, gist=need.gist)


def _product(cat, core, **attrs):
    return ProductFacts(cat, core, "Acme", None, tuple((k.replace("_", " "), v) for k, v in attrs.items()), 99.0)


def test_a_query_naming_a_product_word_accepts_only_that_word(rules):
    pan = _need("cookware", "frying pan for induction cooktop")
    assert pan.cores == ("frying pan",)
    assert _label(rules, pan, _product("cookware", "frying pan", material="stainless steel")) == 4
    assert _label(rules, pan, _product("cookware", "cookware set", material="stainless steel")) == 3  # only close
    assert set(_need("cookware", "which pans work on an induction hob").cores) >= {"saucepan", "cookware set"}


def test_neighbours_and_accessories_are_judged_by_product_word(rules):
    editing = _need("laptops", "how much ram for a video editing laptop")
    assert _label(rules, editing, _product("tablets", "kids tablet", storage="32GB")) == 1  # no laptop neighbour
    assert _label(rules, editing, _product("tablets", "e-reader", storage="16GB")) == 1
    assert _label(rules, editing, _product("tablets", "tablet", storage="128GB")) == 2  # cannot serve the need
    two_in_one = QueryFacts("plain", "laptops", ("2-in-1 laptop",), "2-in-1 laptop", "2-in-1 laptop")
    assert _label(rules, two_in_one, _product("tablets", "tablet", storage="128GB")) == 3
    ring = QueryFacts("plain", "smartwatches", ("smart ring",), "smart ring", "smart ring")
    assert judge(ring, _product("watch_accessories", "smartwatch band"))[0]["category"] == "mismatch"
    bands = CATEGORIES["watch_accessories"].attrs_for("smartwatch band")["compatible with"].values
    lenses = CATEGORIES["camera_accessories"].attrs_for("camera lens")["compatible with"].values
    assert "Oura Ring Gen3" not in bands and "Apple Watch Series 9" in bands
    assert "Fujifilm X-T5" in lenses and not {"Leica Q3", "GoPro HERO12 Black", "Fujifilm Instax Mini 12"} & set(lenses)


def test_guides_say_what_a_query_names_and_what_does_not_apply():
    strap = CATEGORIES["watch_accessories"].attrs_for("watch strap")["compatible with"]
    query = QueryFacts("plain", "watch_accessories", ("watch strap",), "watch strap", "duro mdv106 watch strap",
                       wants=(want_value(strap, "Casio Duro MDV106"),))
    verdicts, reasons = judge(query, _product("watch_accessories", "watch strap", compatible_with="Casio Duro MDV106"))
    assert verdicts["brand_model"] == "not_mentioned"
    assert reasons["brand_model"] == "The query names the device it fits (Casio Duro MDV106), not a brand to buy."
    touch = want_value(CATEGORIES["laptops"].attrs_for("2-in-1 laptop")["display"], "touchscreen")
    laptop = QueryFacts("plain", "laptops", ("2-in-1 laptop",), "2-in-1 laptop", "touchscreen 2-in-1 laptop",
                        wants=(touch,))
    verdicts, reasons = judge(laptop, _product("bikes", "road bike", colour="black"))
    assert verdicts["attributes"] == "not_mentioned" and "touch" not in reasons["attributes"]
    assert reasons["attributes"] == "Not applicable: a road bike is from another category."
