"""The published JSON Schema: fresh, and usable by editors on the catalog's rule files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from rules.__main__ import SCHEMA_PATH, schema_text

CATALOG = Path("rules/catalog")


def test_committed_schema_is_fresh():
    # Regenerate with: python -m rules schema --write
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()


def test_cli_prints_the_schema():
    out = subprocess.run([sys.executable, "-m", "rules", "schema"], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == json.loads(schema_text())


@pytest.mark.parametrize("name", ["ecommerce.yaml", "apparel.yaml"])
def test_catalog_files_validate_and_point_editors_at_the_schema(name):
    path = CATALOG / name
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/ruleset.schema.json")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(text))


def test_schema_rejects_what_the_loader_rejects():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    data = yaml.safe_load((CATALOG / "ecommerce.yaml").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    data["decision"]["rules"][0]["hardd"] = True  # a typo in a nested key
    assert any("hardd" in e.message for e in validator.iter_errors(data))
    del data["decision"]["rules"][0]["hardd"]
    del data["steps"]  # neither complete nor extending
    assert list(validator.iter_errors(data))
