"""Shared fixtures: temp data dirs, the project's own test data, and a faked time of day."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

pytest_plugins = ["bot.sandbox.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"  # what is there: tests/data/README.md
PAGES = TEST_DATA / "pages"
EXAMPLE_ARTICLE = TEST_DATA / "articles" / "2025-06-09-ecuador-israel-allies-caucus.txt"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


FAKE_NOW_VARIABLE = "NEWSBOT_FAKE_NOW"


def fake_now(value: str) -> datetime:
    """``NEWSBOT_FAKE_NOW``: an ISO 8601 instant with its offset (``2026-11-30T23:59:00Z``),
    or a wall time and a zone (``2026-03-29T01:59:50@Europe/Berlin``), which also makes
    that zone the process's local time zone."""
    stamp, _, zone = value.partition("@")
    when = datetime.fromisoformat(stamp)
    if zone:
        return when.replace(tzinfo=ZoneInfo(zone))
    if when.tzinfo is None:
        raise pytest.UsageError(f"{FAKE_NOW_VARIABLE}={value} needs an offset or @Zone")
    return when


@pytest.fixture(autouse=True)
def _fake_time_of_day() -> Iterator[None]:
    """Start every test at ``NEWSBOT_FAKE_NOW`` when it is set (CI runs the time-sensitive
    tests at a few awkward instants this way); the clock keeps ticking from there."""
    value = os.environ.get(FAKE_NOW_VARIABLE)
    if not value:
        yield
        return
    with time_machine.travel(fake_now(value), tick=True):
        yield
