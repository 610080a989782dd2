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


@dataclass
class RawServer:
    """An HTTP/1.1 server on 127.0.0.1 that sends exactly the headers it is given (aiohttp
    always adds a Content-Type; feeds served without one need this). ``pages[path] =
    (headers, body)``; ``redirects[path] = (status, location)``."""

    pages: dict[str, tuple[dict[str, str], bytes]] = field(default_factory=dict)
    redirects: dict[str, tuple[int, str]] = field(default_factory=dict)
    port: int = 0
    requests: list[str] = field(default_factory=list)
    _server: asyncio.AbstractServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            path = head.split(b" ", 2)[1].decode("latin-1")
            self.requests.append(path)
            if path in self.redirects:
                status, location = self.redirects[path]
                writer.write(
                    f"HTTP/1.1 {status} Moved\r\nLocation: {location}\r\n"
                    "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
                )
            elif path in self.pages:
                headers, body = self.pages[path]
                lines = [f"{k}: {v}" for k, v in headers.items()]
                lines += [f"Content-Length: {len(body)}", "Connection: close"]
                writer.write(("HTTP/1.1 200 OK\r\n" + "\r\n".join(lines) + "\r\n\r\n").encode())
                writer.write(body)
            else:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
        writer.close()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


def serve_two_councils(pages: dict[str, tuple[str, bytes]], first: str, second: str) -> None:
    """Two short articles (Quito, Lima) served under the paths ``first`` and ``second``."""
    from tests.e2e.conftest import story

    pages[first] = story(
        "Quito council approves a transport budget",
        "The city council of Quito met on Monday to approve a new transport budget.",
    )
    pages[second] = story(
        "Lima council debates water rates",
        "The city council of Lima met on Tuesday to debate new water rates.",
    )
