"""Child process of the store crash test: adds articles until it is killed.

Prints ``A <id> <guild>`` once each add has returned (i.e. is acknowledged as durable),
so the parent knows what must survive the SIGKILL it sends at a random moment.
Compactions run very often, so that kills also land in the middle of them.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from bot.news.store import ArticleStore
from tests.news.store_helpers import make_article

START = 1_780_000_000.0


async def main(directory: Path, seed: int) -> None:
    rng = random.Random(seed)
    store = await ArticleStore.open(
        directory, compact_every=0.01, compact_bytes=16 * 1024, max_loaded_weeks=2
    )
    print("ready", flush=True)
    added: list[str] = []
    n = seed * 1_000_000
    while True:
        batch = []
        for _ in range(rng.randint(1, 6)):
            n += 1
            batch.append((make_article(n, rng, start=START, span=90 * 86400.0), "g1"))
        if added and rng.random() < 0.3:
            old = store.get(rng.choice(added))
            if old is not None:
                batch.append((old, "g2"))
        results = await asyncio.gather(*(store.add(a, g) for a, g in batch))
        for (stored, _), (_, guild) in zip(results, batch, strict=True):
            sys.stdout.write(f"A {stored.id} {guild}\n")
            added.append(stored.id)
        sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
