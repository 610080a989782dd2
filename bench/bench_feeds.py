"""Feed benchmark: parse cost by feed size, and poll passes over many loopback feeds.

    uv run python -m bench.bench_feeds [--feeds 50] [--items 20]

Prints a table and one JSON line. Measures: feedparser time per feed size; a first pass
(full fetch + parse + ingest of the newest items), a second pass (all 304 Not Modified),
the event loop's worst stall during the passes, and the state file size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.feeds import FeedService, parse_feed
from bot.news.store import open_store
from bot.news.understanding.fetch import SafeFetcher


def rss(n: int, prefix: str = "https://example.org/a/") -> bytes:
    now = 1_800_000_000
    entries = "".join(
        f"<item><title>Story {i} about things</title><link>{prefix}{i}</link>"
        f"<guid>{prefix}{i}</guid><pubDate>{formatdate(now + i, usegmt=True)}</pubDate>"
        f"<description>{'Some summary text. ' * 20}</description></item>"
        for i in range(n, 0, -1)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>'
        f"<link>https://example.org/</link>{entries}</channel></rss>"
    ).encode()


def bench_parse(sizes: list[int]) -> dict[int, dict[str, float]]:
    out = {}
    for n in sizes:
        doc = rss(n)
        runs = []
        for _ in range(5 if n <= 100 else 3):
            start = time.perf_counter()
            parse_feed(doc, "https://example.org/feed.xml")
            runs.append((time.perf_counter() - start) * 1000)
        out[n] = {"kb": len(doc) / 1024, "ms": statistics.median(runs)}
    return out


class StallMeter:
    """Worst lateness of a 5 ms ticker: how long the event loop was blocked."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + 0.005
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - expected)

    def __enter__(self) -> StallMeter:
        self._task = asyncio.create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def bench_polls(n_feeds: int, n_items: int) -> dict[str, float]:
    bodies = {
        f"/f{i}.xml": rss(n_items, prefix=f"https://example.org/f{i}/") for i in range(n_feeds)
    }

    async def handle(request: web.Request) -> web.Response:
        body = bodies[request.path]
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})

    app = web.Application()
    app.router.add_get("/{name}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    ingested = 0

    async def ingest(link: str, guild_id: str) -> None:
        nonlocal ingested
        ingested += 1

    clock = Clock(datetime.fromtimestamp(1_800_000_000.0, UTC))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), allow_loopback=True)
        fetcher = SafeFetcher(settings)
        store = await open_store(settings, clock=clock)
        service = FeedService(
            settings,
            store.feeds,
            fetch=fetcher.fetch,
            ingest=ingest,
            clock=clock,
            max_feeds_per_guild=n_feeds,
        )
        start = time.perf_counter()
        for i in range(n_feeds):
            await service.add("1", f"{base}/f{i}.xml")
        add_s = time.perf_counter() - start
        with StallMeter() as first_stall:
            start = time.perf_counter()
            await service.poll_due()
            first_s = time.perf_counter() - start
        clock.advance(hours=1)
        with StallMeter() as second_stall:
            start = time.perf_counter()
            polled = await service.poll_due()
            second_s = time.perf_counter() - start
        size = (Path(tmp) / "feeds.json").stat().st_size
        await service.close()
        await store.close()
        await fetcher.close()
    await runner.cleanup()
    assert polled == n_feeds
    return {
        "feeds": n_feeds,
        "items_per_feed": n_items,
        "add_ms_per_feed": add_s * 1000 / n_feeds,
        "first_pass_s": first_s,
        "first_pass_ingested": ingested,
        "first_pass_worst_stall_ms": first_stall.worst * 1000,
        "second_pass_304_s": second_s,
        "second_pass_worst_stall_ms": second_stall.worst * 1000,
        "state_file_kb": size / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    parse = bench_parse([10, 100, 1000])
    polls = asyncio.run(bench_polls(args.feeds, args.items))
    print("parse_feed (feedparser), median")
    print(f"{'items':>6} {'KB':>8} {'ms':>8}")
    for n, row in parse.items():
        print(f"{n:>6} {row['kb']:>8.1f} {row['ms']:>8.1f}")
    print()
    print("poll passes on loopback (real SafeFetcher, real state file)")
    for key, value in polls.items():
        print(f"{key:>28}: {value:.1f}" if isinstance(value, float) else f"{key:>28}: {value}")
    print(json.dumps({"parse": parse, "polls": polls}))


if __name__ == "__main__":
    main()
