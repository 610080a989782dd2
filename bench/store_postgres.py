"""The PostgreSQL backend on the same synthetic articles and operations as bench/store.py.

    uv run python -m bench.store_postgres                 # 100k
    uv run python -m bench.store_postgres --sizes 10000
    uv run python -m bench.store_postgres --million       # adds 1M (tens of minutes, ~5 GB)
    uv run python -m bench.store_postgres --million --keep --fill-only   # load it, keep it
    uv run python -m bench.store_postgres --reuse newsbot_bench_1a2b3c4d  # time a kept one
    uv run python -m bench.store --backend both           # beside the TinyDB store

Needs a PostgreSQL server (``NEWSBOT_BENCH_POSTGRES_URL``, default 127.0.0.1:5432, user
postgres); each size gets its own database, dropped afterwards unless ``--keep`` (then
``--reuse NAME`` times it again, after applying any new migrations, with fresh articles
for its adds). The database is filled
through the backend's COPY loader (``bot.news.store.postgres.bulk``), then every
operation is timed through the backend's public methods, with synchronous_commit on:
durable adds one by one, adds/s from 4 writer processes, newest-10, a 24 h window,
trending counts, the entity card, autocomplete and search (rare, common and very common
words). Prints a table and a JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import asyncpg  # noqa: E402
from store import DAY, GUILDS, pctl, synth  # noqa: E402

from bot.news.model import Article  # noqa: E402
from bot.news.store.postgres import bulk, open_postgres  # noqa: E402

SERVER = os.environ.get(
    "NEWSBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
FILL_BATCH = 5000
DEFER_INDEXES_FROM = 500_000


def url_for(database: str) -> str:
    return f"{SERVER.rpartition('/')[0]}/{database}"


def linked(article: Article, rng: random.Random) -> Article:
    """The article with the servers that keep it (as bench/store.py's ``doc_of``)."""
    guilds = [GUILDS[0]] if rng.random() < 0.7 else rng.sample(GUILDS, rng.randint(1, 3))
    article.guilds = {g: article.ingested_at for g in guilds}
    return article


async def fill(url: str, n: int, seed: int = 1) -> dict[str, Any]:
    """n articles over two years, loaded with COPY in batches; what was made."""
    rng = random.Random(seed)
    end = time.time() - DAY
    start = end - 730 * DAY
    conn = await asyncpg.connect(url)
    t0 = time.perf_counter()
    try:
        # A large fill loads without the secondary indexes and builds them at the end,
        # as a restore would (unique ones stay: they decide duplicates).
        deferred = []
        if n >= DEFER_INDEXES_FROM:
            deferred = await conn.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND indexdef NOT LIKE 'CREATE UNIQUE%'"
            )
            for row in deferred:
                await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        batch: list[Article] = []
        for i in range(n):
            when = start + (i + rng.random()) * (end - start) / n
            batch.append(linked(synth(i, rng, when), rng))
            if len(batch) == FILL_BATCH or i == n - 1:
                await bulk.load(conn, batch, now=time.time())
                batch = []
                if i % 100_000 < FILL_BATCH:
                    print(f"  filled {i + 1:,} of {n:,}", file=sys.stderr, flush=True)
        if deferred:
            await conn.execute("SET maintenance_work_mem = '1GB'")
            for row in deferred:
                print(f"  building {row['indexname']}", file=sys.stderr, flush=True)
                await conn.execute(row["indexdef"])
        fill_s = time.perf_counter() - t0
        await conn.execute("VACUUM ANALYZE")
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
        settings = {
            name: await conn.fetchval(f"SHOW {name}")
            for name in ("synchronous_commit", "fsync", "shared_buffers", "server_version")
        }
    finally:
        await conn.close()
    return {"end": end, "fill_s": fill_s, "db_mb": size / 1e6, "settings": settings}


# What ``fill`` made, kept in the database itself so that ``--reuse`` can time it again;
# ``runs`` counts the timings, so each run adds articles no earlier run added.
_MADE = "bench_made"


async def remember(url: str, made: dict[str, Any]) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE TABLE IF NOT EXISTS {_MADE} (doc jsonb NOT NULL)")
        await conn.execute(f"DELETE FROM {_MADE}")
        await conn.execute(f"INSERT INTO {_MADE} VALUES ($1::text::jsonb)", json.dumps(made))
    finally:
        await conn.close()


async def recall(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        raw = await conn.fetchval(f"SELECT doc::text FROM {_MADE}")
    finally:
        await conn.close()
    return json.loads(raw)


async def timed(calls: list[Any]) -> tuple[float, float]:
    """p50 and p95 in ms of awaiting each zero-argument coroutine function in turn."""
    times = []
    for call in calls:
        t0 = time.perf_counter()
        await call()
        times.append(time.perf_counter() - t0)
    return pctl(times, 0.5) * 1e3, pctl(times, 0.95) * 1e3


def writer(url: str, seed: int, seconds: float, base: int = 30_000_000) -> None:
    """Run in a child process: add fresh articles for ``seconds``; print how many."""

    async def run() -> None:
        rng = random.Random(seed)
        store = await open_postgres(url, max_size=1)
        fresh = [
            synth(base + seed * 1_000_000 + i, rng, time.time() - rng.random() * DAY)
            for i in range(int(seconds * 1500))
        ]
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        done = 0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and done < len(fresh):
            await store.articles.add(fresh[done], GUILDS[seed % len(GUILDS)])
            done += 1
        print(done, flush=True)
        await store.close()

    asyncio.run(run())


def writers(url: str, count: int, seconds: float, base: int = 30_000_000) -> float:
    """Adds per second from ``count`` writer processes started together."""
    procs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "bench.store_postgres", "--writer"),
                *(url, str(k), str(seconds), str(base)),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(count)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    total = sum(int(p.communicate(timeout=seconds + 120)[0].strip()) for p in procs)
    return total / seconds


async def bench(url: str, made: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(2)
    res: dict[str, Any] = {}
    store = await open_postgres(url)
    arts = store.articles
    g = GUILDS[0]
    end = made["end"]
    codes = sorted(await arts.entity_counts(g, "country"))
    keys = sorted(await arts.person_names(g))
    top_codes = codes[:40]
    for code in top_codes:
        await arts.by_country(g, code)  # warm the server's cache as a running bot would
    res["newest10_country_ms"] = await timed(
        [partial(arts.by_country, g, rng.choice(top_codes)) for _ in range(2000)]
    )
    res["newest10_person_ms"] = await timed(
        [partial(arts.by_person, g, rng.choice(keys)) for _ in range(2000)]
    )
    since = end - DAY
    res["window24h_ms"] = await timed(
        [lambda: arts.recent(g, since=since, limit=100_000) for _ in range(20)]
    )
    res["window24h_count"] = len(await arts.recent(g, since=since, limit=100_000))
    week = end - 7 * DAY
    res["trending7d_country_ms"] = await timed(
        [lambda: arts.entity_counts(g, "country", since=week) for _ in range(50)]
    )
    res["trending7d_person_ms"] = await timed(
        [lambda: arts.entity_counts(g, "person", since=week) for _ in range(50)]
    )
    res["entity_card_ms"] = await timed(
        [partial(arts.entity_card, g, "country", rng.choice(top_codes), since=week)
         for _ in range(100)]
    )  # fmt: skip
    prefixes = ["cas", "nob", "pér", "a", "dan"]
    res["suggest_ms"] = await timed(
        [partial(arts.suggest, g, "person", rng.choice(prefixes)) for _ in range(100)]
    )
    # Search: each kind of query 60 times with different words where it can.
    n_total = made["n"]
    searches = {
        # a day number is in one article's title (and as a part of a few longer ones)
        "search_rare_ms": [f"day {rng.randrange(n_total)}" for _ in range(60)],
        # one person's surname: a few hundred articles
        "search_name_ms": [f"castillo{rng.randrange(200)}" for _ in range(60)],
        "search_common_ms": [rng.choice(["storm", "budget", "court", "trade"]) for _ in range(60)],
        "search_very_common_ms": ["observers expect"] * 60,
        "search_two_common_ms": [
            " ".join(rng.sample(["storm", "budget", "court", "trade", "rally"], 2))
            for _ in range(60)
        ],
        "search_mid_word_ms": [rng.choice(["astill", "lectio", "otes"]) for _ in range(60)],
        "search_no_match_ms": ["nobody-has-this"] * 60,
        # two letters held by no word: the trigram index cannot narrow them
        "search_short_no_match_ms": ["zq"] * 20,
    }
    for name, queries in searches.items():
        res[name] = await timed([partial(arts.search, g, q) for q in queries])
    res["search_hits_common"] = len(await arts.search(g, "storm"))

    now = time.time()
    # ids past every earlier run's on a reused database (synth's URL comes from its number)
    base = 100_000_000 * made.get("runs", 0)
    fresh = [synth(base + 10_000_000 + i, rng, now - rng.random() * 3 * DAY) for i in range(600)]
    res["add_ms"] = await timed([partial(arts.add, a, g) for a in fresh])
    old = await arts.recent(g, limit=100, offset=min(5000, made["n"] // 4))
    res["link_ms"] = await timed([partial(arts.link, a.id, GUILDS[2]) for a in old])
    batch = [synth(base + 20_000_000 + i, rng, now - rng.random() * DAY) for i in range(200)]
    t0 = time.perf_counter()
    await asyncio.gather(*(arts.add(a, g) for a in batch))
    res["add200_concurrent_ms"] = (time.perf_counter() - t0) * 1e3
    stats = await arts.stats()
    await store.close()
    res["adds_per_s_4_writers"] = writers(url, 4, 10.0, base + 30_000_000)
    res["articles_after"] = stats.articles
    return res


async def create_database() -> str:
    name = f"newsbot_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url_for(name)


async def drop_database(url: str) -> None:
    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
    finally:
        await conn.close()


async def run_size(n: int, keep: bool = False, fill_only: bool = False) -> dict[str, Any]:
    url = await create_database()
    try:
        store = await open_postgres(url)  # applies the schema
        await store.close()
        made = await fill(url, n)
        made["n"] = n
        made["runs"] = 0
        print(f"  {n:,} articles loaded in {made['fill_s']:.0f} s", file=sys.stderr, flush=True)
        await remember(url, made)
        if fill_only:
            print(f"  kept as {url.rpartition('/')[2]}", file=sys.stderr, flush=True)
            return {"n": n, "backend": "postgres", **made, "postgres": {}}
        return await timed_run(url, made)
    finally:
        if not (keep or fill_only):
            await drop_database(url)


async def timed_run(url: str, made: dict[str, Any]) -> dict[str, Any]:
    res = await bench(url, made)
    made["runs"] = made.get("runs", 0) + 1
    await remember(url, made)
    return {"n": made["n"], "backend": "postgres", **made, "postgres": res}


async def reuse(name: str) -> dict[str, Any]:
    """Time a database kept by an earlier run (its schema upgraded first)."""
    url = url_for(name)
    store = await open_postgres(url)  # applies new migrations, as `newsbot db upgrade`
    await store.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return await timed_run(url, await recall(url))


def fmt(v: Any) -> str:
    if isinstance(v, tuple | list):
        return " / ".join(fmt(x) for x in v)
    if isinstance(v, float):
        return f"{v:.3g}" if v < 100 else f"{v:,.0f}"
    return str(v)


ROWS = [
    ("durable add p50 / p95 (ms)", "add_ms"),
    ("link to one more server p50 / p95 (ms)", "link_ms"),
    ("200 concurrent adds (ms)", "add200_concurrent_ms"),
    ("adds/s, 4 writer processes", "adds_per_s_4_writers"),
    ("newest-10 country p50 / p95 (ms)", "newest10_country_ms"),
    ("newest-10 person p50 / p95 (ms)", "newest10_person_ms"),
    ("24 h window p50 / p95 (ms)", "window24h_ms"),
    ("trending 7 d, countries p50 / p95 (ms)", "trending7d_country_ms"),
    ("trending 7 d, persons p50 / p95 (ms)", "trending7d_person_ms"),
    ("entity card 7 d p50 / p95 (ms)", "entity_card_ms"),
    ("autocomplete p50 / p95 (ms)", "suggest_ms"),
    ("search: rare word p50 / p95 (ms)", "search_rare_ms"),
    ("search: a surname p50 / p95 (ms)", "search_name_ms"),
    ("search: common word p50 / p95 (ms)", "search_common_ms"),
    ("search: very common words p50 / p95 (ms)", "search_very_common_ms"),
    ("search: two common words p50 / p95 (ms)", "search_two_common_ms"),
    ("search: part of a word p50 / p95 (ms)", "search_mid_word_ms"),
    ("search: no match p50 / p95 (ms)", "search_no_match_ms"),
    ("search: two letters, no match p50 / p95 (ms)", "search_short_no_match_ms"),
]


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        p = r["postgres"]
        lines.append(
            f"\nPostgreSQL {r['settings']['server_version']}, {r['n']:,} articles "
            f"({r['db_mb']:,.0f} MB, COPY fill {r['fill_s']:,.0f} s, "
            f"synchronous_commit={r['settings']['synchronous_commit']}, "
            f"24 h window = {p['window24h_count']} rows)"
        )
        for name, key in ROWS:
            lines.append(f"{name:44} {fmt(p[key]):>18}")
    return "\n".join(lines)


SIDE_BY_SIDE = [
    # (label, TinyDB store key, PostgreSQL key)
    ("durable add p50 / p95 (ms)", "add_ms", "add_ms"),
    ("newest-10 country p50 / p95 (ms)", "newest10_country_ms", "newest10_country_ms"),
    ("newest-10 person p50 / p95 (ms)", "newest10_person_ms", "newest10_person_ms"),
    ("24 h window p50 / p95 (ms)", "window24h_ms", "window24h_ms"),
    ("trending 7 d countries (ms)", "trending7d_ms", "trending7d_country_ms"),
    ("search 'storm election' (ms)", "search_common_ms", "search_two_common_ms"),
    ("200 concurrent adds (ms)", "add200_concurrent_ms", "add200_concurrent_ms"),
]


def side_by_side(tiny: list[dict[str, Any]], pg: list[dict[str, Any]]) -> str:
    """The operations both benches time, TinyDB store beside PostgreSQL, per size."""
    lines = []
    for t in tiny:
        p = next((r for r in pg if r["n"] == t["n"]), None)
        if p is None:
            continue
        lines.append(
            f"\n{t['n']:,} articles, same operations{'':14} {'TinyDB':>16} {'PostgreSQL':>16}"
        )
        for label, tkey, pkey in SIDE_BY_SIDE:
            lines.append(f"{label:50} {fmt(t['store'][tkey]):>16} {fmt(p['postgres'][pkey]):>16}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 articles")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--fill-only", action="store_true", help="load and keep, time nothing")
    parser.add_argument("--reuse", metavar="NAME", help="time a kept database (no new sizes)")
    parser.add_argument("--writer", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        w = args.writer
        writer(w[0], int(w[1]), float(w[2]), int(w[3]))
        return
    if args.reuse:
        results = [asyncio.run(reuse(args.reuse))]
    else:
        sizes = [*args.sizes, *([1_000_000] if args.million else [])]
        results = [asyncio.run(run_size(n, args.keep, args.fill_only)) for n in sizes]
    if not args.fill_only:
        print(table(results))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
