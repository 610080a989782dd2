"""Copy everything one store holds into another, whatever their backends.

Articles go in batches, in id order, each with every server link and its times; a batch
is written with ``import_many``, which skips what the target already has, so a copy
that was interrupted is simply run again: what is there already costs a read, not a
write. Settings, feeds and digest records follow (written over the target's), then the
counts of both sides are compared.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.news.store.interface import Store

log = logging.getLogger(__name__)

BATCH = 500

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class CopyReport:
    """What was copied, and the counts of both stores afterwards."""

    articles_written: int = 0
    articles_skipped: int = 0
    guilds: int = 0
    feeds: int = 0
    claims: int = 0
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (from, to)

    @property
    def mismatches(self) -> list[str]:
        """Counts the target has fewer of than the source."""
        return [name for name, (src, dst) in self.counts.items() if dst < src]


async def copy_store(
    source: Store, target: Store, *, batch: int = BATCH, progress: Progress | None = None
) -> CopyReport:
    """Copy articles (with links), guild settings, feeds and digest records."""
    report = CopyReport()
    total = (await source.articles.stats()).articles
    done = 0
    async for articles in source.articles.export(batch=batch):
        written = await target.articles.import_many(articles)
        report.articles_written += written
        report.articles_skipped += len(articles) - written
        done += len(articles)
        if progress:
            progress("articles", done, total)
    settings = await source.guilds.all()
    for n, settings_of in enumerate(settings, 1):
        await target.guilds.transact(settings_of.guild_id, lambda _cur, s=settings_of: s)
        if progress:
            progress("servers", n, len(settings))
    report.guilds = len(settings)
    feeds = await source.feeds.all()
    for n, record in enumerate(feeds, 1):
        try:
            await target.feeds.add(record)
        except KeyError:
            await target.feeds.save(record)
        if progress:
            progress("feeds", n, len(feeds))
    report.feeds = len(feeds)
    digests = await source.claims.export()
    await target.claims.restore(digests)
    report.claims = len(digests)
    if progress:
        progress("digest records", len(digests), len(digests))
    report.counts = await compare(source, target)
    return report


async def compare(source: Store, target: Store) -> dict[str, tuple[int, int]]:
    """The counts that must agree after a copy: (source, target) per name."""
    counts: dict[str, tuple[int, int]] = {}
    src, dst = await source.articles.stats(), await target.articles.stats()
    for name in ("articles", "guilds", "countries", "persons"):
        counts[name] = (getattr(src, name), getattr(dst, name))
    counts["server settings"] = (len(await source.guilds.all()), len(await target.guilds.all()))
    counts["feeds"] = (len(await source.feeds.all()), len(await target.feeds.all()))
    counts["servers with digest records"] = (
        len(await source.claims.export()),
        len(await target.claims.export()),
    )
    return counts
