"""Digest timings: build + render at several sizes, and the scheduler over many servers.

    uv run python -m bench.digest_bench [--articles 200,2000,5000] [--guilds 1000]

Prints a table and a JSON line. Synthetic articles (random titles, 0-3 countries,
0-2 persons, long URLs); the settings file is real, in a temp folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.news.clock import Clock
from bot.news.digest.build import build_digest
from bot.news.digest.service import DigestService
from bot.news.guild_settings import GuildSettings
from bot.news.model import Article, CountryMention, Development, PersonMention
from bot.news.store import open_store
from bot.ui.digest import embed_chars, render_digest

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
CODES = ["EC", "PE", "CL", "CO", "BR", "AR", "US", "FR", "DE", "IN", "NP", "AU", "JP", "KR"]


def articles(n: int, seed: int = 1) -> list[Article]:
    """Headlines of 6-10 words from a 4,000-word vocabulary; one in five is another site's
    rewording of an earlier headline (a word changed, a " - Site" tail added)."""
    rng = random.Random(seed)
    vocab = [
        "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(4000)
    ]
    out: list[Article] = []
    for i in range(n):
        url = f"https://site{i % 40}.example/{i}/" + "x" * rng.randint(20, 120)
        if out and rng.random() < 0.2:
            base = rng.choice(out)
            words = base.title.split()
            words[rng.randrange(len(words))] = rng.choice(vocab)
            title = " ".join(words) + f" - Site {i % 40}"
            countries = [c.code for c in base.countries]
        else:
            title = " ".join(rng.choices(vocab, k=rng.randint(6, 10))).capitalize()
            countries = rng.sample(CODES, rng.randint(0, 3))
        persons = [f"Person Number{rng.randint(0, 80)}" for _ in range(rng.randint(0, 2))]
        when = (NOW - timedelta(minutes=rng.randint(1, 1400))).timestamp()
        art = Article(
            url=url,
            canonical_url=url,
            title=title,
            summary="A summary sentence " * rng.randint(1, 10),
            site=f"Site {i % 40}",
            countries=[CountryMention(c, 2, k == 0) for k, c in enumerate(countries)],
            persons=[PersonMention(p) for p in persons],
            ingested_at=when,
            guilds={"1": when},
        )
        art.developments = [Development("country", c, f"{c} news {i}.") for c in countries]
        out.append(art)
    return out


def bench_build(sizes: list[int]) -> list[dict]:
    rows = []
    gs = GuildSettings(guild_id="1", zone="Europe/Berlin")
    for n in sizes:
        arts = articles(n)
        t0 = time.perf_counter()
        digest = build_digest(arts, guild_settings=gs, since=NOW - timedelta(days=1), now=NOW)
        t1 = time.perf_counter()
        messages = render_digest(digest)
        t2 = time.perf_counter()
        rows.append(
            {
                "articles": n,
                "stories": digest.story_count,
                "build_ms": round((t1 - t0) * 1000, 1),
                "render_ms": round((t2 - t1) * 1000, 1),
                "messages": len(messages),
                "max_message_chars": max(sum(embed_chars(e) for e in m) for m in messages),
            }
        )
    return rows


async def bench_schedule(guilds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock(NOW - timedelta(days=2))
        settings = Settings(data_dir=Path(tmp))
        opened = await open_store(settings, clock=clock)
        store = opened.guilds
        t0 = time.perf_counter()
        for g in range(guilds):
            await store.update(g, channel_id=100 + g, enabled=True, digest_time="09:00")
        t_setup = time.perf_counter() - t0
        clock.set(NOW + timedelta(hours=1))  # 09:00: every server is due
        service = DigestService(settings, None, store, opened.claims, clock=clock)
        t0 = time.perf_counter()
        plans = await service.due_guilds()
        t_due = time.perf_counter() - t0
        t0 = time.perf_counter()
        sample = plans[:50]
        for plan in sample:
            await service.claim(plan.guild_id, plan.local_date)
            await service.mark_posted(plan.guild_id, plan.local_date, [1])
        t_claims = time.perf_counter() - t0
        size = (Path(tmp) / "guilds.json").stat().st_size
        await opened.close()
    return {
        "guilds": guilds,
        "update_ms_each": round(t_setup / guilds * 1000, 2),
        "due_guilds_ms": round(t_due * 1000, 1),
        "due": len(plans),
        "claim_and_post_ms_each": round(t_claims / max(len(sample), 1) * 1000, 2),
        "file_kb": round(size / 1024, 1),
    }


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # the skipped-day warnings are expected here
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", default="200,2000,5000")
    parser.add_argument("--guilds", type=int, default=1000)
    args = parser.parse_args()
    rows = bench_build([int(x) for x in args.articles.split(",")])
    print(
        f"{'articles':>8} {'stories':>8} {'build ms':>9} {'render ms':>10} "
        f"{'msgs':>5} {'max chars':>9}"
    )
    for r in rows:
        print(
            f"{r['articles']:>8} {r['stories']:>8} {r['build_ms']:>9} {r['render_ms']:>10} "
            f"{r['messages']:>5} {r['max_message_chars']:>9}"
        )
    sched = asyncio.run(bench_schedule(args.guilds))
    print(
        f"\n{sched['guilds']} guilds: update {sched['update_ms_each']} ms each, "
        f"due_guilds {sched['due_guilds_ms']} ms ({sched['due']} due), claim+mark_posted "
        f"{sched['claim_and_post_ms_each']} ms each, guilds.json {sched['file_kb']} kB"
    )
    print(json.dumps({"build": rows, "schedule": sched}))


if __name__ == "__main__":
    main()
