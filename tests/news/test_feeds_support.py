"""Shared pieces of the feed tests: a loopback feed server, a real aiohttp fetch, feed
documents, a controlled clock and an ingest recorder. (No tests in this module.)"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from aiohttp import web

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.errors import NewsError
from bot.news.feeds import FeedService
from bot.news.store.tinydb.feeds import TinyFeeds
from bot.news.understanding.fetch import SafeFetcher

T0 = 1_800_000_000.0  # 2027-01-15, a fixed "now" for the controlled clock


# ---- feed documents -------------------------------------------------------------------------


@dataclass
class Item:
    guid: str | None
    link: str | None
    title: str
    when: float | None = None  # epoch seconds


def rss(items: list[Item], title: str = "Loopback News", link: str = "/") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        "<description>test feed</description>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title>")
        if item.link is not None:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.guid is not None:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.when is not None:
            parts.append(f"<pubDate>{formatdate(item.when, usegmt=True)}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def atom(items: list[Item], title: str = "Loopback Atom", base: str | None = None) -> bytes:
    def stamp(when: float | None) -> str:
        import time

        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when or T0))

    xml_base = f' xml:base="{escape(base)}"' if base else ""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom"{xml_base}>',
        f"<title>{escape(title)}</title><id>urn:test:feed</id>",
        f"<updated>{stamp(None)}</updated>",
    ]
    for item in items:
        parts.append("<entry>")
        parts.append(f"<title>{escape(item.title)}</title>")
        if item.guid is not None:
            parts.append(f"<id>{escape(item.guid)}</id>")
        if item.link is not None:
            parts.append(f'<link rel="alternate" type="text/html" href="{escape(item.link)}"/>')
        parts.append(f"<updated>{stamp(item.when)}</updated>")
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def items(n: int, *, start: int = 1, when: float = T0, prefix: str = "/news/") -> list[Item]:
    """``n`` items, newest first: item ``start + n - 1`` is the newest."""
    return [
        Item(guid=f"id-{i}", link=f"{prefix}{i}", title=f"Story {i}", when=when + i * 60)
        for i in range(start + n - 1, start - 1, -1)
    ]


def html_page(feed_links: list[tuple[str, str]], base: str | None = None) -> bytes:
    links = "".join(f'<link rel="alternate" type="{t}" href="{h}">' for t, h in feed_links)
    base_tag = f'<base href="{base}">' if base else ""
    return (
        f"<!doctype html><html><head><title>Home</title>{base_tag}"
        '<link rel="stylesheet" href="/s.css">'
        f"{links}</head><body><h1>Loopback site</h1><p>Hello.</p></body></html>"
    ).encode()


# ---- loopback server ------------------------------------------------------------------------


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml"
    status: int = 200
    delay: float = 0.0  # seconds before answering (a slow server)
    validators: bool = True  # send ETag and Last-Modified, honour conditional requests


@dataclass
class FeedServer:
    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes, **kwargs: Any) -> str:
        self.routes[path] = Route(body, **kwargs)
        return self.url(path)

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path_qs, dict(request.headers)))
        route = self.routes.get(request.path_qs)
        if route is None:
            return web.Response(status=404, text="not found")
        if route.delay:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(route.delay)
            finally:
                self.in_flight -= 1
        headers = {}
        if route.validators and route.status == 200:
            etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
            modified = "Fri, 15 Jan 2027 08:00:00 GMT"
            headers = {"ETag": etag, "Last-Modified": modified}
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers=headers)
        return web.Response(
            status=route.status, body=route.body, headers=headers, content_type=route.content_type
        )


@pytest.fixture(name="feed_server")
async def feed_server_fixture() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    server.base = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


# ---- fetch, ingest, clock ---------------------------------------------------------------------


@pytest.fixture(name="fetch")
async def fetch_fixture(settings: Settings) -> AsyncIterator[Callable[..., Any]]:
    """The real ``SafeFetcher`` (loopback allowed by the settings), as the bot wires it."""
    fetcher = SafeFetcher(settings)
    yield fetcher.fetch
    await fetcher.close()


class TransientError(NewsError):
    default_kind = "busy"  # worth another try later


class PermanentError(NewsError):
    default_kind = "not_article"  # fails the same way every time


class Ingest:
    """Records every successful ingest; ``fail`` maps a link to the error it raises."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.attempts: list[str] = []
        self.fail: dict[str, BaseException] = {}
        self.block_at: int | None = None  # the attempt number that hangs forever
        self.blocked = asyncio.Event()

    async def __call__(self, link: str, guild_id: str) -> dict[str, str]:
        self.attempts.append(link)
        if self.block_at is not None and len(self.attempts) == self.block_at:
            self.blocked.set()
            await asyncio.Event().wait()  # a process about to die, mid-ingest
        if link in self.fail:
            raise self.fail[link]
        self.calls.append((link, guild_id))
        return {"link": link}

    def links(self) -> list[str]:
        return [link for link, _ in self.calls]


@pytest.fixture(name="settings")
def settings_fixture(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, allow_loopback=True, feed_interval_minutes=15.0)


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    return Clock(datetime.fromtimestamp(T0, UTC))


@pytest.fixture(name="ingest")
def ingest_fixture() -> Ingest:
    return Ingest()


@pytest.fixture(name="make_service")
async def make_service_fixture(
    settings: Settings, fetch: Any, ingest: Ingest, clock: Clock
) -> AsyncIterator[Callable[..., FeedService]]:
    made: list[FeedService] = []
    stores: list[TinyFeeds] = []

    def make(**kwargs: Any) -> FeedService:
        settings_ = kwargs.pop("settings", settings)
        feeds = TinyFeeds(settings_.data_dir / "feeds.json")
        stores.append(feeds)
        kwargs.setdefault("fetch", fetch)
        kwargs.setdefault("ingest", ingest)
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("poll_timeout", 2.0)
        kwargs.setdefault("ingest_timeout", 2.0)
        service = FeedService(settings_, feeds, **kwargs)
        made.append(service)
        return service

    yield make
    for service in made:
        await service.close()
    for feeds in stores:
        feeds.close()
