"""The end of every training run (SFT, DPO and the RL methods): logging, the saved model and eval history, exit.

    python -m trainers.sft --config trainers/recipes/sft_cpu.yaml      # ends through save_run + finish

`save_run` writes the model, its tokenizer and `shelfwise_eval.json` (the evaluations of the run, kept across a
resume). Under `accelerate launch` or `torchrun` every process runs the same code; `finish` ends with
`os._exit(0)` after the last flush, because gloo process groups on CPU sometimes abort at interpreter exit after a
finished run.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

from trainers.common.eval_callback import RelevanceEvalCallback
from trainers.evaluation.judge_format import write_judge_format

logger = logging.getLogger(__name__)


def setup_logging(config: Any) -> None:
    level = logging.INFO if getattr(config, "process_index", 0) == 0 else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    # TRL 1.16 reads `model.is_gradient_checkpointing` around every generation, which transformers >= 5.23 marks
    # deprecated: a warning the user can do nothing about. Our own configs use the current name (arguments.py).
    warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)


def write_summary(output_dir: str, callback: RelevanceEvalCallback, trainer: Any) -> Path:
    path = Path(output_dir) / "shelfwise_eval.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    history = list(callback.history)
    if path.is_file():  # a resumed run keeps the evaluations made before it resumed
        first = history[0]["step"] if history else float("inf")
        try:
            earlier = json.loads(path.read_text(encoding="utf-8")).get("evaluations", [])
        except (json.JSONDecodeError, AttributeError):
            earlier = []
        history = [h for h in earlier if isinstance(h, dict) and h.get("step", first) < first] + history
    path.write_text(json.dumps({"evaluations": history, "global_step": trainer.state.global_step}, indent=2),
                    encoding="utf-8")
    return path


def save_run(trainer: Any, callback: RelevanceEvalCallback, output_dir: str) -> Path | None:
    """The model, its tokenizer, its prompt and CoT format (`shelfwise_judge.json`, read by the evaluator) and the
    eval history (`shelfwise_eval.json`); the summary's path on process 0."""
    trainer.save_model(output_dir)
    if not trainer.is_world_process_zero():
        return None
    trainer.processing_class.save_pretrained(output_dir)
    write_judge_format(output_dir, callback.rules)
    summary = write_summary(output_dir, callback, trainer)
    logger.info("saved the model and %s", summary)
    return summary


def finish() -> int:
    """End a CLI run; under a multi-process launch skip gloo's teardown at interpreter exit (module docstring)."""
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    logging.shutdown()
    if distributed:
        os._exit(0)
    return 0
