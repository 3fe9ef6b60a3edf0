"""The rule language: pydantic models for one business's relevance rules.

A rule file is YAML validated against these models (`python -m rules schema` prints the JSON Schema).
Every model is frozen and forbids unknown keys, so a typo is an error, never a silently ignored setting.

Conditions are tagged by their single key (`all`, `any`, `not`, `step`) because that reads naturally in
YAML; reward components and gates are tagged by `type`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Strict as StrictType, Tag

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN, description="lower_snake_case identifier")]
# A label is referenced by its numeric id (4) or its name ("Excellent"). Strict: YAML reads yes/no/on/off as
# booleans, which pydantic would otherwise take as 1 and 0.
LabelRef = Union[Annotated[int, StrictType()], str]
# A number that is not a boolean in disguise (`weight: yes`) and is finite: YAML reads `.inf` and `.nan` as
# floats, and one of them in a weight or cap makes every reward NaN. Ints are still fine.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- labels and steps


class Label(Strict):
    id: Annotated[int, StrictType()] = Field(description="Ordinal value; higher is more relevant (4 Excellent ... 1 Irrelevant).")
    name: str = Field(min_length=1, pattern=r"^\S+$", description="One word, e.g. Excellent.")
    token: str = Field(min_length=1, pattern=r"^\S+$", description="The exact text the model writes for this label.")
    description: str = ""


class LabelScale(Strict):
    labels: list[Label] = Field(min_length=2, description="Ordered from most to least relevant.")
    tiers: dict[str, list[LabelRef]] = Field(
        default_factory=dict, description="Optional online tiers, e.g. {Good: [4, 3], Mid: [2], Bad: [1]}."
    )


# The registry of placeholders a step's `explain` templates may use: name -> what it is filled with
# (rules.data.explain fills them from the example; the checks and the schema's help text are derived from it).
EXPLAIN_FIELDS = {
    "query": "the shopper's query",
    "title": "the product title",
    "category": "the product's category path (`Shoes > Running`), or `no category given`",
    "leaf_category": "the last element of the category path, or `no category given`",
    "brand": "the product's brand, or `no brand given`",
    "attributes": "the product's attributes as `key: value` pairs, or `no attributes listed`",
    "price": "the product's price with two decimals, or `no price given`",
    "verdict": "the step's gold verdict",
    "label": "the gold label's name",
    "rule": "the id of the decision rule that decides the gold steps (`default` when none does)",
    "rule_message": "that rule's message (the default label's name when none does)",
}


class Step(Strict):
    id: Identifier
    question: str = Field(min_length=1, description="What the step answers, in business wording (shown to judges).")
    verdicts: list[Annotated[str, Field(pattern=r"^\S+$")]] = Field(min_length=1)
    explain: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict, description="Optional: verdict -> a short explanation template, the step's reasoning in "
        "CoTs rendered from gold steps when no teacher or guide CoT exists (`python -m trainers.teach`). "
        "Placeholders in braces: " + ", ".join(f"{{{k}}}" for k in EXPLAIN_FIELDS) + ". A verdict without a "
        "template gets the step's question.")
    before: Identifier | None = Field(
        default=None, description="Only in a file that `extends` another: insert this new step before that step."
    )


# ---------------------------------------------------------------- conditions


class StepIs(Strict):
    """True when a step's verdict is `is`, or one of `in`."""

    step: Identifier
    is_: str | None = Field(default=None, alias="is")
    in_: list[str] | None = Field(default=None, alias="in", min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def allowed(self) -> list[str]:
        return [self.is_] if self.is_ is not None else list(self.in_ or [])


class AllOf(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(Strict):
    any: list[Condition] = Field(min_length=1)


class Not(Strict):
    not_: Condition = Field(alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not", "step"):
            if key in value:
                return key
        return None
    if isinstance(value, BaseModel):
        return {AllOf: "all", AnyOf: "any", Not: "not", StepIs: "step"}.get(type(value))
    return None


Condition = Annotated[
    Union[
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[Not, Tag("not")],
        Annotated[StepIs, Tag("step")],
    ],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition needs exactly one of the keys all, any, not or step",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


class DecisionRule(Strict):
    id: Identifier
    message: str = Field(min_length=1, description="The business rule in words; shown when it fires.")
    when: Condition
    label: LabelRef
    hard: bool = Field(default=False, description="A hard rule gates the reward when a completion violates it.")
    before: Identifier | None = Field(
        default=None, description="Only in a file that `extends` another: insert this new rule before that rule."
    )


class DecisionTable(Strict):
    rules: list[DecisionRule] = Field(default_factory=list, description="Ordered; the first rule that matches wins.")
    default: LabelRef | None = Field(default=None, description="Label when no rule matches; needed unless the table is total.")
    remove: list[Identifier] = Field(default_factory=list, description="Only with `extends`: base rules to drop.")


# ---------------------------------------------------------------- reward shaping


class FormatComponent(Strict):
    type: Literal["format"]
    weight: Number = Field(default=0.1, ge=0)


class LabelComponent(Strict):
    type: Literal["label"]
    weight: Number = Field(default=1.0, ge=0)
    partial_credit: list[Number] = Field(
        default=[1.0, 0.3, 0.0],
        min_length=1,
        description="Credit by ordinal distance to the gold label: [exact, off by one, off by two, ...]; "
        "missing distances get 0.",
    )


class StepsComponent(Strict):
    type: Literal["steps"]
    weight: Number = Field(default=0.5, ge=0)
    ignore: list[Identifier] = Field(default_factory=list, description="Steps not scored against gold verdicts.")


class ConsistencyComponent(Strict):
    type: Literal["consistency"]
    weight: Number = Field(default=0.3, ge=0)


# The registry of reward components: type -> what it scores (help texts and docs are derived from it).
REWARD_COMPONENTS = {
    "format": "the completion follows the CoT format (label line, every step, verdicts from the allowed set)",
    "label": "the written label against the gold label, with partial credit by ordinal distance",
    "steps": "each step's verdict against the gold step verdicts",
    "consistency": "the written label is the one the decision rules give for the completion's own verdicts",
}

RewardComponent = Annotated[
    Union[FormatComponent, LabelComponent, StepsComponent, ConsistencyComponent], Field(discriminator="type")
]


class HardRuleGate(Strict):
    type: Literal["hard_rules"] = "hard_rules"
    reward: Number = Field(default=0.0, description="The total is capped at this value when a hard rule is violated.")
    check: list[Literal["own", "gold"]] = Field(
        default=["own", "gold"],
        description="own: a hard rule decided by the completion's own step verdicts; gold: by the gold step verdicts.",
    )


class ConsistencyGate(Strict):
    type: Literal["consistency"]
    reward: Number = Field(
        default=0.0,
        description="The total is capped at this value when the written label is not the one the decision rules "
        "give for the completion's own step verdicts (a right label over reasoning that contradicts it).",
    )


# The registry of reward gates: type -> when it caps the total (help texts and docs are derived from it).
REWARD_GATES = {
    "hard_rules": "a hard decision rule is violated (by the completion's own verdicts, or by the gold steps)",
    "consistency": "the written label is not the one the decision rules give for the completion's own verdicts",
}
DEFAULT_GATE = "hard_rules"  # `type:` may be left out of a hard-rule gate (files written before other gates)


def gate_type(value: Any) -> str | None:
    """The tag of a gate: its `type`, hard_rules when left out."""
    if isinstance(value, dict):
        return value.get("type", DEFAULT_GATE)
    return getattr(value, "type", None) if isinstance(value, BaseModel) else DEFAULT_GATE


Gate = Annotated[
    Union[Annotated[HardRuleGate, Tag("hard_rules")], Annotated[ConsistencyGate, Tag("consistency")]],
    Discriminator(gate_type),
]


class RewardShaping(Strict):
    components: list[RewardComponent] = Field(min_length=1)
    gates: list[Gate] = Field(default_factory=list)
    malformed: Number = Field(default=-1.0, description="Total reward of a completion that does not parse.")


# ---------------------------------------------------------------- output format


class OutputFormat(Strict):
    order: Literal["label_first", "think_first"] = "label_first"
    label_line: str = Field(default="Label: {label}", description="Must contain {label}, replaced by the label token.")
    think_open: str = "<think>"
    think_close: str = "</think>"
    step_header: str = Field(default="[{step}]", description="Starts a line; must contain {step}.")
    verdict_marker: str = Field(default="Verdict:", description="Ends each step: `Verdict: <verdict>`.")
    conclusion_step: Identifier | None = Field(
        default=None, description="A step whose verdict restates the label by name; it must agree with the label line."
    )
    max_chars: Annotated[int, StrictType()] = Field(default=8000, gt=0, description="Longer completions are malformed.")
    reasoning: Literal["full", "terse"] = Field(
        default="full", description="How gold CoTs are rendered: `full` keeps each step's reasoning (the facts it "
        "restates); `terse` writes `-` instead (verdict lines only, for models trained from scratch). Parsing, "
        "rewards and step spans are the same for both.")


class PromptFormat(Strict):
    style: Literal["full", "compact", "bare", "uncased"] = Field(
        default="full", description="What the prompt holds besides the query and the product: `full` the answer "
        "instructions in words (for pretrained models); `compact` only the label tokens, step ids and verdict lists; "
        "`bare` nothing else; `uncased` nothing else, lower-cased (the last three for models trained from scratch, "
        "which never read English; to a tokenizer learnt from scratch 'Backpack' and 'backpack' are unrelated "
        "tokens, so `uncased` lets the model match a query word to the title by identity).")


# ---------------------------------------------------------------- the rule set


class RuleSet(Strict):
    schema_: str | None = Field(default=None, alias="$schema", description="Ignored; for editors.")
    name: Identifier
    description: str = ""
    extends: str | None = Field(default=None, description="Path of a base rule file, relative to this file.")
    scale: LabelScale
    steps: list[Step] = Field(min_length=1)
    decision: DecisionTable
    reward: RewardShaping
    output: OutputFormat = Field(default_factory=OutputFormat)
    prompt: PromptFormat = Field(default_factory=PromptFormat)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


SECTIONS_REQUIRED_WITHOUT_EXTENDS = ("scale", "steps", "decision", "reward")


def ruleset_json_schema() -> dict[str, Any]:
    """The published JSON Schema: a file either `extends` another or holds every section."""
    schema = RuleSet.model_json_schema(by_alias=True)
    required = [r for r in schema.get("required", []) if r != "name"]
    schema["required"] = ["name"]
    schema["anyOf"] = [{"required": ["extends"]}, {"required": required}]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "shelfwise relevance rule set"
    return schema
