"""The real NewsBot, on a temp data dir, connected to the emulator; a loopback article server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings, with_overrides
from bot.news.clock import Clock
from bot.sandbox.emulator import Emulator
from bot.sandbox.harness import connected_bot
from bot.sandbox.web import ArticleServer, html_page
from tests.conftest import EXAMPLE_ARTICLE, PAGES


def bot_settings(data_dir: Path, **changes: Any) -> Settings:
    base = load_settings(env={}, config_file=data_dir / "absent.toml")
    # one CPU worker process: these tests check behaviour, not throughput, and each
    # worker loads its own spaCy model
    changes.setdefault("ingest_workers", 1)
    return with_overrides(base, **{"data_dir": data_dir, "allow_loopback": True, **changes})


@pytest.fixture
def start_bot(
    emulator: Emulator, data_dir: Path
) -> Callable[..., contextlib.AbstractAsyncContextManager[Any]]:
    """``async with start_bot() as bot:`` runs a NewsBot on ``data_dir`` until the block ends;
    call it again (after the block) to restart on the same files. ``clock=`` gives it a
    clock the test sets; other keywords change its settings."""
    from bot.ui.client import NewsBot

    @contextlib.asynccontextmanager
    async def run(clock: Clock | None = None, **changes: Any) -> AsyncIterator[NewsBot]:
        bot = NewsBot(bot_settings(data_dir, **changes), clock=clock, **emulator.client_kwargs())
        async with connected_bot(emulator, bot) as connected:
            yield connected

    return run


@pytest.fixture
async def newsbot(start_bot) -> AsyncIterator[Any]:
    async with start_bot() as bot:
        yield bot


@pytest.fixture
async def articles() -> AsyncIterator[ArticleServer]:
    async with ArticleServer(PAGES, example=EXAMPLE_ARTICLE) as server:
        yield server


FILLER = (
    "Analysts said the decision would be watched closely in the coming weeks.",
    "The announcement followed several days of meetings between officials and advisers.",
    "Critics argued that the timetable was too short for a measure of this size.",
    "Supporters said the change was long overdue and would bring clear benefits.",
    "A spokesperson declined to give further details when asked by reporters.",
)


def story(title: str, *sentences: str, pad: bool = True) -> tuple[str, bytes]:
    """A small article page, padded with neutral sentences to be long enough for one."""
    paragraphs = [*sentences, *FILLER] if pad else list(sentences)
    return ("text/html; charset=utf-8", html_page(title, paragraphs))
