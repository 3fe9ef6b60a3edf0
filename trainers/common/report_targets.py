"""Report targets (TensorBoard, W&B, MLflow, ...) receive only defined values.

    python -m trainers.grpo --config trainers/recipes/grpo_cpu.yaml      # tensorboard --logdir runs/

TRL logs a metric that is undefined for a step as None (a micro-batch whose tokens were all masked has no entropy,
no clip ratio): its console prints the None, which is what the value means. The writers' callbacks cannot store a
None; transformers' TensorBoard callback drops it with a warning per key and step (six lines per RL step). Each
writer callback of a trainer gets the logs without their None values; the console and `state.log_history` keep them.
"""

from __future__ import annotations

from typing import Any

from transformers.integrations import INTEGRATION_TO_CALLBACK

WRITERS = tuple(INTEGRATION_TO_CALLBACK.values())


def skip_undefined_in_writers(trainer: Any) -> int:
    """Wrap `on_log` of every report-target callback of `trainer` so None values are left out; how many wrapped."""
    wrapped = 0
    for callback in trainer.callback_handler.callbacks:
        if isinstance(callback, WRITERS) and not getattr(callback, "skips_undefined", False):
            callback.on_log = _defined_only(callback.on_log)
            callback.skips_undefined = True
            wrapped += 1
    return wrapped


def _defined_only(on_log: Any) -> Any:
    def on_log_defined(args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any) -> Any:
        defined = {k: v for k, v in (logs or {}).items() if v is not None}
        return on_log(args, state, control, logs=defined, **kwargs)

    return on_log_defined
