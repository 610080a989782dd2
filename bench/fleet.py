"""Fleet ingestion: throughput and /ingest -> answer latency with 1, 2 and 4 workers.

The dev pages are served by a loopback aiohttp server. For each worker count, the bench
starts that many ``newsbot worker --concurrency 1`` processes on a fresh PostgreSQL
database and RabbitMQ queue, sends every page at once as jobs (as gateways do), and times
each job from sending to its outcome arriving (LISTEN/NOTIFY), i.e. what a user waits
between /ingest and the answer. Beside it, in the same run, the single-process default
(the pipeline in one process, one CPU worker, then one per core) on the same pages.

Every dev page is served from one loopback host, so the fleet's per-host politeness
(``NEWSBOT_FETCHES_PER_HOST_PER_MINUTE``, 60 by default, counted per clock minute) would
cap the fleet at 60 pages a minute and make the figures depend on where the minute
boundary falls; the bench lifts it (``--per-host``) to measure the workers themselves.

    uv run python -m bench.fleet [--limit N] [--workers 1,2,4] [--rounds R] [--per-host N]

Needs PostgreSQL on 127.0.0.1:5432 and RabbitMQ on 127.0.0.1:5672.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

READY_TIMEOUT = 300.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(latencies: list[float], wall: float, errors: int) -> dict[str, float]:
    return {
        "articles_per_s": len(latencies) / wall if wall else float("nan"),
        "p50_ms": 1000 * percentile(latencies, 0.5),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "wall_s": wall,
        "errors": errors,
    }


async def single_process(urls: list[str], workers: int, tmp: Path) -> dict[str, float]:
    """The default: one process, its own pipeline and ``workers`` CPU processes."""
    from bot.config import Settings
    from bot.news.store.tinydb.articles import TinyArticles
    from bot.news.understanding.pipeline import IngestError, Pipeline

    settings = Settings(
        data_dir=tmp / f"single-{workers}",
        allow_loopback=True,
        ingest_queue_size=max(50, len(urls)),
        max_concurrent_ingests=max(4, 2 * workers),
    )
    settings.data_dir.mkdir(parents=True)
    store = await TinyArticles.open(settings.articles_dir)
    latencies: list[float] = []
    errors = 0
    async with Pipeline(settings, store=store, workers=workers) as pipeline:

        async def one(url: str) -> None:
            nonlocal errors
            t0 = time.perf_counter()
            try:
                await pipeline.ingest(url, "bench")
            except IngestError:
                errors += 1
            latencies.append(time.perf_counter() - t0)

        # the same warm-up as the fleet's workers get: one page per CPU process first
        warm = [f"{u}&warm={i}" for i, u in enumerate(urls[:workers])]
        await asyncio.gather(*(pipeline.ingest(u, "warm") for u in warm), return_exceptions=True)
        t0 = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        wall = time.perf_counter() - t0
    await store.close()
    return summary(latencies, wall, errors)


async def fleet(urls: list[str], workers: int, tmp: Path, per_host: int) -> dict[str, float]:
    """``workers`` worker processes fed through RabbitMQ; outcomes back from PostgreSQL."""
    from bot.config import Settings
    from bot.news.jobs.broker import open_broker_jobs
    from bot.news.understanding.pipeline import IngestError
    from tests.fleet.processes import Role, newsbot_env
    from tests.fleet.services import fresh_database, fresh_queue

    async with fresh_database() as db, fresh_queue() as rabbit:
        roles = []
        for i in range(workers):
            env = newsbot_env(
                NEWSBOT_DATABASE_URL=db,
                NEWSBOT_BROKER_URL=rabbit.url,
                NEWSBOT_BROKER_QUEUE=rabbit.queue,
                NEWSBOT_DATA_DIR=str(tmp / f"fleet-{workers}-{i}"),
                NEWSBOT_ALLOW_LOOPBACK="1",
                NEWSBOT_LOG_LEVEL="WARNING",
                NEWSBOT_FETCHES_PER_HOST_PER_MINUTE=str(per_host),
            )
            roles.append(
                Role(["worker", "--concurrency", "1"], env, tmp / f"w{workers}-{i}.log").start()
            )
        settings = Settings(
            data_dir=tmp / f"gateway-{workers}",
            database_url=db,
            broker_url=rabbit.url,
            broker_queue=rabbit.queue,
            job_answer_seconds=3600.0,
        )
        jobs = await open_broker_jobs(settings)
        try:
            # wait until every worker has its model loaded: one warm-up job each
            warm = [f"{u}&warm={i}" for i, u in enumerate(urls[:workers])]
            await asyncio.wait_for(
                asyncio.gather(*(jobs.ingest(u, "warm") for u in warm), return_exceptions=True),
                READY_TIMEOUT,
            )
            latencies: list[float] = []
            errors = 0

            async def one(url: str) -> None:
                nonlocal errors
                t0 = time.perf_counter()
                try:
                    await jobs.ingest(url, "bench")
                except IngestError:
                    errors += 1
                latencies.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            await asyncio.gather(*(one(u) for u in urls))
            wall = time.perf_counter() - t0
        finally:
            await jobs.close()
            for role in roles:
                role.stop()
    return summary(latencies, wall, errors)


def _median_row(rows: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds; ``rounds`` keeps every throughput."""
    row = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    row["rounds"] = [r["articles_per_s"] for r in rows]  # type: ignore[assignment]
    return row


async def run(
    data: Path, limit: int | None, counts: list[int], per_host: int, rounds: int = 1
) -> dict[str, object]:
    from bot.sandbox.web import ArticleServer

    results: dict[str, object] = {
        "cores": os.cpu_count(),
        "load_before": os.getloadavg()[0],
        "per_host_per_minute": per_host,
        "rounds": rounds,
    }
    async with ArticleServer(data / "extraction" / "dev" / "html") as server:
        ids = server.saved_ids()[:limit]
        results["pages"] = len(ids)
        # a fresh address per run: a page known by URL is answered without being fetched
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            for workers in sorted({1, os.cpu_count() or 1}):
                urls = [server.url(f"/saved/{i}?single={workers}") for i in ids]
                results[f"single_{workers}"] = await single_process(urls, workers, tmp)
            # rounds interleave the worker counts, so that a change in the machine's load
            # (other programs) falls on every count alike instead of on one
            measured: dict[int, list[dict[str, float]]] = {w: [] for w in counts}
            for n in range(rounds):
                for workers in counts:
                    urls = [server.url(f"/saved/{i}?fleet={workers}&round={n}") for i in ids]
                    run_dir = tmp / f"round-{n}"
                    run_dir.mkdir(exist_ok=True)
                    measured[workers].append(await fleet(urls, workers, run_dir, per_host))
            for workers in counts:
                results[f"fleet_{workers}"] = _median_row(measured[workers])
    results["load_after"] = os.getloadavg()[0]
    base = results.get(f"fleet_{counts[0]}")
    for workers in counts:
        row = results[f"fleet_{workers}"]
        assert isinstance(row, dict) and isinstance(base, dict)
        row["scaling"] = row["articles_per_s"] / base["articles_per_s"]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=None, help="only the first N dev pages")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
    parser.add_argument(
        "--per-host",
        type=int,
        default=100_000,
        help="fetches per host per minute for the fleet (60 is the product default)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="fleet runs per worker count (medians shown)"
    )
    args = parser.parse_args(argv)
    if not (args.data / "extraction" / "dev").is_dir():
        print(f"no dev pages under {args.data}", file=sys.stderr)
        return 1
    counts = [int(c) for c in args.workers.split(",")]
    r = asyncio.run(run(args.data, args.limit, counts, args.per_host, args.rounds))
    print(
        f"{r['pages']} dev pages, {r['cores']} cores, all sent at once; load average "
        f"{r['load_before']:.1f} before, {r['load_after']:.1f} after; fleet: median of "
        f"{r['rounds']} interleaved round(s)"
    )
    print(f"{'setup':<28}{'articles/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'scaling':>9}{'errors':>8}")
    for key, value in r.items():
        if not isinstance(value, dict):
            continue
        name = key.replace("single_", "one process, CPU workers ").replace(
            "fleet_", "fleet, worker processes "
        )
        scaling = f"{value['scaling']:.2f}x" if "scaling" in value else ""
        print(
            f"{name:<28}{value['articles_per_s']:>11.2f}{value['p50_ms']:>9.0f}"
            f"{value['p95_ms']:>9.0f}{scaling:>9}{value['errors']:>8}"
        )
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
