"""The one way product code reads the time of day.

Services take a ``Clock`` instead of calling ``time.time()`` or ``datetime.now()``, so a
test can say what "now" is and nothing depends on when the suite runs. Durations and
timeouts (``time.monotonic``, the event loop's clock) are not the time of day and do not
go through it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """The system clock, or a fixed instant once ``set`` (tests move it by hand)."""

    def __init__(self, fixed: datetime | None = None) -> None:
        self._fixed: datetime | None = None
        if fixed is not None:
            self.set(fixed)

    def now(self) -> datetime:
        """Now, as an aware UTC datetime."""
        return self._fixed if self._fixed is not None else datetime.now(UTC)

    def time(self) -> float:
        """Now, as seconds since the epoch (what the stores record)."""
        return self.now().timestamp()

    def set(self, when: datetime | None) -> None:
        """Stop at ``when`` (an aware datetime); ``None`` follows the system clock again."""
        if when is not None and when.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._fixed = None if when is None else when.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        """Move a fixed clock on by ``timedelta(**delta)``; returns the new now."""
        if self._fixed is None:
            raise RuntimeError("only a fixed clock can be moved")
        self._fixed += timedelta(**delta)
        return self._fixed
