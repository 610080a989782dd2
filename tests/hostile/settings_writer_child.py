"""Child of the kill matrix: rewrites server settings until it is killed.

Prints ``S <guild> <HH:MM>`` once each update has returned (acknowledged as durable)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.news.store.tinydb.guilds import TinyGuilds


async def main(path: Path) -> None:
    store = TinyGuilds(path)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        guild = str(n % 7)
        at = f"{n % 24:02d}:{n % 60:02d}"
        await store.update(guild, channel_id=1000 + n, digest_time=at, enabled=True)
        sys.stdout.write(f"S {guild} {at} {1000 + n}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
