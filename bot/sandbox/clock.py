"""The emulator's clock: wall time plus an offset that tests move forward.

Deadlines (3 s to answer an interaction, 15 minutes for its token) are judged by this
clock, so a test can "wait" four seconds with ``clock.advance(4)`` and stay fast.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Monotonic seconds, movable forward; ``frozen`` stops wall time from counting."""

    def __init__(self, *, frozen: bool = False) -> None:
        self._frozen = frozen
        self._base = time.monotonic()
        self._offset = 0.0
        self._epoch = time.time() - self._base

    def now(self) -> float:
        return (self._base if self._frozen else time.monotonic()) + self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward (never back: deadlines only ever pass)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds

    def utcnow(self) -> datetime:
        """The clock's time as an aware UTC datetime (for message timestamps)."""
        return datetime.fromtimestamp(self._epoch + self.now(), UTC)

    def epoch_ms(self) -> int:
        """The clock's time in Unix milliseconds (for snowflake ids)."""
        return int((self._epoch + self.now()) * 1000)

    def iso(self) -> str:
        return self.utcnow().isoformat()
