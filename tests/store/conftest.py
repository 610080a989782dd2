"""The contract suite's fixtures: every test here runs once per backend.

``BACKEND_FACTORIES`` maps a backend name to an async context manager yielding the URL of
a fresh, empty store (and removing it afterwards) plus the options ``open_store`` takes
for it. A backend whose service is absent skips with one line saying why (and fails
instead under ``NEWSBOT_REQUIRE_POSTGRES=1``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.news.store import Store, open_store
from tests.store.postgres_support import (  # noqa: F401  (fixtures used by the postgres tests)
    fresh_database,
    postgres_server,
    postgres_session_db,
    postgres_url,
)

Factory = Callable[[Path], contextlib.AbstractAsyncContextManager[tuple[str, dict[str, Any]]]]


@contextlib.asynccontextmanager
async def _tinydb(tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    # compaction only when a test asks for it: results must not depend on timing
    yield f"tinydb://{tmp_path / 'store'}", {"compact_every": 3600.0}


@contextlib.asynccontextmanager
async def _postgres(tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    # a database of its own, made from a migrated template and dropped afterwards
    async with fresh_database() as url:
        yield url, {}


BACKEND_FACTORIES: dict[str, Factory] = {"tinydb": _tinydb, "postgres": _postgres}


class StoreTarget:
    """Where a test's store lives: open it (again) with ``await target.open()``."""

    def __init__(self, backend: str, url: str, options: dict[str, Any]) -> None:
        self.backend = backend
        self.url = url
        self.options = options

    async def open(self, *, read_only: bool = False) -> Store:
        return await open_store(self.url, read_only=read_only, **self.options)


@pytest.fixture(params=sorted(BACKEND_FACTORIES))
async def store_target(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StoreTarget]:
    async with BACKEND_FACTORIES[request.param](tmp_path) as (url, options):
        yield StoreTarget(request.param, url, options)


@pytest.fixture
async def store(store_target: StoreTarget) -> AsyncIterator[Store]:
    opened = await store_target.open()
    try:
        yield opened
    finally:
        await opened.close()
