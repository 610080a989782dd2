"""Benchmark the store against stock TinyDB on the same synthetic articles.

    uv run python -m bench.store              # 10k and 100k
    uv run python -m bench.store --sizes 10000
    uv run python -m bench.store --million    # adds 1M (several minutes, ~2 GB of disk)

Prints a table and a JSON line. The operations (``bench_store``) are written against the
store interface (``bot.news.store.interface.Articles``), so another backend runs the same
ones: it only needs a ``fill`` (bulk load) and, optionally, a ``maintenance`` step to run
between adds (the TinyDB backend's compaction). The TinyDB store is filled by writing its
week files through its own writer (as its compactor would), stock TinyDB by writing its
JSON file directly: filling either by inserts would take hours for stock TinyDB at 100k.
Then the same operations are timed on both: durable adds, newest-10 queries, a 24-hour
window, search, start-up (in a fresh process: time and peak RSS). Event-loop lag is
sampled while adds and compactions run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from bot.news.model import (
    Article,
    CountryMention,
    Development,
    PersonMention,
    fold,
    person_key,
)
from bot.news.store import Articles, open_store
from bot.news.store.tinydb import partitions as parts

DAY = 86400.0
CODES = [f"{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "AEIOU"][:120]
FIRST = ["Daniel", "Ana", "José", "Marie", "Olaf", "Fumio", "Cyril", "Lula", "Andrés", "Emma"]
LAST = [f"{s}{k}" for k in range(200) for s in ("Noboa", "Castillo", "Pérez")][:400]
WORDS = [
    *("election", "storm", "court", "budget", "protest", "vaccine"),
    *("trade", "border", "rally", "strike", "accord"),
]
GUILDS = ["100000000000000001", "100000000000000002", "100000000000000003"]


def pctl(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def synth(n: int, rng: random.Random, when: float) -> Article:
    countries = [rng.choice(CODES[: 10 + rng.randint(0, 110)]) for _ in range(rng.randint(0, 3))]
    countries = list(dict.fromkeys(countries))
    persons = list(
        dict.fromkeys(
            f"{rng.choice(FIRST)} {rng.choice(LAST[: 20 + rng.randint(0, 380)])}"
            for _ in range(rng.randint(0, 3))
        )
    )
    words = rng.sample(WORDS, 4)
    summary = (
        f"The {words[0]} over {words[1]} went on as {', '.join(persons) or 'officials'} met "
        f"in {', '.join(countries) or 'the capital'}; observers expect a {words[2]} soon. "
    ) * 4
    return Article(
        url=f"https://site{n % 50}.example/news/{n}?ref=feed",
        canonical_url=f"https://site{n % 50}.example/news/{n}",
        title=f"{words[3].title()} and {words[0]} dominate day {n}",
        summary=summary,
        site=f"site{n % 50}.example",
        published=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(when)),
        fingerprint=f"{rng.getrandbits(64):016x}",
        countries=[CountryMention(c, rng.randint(1, 6), rng.random() < 0.3) for c in countries],
        persons=[PersonMention(p, rng.randint(1, 5)) for p in persons],
        developments=[Development("country", c, f"In {c}, the {words[0]} grew.") for c in countries]
        + [Development("person", person_key(p), f"{p} spoke about it.") for p in persons],
        ingested_at=when + 3600,
    )


def doc_of(article: Article, rng: random.Random) -> dict[str, Any]:
    doc = article.to_dict(with_text=False)
    guilds = [GUILDS[0]] if rng.random() < 0.7 else rng.sample(GUILDS, rng.randint(1, 3))
    doc["guilds"] = {g: article.ingested_at for g in guilds}
    doc["event_time"] = article.event_time
    return doc


def fill(n: int, store_dir: Path, stock_path: Path | None, seed: int = 1) -> dict[str, Any]:
    """Write n articles spread over two years into both layouts (the TinyDB backend's
    folder ``store_dir``, stock TinyDB's file); return what was made."""
    rng = random.Random(seed)
    end = time.time() - DAY
    start = end - 730 * DAY
    weeks_dir = store_dir / "articles" / "weeks"
    weeks_dir.mkdir(parents=True, exist_ok=True)
    week, docs, sizes = None, {}, []
    with open(stock_path or os.devnull, "wb") as stock:
        stock.write(b'{"_default": {')
        for i in range(n):
            when = start + (i + rng.random()) * (end - start) / n
            doc = doc_of(synth(i, rng, when), rng)
            raw = orjson.dumps(doc)
            if i < 2000:
                sizes.append(len(raw))
            stock.write(b'%s"%d": %s' % (b"," if i else b"", i + 1, raw))
            w = parts.week_of(doc["event_time"])
            if w != week and docs:
                parts.write_week(weeks_dir, week, docs)
                docs = {}
            week = w
            docs[doc["id"]] = doc
        if docs:
            parts.write_week(weeks_dir, week, docs)
        stock.write(b"}}")
    return {"end": end, "doc_bytes_mean": statistics.mean(sizes)}


# ---------------------------------------------------------------- fresh-process probes


def probe_open(kind: str, path: str) -> None:
    """Run in a child process: open, print time and peak RSS as JSON."""
    t0 = time.perf_counter()
    if kind == "store":

        async def go() -> tuple[int, float]:
            store = await open_store(f"tinydb://{path}")
            elapsed = time.perf_counter() - t0
            n = (await store.articles.stats()).articles
            await store.close()
            return n, elapsed

        n, elapsed = asyncio.run(go())
        print(json.dumps({"open_s": elapsed, "rss_mb": peak_rss_mb(), "articles": n}))
        return
    if kind == "weeks":  # the index built from every week's documents, read through TinyDB
        from tinydb import TinyDB
        from tinydb.middlewares import CachingMiddleware

        from bot.news.store.tinydb.index import ArticleIndex
        from bot.news.store.tinydb.storage import LineStorage

        weeks_dir = Path(path) / "articles" / "weeks"
        index = ArticleIndex()
        for week in sorted(parts.weeks_on_disk(weeks_dir)):
            db = TinyDB(
                parts.partition_path(weeks_dir, week), storage=CachingMiddleware(LineStorage)
            )
            docs = {d["id"]: d for d in db.table(parts.ARTICLES_TABLE).all()}
            db.close()
            locs, ordered = parts.week_locations(week, docs)
            index.add_week(week, parts.index_of(week, ordered, locs))
        n = len(index)
    else:
        from tinydb import TinyDB

        db = TinyDB(path)
        n = len(db)
    elapsed = time.perf_counter() - t0
    print(json.dumps({"open_s": elapsed, "rss_mb": peak_rss_mb(), "articles": n}))


def peak_rss_mb() -> float:
    """This process's peak RSS. Not ru_maxrss: Linux carries that over from the parent
    across fork and exec, so a child would report the benchmark's own size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def write_snapshot(store_dir: Path) -> None:
    store = await open_store(f"tinydb://{store_dir}")
    await store.close()  # writes the index snapshot


def run_probe(kind: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--probe", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- our store


class LagSampler:
    """How late a 5 ms sleep wakes up: the event loop's responsiveness."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t0 = loop.time()
            await asyncio.sleep(0.005)
            self.lags.append(loop.time() - t0 - 0.005)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def time_queries(fn, args_list: list[tuple]) -> tuple[float, float]:
    times = []
    for args in args_list:
        t0 = time.perf_counter()
        await fn(*args)
        times.append(time.perf_counter() - t0)
    return pctl(times, 0.5), pctl(times, 0.95)


Maintenance = Callable[[], Awaitable[Any]] | None


async def bench_store(
    store: Articles, made: dict[str, Any], maintenance: Maintenance = None
) -> dict[str, Any]:
    """The operations, on any backend's ``Articles``; ``maintenance`` (if any) runs
    between the concurrent adds and once at the end (TinyDB: a compaction)."""
    rng = random.Random(2)
    res: dict[str, Any] = {}
    g = GUILDS[0]
    # cold: the first newest-10 loads the newest week partition(s)
    t0 = time.perf_counter()
    await store.by_country(g, CODES[0])
    res["newest10_cold_ms"] = (time.perf_counter() - t0) * 1e3
    codes = list(await store.entity_counts(g, "country"))
    keys = list(await store.person_names(g))
    await store.by_person(g, keys[0])
    for code in codes[:40]:
        await store.by_country(g, code)  # warm the weeks the popular queries reach
    args = [(g, rng.choice(codes[:40])) for _ in range(2000)]
    p50, p95 = await time_queries(store.by_country, args)
    res["newest10_country_ms"] = (p50 * 1e3, p95 * 1e3)
    args = [(g, rng.choice(keys[:40])) for _ in range(2000)]
    for _, k in args[:40]:
        await store.by_person(g, k)
    p50, p95 = await time_queries(store.by_person, args)
    res["newest10_person_ms"] = (p50 * 1e3, p95 * 1e3)
    since = made["end"] - DAY
    p50, p95 = await time_queries(lambda: store.recent(g, since=since, limit=100_000), [()] * 50)
    res["window24h_ms"] = (p50 * 1e3, p95 * 1e3)
    res["window24h_count"] = len(await store.recent(g, since=since, limit=100_000))
    p50, p95 = await time_queries(
        lambda: store.entity_counts(g, "country", since=since - 6 * DAY), [()] * 50
    )
    res["trending7d_ms"] = (p50 * 1e3, p95 * 1e3)
    p50, p95 = await time_queries(
        lambda c: store.entity_card(g, "country", c, since=since - 6 * DAY),
        [(c,) for c in codes[:40]] * 5,
    )
    res["entity_card_ms"] = (p50 * 1e3, p95 * 1e3)
    t0 = time.perf_counter()
    hits = await store.search(g, "storm election")
    res["search_common_ms"] = (time.perf_counter() - t0) * 1e3
    sampler = LagSampler()  # what a search that reads everything costs other commands
    sampler.start()
    await asyncio.sleep(0.01)  # the sampler is running before the search starts
    t0 = time.perf_counter()
    await store.search(g, "castillo7 nobody-has-this")
    res["search_no_match_ms"] = (time.perf_counter() - t0) * 1e3
    t0 = time.perf_counter()
    await store.search(g, "castillo7 nobody-has-this")
    res["search_no_match_warm_ms"] = (time.perf_counter() - t0) * 1e3
    await asyncio.sleep(0.02)  # the sampler's sleep that a blocking search held up wakes
    await sampler.stop()
    res["search_loop_lag_max_ms"] = max(sampler.lags, default=0.0) * 1e3
    res["search_hits"] = len(hits)

    # Writes, with the loop-lag sampler running: sequential durable adds, then four
    # ingest workers adding side by side (the bot's default concurrency), links of old
    # articles (their weeks are read), and compactions in between.
    now = time.time()
    fresh = [synth(10_000_000 + i, rng, now - rng.random() * 3 * DAY) for i in range(1200)]
    old_ids = [a.id for a in await store.recent(g, since=since - 300 * DAY, limit=200, offset=5000)]
    sampler = LagSampler()
    sampler.start()
    times = []
    for article in fresh[:600]:
        t0 = time.perf_counter()
        await store.add(article, g)
        times.append(time.perf_counter() - t0)
    res["add_ms"] = (pctl(times, 0.5) * 1e3, pctl(times, 0.95) * 1e3)

    async def worker(k: int) -> None:
        for j, article in enumerate(fresh[600 + k :: 4]):
            await store.add(article, g)
            if j % 50 == 49 and k == 0 and maintenance is not None:
                await maintenance()

    await asyncio.gather(*(worker(k) for k in range(4)))
    for k, article_id in enumerate(old_ids[:100]):
        await store.link(article_id, GUILDS[1 + k % 2])
    t0 = time.perf_counter()
    if maintenance is not None:
        await maintenance()
    res["compaction_ms"] = (time.perf_counter() - t0) * 1e3
    await sampler.stop()
    res["loop_lag_ms"] = (pctl(sampler.lags, 0.99) * 1e3, max(sampler.lags) * 1e3)
    res["lag_samples"] = len(sampler.lags)
    # group commit: 200 adds started at once (their synchronous parts run back to back)
    batch = [synth(20_000_000 + i, rng, now - rng.random() * DAY) for i in range(200)]
    t0 = time.perf_counter()
    await asyncio.gather(*(store.add(a, g) for a in batch))
    res["add200_concurrent_ms"] = (time.perf_counter() - t0) * 1e3
    return res


async def bench_tinydb(store_dir: Path, made: dict[str, Any]) -> dict[str, Any]:
    store = await open_store(f"tinydb://{store_dir}")
    engine = store.articles.engine  # type: ignore[attr-defined]
    try:
        res = await bench_store(store.articles, made, engine.compact)
        res["compactions"] = engine.compactions
    finally:
        await store.close()
    return res


async def bench_scrub(store_dir: Path) -> dict[str, Any]:
    """A store written before week copies existed: at start the newest week's copy is
    written, the older weeks' in the background (here without the pause between weeks),
    with the loop-lag sampler running and queries answered meanwhile."""
    weeks_dir = store_dir / "articles" / "weeks"
    for copy in weeks_dir.glob("*.copy.json.gz"):
        copy.unlink()
    t0 = time.perf_counter()
    store = await open_store(f"tinydb://{store_dir}", scrub_pause=0.0)
    engine = store.articles.engine  # type: ignore[attr-defined]
    sampler = LagSampler()
    sampler.start()
    try:
        assert engine._scrub_task is not None
        while not engine._scrub_task.done():
            await store.articles.by_country(GUILDS[0], CODES[0])
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - t0
    finally:
        await sampler.stop()
        await store.close()
    return {
        "weeks": len(list(weeks_dir.glob("*.copy.json.gz"))),
        "scrub_s": elapsed,
        "loop_lag_ms": (pctl(sampler.lags, 0.99) * 1e3, max(sampler.lags) * 1e3),
    }


# ------------------------------------------- the same work through TinyDB Tables


class _Words:
    """A TinyDB query (``QueryLike``): the article is the guild's and its folded title
    and summary hold every word, the test the search sidecar scan makes."""

    def __init__(self, guild: str, query: str) -> None:
        self.guild, self.words = guild, fold(query).split()

    def __call__(self, doc: dict[str, Any]) -> bool:
        if self.guild not in (doc.get("guilds") or {}):
            return False
        text = fold(f"{doc.get('title') or ''} {doc.get('summary') or ''}")
        return all(w in text for w in self.words)

    def is_cacheable(self) -> bool:
        return False


def table_inserts(weeks_dir: Path, workdir: Path) -> dict[str, Any]:
    """A durable add as ``Table.insert`` into the biggest week file (a copy of it)."""
    from tinydb import TinyDB
    from tinydb.middlewares import CachingMiddleware

    from bot.news.store.tinydb.storage import LineStorage

    rng = random.Random(4)
    res: dict[str, Any] = {}
    weeks = parts.weeks_on_disk(weeks_dir)
    week = max(weeks, key=lambda w: parts.partition_path(weeks_dir, w).stat().st_size)
    copy = workdir / "week-copy.json"
    copy.write_bytes(parts.partition_path(weeks_dir, week).read_bytes())
    now = time.time()
    for caching in (False, True):
        storage = CachingMiddleware(LineStorage) if caching else LineStorage
        db = TinyDB(copy, storage=storage)
        table = db.table(parts.ARTICLES_TABLE)
        res["week_docs"] = len(table)
        times = []
        for i in range(5):
            doc = doc_of(synth(50_000_000 + i, rng, now), rng)
            t0 = time.perf_counter()
            table.insert(doc)
            if caching:
                db.storage.flush()  # type: ignore[attr-defined] - durable now, not at close
            times.append(time.perf_counter() - t0)
        db.close()
        res["insert_caching_ms" if caching else "insert_ms"] = statistics.median(times) * 1e3
    copy.unlink()
    return res


def bench_tables(store_dir: Path, workdir: Path) -> dict[str, Any]:
    """What the store's extensions replace, done through TinyDB ``Table``s over the
    store's own files and ``LineStorage``: a durable add as ``Table.insert`` into a
    week file (TinyDB writes the table whole), and search as ``Table.search`` over
    every week file (what the journal and the search sidecars avoid)."""
    from tinydb import TinyDB
    from tinydb.middlewares import CachingMiddleware

    from bot.news.store.tinydb.storage import LineStorage

    weeks_dir = store_dir / "articles" / "weeks"
    weeks = sorted(parts.weeks_on_disk(weeks_dir))
    res = table_inserts(weeks_dir, workdir)
    t0 = time.perf_counter()
    query, found = _Words(GUILDS[0], "castillo7 nobody-has-this"), 0
    for week in reversed(weeks):  # newest first, as the store searches
        db = TinyDB(parts.partition_path(weeks_dir, week), storage=CachingMiddleware(LineStorage))
        found += len(db.table(parts.ARTICLES_TABLE).search(query))
        db.close()
    res["search_no_match_ms"] = (time.perf_counter() - t0) * 1e3
    res["search_hits"] = found
    return res


# ---------------------------------------------------------------- stock TinyDB


def bench_stock(n: int, stock_path: Path, made: dict[str, Any], caching: bool) -> dict[str, Any]:
    from tinydb import Query, TinyDB
    from tinydb.middlewares import CachingMiddleware
    from tinydb.storages import JSONStorage

    rng = random.Random(3)
    res: dict[str, Any] = {}
    copy = stock_path.with_name(stock_path.stem + ("-caching" if caching else "-plain") + ".json")
    copy.write_bytes(stock_path.read_bytes())
    storage = CachingMiddleware(JSONStorage) if caching else JSONStorage
    db = TinyDB(copy, storage=storage)
    inserts = 10 if caching else (3 if n >= 50_000 else 6)
    times = []
    now = time.time()
    for i in range(inserts):
        doc = doc_of(synth(40_000_000 + i, rng, now), rng)
        t0 = time.perf_counter()
        db.insert(doc)
        times.append(time.perf_counter() - t0)
    res["add_ms"] = (statistics.median(times) * 1e3, max(times) * 1e3)
    res["add_n"] = inserts
    q = Query()
    g = GUILDS[0]
    times = []
    for code in CODES[:2]:
        t0 = time.perf_counter()
        rows = db.search(q.countries.any(q.code == code) & q.guilds.test(lambda d: g in d))
        sorted(rows, key=lambda d: d["event_time"], reverse=True)[:10]
        times.append(time.perf_counter() - t0)
    res["newest10_country_ms"] = statistics.median(times) * 1e3
    since = made["end"] - DAY
    t0 = time.perf_counter()
    db.search(q.event_time >= since)
    res["window24h_ms"] = (time.perf_counter() - t0) * 1e3
    if caching:
        t0 = time.perf_counter()
        db.close()  # the flush: what a crash before it would have lost
        res["flush_ms"] = (time.perf_counter() - t0) * 1e3
    copy.unlink()
    return res


# ---------------------------------------------------------------- report


def run_size(n: int, workdir: Path, stock: bool = True) -> dict[str, Any]:
    store_dir = workdir / f"store-{n}"
    stock_path = workdir / f"stock-{n}.json" if stock else None
    print(f"--- {n:,} articles: generating ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    made = fill(n, store_dir, stock_path)
    os.sync()  # or the kernel's write-back of the fill would slow the fsyncs measured next
    print(f"    filled in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    gc.collect()
    result: dict[str, Any] = {"n": n, "doc_bytes_mean": made["doc_bytes_mean"]}
    result["store_open_no_snapshot"] = run_probe("store", store_dir)
    asyncio.run(write_snapshot(store_dir))
    result["store_open"] = run_probe("store", store_dir)
    result["store"] = asyncio.run(bench_tinydb(store_dir, made))
    result["store_reopen_after_adds"] = run_probe("store", store_dir)
    result["scrub"] = asyncio.run(bench_scrub(store_dir))
    result["tables"] = bench_tables(store_dir, workdir)
    result["weeks_open"] = run_probe("weeks", store_dir)
    if stock_path is None:
        return result
    print("    store done; stock TinyDB ...", file=sys.stderr, flush=True)
    result["stock_open"] = run_probe("stock", stock_path)
    result["stock_json"] = bench_stock(n, stock_path, made, caching=False)
    result["stock_caching"] = bench_stock(n, stock_path, made, caching=True)
    stock_path.unlink()
    return result


class _Blank(dict):
    """Stands in for a stock result that was not measured: every field is blank."""

    def __missing__(self, key: str) -> Any:
        return _Blank()

    def __truediv__(self, other: Any) -> _Blank:
        return _Blank()

    def __format__(self, spec: str) -> str:
        return ""


def ratio(stock: Any, ours: float) -> str:
    if isinstance(stock, _Blank):
        return ""
    value = stock / ours
    return f"{value:,.0f}x" if value >= 10 else f"{value:.1f}x"


def fmt(v: Any) -> str:
    if isinstance(v, _Blank):
        return ""
    if isinstance(v, tuple | list):
        return " / ".join(fmt(x) for x in v)
    if isinstance(v, float):
        return f"{v:.3g}" if v < 100 else f"{v:,.0f}"
    return str(v)


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        s, so = r["store"], r["store_open"]
        if "stock_json" in r:
            j, c, to = r["stock_json"], r["stock_caching"], r["stock_open"]
        else:  # --no-stock: blank columns
            j = c = to = _Blank()
        reopen = r["store_reopen_after_adds"]
        n10, w24 = "newest10_country_ms", "window24h_ms"
        rows = [
            ("durable add p50 / p95 (ms)", s["add_ms"], j["add_ms"], c["add_ms"],
             ratio(j["add_ms"][0], s["add_ms"][0])),
            ("200 concurrent adds (ms)", s["add200_concurrent_ms"], "", "", ""),
            ("newest-10 country p50 / p95 (ms)", s[n10], j[n10], c[n10],
             ratio(j[n10], s[n10][0])),
            ("newest-10 person p50 / p95 (ms)", s["newest10_person_ms"], "", "", ""),
            ("newest-10 cold, first query (ms)", s["newest10_cold_ms"], "", "", ""),
            (f"24 h window, {s['window24h_count']} rows (ms)", s[w24], j[w24], c[w24],
             ratio(j[w24], s[w24][0])),
            ("7-day country counts (ms)", s["trending7d_ms"], "", "", ""),
            ("entity card, 7 days p50 / p95 (ms)", s["entity_card_ms"], "", "", ""),
            ("search: hit / miss cold / miss warm (ms)",
             (s["search_common_ms"], s["search_no_match_ms"], s["search_no_match_warm_ms"]),
             "", "", ""),
            ("  meanwhile loop lag max (ms)", s["search_loop_lag_max_ms"], "", "", ""),
            ("start-up (s)", so["open_s"], to["open_s"], "",
             ratio(to["open_s"], so["open_s"])),
            ("start-up peak RSS (MB)", so["rss_mb"], to["rss_mb"], "", ""),
            ("start-up without snapshot (s / MB)",
             (r["store_open_no_snapshot"]["open_s"], r["store_open_no_snapshot"]["rss_mb"]),
             "", "", ""),
            ("reopen after the adds (s / MB)", (reopen["open_s"], reopen["rss_mb"]), "", "", ""),
            ("last compaction (ms)", s["compaction_ms"], "", "", ""),
            ("loop lag p99 / max (ms)", s["loop_lag_ms"], "", "", ""),
            (f"old weeks' copies written, {r['scrub']['weeks']} weeks (s)",
             r["scrub"]["scrub_s"], "", "", ""),
            ("  meanwhile loop lag p99 / max (ms)", r["scrub"]["loop_lag_ms"], "", "", ""),
            ("CachingMiddleware flush (ms)", "", "", c["flush_ms"], ""),
        ]  # fmt: skip
        t = r["tables"]
        tables = [
            (f"add: journal / insert, week of {t['week_docs']} (ms)",
             s["add_ms"][0], t["insert_ms"], t["insert_caching_ms"],
             ratio(t["insert_ms"], s["add_ms"][0])),
            ("search miss: sidecars / Table.search (ms)", s["search_no_match_ms"],
             t["search_no_match_ms"], "", ratio(t["search_no_match_ms"], s["search_no_match_ms"])),
            ("start-up: snapshot / week documents (s)", so["open_s"],
             r["weeks_open"]["open_s"], "", ratio(r["weeks_open"]["open_s"], so["open_s"])),
            ("  peak RSS (MB)", so["rss_mb"], r["weeks_open"]["rss_mb"], "", ""),
        ]  # fmt: skip
        lines.append(f"\n{r['n']:,} articles (mean document {r['doc_bytes_mean']:.0f} bytes)")
        lines.append(f"{'':42} {'store':>18} {'TinyDB JSON':>14} {'+Caching':>12} {'ratio':>9}")
        for name, a, b, cc, times in rows:
            lines.append(f"{name:42} {fmt(a):>18} {fmt(b):>14} {fmt(cc):>12} {times:>9}")
        lines.append(f"{'':42} {'store':>18} {'Table':>14} {'+Caching':>12} {'ratio':>9}")
        for name, a, b, cc, times in tables:
            lines.append(f"{name:42} {fmt(a):>18} {fmt(b):>14} {fmt(cc):>12} {times:>9}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 articles")
    parser.add_argument("--dir", type=Path, help="work directory (default: a temp dir)")
    parser.add_argument("--no-stock", action="store_true", help="skip stock TinyDB")
    parser.add_argument(
        "--backend",
        choices=("tinydb", "postgres", "both"),
        default="tinydb",
        help="which store to time (postgres: see bench/store_postgres.py)",
    )
    parser.add_argument("--probe", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe_open(*args.probe)
        return
    sizes = [*args.sizes, *([1_000_000] if args.million else [])]
    results: list[dict[str, Any]] = []
    if args.backend in ("tinydb", "both"):
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            results = [run_size(n, Path(tmp), not args.no_stock) for n in sizes]
        print(table(results))
    if args.backend in ("postgres", "both"):
        from bench import store_postgres

        pg = [asyncio.run(store_postgres.run_size(n)) for n in sizes]
        print(store_postgres.table(pg))
        if results:
            print(store_postgres.side_by_side(results, pg))
        results = results + pg
    print(json.dumps(results))


if __name__ == "__main__":
    main()
