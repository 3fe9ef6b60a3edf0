"""The load-time render -> parse round trip (rules/format_checks.py): no false alarms on sound formats.

The formats that can never parse are fixtures in tests/fixtures/bad_rules/ (test_bad_rule_files.py); here, sound
formats of every shape pass, and every label and verdict of the catalog reads back as written.
"""

from __future__ import annotations

import pytest

from rules import load_rules
from rules.format_checks import check_format


class Collect:
    def __init__(self):
        self.problems = []

    def add(self, path, message, got, fix):
        self.problems.append((path, message))


SOUND = [
    {},
    {"order": "think_first"},
    {"label_line": "Relevance = {label}", "step_header": "## {step}", "verdict_marker": "=>"},
    {"think_open": "<reasoning>", "think_close": "</reasoning>", "order": "think_first"},
    {"label_line": "{label}", "step_header": "{step}:"},
]


@pytest.mark.parametrize("path", ["rules/catalog/ecommerce.yaml", "rules/catalog/apparel.yaml"])
@pytest.mark.parametrize("output", SOUND, ids=[str(i) for i in range(len(SOUND))])
def test_sound_formats_pass_and_every_label_and_verdict_reads_back(path, output):
    rs = load_rules(path)
    rs = rs.model_copy(update={"output": rs.output.model_copy(update=output)})
    report = Collect()
    check_format(rs, report)
    assert report.problems == []


def test_a_collision_the_static_pass_misses_is_caught_by_the_round_trip():
    # A label line that starts like a step header: no marker is inside another, yet no completion parses.
    rs = load_rules("rules/catalog/ecommerce.yaml")
    rs = rs.model_copy(update={"output": rs.output.model_copy(update={"label_line": "[{label}]"})})
    report = Collect()
    check_format(rs, report)
    [(path, message)] = report.problems
    assert path == ("output", "label_line") and "does not parse back" in message
