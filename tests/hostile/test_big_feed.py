"""A long feed's first poll: the seen ids kept stay bounded whatever the feed's length,
and the next poll takes exactly the new items. (Its loop stall is measured by
``python -m bench.bench_feeds --feeds 1 --items 10000``, not timed here.)"""

from __future__ import annotations

from bot.config import Settings
from bot.news.feeds.state import SEEN_LIMIT
from tests.hostile.conftest import feed_service
from tests.hostile.support import RawServer


def rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>S</title><link>{u}</link><guid>{u}</guid></item>" for u in links)
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title>'
        f"{items}</channel></rss>"
    ).encode()


async def test_long_feed_keeps_a_bounded_state_and_takes_only_new_items(tmp_path) -> None:
    links = [f"https://news.example/{n}" for n in range(2000, 0, -1)]  # newest first
    taken: list[str] = []

    async def ingest(link: str, guild_id: str) -> None:
        taken.append(link)

    async with RawServer() as server:
        server.pages["/feed"] = ({"Content-Type": "application/rss+xml"}, rss(links))
        settings = Settings(data_dir=tmp_path, fetch_allow=frozenset({f"127.0.0.1:{server.port}"}))
        async with feed_service(settings, ingest, first_poll_items=5) as service:
            await service.add("g", server.url("/feed"))
            await service.poll_due()
            assert taken == list(reversed(links[:5]))
            (record,) = await service._store.for_guild("g")
            assert len(record.seen) <= SEEN_LIMIT
            assert (tmp_path / "feeds.json").stat().st_size < 64 * 1024

            fresh = [f"https://news.example/new{n}" for n in range(3, 0, -1)]
            server.pages["/feed"] = ({"Content-Type": "application/rss+xml"}, rss(fresh + links))
            taken.clear()
            for info in await service.list("g"):
                await service.resume("g", info.url)  # due now
            await service.poll_due()
            assert taken == list(reversed(fresh))
