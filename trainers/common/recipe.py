"""Recipes: a YAML file of training arguments read by TRL's `TrlParser`, strict about every key.

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml --learning_rate 5e-5 --max_steps 20

The arguments are dataclasses: TRL's own configs (`SFTConfig`, `DPOConfig`, `GRPOConfig` and our subclasses of
them) plus `trainers.common.arguments.ShelfArguments` (model, rules, data). Command-line flags override the recipe. A key
the dataclasses do not know is an error naming the recipe file, its line, the closest known key and where the
known keys are listed (`--help`), never a silently ignored setting.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import sys
from pathlib import Path
from typing import Any

import yaml
from trl import TrlParser

# Keys TrlParser itself consumes from a recipe.
_PARSER_KEYS = {"env"}


class RecipeError(ValueError):
    """A recipe that cannot be used: file, line, key, and the fix."""


def _key_lines(path: Path) -> dict[str, int]:
    """Line (1-based) of each top-level key, for error messages."""
    node = yaml.compose(path.read_text(encoding="utf-8"))
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def known_keys(dataclass_types: list[type]) -> set[str]:
    return {f.name for cls in dataclass_types for f in dataclasses.fields(cls) if f.init} | _PARSER_KEYS


def check_recipe(path: str | Path, dataclass_types: list[type], prog: str = "python -m trainers.<name>") -> dict:
    """The recipe's mapping, or RecipeError at the first unknown or misspelled key (file:line)."""
    path = Path(path)
    if not path.is_file():
        raise RecipeError(f"{path}: no such recipe file; the bundled ones are in trainers/recipes/")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise RecipeError(f"{path}: not valid YAML ({err}); fix the syntax at the line shown") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RecipeError(f"{path}:1: a recipe is a mapping of argument names to values (got a "
                          f"{type(data).__name__}); write `key: value` lines")
    known, lines = known_keys(dataclass_types), _key_lines(path)
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.75)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise RecipeError(f"{path}:{lines.get(key, 1)}: unknown key {key!r}; {hint}remove it or fix its "
                              f"spelling (`{prog} --help` lists every argument)")
    return data


def _check_flags(argv: list[str], dataclass_types: list[type], prog: str) -> None:
    """A misspelled `--flag` names the closest argument (argparse would only list it as unused)."""
    known = known_keys(dataclass_types) | {"config", "help", "h"}
    for token in argv:
        if token.startswith("--"):
            key = token[2:].split("=", 1)[0].replace("-", "_")
            negated = key.startswith("no_") and key[3:] in known  # HfArgumentParser's --no_<flag> for booleans
            if key not in known and not negated:
                close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
                hint = f"did you mean --{close[0]}? " if close else ""
                raise RecipeError(f"unknown argument --{key}; {hint}(`{prog} --help` lists every argument)")


def parse_recipe(dataclass_types: list[type], argv: list[str] | None = None, prog: str | None = None,
                 description: str | None = None, epilog: str | None = None) -> tuple[Any, ...]:
    """Parse `--config recipe.yaml` plus flags into one instance per dataclass, in the order given."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `--config=FILE` is argparse's other spelling; TrlParser only looks for `--config FILE`.
    argv = [part for token in argv for part in (token.split("=", 1) if token.startswith("--config=") else [token])]
    prog = prog or "python -m trainers.<name>"
    usage = f"{prog} --config RECIPE.yaml [--flag value ...]   (recipes: trainers/recipes/*.yaml)"
    if "--config" in argv:
        index = argv.index("--config")
        if index + 1 >= len(argv):
            raise RecipeError("--config needs a recipe file, e.g. --config trainers/recipes/grpo_cpu.yaml")
        check_recipe(argv[index + 1], dataclass_types, prog)
    _check_flags(argv, dataclass_types, prog)
    if "--config" not in argv and not {"-h", "--help"} & set(argv):
        print(no_recipe_notice(prog, argv), file=sys.stderr)
    parser = _Parser(dataclass_types, prog=prog, usage=usage, description=description, epilog=epilog,
                     formatter_class=_Formatter)
    defaults = {k: v for k, v in cpu_defaults().items() if any(a.dest == k for a in parser._actions)}
    parser.set_defaults(**defaults)  # a recipe or a flag still overrides them
    try:
        parsed = tuple(parser.parse_args_and_config(argv))
    except ValueError as err:
        if "bf16" in str(err) and defaults:
            raise RecipeError(f"{err}\nThis machine has no GPU and the recipe asks for bf16: use a *_cpu recipe, or "
                              "pass --bf16 false --use_cpu true --activation_checkpointing false") from None
        if isinstance(err, RecipeError):
            raise
        # A field's own check (__post_init__) failed: the message names the field and the fix.
        raise RecipeError(str(err)) from None
    if defaults:  # no CUDA here
        _refuse_gpu_settings(parsed)
    _refuse_missing_vllm(parsed)
    return parsed


def no_recipe_notice(prog: str, argv: list[str]) -> str:
    """Flags without `--config` train with the dataclasses' defaults (the tiny test model, data/synthetic), not a
    recipe's setup: legal, as in TRL's scripts, but easy to do by accident (the demo plus one flag), so it is said."""
    import shlex

    recipes = Path(__file__).resolve().parents[1] / "recipes"
    method = prog.rsplit(".", 1)[-1]
    mini = recipes / f"{method}_mini_cpu.yaml"
    example = (f"\n  e.g. {prog} --config {mini.relative_to(recipes.parents[1])} {shlex.join(argv)}"
               if mini.is_file() else "")
    return (f"note: no --config: every argument not given as a flag takes its built-in default (the tiny test model "
            f"and settings), not a recipe's; the bundled recipes are in trainers/recipes/ (`{prog} --help` lists "
            f"every default){example}")


def _refuse_missing_vllm(parsed: tuple[Any, ...]) -> None:
    """`use_vllm: true` without vLLM installed: one line at parse time, not an ImportError after loading the model."""
    import importlib.util

    if any(getattr(obj, "use_vllm", False) is True for obj in parsed) and importlib.util.find_spec("vllm") is None:
        raise RecipeError("use_vllm: vLLM is not installed here; install the GPU extra on a CUDA machine "
                          "(pip install -e \".[gpu]\") or pass --use_vllm false to generate with transformers")


def _refuse_gpu_settings(parsed: tuple[Any, ...]) -> None:
    """A GPU recipe on a machine without CUDA: one line at parse time, before any model download or sampling."""
    asked = [name for name in ("bf16", "fp16", "use_vllm") for obj in parsed if getattr(obj, name, False) is True]
    if asked:
        flags = " ".join(f"--{name} false" for name in sorted(set(asked)))
        raise RecipeError(f"this machine has no GPU (CUDA) and the recipe asks for {', '.join(sorted(set(asked)))}: "
                          f"use a *_cpu recipe, or pass {flags} --use_cpu true")


class _Parser(TrlParser):
    """TrlParser whose errors (a value of the wrong type, a missing value) are one line, not the whole usage."""

    def error(self, message: str):
        raise RecipeError(f"{message} (from the recipe or a flag; `{self.prog} --help` lists every argument "
                          "and its type)")


def cpu_defaults() -> dict[str, Any]:
    """TRL's configs default to bf16 and activation checkpointing; on a machine without CUDA train in fp32 on CPU."""
    import torch

    if torch.cuda.is_available():
        return {}
    return {"use_cpu": True, "bf16": False, "fp16": False, "activation_checkpointing": False}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the epilog's line breaks (it lists registries)."""


def run_cli(main: Any, *args: Any) -> int:
    """Run a trainer's main; a user error (bad recipe, rule file, data, missing model) is one line, exit 2."""
    from rules import RuleFileError
    from rules.data.errors import DataError

    try:
        return main(*args)
    except (RecipeError, RuleFileError, DataError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
