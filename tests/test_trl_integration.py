"""RuleAwareReward inside a real trl.GRPOTrainer on a tiny local model (CPU), and TRL's hook signatures.

TRL is pinned exactly because later trainers extend its private hooks; if an upgrade moves them, the
signature test below fails loudly instead of a trainer breaking at run time.
"""

from __future__ import annotations

import inspect

import pytest
from datasets import Dataset
from trl import GRPOConfig, GRPOTrainer

from rewards import RuleAwareReward
from trainers.common.tiny_model import build_tiny_lm

HOOKS = {
    "_calculate_rewards": ["self", "inputs", "prompts", "completions", "completion_ids_list"],
    "_generate_and_score_completions": ["self", "inputs"],
    "_compute_loss": ["self", "model", "inputs"],
    "_generate": ["self", "prompts"],
    # AGRL: hint generation and policy shaping on guide tokens.
    "_generate_single_turn": ["self", "prompt_ids", "images", "multimodal_fields", "num_generations",
                              "has_tool_images"],
    "_tokenize_prompts": ["self", "prompts"],
    "_get_per_token_logps_and_entropies": [
        "self", "model", "input_ids", "attention_mask", "logits_to_keep", "batch_size", "compute_entropy",
        "compute_aux_loss", "pixel_values", "image_grid_thw", "num_images", "pixel_attention_mask", "spatial_shapes",
        "num_tiles", "image_sizes", "token_type_ids", "mm_token_type_ids", "image_position_ids"],
    # The eval callback logs through the trainer; curricula read the sampler.
    "log": ["self", "logs", "start_time"],
    "_get_train_sampler": ["self", "dataset"],
}


@pytest.mark.parametrize("name,params", HOOKS.items())
def test_trl_hooks_keep_their_signatures(name, params):
    assert list(inspect.signature(getattr(GRPOTrainer, name)).parameters) == params, (
        f"GRPOTrainer.{name} changed its signature; the trainers that extend it must be updated")


def test_rule_aware_reward_trains_in_grpo_trainer(tmp_path):
    model, tokenizer = build_tiny_lm()
    reward = RuleAwareReward.from_yaml("rules/catalog/ecommerce.yaml")
    rows = [{"prompt": f"Query: {q}\nProduct: {p}\n", "label": lab,
             "gold_steps": {"category": cat, "brand_model": "not_mentioned"}}
            for q, p, lab, cat in [("running shoes", "Nike Pegasus 40", 4, "match"),
                                   ("iphone 15", "Silicone case for iPhone 15", 2, "accessory")] * 4]
    args = GRPOConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, activation_checkpointing=False,
                      per_device_train_batch_size=4, num_generations=4, max_completion_length=12, max_steps=2,
                      learning_rate=1e-2, logging_steps=1, report_to=[], save_strategy="no", seed=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=args, train_dataset=Dataset.from_list(rows),
                          processing_class=tokenizer)
    trainer.train()
    logs = {k for entry in trainer.state.log_history for k in entry}
    # TRL names the reward after __name__, and our log_metric values reach its logs.
    assert {"rewards/rule_aware/mean", "rule_aware/malformed_rate", "rule_aware/gated_rate"} <= logs
    # An untrained model writes no valid CoT: every completion is malformed and scored, none crashes the run.
    rates = [e["rule_aware/malformed_rate"] for e in trainer.state.log_history if "rule_aware/malformed_rate" in e]
    assert rates and all(r == 1.0 for r in rates)
    assert trainer.state.global_step == 2
