"""Loopback instruments for the hostile suite: a listener that counts who reached it and a
tripwire that records (and refuses) every connection leaving loopback."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ARTICLE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n"
    b"Content-Length: 120\r\n\r\n"
    + b"<html><head><title>Reached</title></head><body><p>"
    + b"the listener was reached ".ljust(82, b".")
    + b"</p></body></html>"
)


@dataclass
class Listener:
    """Accepts connections on 127.0.0.1 and (when the machine has it) ::1, counts them,
    and answers each with a small page (so a fetch that got through would succeed)."""

    port4: int = 0
    port6: int | None = None
    connections: list[str] = field(default_factory=list)
    _servers: list[asyncio.AbstractServer] = field(default_factory=list)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("sockname")
        self.connections.append(str(peer))
        with contextlib.suppress(Exception):
            await asyncio.wait_for(reader.read(4096), 2)
            writer.write(ARTICLE)
            await writer.drain()
        writer.close()

    async def __aenter__(self) -> Listener:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self._servers.append(server)
        self.port4 = server.sockets[0].getsockname()[1]
        try:
            server6 = await asyncio.start_server(self._handle, "::1", 0)
        except OSError:
            self.port6 = None
        else:
            self._servers.append(server6)
            self.port6 = server6.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in self._servers:
            server.close()
            await server.wait_closed()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def tripwire(loop: asyncio.AbstractEventLoop) -> Iterator[list[tuple[Any, ...]]]:
    """Every ``sock_connect`` on ``loop`` to an address outside loopback is recorded and
    refused before it leaves the machine (a broken policy shows up as a record, never as
    traffic). aiohttp opens its connections through ``loop.sock_connect``."""
    attempts: list[tuple[Any, ...]] = []
    original = loop.sock_connect

    async def guarded(sock: socket.socket, address: Any) -> None:
        if not _is_loopback(str(address[0])):
            attempts.append(tuple(address))
            raise ConnectionRefusedError(f"tripwire: {address[0]} is outside loopback")
        return await original(sock, address)

    loop.sock_connect = guarded  # type: ignore[method-assign]
    try:
        yield attempts
    finally:
        loop.sock_connect = original  # type: ignore[method-assign]
