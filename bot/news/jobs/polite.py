"""Per-host politeness across the fleet: every fetch a worker makes first takes a slot in
that host's budget for the current minute, a row shared by all workers in PostgreSQL."""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


class Budget(Protocol):
    async def take(self, host: str) -> None: ...


class Fetcher(Protocol):
    async def fetch(self, url: str, **options: Any) -> Any: ...

    async def close(self) -> None: ...


def host_of(url: str) -> str:
    """The host a URL points at, lower case (with its port, which is another server)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return ""


class PoliteFetcher:
    """A fetcher (``SafeFetcher``'s shape) that waits for the host's budget first."""

    def __init__(self, fetcher: Fetcher, budget: Budget) -> None:
        self.fetcher = fetcher
        self.budget = budget

    async def fetch(self, url: str, **options: Any) -> Any:
        host = host_of(url)
        if host:  # an unreadable URL is refused by the fetcher itself, with its reason
            await self.budget.take(host)
        return await self.fetcher.fetch(url, **options)

    async def close(self) -> None:
        await self.fetcher.close()
