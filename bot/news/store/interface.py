"""The one persistence interface of newsbot: what every backend provides.

Four concerns, each a ``typing.Protocol``, held together by the ``Store`` facade that
``open_store`` returns (``bot.news.store.opening``):

- ``Articles``      articles and their per-server links, and every read the commands make;
- ``Guilds``        per-server settings (digest channel, time, zone, follows, auto-ingest);
- ``Feeds``         feed subscriptions and their fetch state (including seen item ids);
- ``DigestClaims``  the exactly-once record of each server's daily digest.

Rules every backend keeps (the contract suite in ``tests/store/`` checks them):

- Every method is a coroutine; a write is durable when it returns.
- A guild id is text (``"123456789"`` or ``"cli"``). Every article read is scoped to one
  guild: an ``Article`` read for a guild shows only that guild in ``guilds``, so a server
  never learns which other servers stored the same article.
- "Newest" means by ``event_time`` (when the article entered the briefing), then id,
  descending; windows are ``since <= event_time < until``.
- Returned objects are fresh copies: callers may change them freely.
- Failures are ``bot.news.store.errors.StoreError`` subclasses, never driver exceptions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from bot.news.feeds.state import FeedRecord
from bot.news.guild_settings import DigestRecord, GuildId, GuildSettings
from bot.news.model import Article, EntityKind

# A change of one server's settings: sees the latest stored settings, returns the new
# ones or None to leave them. It must not await (backends run it under a lock or inside
# a transaction).
SettingsChange = Callable[[GuildSettings], GuildSettings | None]


@dataclass(frozen=True, slots=True)
class Companion:
    """An entity often named together with another one (``EntityCard.often_with``)."""

    kind: EntityKind
    key: str  # ISO code, or person key
    display: str  # "EC", "Andrés Castillo"
    count: int  # articles of the window naming both


@dataclass(frozen=True, slots=True)
class EntityCard:
    """What ``/country`` and ``/person`` show above their list, for one server.

    ``count`` is the number of developments (articles naming the entity) with
    ``event_time >= since``; ``first_seen``/``last_seen`` their oldest and newest
    event times (None when ``count`` is 0); ``often_with`` the entities named most
    often in the same articles, most first (ties by key), at most ``limit`` of them.
    """

    kind: EntityKind
    key: str
    display: str
    count: int
    first_seen: float | None
    last_seen: float | None
    often_with: tuple[Companion, ...] = ()


@dataclass(frozen=True, slots=True)
class GuildDigests:
    """A server's digest records: the latest day claimed (any state), the latest posted."""

    latest: DigestRecord | None = None
    last_posted: DigestRecord | None = None


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts for ``newsbot stats`` (``details`` holds backend-specific figures)."""

    backend: str
    location: str  # folder or redacted DSN
    guild: str | None
    articles: int
    guilds: int
    countries: int
    persons: int
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "location": self.location,
            "guild": self.guild,
            "articles": self.articles,
            "guilds": self.guilds,
            "countries": self.countries,
            "persons": self.persons,
            **self.details,
        }


@runtime_checkable
class Articles(Protocol):
    """Articles, stored once (by canonical URL or content fingerprint), linked per server."""

    async def add(self, article: Article, guild_id: str) -> tuple[Article, bool]:
        """Store ``article`` for ``guild_id``, or link the stored duplicate (same canonical
        URL, else same non-empty fingerprint, else same id) to it.

        Returns ``(stored article as this guild sees it, created)``. The stored copy has no
        ``text``; ``ingested_at`` is set to now when it is 0; ``event_time`` is fixed at
        the first ingestion. Only ``guild_id``'s link is stored, at
        ``article.guilds[guild_id]`` when given (tests place arrivals), else now; other
        entries of ``article.guilds`` are ignored. A guild already linked keeps its first
        link time.
        ``ValueError`` when the article has no ``canonical_url``."""
        ...

    async def link(self, article_id: str, guild_id: str) -> Article | None:
        """Link a stored article to one more guild (its link time is now); the article as
        that guild sees it, or None when no such article exists."""
        ...

    async def forget(self, article_id: str, guild_id: str) -> bool:
        """Unlink an article from one guild; an article no guild keeps is deleted.
        False when the guild had no such article."""
        ...

    async def delete(self, article_id: str) -> bool:
        """Remove an article for every guild; False when unknown."""
        ...

    async def get(self, article_id: str, guild_id: str | None = None) -> Article | None:
        """The article, or None if unknown (or not linked to ``guild_id`` when given;
        ``guild_id=None`` is for tools that see every guild's links)."""
        ...

    async def find(
        self, *, canonical_url: str | None = None, fingerprint: str | None = None
    ) -> Article | None:
        """The stored article with this canonical URL, else with this fingerprint (any
        guild; all its links shown: for the pipeline's dedupe, not for display)."""
        ...

    async def recent(
        self,
        guild_id: str,
        *,
        since: float | None = None,
        until: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Article]:
        """The guild's articles in the window, newest first."""
        ...

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
        """The guild's articles naming a country (ISO code, any case), newest first."""
        ...

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
        """The guild's articles naming a person (by key or name; folded), newest first."""
        ...

    async def count(
        self,
        guild_id: str,
        kind: EntityKind | None = None,
        key: str | None = None,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> int:
        """How many of the guild's articles are in the window (naming ``kind``/``key``
        when given)."""
        ...

    async def entity_counts(
        self,
        guild_id: str,
        kind: EntityKind,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> dict[str, int]:
        """Articles per country code or person key in the guild's window (trending,
        autocomplete ranking); zero counts left out."""
        ...

    async def person_names(self, guild_id: str) -> dict[str, str]:
        """Person key -> display name, for every person in the guild's articles (the
        autocomplete's name list)."""
        ...

    async def suggest(
        self, guild_id: str, kind: EntityKind, prefix: str, *, limit: int = 25
    ) -> list[tuple[str, str, int]]:
        """Autocomplete: ``(key, display, article count)`` of the guild's entities whose
        folded display name (or code) starts with the folded ``prefix`` or has a word
        starting with it; most articles first, then by display; at most ``limit``."""
        ...

    async def search(self, guild_id: str, query: str, *, limit: int = 10) -> list[Article]:
        """The guild's articles whose folded title and summary contain every folded word
        of ``query`` (substring match), newest first."""
        ...

    async def entity_card(
        self,
        guild_id: str,
        kind: EntityKind,
        key: str,
        *,
        since: float | None = None,
        limit: int = 5,
    ) -> EntityCard:
        """Counts about one entity since ``since``, answered from counts the store keeps
        (not by reading the articles)."""
        ...

    async def stats(self, guild_id: str | None = None) -> StoreStats:
        """Counts for one guild, or for all when None."""
        ...

    async def version(self) -> int:
        """A number that changes whenever an article is added, changed or removed
        (callers cache what they derive, e.g. autocomplete name lists, against it)."""
        ...

    def export(self, *, batch: int = 500) -> AsyncIterator[list[Article]]:
        """Every stored article with all its links, in batches, in id order (``newsbot
        db copy``)."""
        ...

    async def import_many(self, articles: Sequence[Article]) -> int:
        """Store articles as given (their ``ingested_at`` and every link in ``guilds``
        with its time), skipping those already stored; how many were new. Loading the
        same articles again changes nothing (an interrupted copy is run again)."""
        ...


@runtime_checkable
class Guilds(Protocol):
    """Per-server settings. Reads of a server never configured give the defaults."""

    async def get(self, guild_id: GuildId) -> GuildSettings: ...

    async def all(self) -> list[GuildSettings]:
        """Every configured server."""
        ...

    async def transact(self, guild_id: GuildId, change: SettingsChange) -> GuildSettings:
        """Compare-and-set one server's settings (``change`` sees the latest stored ones;
        other processes' writes included); returns the settings now stored."""
        ...

    async def transact_many(
        self, changes: Mapping[GuildId, SettingsChange]
    ) -> dict[str, GuildSettings]:
        """``transact`` for several servers in one write/transaction."""
        ...

    async def update(self, guild_id: GuildId, **changes: Any) -> GuildSettings:
        """Validate and save settings named in ``guild_settings.UPDATABLE``;
        ``GuildSettingsError`` names a bad value."""
        ...

    async def follow(
        self, guild_id: GuildId, kind: str, key: str, display: str | None = None
    ) -> bool:
        """Follow a country or person; False when followed already."""
        ...

    async def unfollow(self, guild_id: GuildId, kind: str, key: str) -> bool:
        """Stop following; False when it was not followed."""
        ...


@runtime_checkable
class Feeds(Protocol):
    """Feed subscriptions, one ``FeedRecord`` per (guild, feed URL), with fetch state."""

    async def get(self, guild_id: str, url: str) -> FeedRecord | None: ...

    async def all(self) -> list[FeedRecord]:
        """Every guild's records (the poller's work list)."""
        ...

    async def for_guild(self, guild_id: str) -> list[FeedRecord]: ...

    async def add(self, record: FeedRecord, *, max_per_guild: int | None = None) -> None:
        """Store a new record. ``KeyError`` when (guild, url) exists; ``GuildFull`` when the
        guild has ``max_per_guild`` records already (decided atomically)."""
        ...

    async def save(self, record: FeedRecord) -> bool:
        """Write the record's state (etag, seen ids, failures...); False, writing nothing,
        when it was removed meanwhile."""
        ...

    async def remove(self, guild_id: str, url: str) -> bool: ...


@runtime_checkable
class DigestClaims(Protocol):
    """Which server's digest of which local day is taken, posted, failed or skipped.

    Only the record of a guild's *latest* day can change; ``last_posted`` follows every
    record that becomes ``posted``. Claims are decided by the store (a lock, or a row only
    one process can take), so of many processes racing for one (guild, day) one wins.
    """

    async def claim(
        self, guild_id: str, record: DigestRecord, *, max_attempts: int
    ) -> DigestRecord | None:
        """Take ``record.local_date`` for the guild, storing ``record`` as its latest.

        Refused (None) when the latest record is of a later day, or of the same day and
        not retryable; retryable means ``failed`` with no message sent and fewer than
        ``max_attempts`` attempts. The stored record (returned) has ``attempts`` set to
        the previous attempts + 1 on a retry, else 1. Used for ``claimed`` records and
        for ``skipped`` ones (a day missed beyond the grace window)."""
        ...

    async def finish(
        self,
        guild_id: str,
        record: DigestRecord,
        *,
        token: str | None,
        states: Collection[str],
    ) -> bool:
        """Replace the guild's latest record with ``record`` if it is of the same day, its
        state is in ``states`` and (when ``token`` is given) it was claimed by ``token``;
        False, changing nothing, otherwise. A ``posted`` record becomes ``last_posted``."""
        ...

    async def get(self, guild_id: str) -> GuildDigests: ...

    async def get_many(self, guild_ids: Collection[str]) -> dict[str, GuildDigests]:
        """``get`` for several guilds (guilds with no record map to empty ones)."""
        ...

    async def export(self) -> dict[str, GuildDigests]:
        """The records of every guild that has any (``newsbot db copy``)."""
        ...

    async def restore(self, digests: Mapping[str, GuildDigests]) -> None:
        """Write these guilds' records over what is stored (``newsbot db copy``)."""
        ...


@dataclass
class Store:
    """The facade handed to the bot, the CLI and the services: one object per process."""

    backend: str  # "tinydb" or "postgres"
    location: str  # folder, or the DSN without its password
    articles: Articles
    guilds: Guilds
    feeds: Feeds
    claims: DigestClaims
    read_only: bool = False
    _closers: list[Callable[[], Any]] = field(default_factory=list, repr=False)

    async def close(self) -> None:
        """Flush and release everything (in reverse order of opening)."""
        while self._closers:
            result = self._closers.pop()()
            if hasattr(result, "__await__"):
                await result

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
