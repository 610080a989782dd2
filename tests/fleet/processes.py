"""Start ``newsbot`` roles as real processes for fleet tests (and stop or kill them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def newsbot_env(**settings: str) -> dict[str, str]:
    """The environment of a child ``newsbot``: this one, minus any NEWSBOT_ setting that
    could leak in, plus ``settings`` (already named NEWSBOT_...)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(settings)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Role:
    """One ``newsbot`` process; its output goes to ``log`` (read it when a test fails)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args = args
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> Role:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts}: newsbot {' '.join(self.args)}\n".encode())
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and its CPU workers (its whole process group)."""
        if self.process is not None and self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process is None:
            return None
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
