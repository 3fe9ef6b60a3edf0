"""Loaders: the same examples through every format, foreign layouts, ESCI- and WANDS-shaped files, bad rows.

Binary fixtures (Parquet, `datasets` folders) are written into tmp_path from the committed text fixtures.
"""

import shutil
from pathlib import Path

import datasets
import pandas as pd
import pytest

from rules import compile_rules
from rules.data import (
    WANDS,
    ColumnMapping,
    DataError,
    Example,
    load_esci,
    load_examples,
    load_wands,
    save_examples,
    to_dataset,
)

DATA = Path(__file__).parent / "fixtures" / "data"
ESCI_DIR = DATA / "esci"
ESCI_EXAMPLES = ESCI_DIR / "shopping_queries_dataset_examples.csv"
ESCI_PRODUCTS = ESCI_DIR / "shopping_queries_dataset_products.csv"
FOREIGN = ColumnMapping(id="pair_id", query="search_term", title="item_name", category="breadcrumb", category_sep="/",
                        brand="maker", attribute_columns={"color": "colour"}, label="grade",
                        labels={"good": 4, "ok": 3, "bad": 1}, price="cost", description=["bullets"])


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return load_examples(DATA / "examples.jsonl").examples


def test_jsonl_fixture(examples):
    first = examples[0]
    assert [e.id for e in examples] == ["q1-p1", "q2-p7", "q3-p2", "q4-p9", "q5-p3"]
    assert first.product.attributes == {"material": "mesh", "colour": "black", "gender": "men"}
    assert first.gold_steps["query"] == "negation" and first.guide.startswith("Label: 4\n<think>")
    assert examples[3].product.brand is None and examples[3].product.price is None


@pytest.mark.parametrize("name", ["out.jsonl", "out.parquet", "out.csv", "out.tsv", "out_folder"])
def test_round_trip(examples, tmp_path, name):
    path = save_examples(examples, tmp_path / name)
    result = load_examples(path)
    assert result.examples == examples
    assert (result.rows, result.skipped, result.ignored_columns) == (5, [], [])


def test_committed_csv_is_the_jsonl(examples):
    # The flat layout: "A > B" categories, JSON attribute cells, "|" query types, a guide spanning 9 lines.
    assert load_examples(DATA / "examples.csv").examples == examples


@pytest.mark.parametrize("writer", ["datasets", "pandas"])
def test_parquet_with_struct_columns(examples, tmp_path, writer):
    # Parquet written by others stores attributes as a struct of all rows' keys: absent keys read back as None.
    rows = [e.model_dump(mode="json") for e in examples]
    path = tmp_path / "structs.parquet"
    if writer == "datasets":
        datasets.Dataset.from_list(rows).to_parquet(str(path))
    else:
        pd.DataFrame(rows).to_parquet(path, index=False)
    assert load_examples(path).examples == examples


def test_to_dataset_columns_reach_trl_and_load_back(examples, tmp_path):
    rules = compile_rules("rules/catalog/ecommerce.yaml")
    ds = to_dataset(examples, rules)
    assert set(ds.column_names) == {"prompt", "label", "gold_steps", "query_type", "guide", "id", "query", "product"}
    assert "Query: running shoes not leather" in ds[0]["prompt"] and ds[1]["label"] == 2
    assert to_dataset(examples[:1], rules, chat=True)[0]["prompt"][0]["role"] == "user"
    ds.save_to_disk(str(tmp_path / "trl"))
    result = load_examples(tmp_path / "trl")
    assert result.examples == examples and result.ignored_columns == ["prompt"]


def test_dataset_dict_needs_a_split(examples, tmp_path):
    rows = [e.model_dump(mode="json") for e in examples]
    folder = tmp_path / "dd"
    datasets.DatasetDict({"train": datasets.Dataset.from_list(rows[:3]),
                          "test": datasets.Dataset.from_list(rows[3:])}).save_to_disk(str(folder))
    with pytest.raises(DataError) as err:
        load_examples(folder)
    assert str(err.value) == f"{folder}: split: a DatasetDict needs a split; pass split= one of: train, test"
    with pytest.raises(DataError) as err:
        load_examples(folder, split="dev")
    assert str(err.value) == f"{folder}: split: unknown split (got 'dev'); use one of: train, test"
    assert load_examples(folder, split="test").examples == examples[3:]


def test_split_is_only_for_dataset_dicts(tmp_path):
    with pytest.raises(DataError, match=r"examples.jsonl: split: split only applies to `datasets` folders, not jsonl"):
        load_examples(DATA / "examples.jsonl", split="train")


def test_unknown_format(tmp_path):
    text = tmp_path / "examples.txt"
    shutil.copy(DATA / "examples.jsonl", text)
    with pytest.raises(DataError) as err:
        load_examples(text)
    assert str(err.value) == (f"{text}: cannot tell the format from the extension (got '.txt'); "
                              "rename it to one of .csv / .jsonl / .ndjson / .parquet / .tsv or give a datasets "
                              "folder (from Python: pass format= one of: jsonl, parquet, csv, tsv, datasets)")
    with pytest.raises(DataError) as err:
        load_examples(text, format="xml")
    assert str(err.value) == (f"{text}: format: unknown format (got 'xml'); "
                              "use one of: jsonl, parquet, csv, tsv, datasets")
    assert len(load_examples(text, format="jsonl")) == 5
    with pytest.raises(FileNotFoundError, match="nope.jsonl: no such file or folder"):
        load_examples(tmp_path / "nope.jsonl")


def test_column_mapping_on_a_foreign_csv():
    shoe, road, socks = load_examples(DATA / "foreign.csv", mapping=FOREIGN).examples
    assert shoe.id == "f1" and shoe.query == "trail running shoes" and shoe.label == 4
    assert shoe.product.category == ["Shoes", "Running", "Trail"] and shoe.product.brand == "Hoka"
    assert shoe.product.attributes == {"colour": "blue"} and shoe.product.price == 155.0
    assert shoe.product.description == "Vibram outsole; 4 mm lugs"
    assert (road.label, road.product.description) == (3, None)
    assert (socks.label, socks.product.attributes, socks.product.price) == (1, {}, None)  # empty cells: no fact


def test_mapping_names_a_missing_column():
    with pytest.raises(DataError) as err:
        load_examples(DATA / "foreign.csv", mapping=FOREIGN.model_copy(update={"query": "query_text"}))
    assert str(err.value) == (f"{DATA / 'foreign.csv'}:1: query_text: column not found; the file has: pair_id, "
                              "search_term, item_name, breadcrumb, maker, color, grade, cost, bullets; "
                              "point ColumnMapping.query at one of them")
    with pytest.raises(DataError) as err:  # our own layout on a foreign file: every required column, once
        load_examples(DATA / "foreign.csv")
    assert [(p.path, p.line) for p in err.value.problems] == [("id", 1), ("query", 1), ("label", 1), ("title", 1)]


def test_unknown_label_in_a_value_map(tmp_path):
    path = tmp_path / "graded.csv"
    path.write_text(DATA.joinpath("foreign.csv").read_text().replace(",ok,", ",great,"))
    with pytest.raises(DataError) as err:
        load_examples(path, mapping=FOREIGN)
    assert str(err.value).splitlines()[0] == (f"{path}:3 (row 2): grade: unknown label (got 'great'); "
                                              "use one of: good, ok, bad (or add it to ColumnMapping.labels)")


# tests/fixtures/data/bad.jsonl: row 1 good; then one problem per row; line 4 is blank (not a row).
BAD_JSONL = [
    ":2: query: missing or empty; every example needs one; fill it in or drop the row",
    ":3: label: not an integer label (got 'Excellent'); write a label id such as 4, or translate text labels "
    "with ColumnMapping(labels={...})",
    ":5 (row 4): not valid JSON; Expecting ',' delimiter at column 85; write one JSON object per line",
    ":6 (row 5): product.price: not a price (got 'cheap'); write a plain number >= 0 such as 12.99 "
    "(no currency sign), or leave it empty",
    ":7 (row 6): product.colour: unknown field; put it under attributes, or use one of: title, category, brand, "
    "attributes, price, description",
]
# tests/fixtures/data/bad.csv: row 2 has a title quoted over two lines, so rows and lines part from there.
BAD_CSV = [
    ":3 (row 2): price: not a price (got '$249'); write a plain number >= 0 such as 12.99 (no currency sign), "
    "or leave it empty",
    ":5 (row 3): title: missing or empty; every example needs one; fill it in or drop the row",
    ":6 (row 4): wrong number of fields; the header has 6, this row 7; check the quotes and the commas of this row",
]


@pytest.mark.parametrize("name, expected", [("bad.jsonl", BAD_JSONL), ("bad.csv", BAD_CSV)])
def test_bad_rows_name_file_row_and_field(name, expected):
    path = DATA / name
    with pytest.raises(DataError) as err:
        load_examples(path)
    lines = str(err.value).splitlines()
    assert lines[:-1] == [f"{path}{line}" for line in expected]
    assert lines[-1] == (f"{len(expected)} bad rows in {path}; fix them, or pass skip_bad=True to skip bad rows "
                         "(they are counted in the result)")


def test_skip_bad_counts_and_groups():
    result = load_examples(DATA / "bad.jsonl", skip_bad=True)
    assert [e.id for e in result] == ["b1", "b7"] and result.rows == 7 and len(result.skipped) == 5
    assert [p.row for p in result.skipped] == [2, 3, 4, 5, 6]
    assert result.skipped_by_reason() == {"query: missing or empty": 1, "label: not an integer label": 1,
                                          "not valid JSON": 1, "product.price: not a price": 1,
                                          "product.colour: unknown field": 1}
    csv_result = load_examples(DATA / "bad.csv", skip_bad=True)
    assert csv_result.summary == (f"{DATA / 'bad.csv'} (csv): 5 rows, 2 examples, 3 bad rows skipped "
                                  "(1x price: not a price; 1x title: missing or empty; 1x wrong number of fields)")


def test_strict_load_lists_ten_more_bad_rows(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(f'{{"id": "m{i}", "query": "q", "product": {{"title": "t"}}, "label": "x"}}\n'
                            for i in range(15)))
    with pytest.raises(DataError) as err:
        load_examples(path)
    assert [p.row for p in err.value.problems] == list(range(1, 12))
    assert str(err.value).endswith("11 bad rows (there may be more) in " + str(path) + "; fix them, or pass "
                                   "skip_bad=True to skip bad rows (they are counted in the result)")
    result = load_examples(path, skip_bad=True)
    assert (len(result), len(result.skipped)) == (0, 15)
    assert result.skipped_by_reason() == {"label: not an integer label": 15}


def test_product_as_json_in_a_csv_cell(tmp_path):
    path = tmp_path / "nested.csv"
    path.write_text('id,query,label,product\nn1,oak desk,4,"{""title"": ""Oak Desk"", ""category"": '
                    '""Furniture > Desks"", ""attributes"": {""material"": ""oak""}}"\n')
    (example,) = load_examples(path).examples
    assert example.product.category == ["Furniture", "Desks"] and example.product.attributes == {"material": "oak"}


def test_a_row_without_product_names_the_product(tmp_path):
    path = tmp_path / "no_product.jsonl"
    path.write_text('{"id": "x", "query": "oak desk", "label": 4, "product": null}\n')
    with pytest.raises(DataError, match=r"no_product.jsonl:1: product: missing or empty; every example needs one"):
        load_examples(path)


# --- ESCI -----------------------------------------------------------------------------------------------------


def _esci_parquet(tmp_path: Path, examples: pd.DataFrame | None = None, products: pd.DataFrame | None = None):
    """The fixture CSVs as Parquet with the published dtypes (int ids and version flags)."""
    examples = pd.read_csv(ESCI_EXAMPLES) if examples is None else examples
    products = pd.read_csv(ESCI_PRODUCTS) if products is None else products
    paths = tmp_path / "examples.parquet", tmp_path / "products.parquet"
    examples.to_parquet(paths[0], index=False)
    products.to_parquet(paths[1], index=False)
    return paths


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_esci(tmp_path, fmt):
    paths = (ESCI_EXAMPLES, ESCI_PRODUCTS) if fmt == "csv" else _esci_parquet(tmp_path)
    result = load_esci(*paths)  # us, test, small: drops a train row, a Spanish row and a large-only row
    assert [(e.id, e.label) for e in result] == [("1", 4), ("2", 2), ("3", 1), ("5", 3), ("8", 4)]
    case = result.examples[0].product
    assert case.title == "Silicone Case for iPhone 13, Slim Fit" and case.brand == "Acme Cases"
    assert case.attributes == {"colour": "Black"}
    assert case.description == ("<p>Soft-touch silicone with a microfiber lining.</p>\n"
                                "Fits iPhone 13 only\nRaised edges protect the camera")
    assert result.examples[1].product.attributes == {}  # no colour given: no colour fact
    everything = load_esci(*paths, locale=None, split=None, version=None)
    assert [e.id for e in everything] == [str(i) for i in range(1, 9)]
    assert everything.examples[5].product.title == "Zapatilla de running para mujer"  # joined on locale too
    assert [e.id for e in load_esci(*paths, limit=2)] == ["1", "2"]


def test_esci_bad_rows_point_at_the_file_they_are_in(tmp_path):
    examples, products = pd.read_csv(ESCI_EXAMPLES), pd.read_csv(ESCI_PRODUCTS)
    examples.loc[1, "esci_label"] = "X"
    examples.loc[2, "product_id"] = "B00NOPE"
    products.loc[5, "product_title"] = ""
    ex_path, pr_path = _esci_parquet(tmp_path, examples, products)
    with pytest.raises(DataError) as err:
        load_esci(ex_path, pr_path)
    assert str(err.value).splitlines()[:3] == [
        f"{ex_path} row 2: esci_label: unknown label (got 'X'); use one of: E, S, C, I (or add it to "
        "ColumnMapping.labels)",
        f"{ex_path} row 3: product_id: not found in products.parquet (got 'B00NOPE'); use the products file of "
        "the same ESCI release (it has every product_id of every locale)",
        f"{pr_path} row 6: product_title: missing or empty; every example needs one; fill it in or drop the row",
    ]
    csv_products = tmp_path / "products.csv"
    products.to_csv(csv_products, index=False)
    result = load_esci(ex_path, csv_products, skip_bad=True)
    assert [e.id for e in result] == ["1", "8"]
    assert str(result.skipped[2]).startswith(f"{csv_products}:8 (row 6): product_title:")  # row 1 spans 2 lines


def test_esci_arguments_and_columns(tmp_path):
    with pytest.raises(ValueError, match="locale='uk': use one of: us, es, jp, or None for all"):
        load_esci(ESCI_EXAMPLES, ESCI_PRODUCTS, locale="uk")
    ex_path, pr_path = _esci_parquet(tmp_path, pd.read_csv(ESCI_EXAMPLES).drop(columns=["esci_label"]))
    with pytest.raises(DataError) as err:
        load_esci(ex_path, pr_path)
    assert str(err.value).startswith(f"{ex_path}: esci_label: column not found; the file has: example_id, query,")


# --- WANDS ----------------------------------------------------------------------------------------------------


def test_wands():
    result = load_wands(DATA / "wands")
    assert [(e.id, e.query, e.label) for e in result] == [
        ("0", "blue oak bed", 4), ("1", "blue oak bed", 1), ("2", "cookware set", 4), ("3", "outdoor rug", 3),
        ("4", "cookware set", 1)]
    bed, rug = result.examples[0].product, result.examples[3].product
    assert bed.category == ["Furniture", "Bedroom Furniture", "Beds & Headboards", "Beds"]
    assert bed.attributes == {"overallwidth-sidetoside": "64.7", "dsprimaryproductstyle": "modern",
                              "color": "blue", "material": "oak", "class": "Beds"}
    assert rug.category == ["Rugs", "Indoor/Outdoor Rugs"]  # " / " separates levels; "/" inside a name stays
    assert rug.attributes["color"] == "blue, white" and rug.description is None  # a repeated key keeps both
    assert result.summary.endswith("columns not used: average_rating, query_class, rating_count, review_count")
    assert len(load_wands(DATA / "wands", limit=2)) == 2


def test_wands_labels_are_configurable():
    strict = WANDS.model_copy(update={"labels": {"Exact": 4, "Partial": 2, "Irrelevant": 1}})
    assert [e.label for e in load_wands(DATA / "wands", mapping=strict)] == [4, 1, 4, 2, 1]


def test_wands_bad_rows(tmp_path):
    folder = tmp_path / "wands"
    shutil.copytree(DATA / "wands", folder)
    with open(folder / "label.csv", "a") as f:
        f.write("5\t2\t2\tMaybe\n6\t0\t99\tExact\n")
    products = (folder / "product.csv").read_text().replace("\tcolor:green\t", "\tcolor:green|nokeyvalue\t")
    (folder / "product.csv").write_text(products)
    with pytest.raises(DataError) as err:
        load_wands(folder)
    assert str(err.value).splitlines()[:3] == [
        f"{folder / 'product.csv'}:5 (row 4): product_features: not a key:value item (got 'nokeyvalue'); "
        "write items as key:value separated by '|'",
        f"{folder / 'label.csv'}:7 (row 6): label: unknown label (got 'Maybe'); use one of: Exact, Partial, "
        "Irrelevant (or add it to ColumnMapping.labels)",
        f"{folder / 'label.csv'}:8 (row 7): product_id: not found in product.csv (got '99'); add it to product.csv",
    ]
    result = load_wands(folder, skip_bad=True)
    assert (len(result), result.rows, len(result.skipped)) == (4, 7, 3)


def test_wands_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="label.csv: no such file; pass the dataset/ folder"):
        load_wands(tmp_path)
