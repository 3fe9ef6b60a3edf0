"""Step verifiers: the offline human verifier, the generative step-level judge, and their hybrid.

    python -m verifiers.human import --db annotations.db --rules rules/catalog/ecommerce.yaml labels.jsonl
    python -m verifiers.human stats --db annotations.db --rules rules/catalog/ecommerce.yaml
    python bench/judge_throughput.py        # the generative judge through a real OpenAI-compatible server

Every verifier has the rule-aware reward's step interface, `step_scores(completions, **dataset_columns)` returning
`rewards.StepScore` lists, so `verifiers.hybrid.HybridVerifier` can pick a source per step. Importing is light:
torch loads only when a local judge backend is built.
"""

from verifiers.human import AnnotationStore, HumanVerifier, HumanVerifierConfig
from verifiers.hybrid import HybridVerifier, Source
from verifiers.judge import JudgeCache, JudgeReward, LocalBackend, OpenAIBackend, StepJudge

__all__ = ["AnnotationStore", "HumanVerifier", "HumanVerifierConfig", "HybridVerifier", "JudgeCache", "JudgeReward",
           "LocalBackend", "OpenAIBackend", "Source", "StepJudge"]
