"""The bot's services: a start that fails half-way leaves nothing open behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.fleet.shards import ShardSet
from bot.news.clock import Clock
from bot.news.store import open_store
from bot.ui.services import open_services


async def _no_orphans(*_args: object) -> None:
    raise AssertionError("no job was handed over")


async def test_a_failed_start_closes_what_it_had_opened(tmp_path: Path) -> None:
    # A broker without PostgreSQL is refused after the store, fetcher and pipeline exist.
    settings = Settings(data_dir=tmp_path / "data", broker_url="amqp://guest:guest@127.0.0.1/")
    with pytest.raises(ValueError):
        await open_services(settings, Clock(), shards=ShardSet(), on_orphan=_no_orphans)
    # The store's folder is free again: a store left open would hold its lock (StoreBusy).
    store = await open_store(settings)
    await store.close()
