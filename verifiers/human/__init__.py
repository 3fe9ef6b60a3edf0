"""The offline human verifier: an SQLite store of people's step verdicts and labels, with provenance and history,
conflict policies, import/export/stats/show, step scores for the hybrid, and training data for judge and policy.

    python -m verifiers.human import --db annotations.db --rules rules/catalog/ecommerce.yaml batch1.jsonl batch2.csv
    python -m verifiers.human stats --db annotations.db --rules rules/catalog/ecommerce.yaml
    python -m verifiers.human show --db annotations.db q1-p7

    >>> from verifiers.human import HumanVerifier
    >>> human = HumanVerifier("annotations.db", "rules/catalog/ecommerce.yaml", policy="majority")
    >>> human.score("q1-p7", completion)        # [StepScore(..., score=+1/-1/None, source="human", reason=...)]

Modules: `store` (SQLite, append-only rows), `policy` (latest, majority, priority), `records` (the JSONL/CSV record
layout and its checks), `files` (import, export), `stats`, `verifier`, `builders`, `candidates` (completions to
annotate), `web` (the annotation page: `python -m verifiers.human serve`), `labelstudio` (config, tasks and import
of its export), `demo_candidates`; `__main__` is the command line.
"""

from verifiers.human.builders import Built, JudgePrompt, default_answer, dpo_pairs, judge_sft_rows, write_jsonl
from verifiers.human.files import ImportResult, export, import_file, read_file
from verifiers.human.policy import POLICIES, Latest, Majority, Priority, Resolution, parse_policy, resolve
from verifiers.human.stats import Stats, cohen_kappa, compute_stats, format_stats, store_stats
from verifiers.human.store import LABEL, AlreadyImported, Annotation, AnnotationStore, StoreError, iso_time
from verifiers.human.verifier import HumanVerifier, HumanVerifierConfig, Judged, StepJudgement

__all__ = ["LABEL", "POLICIES", "AlreadyImported", "Annotation", "AnnotationStore", "Built", "HumanVerifier",
           "HumanVerifierConfig", "ImportResult", "Judged", "JudgePrompt", "Latest", "Majority", "Priority",
           "Resolution", "Stats", "StepJudgement", "StoreError", "cohen_kappa", "compute_stats", "default_answer",
           "dpo_pairs", "export", "format_stats", "import_file", "iso_time", "judge_sft_rows", "parse_policy",
           "read_file", "resolve", "store_stats", "write_jsonl"]
