"""Start a local OpenAI-compatible judge server (`transformers serve`) on 127.0.0.1, and stop it by its PID.

    pip install "transformers[serving]"
    python -m trainers.tiny_model --out models/tiny
    >>> with ServeProcess("models/tiny") as server:          # waits for /health; SIGTERM, then SIGKILL, on exit
    ...     backend = OpenAIBackend(server.base_url, model=server.model)

For tests, benchmarks and CPU demos. `transformers serve` answers chat/completions on the CPU but ignores
`logprobs` (the backend detects it and scores 0/1 from the parsed verdicts). For real use on GPUs run
`vllm serve` yourself and point `OpenAIBackend` at it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

logger = logging.getLogger(__name__)


_GIVEN: set[int] = set()  # ports handed out by this process: two servers started together never share one


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (another process may still take it before the server binds: see start)."""
    while True:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port


def _cli() -> list[str]:
    """The transformers CLI of the running interpreter, so the server uses this environment's transformers."""
    if importlib.util.find_spec("transformers.cli.transformers") is not None:  # transformers 5
        return [sys.executable, "-m", "transformers.cli.transformers"]
    script = Path(sys.executable).with_name("transformers")
    if script.exists():
        return [str(script)]
    raise RuntimeError("no `transformers` command next to this Python; pip install \"transformers[serving]\"")


class ServeProcess:
    """Tested with transformers 5.24 (`transformers serve MODEL --host --port --device`)."""

    def __init__(self, model_dir: str | Path, port: int | None = None, host: str = "127.0.0.1",
                 device: str = "cpu", extra_args: tuple[str, ...] = (), startup_timeout_s: float = 120.0):
        self.model, self.device = str(model_dir), device
        self.host, self.port = host, port or free_port(host)
        self.extra_args, self.startup_timeout_s = tuple(extra_args), startup_timeout_s
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile("w+", prefix="transformers-serve-", suffix=".log", delete=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def start(self, tries: int = 3) -> ServeProcess:
        """Start and wait for /health; a port taken in the meantime by another process means a new port."""
        for attempt in range(tries):
            try:
                return self._start_once()
            except RuntimeError as err:
                if "address already in use" not in str(err).lower() or attempt == tries - 1:
                    raise
                self.port = free_port(self.host)
        raise AssertionError("unreachable")

    def _start_once(self) -> ServeProcess:
        cmd = [*_cli(), "serve", self.model, "--host", self.host, "--port", str(self.port),
               "--device", self.device, *self.extra_args]
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}  # a local folder: never reach for the hub
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        logger.info("started transformers serve (pid %d) on %s:%d", self.proc.pid, self.host, self.port)
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited with {self.proc.returncode} before it was ready:\n"
                                   f"{self.log_tail()}\nIs `transformers[serving]` installed?")
            try:
                with urllib.request.urlopen(f"http://{self.host}:{self.port}/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"transformers serve not ready after {self.startup_timeout_s:g} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL by PID, at once: what a crashed server looks like to its clients."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self, grace_s: float = 5.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, chars: int = 2000) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-chars:]

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)
