"""SRPO's step scorers: `step_sources` in a recipe -> `verifiers.hybrid.HybridVerifier` with its `Source`s.

    step_sources: human:data/annotations.db,judge:http://127.0.0.1:8000/v1,facts     # a recipe line
    >>> hybrid = build_hybrid(parse_step_sources("human:ann.db,facts"), rules, StepSourceOptions())

The order is the priority: for each step, the first source that can judge it gives its score (a human verdict
where annotated, else the judge, else the gold-step facts), and the hybrid records which one did. A source that
fails during training (a judge server down) is logged and counted and the next one takes over; a source that
cannot even be built (no annotation database, a judge URL without a model name) is an error before training.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from rewards import RuleAwareReward
from rules import CompiledRuleSet
from trainers.common.recipe import RecipeError
from verifiers.hybrid import HybridVerifier, Source


@dataclass(frozen=True)
class StepSourceOptions:
    """The settings a source may need beyond its argument (SRPOConfig's `step_*` fields)."""

    judge_model: str | None = None  # the model name an OpenAI-compatible server serves (required for a URL)
    judge_timeout: float = 30.0
    judge_concurrency: int = 8
    judge_cache: str | None = None  # SQLite file for judge answers (shared across runs and processes)
    judge_max_new_tokens: int = 384  # local judge folder only
    human_policy: str = "latest"  # latest | majority | priority:ana,bob


class SourceKind(NamedTuple):
    usage: str
    help: str
    build: Callable[[str, CompiledRuleSet, StepSourceOptions], Source]
    needs_arg: bool


def _human(arg: str, rules: CompiledRuleSet, options: StepSourceOptions) -> Source:
    from verifiers.human import HumanVerifier
    from verifiers.human.store import StoreError

    try:
        return Source("human", HumanVerifier(arg, rules, policy=options.human_policy))
    except StoreError as err:  # not an OSError: the store's own error, with the command that creates one
        raise RecipeError(f"step_sources: human:{arg}: {err}") from None


def _judge(arg: str, rules: CompiledRuleSet, options: StepSourceOptions) -> Source:
    from verifiers.judge import LocalBackend, OpenAIBackend, StepJudge

    if arg.startswith(("http://", "https://")):
        if not options.judge_model:
            raise RecipeError(f"step_sources: judge:{arg} needs the name the server serves the judge under; set "
                              "step_judge_model (e.g. the model id given to `vllm serve`)")
        backend = OpenAIBackend(arg, options.judge_model, timeout=options.judge_timeout,
                                concurrency=options.judge_concurrency)
    else:
        backend = LocalBackend(arg, max_new_tokens=options.judge_max_new_tokens)
    # The judge gives P(correct) in [0, 1]; the hybrid puts it on the signed scale (2p - 1).
    return Source("judge", StepJudge(rules, backend, cache=options.judge_cache), probability=True)


def _facts(arg: str, rules: CompiledRuleSet, options: StepSourceOptions) -> Source:
    return Source("facts", RuleAwareReward(rules))


STEP_SOURCES: dict[str, SourceKind] = {
    "human": SourceKind("human:<annotations.db>", "offline human step annotations (verifiers.human; conflicts "
                        "resolved by step_human_policy); needs the dataset column `id`", _human, True),
    "judge": SourceKind("judge:<model folder> | judge:<http://host:port/v1>", "the generative step judge "
                        "(verifiers.judge), run locally or behind an OpenAI-compatible server (step_judge_model "
                        "names the served model); needs the columns `query` and `product`", _judge, True),
    "facts": SourceKind("facts", "the rule-aware reward's checks against the row's gold step verdicts and gold "
                        "label (columns `gold_steps`, `label`)", _facts, False),
}


def sources_help() -> str:
    return "; ".join(f"{k.usage}: {k.help}" for k in STEP_SOURCES.values())


def parse_step_sources(spec: str | Sequence[str]) -> list[tuple[str, str]]:
    """`"human:ann.db,judge:URL,facts"` (or the same as a YAML list) -> [(kind, argument)], in priority order."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    parsed = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        kind, _, arg = item.partition(":")
        kind, arg = kind.strip(), arg.strip()
        if kind not in STEP_SOURCES:
            usages = ", ".join(k.usage for k in STEP_SOURCES.values())
            raise RecipeError(f"step_sources: unknown source {kind!r} in {item!r}; use one of {usages} "
                              "(`python -m trainers.srpo --help` says what each does)")
        if STEP_SOURCES[kind].needs_arg and not arg:
            raise RecipeError(f"step_sources: {kind!r} needs an argument; write {STEP_SOURCES[kind].usage}")
        if not STEP_SOURCES[kind].needs_arg and arg:
            raise RecipeError(f"step_sources: {kind!r} takes no argument (got {item!r}); write {kind!r}")
        if any(kind == k for k, _ in parsed):
            raise RecipeError(f"step_sources: {kind!r} is listed twice in {spec!r}; keep one")
        parsed.append((kind, arg))
    if not parsed:
        raise RecipeError(f"step_sources: no source in {spec!r}; give at least one, e.g. 'facts'")
    return parsed


def build_hybrid(sources: Sequence[tuple[str, str]], rules: CompiledRuleSet,
                 options: StepSourceOptions | None = None) -> HybridVerifier:
    """The hybrid verifier over these sources; a source that cannot be built is a RecipeError naming it."""
    options = options or StepSourceOptions()
    built = []
    for kind, arg in sources:
        try:
            built.append(STEP_SOURCES[kind].build(arg, rules, options))
        except RecipeError:
            raise
        except (OSError, ValueError) as err:  # a missing database or model folder, a bad policy name ...
            raise RecipeError(f"step_sources: cannot build the {kind!r} source from {arg or kind!r}: {err}") from None
    return HybridVerifier(rules, built)


def describe(hybrid: Any) -> str:
    return " > ".join(s.name for s in getattr(hybrid, "sources", []))
