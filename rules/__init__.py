"""The rule language: declare relevance rules in YAML, validate them, compile them.

    python -m rules check rules/catalog/*.yaml     # every problem as file:line: field: what; fix
    python -m rules explain rules/catalog/ecommerce.yaml
    python -m rules schema > ruleset.schema.json
    python -m rules diff main:rules/catalog/ecommerce.yaml rules/catalog/ecommerce.yaml --data train.jsonl

    >>> from rules import compile_rules
    >>> rules = compile_rules("rules/catalog/ecommerce.yaml")
    >>> rules.decide({"query": "plain", ...}).label
"""

from rules.compiler import CompiledRuleSet, Decision
from rules.cot import ParsedCoT, ParsedStep, ParseError
from rules.errors import Problem, RuleFileError
from rules.loader import compile_rules, load_rules
from rules.model import RuleSet, ruleset_json_schema

__all__ = [
    "CompiledRuleSet",
    "Decision",
    "ParseError",
    "ParsedCoT",
    "ParsedStep",
    "Problem",
    "RuleFileError",
    "RuleSet",
    "compile_rules",
    "load_rules",
    "ruleset_json_schema",
]
