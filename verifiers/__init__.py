"""Step verifiers: the offline human verifier, the generative step-level judge, and their hybrid.

    python -m verifiers.human import --db annotations.db --rules rules/catalog/ecommerce.yaml labels.jsonl
    python -m verifiers.human stats --db annotations.db --rules rules/catalog/ecommerce.yaml

Every verifier has the rule-aware reward's step interface, `step_scores(completions, **dataset_columns)` returning
`rewards.StepScore` lists, so `verifiers.hybrid.HybridVerifier` can pick a source per step.
"""

from verifiers.human import AnnotationStore, HumanVerifier, HumanVerifierConfig
from verifiers.hybrid import HybridVerifier, Source

__all__ = ["AnnotationStore", "HumanVerifier", "HumanVerifierConfig", "HybridVerifier", "Source"]
