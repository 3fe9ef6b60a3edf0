"""The arguments every shelfwise trainer shares: model, rule set, data, evaluation during training.

They sit beside TRL's config in a recipe (same YAML mapping); `python -m trainers.<name> --help` lists both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rules.data.prompt import PROMPT_STYLES
from rules.loader import bundled_rule_sets, rules_file

TINY_MODEL = "models/tiny"
# Local folders built on first use (no model hub needed): path -> sizes for trainers.tiny_model.build_tiny_lm.
TINY_MODELS = {
    TINY_MODEL: {"hidden": 64, "layers": 2},  # the fastest: tests and smoke runs
    "models/tiny_l4": {"hidden": 64, "layers": 4},  # learns the CoT format in a CPU SFT of minutes (sft_cpu.yaml)
    # the miniature profile (sft_mini_cpu.yaml): learns relevance, not only the format; 1.18M parameters
    "models/tiny_mini": {"hidden": 128, "layers": 4, "vocab_size": 4096},
}


def registry_help(registry: dict[str, str]) -> str:
    """`name: what it does; ...` for a field's help text, from its registry dict."""
    return "; ".join(f"{name}: {text}" for name, text in registry.items())


BALANCE = {
    "class": "resample the training set so every label is equally frequent (TaoSR1: the label mix's coefficient "
             "of variation correlated strongly and negatively with final quality)",
    "natural": "keep the training set's own label mix",
}


@dataclass
class ShelfArguments:
    """Model, rules and data of a shelfwise training run."""

    model_name_or_path: str = field(default=TINY_MODEL, metadata={
        "help": "local model folder or hub id; " + ", ".join(TINY_MODELS) + " are built locally when missing (tiny "
                "random Llamas for CPU demos)"})
    rules: str = field(default="ecommerce", metadata={
        "help": "rule file (YAML), or the name of a bundled rule set: "
                + ", ".join(bundled_rule_sets())})
    train_data: str = field(default="data/synthetic/train.jsonl", metadata={
        "help": "training examples: JSONL, Parquet, CSV/TSV or a `datasets` folder in shelfwise's example layout"})
    eval_data: str | None = field(default="data/synthetic/eval_balanced.jsonl", metadata={
        "help": "examples evaluated during training (every eval_steps) and at the end; empty to skip"})
    eval_limit: int = field(default=32, metadata={"help": "evaluate on the first N eval examples (0 = all)"})
    eval_every: int = field(default=0, metadata={
        "help": "evaluate every N optimizer steps as well as before and after training (0 = only before and after)"})
    eval_max_new_tokens: int = field(default=320, metadata={"help": "token budget of a decoded CoT in evaluation"})
    chat: bool = field(default=False, metadata={
        "help": "conversational prompts through the tokenizer's chat template (instruct models) instead of text"})
    max_train_samples: int | None = field(default=None, metadata={"help": "use only the first N training examples"})
    balance: str = field(default="natural", metadata={
        "help": "label mix of the training set: " + registry_help(BALANCE)})
    cot_order: str | None = field(default=None, metadata={
        "help": "override the rule set's CoT order: label_first (TaoSR1's post-CoT) or think_first (an ablation)"})
    allow_truncation: bool = field(default=False, metadata={
        "help": "train even when rows need more tokens than max_length / max_completion_length (TRL cuts them); "
                "by default the run stops before training with the numbers and the flag to raise"})
    cot_style: str | None = field(default=None, metadata={
        "help": "override the rule set's output.reasoning: full (each step restates its facts) or terse (verdict "
                "lines only, `[step] - Verdict: v`: the miniature profile's choice for models trained from scratch)"})
    prompt_style: str | None = field(default=None, metadata={
        "help": "override the rule set's prompt.style: full (instructions in words), compact (label tokens, step ids "
                "and verdict lists), bare (query and product only: the miniature profile's choice) or uncased (bare, "
                "lower-cased: a from-scratch tokenizer has unrelated tokens for 'Backpack' and 'backpack')"})

    def __post_init__(self):
        if self.balance not in BALANCE:
            raise ValueError(f"balance: unknown value {self.balance!r}; use one of {sorted(BALANCE)}")
        if self.cot_order not in (None, "label_first", "think_first"):
            raise ValueError(f"cot_order: unknown value {self.cot_order!r}; use label_first or think_first")
        if self.cot_style not in (None, "full", "terse"):
            raise ValueError(f"cot_style: unknown value {self.cot_style!r}; use full or terse")
        if self.prompt_style is not None and self.prompt_style not in PROMPT_STYLES:
            raise ValueError(f"prompt_style: unknown value {self.prompt_style!r}; use one of "
                             f"{', '.join(PROMPT_STYLES)}")

    def rules_path(self) -> Path:
        path = rules_file(self.rules)  # a file, or a bundled rule set's name (as `extends:` takes it)
        if path.is_file():
            return path
        raise FileNotFoundError(f"rules: no rule file {self.rules!r}; give a YAML path or one of "
                                f"{bundled_rule_sets()}")


@dataclass
class CurrentCheckpointingName:
    """Mixed into our TRL configs: transformers 5.23 renamed `gradient_checkpointing` to `activation_checkpointing`
    and warns at every start while the old name is set, and TRL 1.16's configs still default the old name to True.
    The same default under the current name starts a run without the deprecation; a recipe may use either name."""

    activation_checkpointing: bool | None = field(default=None, metadata={
        "help": "recompute activations in the backward pass to save memory (default: on, as in TRL)"})
    gradient_checkpointing: bool | None = field(default=None, metadata={
        "help": "deprecated alias of activation_checkpointing (transformers >= 5.23)"})

    def __post_init__(self):
        if self.activation_checkpointing is None and self.gradient_checkpointing is None:
            self.activation_checkpointing = True  # TRL's default, under the current name
        super().__post_init__()
