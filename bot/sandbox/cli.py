"""Sub-commands of ``newsbot`` for this area (not written yet)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the ``newsbot`` parser."""
