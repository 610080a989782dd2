"""Fixtures of the hostile suite: the counting listener, the tripwire, a redirector."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bot.sandbox.web import ArticleServer
from tests.hostile.support import Listener, tripwire


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    async with Listener() as running:
        yield running


@pytest.fixture
async def redirector() -> AsyncIterator[ArticleServer]:
    """An article server on an origin the bot is allowed to fetch (``fetch_allow``)."""
    async with ArticleServer() as server:
        yield server


@pytest.fixture
async def outbound() -> AsyncIterator[list[tuple[Any, ...]]]:
    """Connections the code under test tried to open outside loopback (all refused)."""
    with tripwire(asyncio.get_running_loop()) as attempts:
        yield attempts


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True


def origin(server: ArticleServer) -> str:
    return f"{server.host}:{server.port}"


@pytest.fixture
def no_system_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fails any lookup through the system resolver made in this process."""
    import socket

    asked: list[str] = []
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        text = host.decode() if isinstance(host, bytes) else str(host)
        if not _is_address(text):
            asked.append(text)
            raise socket.gaierror(socket.EAI_NONAME, "system DNS is off in this test")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield asked


# The real bot through the emulator, as the end-to-end suite starts it.
from tests.e2e.conftest import start_bot  # noqa: E402, F401


@pytest.fixture
async def articles_plain() -> AsyncIterator[ArticleServer]:
    """A loopback page server without the shared data (pages written by the test)."""
    async with ArticleServer() as server:
        yield server
