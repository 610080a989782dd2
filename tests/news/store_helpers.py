"""Synthetic articles for the store tests, the crash child and the benchmark."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bot.news.model import Article, CountryMention, Development, PersonMention

COUNTRIES = ["EC", "US", "FR", "DE", "IL", "BR", "JP", "KR", "RU", "CN", "IN", "ZA"]
PERSONS = [
    "Daniel Noboa",
    "Andrés Castillo",
    "Emmanuel Macron",
    "Olaf Scholz",
    "Lula da Silva",
    "Fumio Kishida",
    "Narendra Modi",
    "Cyril Ramaphosa",
    "José Martínez",
    "Ana María Pérez",
]
WORDS = [
    "election",
    "storm",
    "court",
    "budget",
    "protest",
    "vaccine",
    "trade",
    "border",
    "rally",
    "strike",
    "accord",
    "summit",
]


def make_article(n: int, rng: random.Random, *, start: float, span: float) -> Article:
    when = start + rng.random() * span
    countries = rng.sample(COUNTRIES, rng.randint(0, 3))
    persons = rng.sample(PERSONS, rng.randint(0, 2))
    words = rng.sample(WORDS, 3)
    title = f"{words[0].title()} {words[1]} number {n}"
    return Article(
        url=f"https://news.example/{n}?utm=x",
        canonical_url=f"https://news.example/{n}",
        title=title,
        text="full text " * 50,
        summary=f"A {words[2]} report about {' and '.join(persons) or 'nobody'}. " * 4,
        site="news.example",
        published=datetime.fromtimestamp(when, UTC).isoformat(),
        fingerprint=f"fp{n:08d}",
        countries=[CountryMention(c, rng.randint(1, 5), rng.random() < 0.3) for c in countries],
        persons=[PersonMention(p, rng.randint(1, 4)) for p in persons],
        developments=[Development("country", c, f"Something happened in {c}.") for c in countries]
        + [Development("person", PersonMention(p).key, f"{p} did something.") for p in persons],
        ingested_at=when,  # arrival time: what the store orders and partitions by
    )
