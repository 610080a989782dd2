"""A loopback site of generated news articles (and feeds listing them) for fleet tests."""

from __future__ import annotations

import asyncio
import collections
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web

from bot.sandbox.web import html_page

COUNTRIES = ["France", "Germany", "Kenya", "Brazil", "Japan", "Canada", "Chile", "Egypt"]
PEOPLE = ["Maria Lopez", "John Carter", "Amina Yusuf", "Kenji Sato", "Olga Petrova"]


def article_paragraphs(n: int) -> list[str]:
    """Several distinct paragraphs for article ``n``: enough words to count as an article,
    and a different text (so a different fingerprint) for every ``n``."""
    country = COUNTRIES[n % len(COUNTRIES)]
    other = COUNTRIES[(n * 3 + 1) % len(COUNTRIES)]
    person = PEOPLE[n % len(PEOPLE)]
    return [
        f"{person} said on Monday that {country} would open talks with {other} about "
        f"shared river number {n}, after a week of meetings in the capital.",
        f"The plan, known locally as agreement {n * 7 + 3}, covers water, trade and the "
        f"transport of grain along {n % 50 + 2} kilometres of the border.",
        f"Officials from {other} welcomed the offer but asked for more detail before a vote "
        f"in parliament, expected within {n % 9 + 2} weeks.",
        f"Analysts noted that {country} has tried a similar approach {n % 4 + 1} times "
        "before, and that each attempt ended without a signed text.",
    ]


class NewsSite:
    """``/a/{n}`` is article n; ``/feed/{k}.xml`` an RSS feed of ``items_per_feed`` articles.
    ``delay`` slows every article answer (so a test can kill a worker mid-job)."""

    def __init__(self, *, delay: float = 0.0, items_per_feed: int = 3) -> None:
        self.delay = delay
        self.items_per_feed = items_per_feed
        self.port = 0
        self.hits: collections.Counter[str] = collections.Counter()
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def article_url(self, n: int) -> str:
        return self.url(f"/a/{n}")

    def feed_url(self, k: int) -> str:
        return self.url(f"/feed/{k}.xml")

    async def __aenter__(self) -> NewsSite:
        app = web.Application()
        app.add_routes(
            [web.get("/a/{n:\\d+}", self._article), web.get("/feed/{k:\\d+}.xml", self._feed)]
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _article(self, request: web.Request) -> web.Response:
        self.hits[request.path] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        n = int(request.match_info["n"])
        body = html_page(f"Talks on river {n}", article_paragraphs(n))
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    async def _feed(self, request: web.Request) -> web.Response:
        self.hits[request.path] += 1
        k = int(request.match_info["k"])
        start = datetime(2026, 1, 1, tzinfo=UTC)
        items = []
        for i in range(self.items_per_feed):
            n = 10_000 + k * 100 + i
            items.append(
                f"<item><title>Talks on river {n}</title><link>{self.article_url(n)}</link>"
                f"<guid>{self.article_url(n)}</guid>"
                f"<pubDate>{format_datetime(start + timedelta(hours=i))}</pubDate></item>"
            )
        rss = (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Feed {k}</title><link>{self.url('/')}</link><description>news</description>"
            + "".join(items)
            + "</channel></rss>"
        )
        return web.Response(body=rss.encode(), content_type="application/rss+xml")
