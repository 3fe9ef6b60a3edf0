"""Step verifiers: the offline human verifier, the generative step-level judge and their hybrid.

Not built yet (issue 4). Until then the rule-aware reward's gold-step scores (`rewards.RuleAwareReward.step_scores`)
are the only step-level source.
"""

__all__: list[str] = []
