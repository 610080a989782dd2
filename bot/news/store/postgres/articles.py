"""``Articles`` on PostgreSQL: one row per article, one per (server, article) link, one
per (server, entity, article) for the newest-N reads, and per-server entity totals.

Every write is one transaction; duplicates are decided by the unique constraints on
``articles`` (id, canonical URL, fingerprint) and ``article_links`` (server, article), so
any number of processes may add at once. Rows that several writers change (entity
totals) are always changed in (guild, kind, key) order.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import asyncpg

from bot.news.clock import Clock
from bot.news.model import (
    Article,
    CountryMention,
    Development,
    EntityKind,
    PersonMention,
    fold,
    person_key,
)
from bot.news.store.interface import Companion, EntityCard, StoreStats
from bot.news.store.postgres import article_sql as sql
from bot.news.store.postgres import bulk
from bot.news.store.postgres.bulk import search_text
from bot.news.store.postgres.errors import guard_methods
from bot.news.store.postgres.search import WordFrequencies, search_rows, widened_query

# ``entity_card``'s companions are counted over at most this many of the entity's newest
# articles in the window: bounded work whatever the store's size.
CARD_SAMPLE = 2000
_ADD_RETRIES = 3
_FAR_PAST = -math.inf
_FAR_FUTURE = math.inf


def entity_key(kind: EntityKind, key: str) -> str:
    return key.upper() if kind == "country" else person_key(key)


@functools.lru_cache(maxsize=8192)
def _person(name: str) -> tuple[str, str]:
    """A person's key and folded name. Cached: folding walks every character, an add
    needs both for each person, and the same names come back in article after article."""
    return person_key(name), fold(name)


def _entities(article: Article) -> tuple[list[str], list[str]]:
    countries = list(dict.fromkeys(c.code.upper() for c in article.countries))
    persons = list(dict.fromkeys(_person(p.name)[0] for p in article.persons))
    return countries, persons


# The fields of an article's stored document: all but its full text and its links.
_DOC_FIELDS = tuple(f for f in Article.__dataclass_fields__ if f not in ("text", "guilds"))


def _stored_copy(article: Article, ingested_at: float) -> Article:
    """What ``add`` stores and returns: ``article`` without its text or links, sharing
    no mutable part with it. Copied field by field: a JSON round trip and ``from_dict``
    cost a tenth of a durable add's client time."""
    return dataclasses.replace(
        article,
        text="",
        guilds={},
        ingested_at=ingested_at,
        countries=[CountryMention(c.code, c.count, c.salient) for c in article.countries],
        persons=[PersonMention(p.name, p.count, p.salient) for p in article.persons],
        developments=[Development(d.kind, d.key, d.sentence) for d in article.developments],
        notes=list(article.notes),
    )


def _doc(article: Article) -> dict[str, Any]:
    """The jsonb ``doc`` of ``article``: orjson (the pool's codec) writes the mention
    dataclasses as ``to_dict`` would."""
    return {name: getattr(article, name) for name in _DOC_FIELDS}


def _article(doc: dict[str, Any], guilds: dict[str, float]) -> Article:
    data = dict(doc)
    data["guilds"] = guilds
    return Article.from_dict(data)


def _window(since: float | None, until: float | None) -> tuple[float, float]:
    return (_FAR_PAST if since is None else since, _FAR_FUTURE if until is None else until)


@guard_methods
class PgArticles:
    """The ``Articles`` concern of the PostgreSQL backend."""

    def __init__(self, pool: Any, location: str, clock: Clock | None = None) -> None:
        self.pool = pool
        self.location = location
        self.clock = clock or Clock()
        self._frequencies = WordFrequencies()

    # ------------------------------------------------------------------ writes

    async def add(self, article: Article, guild_id: str) -> tuple[Article, bool]:
        if not article.canonical_url:
            raise ValueError("an article needs a canonical_url to be stored")
        guild = str(guild_id)
        for attempt in range(_ADD_RETRIES):
            try:
                return await self._add(article, guild)
            except asyncpg.ForeignKeyViolationError:
                # the duplicate we linked to was deleted meanwhile: store it anew
                if attempt == _ADD_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    async def _add(self, article: Article, guild: str) -> tuple[Article, bool]:
        now = self.clock.time()
        stored = _stored_copy(article, article.ingested_at or now)
        links = {str(g): float(t) for g, t in article.guilds.items()}
        links.setdefault(guild, now)
        event_time = stored.event_time
        countries, persons = _entities(stored)
        names = [(_person(p.name)[0], p.name) for p in stored.persons]
        guilds = sorted(links)
        kinds = ["country"] * len(countries) + ["person"] * len(persons)
        latest = dict(names)  # the last spelling in the article wins, as in TinyDB
        name_keys = sorted(latest)
        async with self.pool.acquire() as conn:
            created, _ = await conn.fetchrow(
                sql.ADD_NEW,
                stored.id,
                stored.canonical_url,
                stored.fingerprint or None,
                stored.ingested_at,
                event_time,
                _doc(stored),
                countries,
                persons,
                search_text(stored),
                guilds,
                [links[g] for g in guilds],
                kinds,
                countries + persons,
                name_keys,
                [latest[k] for k in name_keys],
                [_person(latest[k])[1] for k in name_keys],
            )
            if created is not None:
                stored.guilds = {guild: links[guild]}
                return stored, True
            return await self._add_existing(conn, stored, guild, now)

    async def _add_existing(
        self, conn: Any, stored: Article, guild: str, now: float
    ) -> tuple[Article, bool]:
        """Link the stored duplicate of ``stored`` to ``guild``."""
        async with conn.transaction():
            row = await conn.fetchrow(
                sql.FIND_EXISTING, stored.canonical_url, stored.fingerprint or None, stored.id
            )
            if row is None:  # removed between our insert and this read: a rare race
                raise asyncpg.ForeignKeyViolationError("the duplicate is gone")
            linked = await self._link_one(conn, row, guild, now)
            return _article(row["doc"], {guild: linked}), False

    async def _link_one(self, conn: Any, row: Any, guild: str, now: float) -> float:
        """Link the stored article ``row`` to ``guild``; the link's time (old or new)."""
        added = await self._link_rows(
            conn,
            row["id"],
            row["event_time"],
            [guild],
            [now],
            list(row["countries"]),
            list(row["persons"]),
        )
        if added:
            doc = row["doc"]
            await self._names(conn, [(person_key(p["name"]), p["name"]) for p in doc["persons"]])
            return now
        return await conn.fetchval(
            "SELECT linked_at FROM article_links WHERE guild_id = $1 AND article_id = $2",
            guild,
            row["id"],
        )

    async def _link_rows(
        self,
        conn: Any,
        article_id: str,
        event_time: float,
        guilds: Sequence[str],
        times: Sequence[float],
        countries: list[str],
        persons: list[str],
    ) -> list[str]:
        added = [
            r[0]
            for r in await conn.fetch(sql.INSERT_LINKS, list(guilds), article_id, event_time, times)
        ]
        if added:
            kinds = ["country"] * len(countries) + ["person"] * len(persons)
            keys = countries + persons
            if keys:
                await conn.execute(
                    sql.INSERT_ENTITY_ROWS, added, kinds, keys, event_time, article_id
                )
                await conn.execute(sql.ADD_TOTALS, added, kinds, keys)
            await conn.execute("SELECT nextval('article_changes')")
        return added

    @staticmethod
    async def _names(conn: Any, names: Iterable[tuple[str, str]]) -> None:
        latest = dict(names)  # the last spelling in the article wins, as in TinyDB
        if not latest:
            return
        keys = sorted(latest)
        values = [latest[k] for k in keys]
        folded = [fold(v) for v in values]
        await conn.execute(sql.NEW_NAMES, keys, values, folded)
        await conn.execute(sql.RENAME, keys, values, folded)

    async def link(self, article_id: str, guild_id: str) -> Article | None:
        guild = str(guild_id)
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT id, doc, event_time, countries, persons FROM articles WHERE id = $1",
                article_id,
            )
            if row is None:
                return None
            linked = await self._link_one(conn, row, guild, self.clock.time())
            return _article(row["doc"], {guild: linked})

    async def _unlink(self, conn: Any, article_id: str, guilds: list[str] | None) -> list[str]:
        """Remove the article's links (to ``guilds``, or all) with their entity rows."""
        if guilds is None:
            removed = await conn.fetch(
                "DELETE FROM article_links WHERE article_id = $1 RETURNING guild_id, event_time",
                article_id,
            )
        else:
            removed = await conn.fetch(
                "DELETE FROM article_links WHERE article_id = $1 AND guild_id = ANY($2::text[]) "
                "RETURNING guild_id, event_time",
                article_id,
                guilds,
            )
        if not removed:
            return []
        row = await conn.fetchrow(
            "SELECT countries, persons FROM articles WHERE id = $1", article_id
        )
        countries, persons = list(row["countries"]), list(row["persons"])
        kinds = ["country"] * len(countries) + ["person"] * len(persons)
        keys = countries + persons
        gone = sorted(r["guild_id"] for r in removed)
        if keys:
            for r in removed:
                await conn.execute(
                    sql.DELETE_ENTITY_ROWS, r["guild_id"], kinds, keys, r["event_time"], article_id
                )
            await conn.execute(sql.SUB_TOTALS, gone, kinds, keys)
        await conn.execute("SELECT nextval('article_changes')")
        return gone

    async def forget(self, article_id: str, guild_id: str) -> bool:
        async with self.pool.acquire() as conn, conn.transaction():
            if not await self._unlink(conn, article_id, [str(guild_id)]):
                return False
            await conn.execute(
                "DELETE FROM articles a WHERE id = $1 AND NOT EXISTS "
                "(SELECT 1 FROM article_links l WHERE l.article_id = a.id)",
                article_id,
            )
            return True

    async def delete(self, article_id: str) -> bool:
        async with self.pool.acquire() as conn, conn.transaction():
            await self._unlink(conn, article_id, None)
            deleted = await conn.fetchval(
                "DELETE FROM articles WHERE id = $1 RETURNING id", article_id
            )
            if deleted is not None:
                await conn.execute("SELECT nextval('article_changes')")
            return deleted is not None

    async def import_many(self, articles: Sequence[Article]) -> int:
        if not articles:
            return 0
        async with self.pool.acquire() as conn:
            inserted, _ = await bulk.load(conn, articles, now=self.clock.time())
        return inserted

    # ------------------------------------------------------------------ reads

    async def export(self, *, batch: int = 500) -> AsyncIterator[list[Article]]:
        after = ""
        while True:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(
                    "SELECT id, doc FROM articles WHERE id > $1 ORDER BY id LIMIT $2",
                    after,
                    batch,
                )
                if not rows:
                    return
                found = await self._with_links(conn, rows, None)
            after = rows[-1]["id"]
            yield found

    async def _with_links(self, conn: Any, rows: Sequence[Any], guild: str | None) -> list[Article]:
        """Articles from ``(id, doc[, linked_at])`` rows, showing ``guild``'s link or all."""
        if guild is not None:
            return [_article(r["doc"], {guild: r["linked_at"]}) for r in rows]
        ids = [r["id"] for r in rows]
        links: dict[str, dict[str, float]] = {i: {} for i in ids}
        for link in await conn.fetch(
            "SELECT article_id, guild_id, linked_at FROM article_links "
            "WHERE article_id = ANY($1::text[]) ORDER BY linked_at, guild_id",
            ids,
        ):
            links[link["article_id"]][link["guild_id"]] = link["linked_at"]
        return [_article(r["doc"], links[r["id"]]) for r in rows]

    async def get(self, article_id: str, guild_id: str | None = None) -> Article | None:
        async with self.pool.acquire() as conn:
            if guild_id is None:
                row = await conn.fetchrow("SELECT id, doc FROM articles WHERE id = $1", article_id)
            else:
                row = await conn.fetchrow(
                    "SELECT a.id, a.doc, l.linked_at FROM articles a JOIN article_links l "
                    "ON l.article_id = a.id AND l.guild_id = $2 WHERE a.id = $1",
                    article_id,
                    str(guild_id),
                )
            if row is None:
                return None
            shown = None if guild_id is None else str(guild_id)
            return (await self._with_links(conn, [row], shown))[0]

    async def find(
        self, *, canonical_url: str | None = None, fingerprint: str | None = None
    ) -> Article | None:
        async with self.pool.acquire() as conn:
            row = None
            if canonical_url:
                row = await conn.fetchrow(
                    "SELECT id, doc FROM articles WHERE canonical_url = $1", canonical_url
                )
            if row is None and fingerprint:
                row = await conn.fetchrow(
                    "SELECT id, doc FROM articles WHERE fingerprint = $1", fingerprint
                )
            if row is None:
                return None
            return (await self._with_links(conn, [row], None))[0]

    async def recent(
        self,
        guild_id: str,
        *,
        since: float | None = None,
        until: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Article]:
        guild = str(guild_id)
        lo, hi = _window(since, until)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT a.id, a.doc, l.linked_at FROM article_links l "
                "JOIN articles a ON a.id = l.article_id "
                "WHERE l.guild_id = $1 AND l.event_time >= $2 AND l.event_time < $3 "
                "ORDER BY l.event_time DESC, l.article_id DESC LIMIT $4 OFFSET $5",
                guild,
                lo,
                hi,
                max(limit, 0),
                max(offset, 0),
            )
            return await self._with_links(conn, rows, guild)

    async def _by_entity(
        self,
        guild: str,
        kind: EntityKind,
        key: str,
        since: float | None,
        until: float | None,
        limit: int,
        offset: int,
    ) -> list[Article]:
        lo, hi = _window(since, until)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT a.id, a.doc, l.linked_at FROM ("
                "  SELECT article_id, event_time FROM entity_rows"
                "  WHERE guild_id = $1 AND kind = $2 AND key = $3"
                "    AND event_time >= $4 AND event_time < $5"
                "  ORDER BY event_time DESC, article_id DESC LIMIT $6 OFFSET $7) e "
                "JOIN article_links l ON l.guild_id = $1 AND l.article_id = e.article_id "
                "JOIN articles a ON a.id = e.article_id "
                "ORDER BY e.event_time DESC, e.article_id DESC",
                guild,
                kind,
                entity_key(kind, key),
                lo,
                hi,
                max(limit, 0),
                max(offset, 0),
            )
            return await self._with_links(conn, rows, guild)

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
        return await self._by_entity(str(guild_id), "country", code, since, until, limit, offset)

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
        return await self._by_entity(str(guild_id), "person", key, since, until, limit, offset)

    async def count(
        self,
        guild_id: str,
        kind: EntityKind | None = None,
        key: str | None = None,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> int:
        guild = str(guild_id)
        lo, hi = _window(since, until)
        async with self.pool.acquire() as conn:
            if kind is None:
                return await conn.fetchval(
                    "SELECT count(*) FROM article_links "
                    "WHERE guild_id = $1 AND event_time >= $2 AND event_time < $3",
                    guild,
                    lo,
                    hi,
                )
            ekey = entity_key(kind, key or "")
            if since is None and until is None:
                found = await conn.fetchval(
                    "SELECT articles FROM entity_totals "
                    "WHERE guild_id = $1 AND kind = $2 AND key = $3",
                    guild,
                    kind,
                    ekey,
                )
                return found or 0
            return await conn.fetchval(
                "SELECT count(*) FROM entity_rows WHERE guild_id = $1 AND kind = $2 "
                "AND key = $3 AND event_time >= $4 AND event_time < $5",
                guild,
                kind,
                ekey,
                lo,
                hi,
            )

    async def entity_counts(
        self,
        guild_id: str,
        kind: EntityKind,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> dict[str, int]:
        guild = str(guild_id)
        async with self.pool.acquire() as conn:
            if since is None and until is None:
                rows = await conn.fetch(
                    "SELECT key, articles FROM entity_totals "
                    "WHERE guild_id = $1 AND kind = $2 AND articles > 0",
                    guild,
                    kind,
                )
            else:
                lo, hi = _window(since, until)
                rows = await conn.fetch(
                    "SELECT key, count(*) FROM entity_rows WHERE guild_id = $1 AND kind = $2 "
                    "AND event_time >= $3 AND event_time < $4 GROUP BY key",
                    guild,
                    kind,
                    lo,
                    hi,
                )
        return {r[0]: r[1] for r in rows}

    async def person_names(self, guild_id: str) -> dict[str, str]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT t.key, coalesce(n.name, t.key) FROM entity_totals t "
                "LEFT JOIN person_names n ON n.key = t.key "
                "WHERE t.guild_id = $1 AND t.kind = 'person' AND t.articles > 0",
                str(guild_id),
            )
        return {r[0]: r[1] for r in rows}

    async def suggest(
        self, guild_id: str, kind: EntityKind, prefix: str, *, limit: int = 25
    ) -> list[tuple[str, str, int]]:
        wanted = fold(prefix)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT key, display, articles FROM ("
                "  SELECT t.key, t.articles,"
                "         CASE WHEN t.kind = 'person' THEN coalesce(n.name, t.key)"
                "              ELSE t.key END AS display,"
                "         CASE WHEN t.kind = 'person' THEN coalesce(n.folded, t.key)"
                "              ELSE lower(t.key) END AS folded"
                "  FROM entity_totals t LEFT JOIN person_names n"
                "       ON t.kind = 'person' AND n.key = t.key"
                "  WHERE t.guild_id = $1 AND t.kind = $2 AND t.articles > 0) c "
                "WHERE $3 = '' OR starts_with(folded, $3) OR strpos(folded, ' ' || $3) > 0 "
                'ORDER BY articles DESC, display COLLATE "C", key COLLATE "C" LIMIT $4',
                str(guild_id),
                kind,
                wanted,
                max(limit, 0),
            )
        return [(r[0], r[1], r[2]) for r in rows]

    async def search(self, guild_id: str, query: str, *, limit: int = 10) -> list[Article]:
        words = fold(query).split()
        if not words or limit <= 0:
            return []
        guild = str(guild_id)
        async with self.pool.acquire() as conn:
            await self._frequencies.refresh(conn)
            tsquery = await widened_query(conn, words, self._frequencies)
            if tsquery is None:
                return []
            rows = await search_rows(conn, guild, tsquery, words, limit, self._frequencies)
            return await self._with_links(conn, rows, guild)

    async def entity_card(
        self,
        guild_id: str,
        kind: EntityKind,
        key: str,
        *,
        since: float | None = None,
        limit: int = 5,
    ) -> EntityCard:
        guild = str(guild_id)
        key = entity_key(kind, key)
        lo = _FAR_PAST if since is None else since
        async with self.pool.acquire() as conn:
            display = key
            if kind == "person":
                display = (
                    await conn.fetchval("SELECT name FROM person_names WHERE key = $1", key) or key
                )
            count, first, last = await conn.fetchrow(
                "SELECT count(*), min(event_time), max(event_time) FROM entity_rows "
                "WHERE guild_id = $1 AND kind = $2 AND key = $3 AND event_time >= $4",
                guild,
                kind,
                key,
                lo,
            )
            if not count:
                return EntityCard(kind, key, display, 0, None, None)
            rows = await conn.fetch(
                "WITH sample AS ("
                "  SELECT article_id FROM entity_rows"
                "  WHERE guild_id = $1 AND kind = $2 AND key = $3 AND event_time >= $4"
                "  ORDER BY event_time DESC, article_id DESC LIMIT $5),"
                " named AS ("
                "  SELECT 'country' AS kind, unnest(a.countries) AS key"
                "  FROM sample s JOIN articles a ON a.id = s.article_id"
                "  UNION ALL"
                "  SELECT 'person', unnest(a.persons)"
                "  FROM sample s JOIN articles a ON a.id = s.article_id) "
                "SELECT c.kind, c.key, c.n, coalesce(p.name, c.key) AS display FROM ("
                "  SELECT kind, key, count(*) AS n FROM named"
                "  WHERE NOT (kind = $2 AND key = $3) GROUP BY kind, key"
                '  ORDER BY n DESC, kind COLLATE "C", key COLLATE "C" LIMIT $6) c '
                "LEFT JOIN person_names p ON c.kind = 'person' AND p.key = c.key "
                'ORDER BY c.n DESC, c.kind COLLATE "C", c.key COLLATE "C"',
                guild,
                kind,
                key,
                lo,
                CARD_SAMPLE,
                max(limit, 0),
            )
        companions = tuple(Companion(r["kind"], r["key"], r["display"], r["n"]) for r in rows)
        return EntityCard(kind, key, display, count, first, last, companions)

    async def stats(self, guild_id: str | None = None) -> StoreStats:
        async with self.pool.acquire() as conn:
            guilds = await conn.fetchval(sql.COUNT_GUILDS)
            if guild_id is None:
                articles = await conn.fetchval("SELECT count(*) FROM articles")
                where, args = "articles > 0", ()
            else:
                articles = await conn.fetchval(
                    "SELECT count(*) FROM article_links WHERE guild_id = $1", str(guild_id)
                )
                where, args = "guild_id = $1 AND articles > 0", (str(guild_id),)
            countries = await conn.fetchval(
                f"SELECT count(DISTINCT key) FROM entity_totals WHERE kind = 'country' AND {where}",
                *args,
            )
            persons = await conn.fetchval(
                f"SELECT count(DISTINCT key) FROM entity_totals WHERE kind = 'person' AND {where}",
                *args,
            )
            version = await conn.fetchval("SELECT max(version) FROM schema_version")
        return StoreStats(
            backend="postgres",
            location=self.location,
            guild=None if guild_id is None else str(guild_id),
            articles=articles,
            guilds=guilds,
            countries=countries,
            persons=persons,
            details={"schema_version": version},
        )

    async def version(self) -> int:
        async with self.pool.acquire() as conn:
            value, called = await conn.fetchrow("SELECT last_value, is_called FROM article_changes")
        return value if called else 0
