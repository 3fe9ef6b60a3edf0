"""The run machinery every method shares: recipe -> arguments -> data -> model -> train -> checkpoints -> end.

- `recipe`: YAML recipes through TRL's `TrlParser`, strict about every key;
- `arguments`: `ShelfArguments` (model, rule set, data, evaluation during training), beside TRL's configs;
- `data`: examples -> TRL rows, class balance, CoT order, the gold checks;
- `model_setup`: the policy (a local folder, a hub id, or a tiny model built on first use by `tiny_model`);
- `sampling`: offline pass@N sampling graded by the rule-aware reward (DPO pairs, GRPO difficulty selection);
- `eval_callback`: the evaluator's metrics during training, to every `report_to` target, generated on every
  rank through `distributed_generation`; `report_targets`: writers get only defined values;
- `budgets`: token budgets checked against the rule set's prompts and gold CoTs before training;
- `checkpoints`: the newest complete checkpoint for `--resume_from_checkpoint latest`;
- `run_end`: the saved model, eval history and process exit at the end of every run.

Methods (`trainers.sft`, `.dpo`, `.grpo`, `.agrl`, `.srpo`) import from here; this room imports only
`trainers.evaluation`, `rules`, `rewards` and `verifiers`.
"""
