"""bench/gpu_smoke.py runs on CPU (tiny sizes, fp32), so the GPU smoke run cannot rot between GPU sessions."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import gpu_smoke  # noqa: E402


@pytest.mark.slow
def test_every_path_runs_on_cpu(tmp_path):
    """All eight paths, about a minute on 2 cores."""
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_smoke.py"), "--device", "cpu", "--out",
                          str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = dict(kv.split("=", 1) for kv in run.stdout.strip().splitlines()[-1].split())
    assert figures["ok"] == str(len(gpu_smoke.PATHS)) and figures["failed"] == "0"
    for path in gpu_smoke.PATHS:
        assert f"| {path} | ok |" in run.stdout
        assert float(figures[f"{path}_step_s"]) > 0


def test_a_failing_path_is_reported_and_the_others_run(tmp_path, monkeypatch, capsys):
    def broken(self):
        raise RuntimeError("CUDA out of memory (simulated)")

    monkeypatch.setattr(gpu_smoke.Smoke, "sft", broken)
    assert gpu_smoke.main(["--device", "cpu", "--paths", "sft", "judge", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "| sft | failed: RuntimeError: CUDA out of memory (simulated) |" in out
    assert "| judge | ok |" in out and out.strip().splitlines()[-1].startswith("device=cpu")


def test_a_missing_wheel_stops_with_one_line(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n in ("trl", "datasets") else real(n, *a))
    assert gpu_smoke.main(["--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing Python packages: trl, datasets" in err[0] and "wheels" in err[0]
