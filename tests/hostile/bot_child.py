"""Child of the kill matrix: ``newsbot run`` with the time of day fixed at argv[1] (ISO 8601
with an offset; the clock ticks on from there), so that a digest is due whatever time the
suite runs at. Everything else comes from the environment, as for ``newsbot run``."""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine


def main() -> int:
    when = datetime.fromisoformat(sys.argv[1])
    from bot.cli import main as newsbot

    with time_machine.travel(when, tick=True):
        return newsbot(["run"])


if __name__ == "__main__":
    sys.exit(main())
