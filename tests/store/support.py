"""Articles for the contract suite: small, explicit, with chosen arrival times."""

from __future__ import annotations

from bot.news.model import Article, CountryMention, Development, PersonMention

T0 = 1_780_000_000.0
HOUR = 3600.0
DAY = 86400.0


def art(
    n: int,
    *,
    at: float | None = None,
    countries: tuple[str, ...] = ("EC",),
    persons: tuple[str, ...] = (),
    title: str | None = None,
    summary: str | None = None,
    fingerprint: str | None = None,
    url: str | None = None,
) -> Article:
    canonical = url or f"https://news.example/story-{n}"
    return Article(
        url=canonical + "?utm_source=x",
        canonical_url=canonical,
        title=title or f"Story number {n}",
        text="Full text that the store does not keep. " * 20,
        summary=summary or f"Summary of story {n}.",
        site="news.example",
        published="2026-05-01",
        fingerprint=f"fp-{n}" if fingerprint is None else fingerprint,
        countries=[CountryMention(c) for c in countries],
        persons=[PersonMention(p) for p in persons],
        developments=[Development("country", c, f"Something in {c}.") for c in countries],
        ingested_at=T0 + n * HOUR if at is None else at,
    )
