"""Helpers shared by the digest tests: a digest service on real files, and article factories."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.digest.service import DigestService
from bot.news.model import Article, CountryMention, Development, PersonMention
from bot.news.store.tinydb.claims import TinyDigestClaims
from bot.news.store.tinydb.guilds import TinyGuilds
from bot.news.store.tinydb.locking import LOCK_TIMEOUT


class ListStore:
    """The ``recent`` query of ``ArticleStore`` over a list (newest event time first)."""

    def __init__(self, articles: list[Article] | None = None) -> None:
        self.articles = list(articles or [])

    async def recent(self, guild_id, *, since=None, until=None, limit=10, offset=0):
        rows = [a for a in self.articles if str(guild_id) in a.guilds]
        if since is not None:
            rows = [a for a in rows if a.event_time >= since]
        if until is not None:
            rows = [a for a in rows if a.event_time < until]
        rows.sort(key=lambda a: a.event_time, reverse=True)
        return rows[offset : offset + limit]


def open_service(
    data_dir: Path,
    clock: Clock,
    store=None,
    *,
    grace_hours: float = 6.0,
    lock_timeout: float = LOCK_TIMEOUT,
) -> DigestService:
    """A digest service on the TinyDB backend's settings and claims files in ``data_dir``."""
    settings = Settings(data_dir=data_dir, digest_grace_hours=grace_hours)
    guilds = TinyGuilds(data_dir / "guilds.json", clock=clock)
    claims = TinyDigestClaims(data_dir / "claims.json", lock_timeout=lock_timeout)
    return DigestService(settings, store, guilds, claims, clock=clock)


def close_service(service: DigestService) -> None:
    """Release the files (as a process that exits would)."""
    service.guild_settings.close()
    service.claims.close()


def article(
    n: int,
    title: str,
    *,
    when: float,
    guild: str = "1",
    site: str = "example.com",
    url: str | None = None,
    countries: tuple[str, ...] = (),
    persons: tuple[str, ...] = (),
    fingerprint: str = "",
    summary: str = "",
) -> Article:
    url = url or f"https://{site}/news/{n}"
    art = Article(
        url=url,
        canonical_url=url,
        title=title,
        summary=summary or f"Summary of story {n}.",
        site=site,
        fingerprint=fingerprint,
        countries=[CountryMention(c, 2, i == 0) for i, c in enumerate(countries)],
        persons=[PersonMention(p, 1, False) for p in persons],
        ingested_at=when,
        guilds={guild: when},
    )
    art.developments = [
        Development("country", c, f"In {c}, development {n} happened.") for c in countries
    ] + [Development("person", pm.key, f"{pm.name} did thing {n}.") for pm in art.persons]
    return art


def one_story_two_sites(when: float) -> list[Article]:
    """The same event reported by Reuters and AP News a minute apart: one story, two sources."""
    return [
        article(
            1,
            "Ecuador declares state of emergency after prison riots - Reuters",
            when=when,
            site="Reuters",
            countries=("EC",),
        ),
        article(
            2,
            "Ecuador declares a state of emergency after prison riots | AP News",
            when=when + 60,
            site="AP News",
            url="https://apnews.example/2",
            countries=("EC",),
        ),
    ]
