"""Data files that are not UTF-8, or nest JSON past what Python can read: a located `DataError` (skipped and
counted under `skip_bad`), never a raw UnicodeDecodeError or RecursionError. Every text format the loaders read:
example files (JSONL, CSV, TSV, JSON cells of CSV), annotation imports, and the candidates file of
`python -m verifiers.human build-*`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rules import compile_rules
from rules.data import DataError, load_examples
from verifiers.human import AnnotationStore, import_file

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "fixtures" / "data"
RULES = compile_rules(ROOT / "rules" / "catalog" / "ecommerce.yaml")
GOOD_JSONL = (DATA / "examples.jsonl").read_bytes().splitlines(keepends=True)

# Bytes that are not UTF-8, as files met in the wild have them (each replaces the `é` of "café").
NOT_UTF8 = {
    "latin1": b"caf\xe9",             # Latin-1 / Windows-1252 export
    "lone_continuation": b"caf\x80",  # a continuation byte with no lead
    "truncated": b"caf\xc3",          # a two-byte sequence cut short
    "overlong": b"caf\xc0\xa9",       # an overlong encoding of a one-byte character
    "surrogate": b"caf\xed\xa0\x80",  # a UTF-16 surrogate encoded as if it were a character
    "invalid_byte": b"caf\xff",       # never valid anywhere in UTF-8
}
# JSON rows too deep to read: past Python's recursion limit (RecursionError in json) and past MAX_JSON_DEPTH.
DEEP = {
    "lists_100k": "[" * 100_000 + "]" * 100_000,
    "objects_100k": '{"a": ' * 100_000 + "1" + "}" * 100_000,
    "mixed_100k": '[{"a": ' * 50_000 + "1" + "}]" * 50_000,
    "inside_product_5k": '{"id": "d", "query": "q", "label": 4, "product": {"title": "t", "attributes": '
                         + "[" * 5_000 + "]" * 5_000 + "}}",
    "lists_150": "[" * 150 + "]" * 150,  # readable by json, but no row needs it; repr/pydantic would be next
}


def _jsonl_with(tmp_path: Path, bad_line: bytes) -> Path:
    """examples.jsonl with `bad_line` as line 3 (rows 1, 2, 4, 5, 6 are fine)."""
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"".join(GOOD_JSONL[:2]) + bad_line.rstrip(b"\n") + b"\n" + b"".join(GOOD_JSONL[2:]))
    return path


def _strict_then_skip(path: Path, line: int, says: str, **kwargs) -> None:
    with pytest.raises(DataError) as err:
        load_examples(path, **kwargs)
    [problem] = err.value.problems
    assert (problem.file, problem.line) == (str(path), line), str(err.value)
    assert says in problem.message and problem.fix, str(problem)
    assert len(str(problem)) - len(str(path)) < 220, str(problem)  # one readable line, not the row
    result = load_examples(path, skip_bad=True, **kwargs)
    assert len(result.skipped) == 1 and result.skipped[0].line == line
    assert says in result.summary and len(result.examples) == result.rows - 1


@pytest.mark.parametrize("name", NOT_UTF8)
def test_jsonl_row_not_utf8(tmp_path, name):
    line = GOOD_JSONL[0].replace(b'"q1-p1"', b'"' + NOT_UTF8[name] + b'"')
    assert line != GOOD_JSONL[0]
    _strict_then_skip(_jsonl_with(tmp_path, line), 3, "not valid UTF-8")


@pytest.mark.parametrize("name", DEEP)
def test_jsonl_row_nested_too_deep(tmp_path, name):
    _strict_then_skip(_jsonl_with(tmp_path, DEEP[name].encode()), 3, "nested more than 100 levels deep")


def test_the_utf8_problem_shows_the_byte_and_column(tmp_path):
    path = _jsonl_with(tmp_path, b'{"id": "caf\xe9"}')
    with pytest.raises(DataError) as err:
        load_examples(path)
    assert str(err.value.problems[0]) == (
        f"{path}:3: not valid UTF-8 (got b'\\xe9'); the byte is at column 12; save the file as UTF-8 "
        "(from Excel: CSV UTF-8; or `iconv -f cp1252 -t utf-8`)")


@pytest.mark.parametrize("fmt, sep", [("csv", b","), ("tsv", b"\t")])
@pytest.mark.parametrize("name", ["latin1", "truncated", "invalid_byte"])
def test_csv_cell_not_utf8_names_row_and_column(tmp_path, fmt, sep, name):
    rows = [b"id,query,label,title,category", b"a,shoes,4,Runner,Shoes", b"b," + NOT_UTF8[name] + b",3,Mug,Home",
            b"c,mug,4,Mug,Home"]
    path = tmp_path / f"rows.{fmt}"
    path.write_bytes(b"\n".join(r.replace(b",", sep) for r in rows) + b"\n")
    _strict_then_skip(path, 3, "not valid UTF-8")
    with pytest.raises(DataError) as err:
        load_examples(path)
    assert err.value.problems[0].path == "query" and err.value.problems[0].row == 2


def test_csv_header_not_utf8_is_one_problem_at_line_1(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"\xef\xbb\xbfid,qu\xe9ry,label\na,b,4\n")  # with a BOM, as Excel writes it
    for skip_bad in (False, True):
        with pytest.raises(DataError) as err:
            load_examples(path, skip_bad=skip_bad)
        [problem] = err.value.problems
        assert (problem.line, problem.message) == (1, "the header is not valid UTF-8"), str(problem)


@pytest.mark.parametrize("column", ["attributes", "gold_steps"])
def test_csv_json_cell_nested_too_deep(tmp_path, column):
    # The flat CSV layout holds JSON in its attributes and gold_steps cells.
    deep = '"' + "[" * 60_000 + "]" * 60_000 + '"'  # under the csv module's cell limit (131,072 characters)
    path = tmp_path / "rows.csv"
    path.write_text(f"id,query,label,title,{column}\na,shoes,4,Runner,{{}}\nb,mug,3,Mug,{deep}\n")
    _strict_then_skip(path, 3, "nested more than 100 levels deep")


def test_nested_product_cell_nested_too_deep(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text('id,query,label,product\na,shoes,4,"{""title"": ""t""}"\nb,mug,3,"' + "[" * 60_000 + '"\n')
    _strict_then_skip(path, 3, "nested more than 100 levels deep")


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_cell_over_the_csv_module_limit(tmp_path, fmt):
    # csv raises `_csv.Error: field larger than field limit` from inside its iterator; the next rows still read.
    sep = "," if fmt == "csv" else "\t"
    path = tmp_path / f"rows.{fmt}"
    path.write_text(sep.join(["id", "query", "label", "title"]) + "\n" + sep.join(["a", "shoes", "4", "Runner"])
                    + "\n" + sep.join(["b", "x" * 200_000, "3", "Mug"]) + "\n" + sep.join(["c", "mug", "4", "Mug"]) + "\n")
    _strict_then_skip(path, 3, "not readable as CSV: field larger than field limit")


# ------------------------------------------------------------------------------------------ annotation imports

@pytest.mark.parametrize("bad", [NOT_UTF8["latin1"], NOT_UTF8["surrogate"], DEEP["lists_100k"].encode(),
                                 DEEP["objects_100k"].encode()], ids=["latin1", "surrogate", "lists", "objects"])
def test_annotation_jsonl_import_refuses_the_file_at_the_line(tmp_path, bad):
    path = tmp_path / "batch.jsonl"
    good = json.dumps({"id": "q1-p1", "annotator": "ana", "label": 4}).encode()
    path.write_bytes(good + b"\n" + (b'{"id": "' + bad + b'"}' if len(bad) < 10 else bad) + b"\n")
    with AnnotationStore(tmp_path / "a.db") as store:
        with pytest.raises(DataError) as err:
            import_file(store, RULES, path)
        assert str(err.value).startswith(f"{path}:2: "), str(err.value)[:300]
        assert store.count() == 0


def test_annotation_csv_import_refuses_a_cell_not_utf8(tmp_path):
    path = tmp_path / "batch.csv"
    path.write_bytes(b"id,annotator,label\nq1-p1,ana,4\nq2-p7,Ren\xe9e,3\n")
    with AnnotationStore(tmp_path / "a.db") as store:
        with pytest.raises(DataError, match=r"batch.csv:3 \(row 2\): annotator: not valid UTF-8"):
            import_file(store, RULES, path)
        assert store.count() == 0


@pytest.mark.parametrize("bad", [b'{"id": "caf\xe9", "completion": "x"}', DEEP["lists_100k"].encode()])
def test_candidates_file_of_the_builders(tmp_path, bad):
    from verifiers.human.__main__ import _candidates

    path = tmp_path / "candidates.jsonl"
    path.write_bytes(b'{"id": "q1-p1", "completion": "x"}\n' + bad + b"\n")
    examples = {e.id: e for e in load_examples(DATA / "examples.jsonl").examples}
    with pytest.raises(DataError, match=f"^{path}:2: "):
        _candidates(str(path), examples)
