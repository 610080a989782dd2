"""Benchmark the whole ingest pipeline on the dev pages, against bare trafilatura + spaCy.

The dev pages are served by a loopback aiohttp server and ingested into a temporary
the article store: fetch, extraction and NLP in the worker process, dedupe, durable store.
Beside it, in the same worker and the same run, the bare work on the same pages:
``trafilatura.bare_extraction`` + ``enrich`` (spaCy). Measured:

- per-article time (p50/p90) and articles/s, one at a time and all submitted at once;
- overhead of the pipeline over the bare work (one at a time, same pages);
- event-loop lag while ingesting (p99, max): what the Discord heartbeat would feel;
- peak memory (RSS) of the main process and of the worker.

    uv run python -m bench.ingest [--limit N] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bare_pass(pages: list[tuple[str, str]]) -> list[float]:
    """In the worker: trafilatura + enrich per page, seconds each (no fetch, IPC, store)."""
    import trafilatura

    from bot.news.understanding.enrich import enrich

    times = []
    for url, html in pages:
        t0 = time.perf_counter()
        doc = trafilatura.bare_extraction(html, url=url, favor_precision=True, with_metadata=True)
        if doc is not None and doc.text:
            enrich(doc.title or "", doc.text)
        times.append(time.perf_counter() - t0)
    return times


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class LoopLag:
    """Samples how late a 10 ms sleep wakes up: the event loop's responsiveness."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.samples.append(max(0.0, time.perf_counter() - t0 - self.interval))

    def __enter__(self) -> LoopLag:
        self.samples.clear()
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


async def run(data: Path, limit: int | None, workers: int | None = None) -> dict[str, object]:
    from bot.config import Settings
    from bot.news.jobs.local import local_worker_count
    from bot.news.store.tinydb.articles import TinyArticles
    from bot.news.understanding import worker
    from bot.news.understanding.pipeline import IngestError, Pipeline
    from bot.sandbox.web import ArticleServer

    folder = data / "extraction" / "dev" / "html"
    ids = sorted(p.name.removesuffix(".html.gz") for p in folder.glob("*.html.gz"))[:limit]
    results: dict[str, object] = {"pages": len(ids)}
    with tempfile.TemporaryDirectory() as tmp:
        # A waiting line as long as the run, so "all at once" measures throughput rather
        # than the (by design) "busy" answers past 50 waiting articles.
        settings = Settings(
            data_dir=Path(tmp), allow_loopback=True, ingest_queue_size=max(50, len(ids))
        )
        # the bot's default: one CPU worker process per core, up to NEWSBOT_INGEST_WORKERS
        results["workers"] = workers = workers or local_worker_count(settings)
        async with ArticleServer(folder) as server:
            started = time.perf_counter()
            pipeline = Pipeline(settings, workers=workers)
            await pipeline.start()
            results["worker_start_s"] = time.perf_counter() - started
            try:
                # The bare work sees the page at the URL the pipeline fetches it from
                # (htmldate reads dates from URLs: the same input for both sides).
                pages = [
                    (
                        server.url(f"/saved/{i}"),
                        gzip.decompress((folder / f"{i}.html.gz").read_bytes()).decode(
                            "utf-8", "replace"
                        ),
                    )
                    for i in ids
                ]
                # The bare work runs in the pipeline's own (warm) worker process.
                await pipeline.run_in_worker(bare_pass, pages[:3])  # warm-up
                errors: list[str] = []
                results["errors"] = errors
                steps: list[dict[str, float]] = []

                async def one(page_id: str) -> float:
                    t0 = time.perf_counter()
                    try:
                        done = await pipeline.ingest(server.url(f"/saved/{page_id}"), "bench")
                        steps.append(done.timings)
                    except IngestError as exc:
                        errors.append(f"{page_id[:12]}: {exc.message}")
                    return time.perf_counter() - t0

                # One at a time, each page's bare work and its pipeline run back to back
                # (in alternating order), so that the load of a shared machine drifting
                # over the run does not land on one side only.
                pipeline.store = store = await TinyArticles.open(Path(tmp) / "seq")
                bare: list[float] = []
                seq: list[float] = []
                with LoopLag() as lag_seq:
                    for n, (page_id, page) in enumerate(zip(ids, pages, strict=True)):
                        if n % 2:
                            seq.append(await one(page_id))
                        bare.extend(await pipeline.pool.run(600, bare_pass, [page]))
                        if not n % 2:
                            seq.append(await one(page_id))
                await store.close()
                seq_steps = list(steps)

                # All at once: the bounded queue, fetches overlapping the worker.
                pipeline.store = store = await TinyArticles.open(Path(tmp) / "conc")
                with LoopLag() as lag_conc:
                    t0 = time.perf_counter()
                    conc = await asyncio.gather(*(one(i) for i in ids))
                    conc_wall = time.perf_counter() - t0
                stored = (await store.stats()).articles
                await store.close()

                worker_peak = await pipeline.run_in_worker(worker.peak_memory)
            finally:
                await pipeline.close()
    lags = lag_seq.samples + lag_conc.samples

    def mean_ms(key: str) -> float:
        return 1000 * sum(t.get(key, 0.0) for t in seq_steps) / max(1, len(seq_steps))

    results.update(
        {
            "step_fetch_ms": mean_ms("fetch"),
            "step_work_ms": mean_ms("work"),
            "step_ipc_ms": mean_ms("worker") - mean_ms("work"),
            "step_store_ms": mean_ms("store"),
            "stored": stored,
            "bare_p50_ms": 1000 * percentile(bare, 0.5),
            "bare_p90_ms": 1000 * percentile(bare, 0.9),
            "bare_articles_per_s": len(bare) / sum(bare),
            "seq_p50_ms": 1000 * percentile(seq, 0.5),
            "seq_p90_ms": 1000 * percentile(seq, 0.9),
            "seq_articles_per_s": len(seq) / sum(seq),
            "overhead_total_pct": 100 * (sum(seq) / sum(bare) - 1),
            "overhead_p50_pct": 100 * (percentile(seq, 0.5) / percentile(bare, 0.5) - 1),
            "concurrent_p50_ms": 1000 * percentile(conc, 0.5),
            "concurrent_p90_ms": 1000 * percentile(conc, 0.9),
            "concurrent_articles_per_s": len(conc) / conc_wall,
            "loop_lag_p99_ms": 1000 * percentile(lags, 0.99),
            "loop_lag_max_ms": 1000 * max(lags, default=0.0),
            "loop_lag_samples": len(lags),
            "main_peak_rss_mb": _peak_rss() / 2**20,
            "worker_peak_rss_mb": worker_peak / 2**20,
        }
    )
    return results


def _peak_rss() -> int:
    from bot.news.understanding.worker import peak_memory

    return peak_memory()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=None, help="only the first N dev pages")
    parser.add_argument(
        "--workers", type=int, default=None, help="CPU worker processes (default: the bot's)"
    )
    args = parser.parse_args(argv)
    if not (args.data / "extraction" / "dev").is_dir():
        print(f"no dev pages under {args.data}", file=sys.stderr)
        return 1
    r = asyncio.run(run(args.data, args.limit, args.workers))
    rows = [
        ("pages / stored", f"{r['pages']} / {r['stored']}"),
        ("CPU worker processes", f"{r['workers']}"),
        ("worker start (model load)", f"{r['worker_start_s']:.2f} s"),
        ("bare trafilatura+spaCy p50 / p90", f"{r['bare_p50_ms']:.0f} / {r['bare_p90_ms']:.0f} ms"),
        ("bare articles/s", f"{r['bare_articles_per_s']:.1f}"),
        ("pipeline one at a time p50 / p90", f"{r['seq_p50_ms']:.0f} / {r['seq_p90_ms']:.0f} ms"),
        ("pipeline one at a time articles/s", f"{r['seq_articles_per_s']:.1f}"),
        (
            "overhead (total time, p50)",
            f"{r['overhead_total_pct']:+.1f}% , {r['overhead_p50_pct']:+.1f}%",
        ),
        (
            "one at a time, mean per step",
            f"fetch {r['step_fetch_ms']:.1f}, worker round trip +{r['step_ipc_ms']:.1f}, "
            f"work {r['step_work_ms']:.0f}, store {r['step_store_ms']:.1f} ms",
        ),
        (
            "pipeline all at once p50 / p90",
            f"{r['concurrent_p50_ms']:.0f} / {r['concurrent_p90_ms']:.0f} ms",
        ),
        ("pipeline all at once articles/s", f"{r['concurrent_articles_per_s']:.1f}"),
        ("event-loop lag p99 / max", f"{r['loop_lag_p99_ms']:.1f} / {r['loop_lag_max_ms']:.1f} ms"),
        (
            "peak RSS main / worker",
            f"{r['main_peak_rss_mb']:.0f} / {r['worker_peak_rss_mb']:.0f} MB",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for error in r.get("errors", []):  # type: ignore[union-attr]
        print(f"  error: {error}")
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
