"""A separate process writing to a PostgreSQL store, for the concurrency and kill tests.

python -m tests.store.pg_child same URL GUILD START_AT   add one shared article at START_AT
python -m tests.store.pg_child churn URL SEED             add/forget/delete until killed,
                                                         printing each acknowledged change
"""

from __future__ import annotations

import asyncio
import random
import sys

from bot.news.model import Article, CountryMention, PersonMention
from bot.news.store.postgres import open_postgres


def shared_article() -> Article:
    return Article(
        url="https://news.example/shared",
        canonical_url="https://news.example/shared",
        title="Quito, Ecuador: one story sent by two servers at once",
        summary="President Daniel Noboa spoke in Quito.",
        fingerprint="fp-shared",
        countries=[CountryMention("EC"), CountryMention("PE")],
        persons=[PersonMention("Daniel Noboa")],
    )


async def same(url: str, guild: str) -> None:
    store = await open_postgres(url, max_size=1)
    try:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # "go", sent to every child at once
        stored, created = await store.articles.add(shared_article(), guild)
        print(f"{stored.id} {int(created)}", flush=True)
    finally:
        await store.close()


def churn_article(k: int, rng: random.Random) -> Article:
    """Article number ``k`` of the churn: its URL and fingerprint depend on ``k`` only."""
    codes = ["EC", "PE", "CO", "BR", "AR", "CL", "US", "FR"]
    names = ["Daniel Noboa", "Andrés Castillo", "Ada Lovelace", "Grace Hopper"]
    return Article(
        url=f"https://churn.example/{k}?from=feed",
        canonical_url=f"https://churn.example/{k}",
        title=f"Churn story {k}",
        summary=f"Story {k} about {rng.choice(names)}.",
        fingerprint=f"churn-{k}",
        countries=[CountryMention(c) for c in rng.sample(codes, 3)],
        persons=[PersonMention(p) for p in rng.sample(names, 2)],
    )


async def churn(url: str, seed: int) -> None:
    """Add, forget and delete churn articles until killed; print each acknowledged change."""
    rng = random.Random(seed)
    store = await open_postgres(url, max_size=1)
    async with store.articles.pool.acquire() as conn:  # the pool's one connection
        backend = await conn.fetchval("SELECT pg_backend_pid()")
    print(f"ready {backend}", flush=True)
    while True:
        k = rng.randrange(CHURN_ARTICLES)
        guild = f"g{rng.randrange(3)}"
        action = rng.random()
        if action < 0.6:
            stored, _ = await store.articles.add(churn_article(k, rng), guild)
            print(f"add {k} {guild} {stored.id}", flush=True)
        elif action < 0.85:
            await store.articles.forget(churn_article(k, rng).id, guild)
            print(f"forget {k} {guild}", flush=True)
        else:
            await store.articles.delete(churn_article(k, rng).id)
            print(f"delete {k}", flush=True)


CHURN_ARTICLES = 30


def main(argv: list[str]) -> None:
    if argv[0] == "same":
        asyncio.run(same(argv[1], argv[2]))
    elif argv[0] == "churn":
        asyncio.run(churn(argv[1], int(argv[2])))
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
