"""``Articles`` on the TinyDB engine (week partitions + journal + in-memory index).

Reads are answered from memory, so each coroutine returns without awaiting anything
slow; writes wait for the journal's fsync.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from bot.news.model import Article, EntityKind, fold
from bot.news.store.interface import Companion, EntityCard, StoreStats
from bot.news.store.tinydb.index import Postings
from bot.news.store.tinydb.store import ArticleStore, query_person_key

# ``often_with`` reads the index rows of at most this many of the entity's newest
# articles in the window: bounded work whatever the store's size.
CARD_SAMPLE = 2000


def _entity_key(kind: EntityKind, key: str) -> str:
    return key.upper() if kind == "country" else query_person_key(key)


class TinyArticles:
    """The ``Articles`` concern of the TinyDB backend."""

    def __init__(self, engine: ArticleStore) -> None:
        self.engine = engine

    @classmethod
    async def open(
        cls, directory: Path, *, read_only: bool = False, **options: Any
    ) -> TinyArticles:
        return cls(await ArticleStore.open(directory, read_only=read_only, **options))

    async def close(self) -> None:
        await self.engine.close()

    # -- writes

    async def add(self, article: Article, guild_id: str) -> tuple[Article, bool]:
        return await self.engine.add(article, str(guild_id))

    async def link(self, article_id: str, guild_id: str) -> Article | None:
        await self.engine.settled(article_id)
        found = self.engine.get(article_id)
        if found is None:
            return None
        stored, _ = await self.engine.add(found, str(guild_id))
        return stored

    async def forget(self, article_id: str, guild_id: str) -> bool:
        return await self.engine.forget(article_id, str(guild_id))

    async def delete(self, article_id: str) -> bool:
        return await self.engine.delete(article_id)

    # -- reads

    async def get(self, article_id: str, guild_id: str | None = None) -> Article | None:
        return self.engine.get(article_id, None if guild_id is None else str(guild_id))

    async def find(
        self, *, canonical_url: str | None = None, fingerprint: str | None = None
    ) -> Article | None:
        return self.engine.find(canonical_url=canonical_url, fingerprint=fingerprint)

    def _postings(self, guild_id: str, kind: EntityKind | None, key: str | None) -> Postings | None:
        index = self.engine.index
        if kind is None:
            return index.postings(str(guild_id), "all")
        return index.postings(str(guild_id), kind, _entity_key(kind, key or ""))

    def _newest(
        self,
        guild_id: str,
        kind: EntityKind | None,
        key: str | None,
        since: float | None,
        until: float | None,
        limit: int,
        offset: int,
    ) -> list[Article]:
        postings = self._postings(guild_id, kind, key)
        if postings is None:
            return []
        rows = postings.newest_rows(since, until, limit, offset)
        return self.engine._articles_at(rows, str(guild_id))

    async def recent(
        self,
        guild_id: str,
        *,
        since: float | None = None,
        until: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Article]:
        return self._newest(guild_id, None, None, since, until, limit, offset)

    async def by_country(
        self,
        guild_id: str,
        code: str,
        *,
        since: float | None = None,
        until: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Article]:
        return self._newest(guild_id, "country", code, since, until, limit, offset)

    async def by_person(
        self,
        guild_id: str,
        key: str,
        *,
        since: float | None = None,
        until: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Article]:
        return self._newest(guild_id, "person", key, since, until, limit, offset)

    async def count(
        self,
        guild_id: str,
        kind: EntityKind | None = None,
        key: str | None = None,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> int:
        postings = self._postings(guild_id, kind, key)
        return 0 if postings is None else postings.count(since, until)

    async def entity_counts(
        self,
        guild_id: str,
        kind: EntityKind,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> dict[str, int]:
        return self.engine.entity_counts(str(guild_id), kind, since=since, until=until)

    async def person_names(self, guild_id: str) -> dict[str, str]:
        return self.engine.person_names(str(guild_id))

    async def suggest(
        self, guild_id: str, kind: EntityKind, prefix: str, *, limit: int = 25
    ) -> list[tuple[str, str, int]]:
        wanted = fold(prefix)
        keys = self.engine.index.keys_of(str(guild_id), kind)
        names = self.engine.index.names if kind == "person" else {}
        found = []
        for key, postings in keys.items():
            display = names.get(key, key)
            folded = fold(display)
            if not wanted or folded.startswith(wanted) or f" {wanted}" in f" {folded}":
                found.append((-len(postings), display, key))
        return [(key, display, -n) for n, display, key in heapq.nsmallest(limit, found)]

    async def search(self, guild_id: str, query: str, *, limit: int = 10) -> list[Article]:
        return await self.engine.search_off_loop(str(guild_id), query, limit=limit)

    async def entity_card(
        self,
        guild_id: str,
        kind: EntityKind,
        key: str,
        *,
        since: float | None = None,
        limit: int = 5,
    ) -> EntityCard:
        key = _entity_key(kind, key)
        index = self.engine.index
        display = index.names.get(key, key) if kind == "person" else key
        postings = self._postings(guild_id, kind, key)
        if postings is None or not postings.count(since, None):
            return EntityCard(kind, key, display, 0, None, None)
        lo, hi = postings._bounds(since, None)
        companions: Counter[tuple[str, str]] = Counter()
        for article_id in postings.ids_between(max(lo, hi - CARD_SAMPLE), hi):
            entry = index.entry(article_id, keep=False)
            if entry is None:
                continue
            companions.update(("country", c) for c in set(entry.countries))
            companions.update(("person", p) for p in set(entry.persons))
        companions.pop((kind, key), None)
        top = sorted(companions.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return EntityCard(
            kind,
            key,
            display,
            hi - lo,
            postings.times[lo],
            postings.times[hi - 1],
            tuple(
                Companion(k, c, index.names.get(c, c) if k == "person" else c, n)  # type: ignore[arg-type]
                for (k, c), n in top
            ),
        )

    async def stats(self, guild_id: str | None = None) -> StoreStats:
        raw = self.engine.stats(None if guild_id is None else str(guild_id))
        details = {
            k: v
            for k, v in raw.items()
            if k not in ("directory", "guild", "articles", "guilds", "countries", "persons")
        }
        return StoreStats(
            backend="tinydb",
            location=raw["directory"],
            guild=raw["guild"],
            articles=raw["articles"],
            guilds=raw["guilds"],
            countries=raw["countries"],
            persons=raw["persons"],
            details=details,
        )

    async def version(self) -> int:
        return self.engine.version

    # -- copying between stores

    async def export(self, *, batch: int = 500) -> AsyncIterator[list[Article]]:
        ids = sorted(self.engine.index.ids())
        for start in range(0, len(ids), batch):
            found = [self.engine.get(i) for i in ids[start : start + batch]]
            yield [a for a in found if a is not None]

    async def import_many(self, articles: Sequence[Article]) -> int:
        created = 0
        for article in articles:
            created += await self.engine.import_article(article)
        return created
