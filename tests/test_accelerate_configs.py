"""The shipped accelerate configs (trainers/recipes/accelerate/*.yaml) load and launch-parse on CPU.

Each goes through accelerate's own config loader and through `accelerate launch`'s real `launch_command` up to the
launcher, which is replaced by one that builds the launch environment (`prepare_multi_gpu_env` /
`prepare_deepspeed_cmd_env`, what the real launcher hands to torch's elastic launch) without starting processes.
Not testable here: starting the processes (no GPU), DeepSpeed itself (not installed: only accelerate's side of
its config is checked) and FSDP2 sharding of a real model (needs CUDA / NCCL).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from accelerate.commands import launch as accelerate_launch
from accelerate.commands.config.config_args import load_config_from_file
from accelerate.utils import launch as launch_utils

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = {p.stem: p for p in sorted((ROOT / "trainers" / "recipes" / "accelerate").glob("*.yaml"))}
EXPECTED = {  # config -> (distributed type, what launch_command decided, environment it must set)
    "multi_gpu": ("MULTI_GPU", "multi_gpu", {}),
    "deepspeed_zero2": ("DEEPSPEED", "use_deepspeed", {"ACCELERATE_DEEPSPEED_ZERO_STAGE": "2"}),
    "deepspeed_zero3": ("DEEPSPEED", "use_deepspeed", {"ACCELERATE_DEEPSPEED_ZERO_STAGE": "3",
                                                       "ACCELERATE_DEEPSPEED_ZERO3_INIT": "true"}),
    "fsdp2": ("FSDP", "use_fsdp", {"ACCELERATE_USE_FSDP": "true", "FSDP_VERSION": "2"}),
}
SCRIPT = ["-m", "trainers.grpo", "--config", "trainers/recipes/grpo_gpu.yaml"]


def test_every_config_ships_and_is_package_data():
    assert set(CONFIGS) == set(EXPECTED)
    assert '"recipes/accelerate/*.yaml"' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_accelerates_config_loader_reads_it(name):
    config = load_config_from_file(str(CONFIGS[name]))  # unknown keys are errors in accelerate's loader
    assert config.distributed_type.value == EXPECTED[name][0]
    assert (config.num_processes, config.num_machines, config.mixed_precision) == (8, 1, "bf16")


def _launch(monkeypatch, argv: list[str]) -> tuple:
    """accelerate launch's own launch_command, stopped where it would start processes."""
    seen = {}

    def deepspeed(args):
        seen["args"] = args
        seen["cmd"], seen["env"] = launch_utils.prepare_deepspeed_cmd_env(args)

    def multi_gpu(args):
        seen["args"], seen["env"] = args, launch_utils.prepare_multi_gpu_env(args)

    monkeypatch.setattr(accelerate_launch, "deepspeed_launcher", deepspeed)
    monkeypatch.setattr(accelerate_launch, "multi_gpu_launcher", multi_gpu)
    monkeypatch.setattr(accelerate_launch, "simple_launcher", lambda args: pytest.fail("fell back to one process"))
    accelerate_launch.launch_command(accelerate_launch.launch_command_parser().parse_args(argv))
    return seen["args"], seen["env"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_accelerate_launch_parses_it_for_8_gpus(monkeypatch, name):
    args, env = _launch(monkeypatch, ["--config_file", str(CONFIGS[name]), *SCRIPT])
    _, flag, wanted = EXPECTED[name]
    assert getattr(args, flag) and args.num_processes == 8 and env["ACCELERATE_MIXED_PRECISION"] == "bf16"
    assert {k: env.get(k) for k in wanted} == wanted


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_accelerate_launch_parses_it_for_two_nodes(monkeypatch, name):
    node = ["--num_machines", "2", "--machine_rank", "1", "--num_processes", "16", "--main_process_ip", "10.0.0.1",
            "--main_process_port", "29500"]
    args, env = _launch(monkeypatch, ["--config_file", str(CONFIGS[name]), *node, *SCRIPT])
    assert (args.num_machines, args.machine_rank, args.num_processes) == (2, 1, 16)
    assert args.main_process_ip == "10.0.0.1" and getattr(args, EXPECTED[name][1])
