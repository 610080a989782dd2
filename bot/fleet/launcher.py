"""``newsbot fleet``: the fleet's topology as plain processes on one machine.

Gateways (one per shard range) and workers, each its own ``newsbot`` process and process
group, restarted when it dies (after a short, growing pause), stopped together on SIGTERM
or Ctrl-C. ``state_file`` lists each role's current pid, for operators and tests.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.fleet.shards import format_shards
from bot.news.atomic import write_atomic

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds before the first restart; doubles while it keeps dying
RESTART_PAUSE_MAX = 30.0
STABLE_AFTER = 60.0  # a process up this long is healthy again: its pause starts over
STOP_GRACE = 20.0


@dataclass(frozen=True, slots=True)
class RoleSpec:
    name: str  # "gateway-0-1", "worker-1"
    args: tuple[str, ...]  # after ``newsbot``


def plan_roles(
    gateways: list[tuple[int, ...]], shard_count: int, workers: int, concurrency: int | None
) -> list[RoleSpec]:
    roles = [
        RoleSpec(
            f"gateway-{format_shards(ids)}",
            ("run", "--shards", format_shards(ids), "--shard-count", str(shard_count)),
        )
        for ids in gateways
    ]
    worker_args: tuple[str, ...] = ("worker",)
    if concurrency:
        worker_args += ("--concurrency", str(concurrency))
    roles += [RoleSpec(f"worker-{i + 1}", worker_args) for i in range(workers)]
    return roles


def split_shards(shard_count: int, gateways: int) -> list[tuple[int, ...]]:
    """``shard_count`` shards in ``gateways`` contiguous ranges, as even as possible."""
    size, extra = divmod(shard_count, gateways)
    ranges, start = [], 0
    for i in range(gateways):
        end = start + size + (1 if i < extra else 0)
        ranges.append(tuple(range(start, end)))
        start = end
    return [r for r in ranges if r]


@dataclass(slots=True)
class _Running:
    spec: RoleSpec
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    starts: int = 0
    pause: float = RESTART_PAUSE
    restart_at: float | None = None
    exits: list[int] = field(default_factory=list)


class Supervisor:
    def __init__(
        self,
        roles: list[RoleSpec],
        *,
        log_dir: Path,
        state_file: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.roles = [_Running(spec) for spec in roles]
        self.log_dir = log_dir
        self.state_file = state_file
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("PYTHONUNBUFFERED", "1")
        self._stopping = False

    def _start(self, role: _Running) -> None:
        role.starts += 1
        log_path = self.log_dir / f"{role.spec.name}.log"
        with log_path.open("ab") as out:
            out.write(f"--- start {role.starts}: newsbot {' '.join(role.spec.args)}\n".encode())
            role.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *role.spec.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: its CPU workers go down with it
            )
        role.started_at = time.monotonic()
        role.restart_at = None
        log.info("fleet: started %s (pid %d)", role.spec.name, role.process.pid)

    def _write_state(self) -> None:
        if self.state_file is None:
            return
        state = {
            r.spec.name: {
                "pid": r.process.pid if r.process and r.process.poll() is None else None,
                "starts": r.starts,
                "args": list(r.spec.args),
                "exits": r.exits,
            }
            for r in self.roles
        }
        write_atomic(self.state_file, json.dumps(state, indent=1).encode())

    def request_stop(self, *_: object) -> None:
        self._stopping = True

    def run(self, poll: float = 0.2) -> int:
        """Start every role and keep them running until asked to stop."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for role in self.roles:
            self._start(role)
        self._write_state()
        try:
            while not self._stopping:
                if self._tend():
                    self._write_state()
                time.sleep(poll)
        finally:
            self._stop_all()
            self._write_state()
        return 0

    def _tend(self) -> bool:
        changed = False
        now = time.monotonic()
        for role in self.roles:
            process = role.process
            if role.restart_at is not None:
                if now >= role.restart_at:
                    self._start(role)
                    changed = True
                continue
            if process is None or process.poll() is None:
                continue
            code = process.returncode
            role.exits.append(code)
            if now - role.started_at >= STABLE_AFTER:
                role.pause = RESTART_PAUSE
            log.warning(
                "fleet: %s exited with %s; restarting in %.0f s", role.spec.name, code, role.pause
            )
            role.restart_at = now + role.pause
            role.pause = min(role.pause * 2, RESTART_PAUSE_MAX)
            changed = True
        return changed

    def _stop_all(self) -> None:
        live = [r.process for r in self.roles if r.process and r.process.poll() is None]
        for process in live:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in live:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("fleet: pid %d did not stop in time; killing it", process.pid)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
