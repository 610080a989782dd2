"""The pipeline end to end: a loopback article server, the worker process, a real store."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.news.store.tinydb.articles import TinyArticles
from bot.news.understanding import worker
from bot.news.understanding.pipeline import IngestError, Pipeline, PipelineBusy, WorkerPool
from bot.sandbox.web import ArticleServer, html_page
from tests.conftest import EXAMPLE_ARTICLE, PAGES, TEST_DATA

pytestmark = pytest.mark.asyncio(loop_scope="module")

LONG_TEXT = [
    "The harbour authority of Valparaíso said on Monday that the new container terminal "
    "would open in March, two years later than planned, after a dispute over dredging.",
    "Officials blamed the delay on the contractor, which in turn pointed to storms that "
    "damaged the breakwater twice during the winter and flooded the site for weeks.",
    "Shipping companies have already moved some of their routes to San Antonio, further "
    "south, and local businesses fear that the traffic will not come back soon.",
]


def crash_once(marker: str) -> str:
    """Kills the worker the first time (while the marker file exists), then answers."""
    if os.path.exists(marker):
        os.remove(marker)
        os._exit(7)
    return "survived"


def settings_for(tmp: Path, **changes: object) -> Settings:
    base: dict[str, object] = {
        "allow_loopback": True,
        "data_dir": tmp,
        "fetch_timeout": 5.0,
        "fetch_max_bytes": 3 * 1024 * 1024,
    }
    base.update(changes)
    return Settings(**base)  # type: ignore[arg-type]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pool() -> AsyncIterator[WorkerPool]:
    shared = WorkerPool(1)
    await shared.start()
    yield shared
    await shared.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ArticleServer]:
    async with ArticleServer(PAGES, example=EXAMPLE_ARTICLE) as srv:
        srv.pages["short"] = ("text/html", html_page("Menu", ["Home", "About us", "Contact"]))
        srv.pages["valparaiso"] = (
            "text/html",
            html_page("Port delayed - Coast News", LONG_TEXT, "Port delayed"),
        )
        yield srv


@pytest_asyncio.fixture(loop_scope="module")
async def store(tmp_path: Path) -> AsyncIterator[TinyArticles]:
    s = await TinyArticles.open(tmp_path / "store")
    yield s
    await s.close()


@pytest_asyncio.fixture(loop_scope="module")
async def pipeline(
    tmp_path: Path, pool: WorkerPool, store: TinyArticles
) -> AsyncIterator[Pipeline]:
    p = Pipeline(settings_for(tmp_path), store=store, pool=pool, allow_local_files=True)
    await p.start()
    yield p
    await p.close()


async def test_analyze_a_news_page(pipeline: Pipeline, server: ArticleServer) -> None:
    article = await pipeline.analyze(server.url("/saved/ferry-resumes"))
    assert article.title == "Lake Tana ferry returns after two years"
    assert "sailed again on Friday" in article.text
    assert article.published == "2026-03-14"
    assert article.fingerprint and len(article.fingerprint) == 16
    # The page declares gazette.example as its canonical: another site than the one it
    # came from, so it cannot claim it; the canonical URL is where it was fetched.
    assert article.canonical_url == server.url("/saved/ferry-resumes")
    assert "ET" in [c.code for c in article.countries]
    persons = [p.name for p in article.persons]
    assert "Selam Bekele" in persons
    assert "Amara Tesfaye" not in persons  # a byline is not news about a person


async def test_analyze_a_page_in_german(pipeline: Pipeline, server: ArticleServer) -> None:
    article = await pipeline.analyze(server.url("/saved/hochwasser-oder"))
    assert article.language == "de"
    assert article.title == "Hochwasser an der Oder: Die Pegel sinken langsam"
    assert article.published == "2026-09-21"
    assert "Krisenstab" in article.text


async def test_analyze_the_example_over_http(pipeline: Pipeline, server: ArticleServer) -> None:
    article = await pipeline.analyze(server.url("/article.txt"))
    assert article.published == "2025-06-09"
    assert article.title.startswith("The Ecuadorian National Assembly")
    assert not article.text.startswith("date")
    # The NLP ran in the worker too.
    assert "EC" in [c.code for c in article.countries]
    assert "Daniel Noboa" in [p.name for p in article.persons]
    assert article.summary


async def test_analyze_local_files(pipeline: Pipeline) -> None:
    text = await pipeline.analyze(str(EXAMPLE_ARTICLE))
    assert text.published == "2025-06-09"
    assert text.canonical_url.startswith("file://")
    page = PAGES / "ferry-resumes.html"
    html = await pipeline.analyze(str(page))
    assert html.canonical_url.startswith("https://")  # a saved page's own canonical
    with pytest.raises(IngestError) as info:
        await pipeline.analyze(str(TEST_DATA / "no-such-file.txt"))
    assert info.value.kind == "not_found"
    with pytest.raises(IngestError) as info:
        await pipeline.analyze(str(TEST_DATA / "README.md"))
    assert info.value.kind == "bad_file"


async def test_local_files_only_when_allowed(
    tmp_path: Path, pool: WorkerPool, store: TinyArticles
) -> None:
    p = Pipeline(settings_for(tmp_path), store=store, pool=pool)  # as the Discord side has it
    await p.start()
    try:
        for source in (str(EXAMPLE_ARTICLE), "example.com/news", "file:///etc/passwd"):
            with pytest.raises(IngestError) as info:
                await p.ingest(source, "g1")
            assert info.value.kind == "bad_url"
    finally:
        await p.close()
    assert (await store.stats()).articles == 0


async def test_title_tail_is_stripped(pipeline: Pipeline, server: ArticleServer) -> None:
    article = await pipeline.analyze(server.url("/page/valparaiso"))
    assert article.title == "Port delayed"


HOSTILE = [
    ("/endless", "too_large"),
    ("/huge-length", "too_large"),
    ("/loop", "http_error"),
    ("/png", "not_html"),
    ("/pdf", "not_html"),
    ("/empty", "empty"),
    ("/status/404", "http_error"),
    ("/status/500", "http_error"),
    ("/page/short", "not_article"),
]


@pytest.mark.parametrize(("path", "kind"), HOSTILE)
async def test_hostile_pages_store_nothing(
    pipeline: Pipeline, server: ArticleServer, store: TinyArticles, path: str, kind: str
) -> None:
    with pytest.raises(IngestError) as info:
        await pipeline.ingest(server.url(path), "g1")
    assert info.value.kind == kind
    assert info.value.message
    assert (await store.stats()).articles == 0


async def test_slow_drip_and_blocked_redirect(
    tmp_path: Path, pool: WorkerPool, server: ArticleServer, store: TinyArticles
) -> None:
    p = Pipeline(settings_for(tmp_path, fetch_timeout=0.5), store=store, pool=pool)
    await p.start()
    try:
        with pytest.raises(IngestError) as info:
            await p.ingest(server.url("/drip"), "g1")
        assert info.value.kind == "timeout"
    finally:
        await p.close()
    closed = Pipeline(settings_for(tmp_path, allow_loopback=False), store=store, pool=pool)
    await closed.start()
    try:
        with pytest.raises(IngestError) as info:
            await closed.ingest(server.url("/page/valparaiso"), "g1")
        assert info.value.kind == "blocked"
        with pytest.raises(IngestError) as info:
            await closed.ingest("http://169.254.169.254/latest/meta-data/", "g1")
        assert info.value.kind == "blocked"
    finally:
        await closed.close()
    assert (await store.stats()).articles == 0


async def test_same_article_at_two_urls_is_stored_once(
    pipeline: Pipeline, server: ArticleServer, store: TinyArticles
) -> None:
    page_id = "cycle-lanes-with-comments"
    first = await pipeline.ingest(server.url(f"/saved/{page_id}"), "g1")
    assert first.created
    copy = await pipeline.ingest(server.url(f"/saved-copy/{page_id}"), "g1")
    assert not copy.created
    assert copy.duplicate_by == "fingerprint"
    assert copy.article.id == first.article.id
    # Known by its URL (tracking parameters and all): not fetched again, linked to g2.
    fetched = server.requests.count(f"/saved/{page_id}")
    again = await pipeline.ingest(f"<{server.url(f'/saved/{page_id}?utm_source=x#top')}>", "g2")
    assert again.duplicate_of_url and not again.created
    assert server.requests.count(f"/saved/{page_id}") == fetched
    assert (await store.stats()).articles == 1
    assert set((await store.get(first.article.id)).guilds) == {"g1", "g2"}  # type: ignore[union-attr]


async def test_busy_when_the_queue_is_full(
    tmp_path: Path, pool: WorkerPool, server: ArticleServer
) -> None:
    settings = settings_for(tmp_path, max_concurrent_ingests=1, ingest_queue_size=1)
    server.gate.clear()
    p = Pipeline(settings, pool=pool)
    await p.start()
    try:
        running = asyncio.create_task(p.analyze(server.url("/gated/valparaiso")))
        while not any(r.startswith("/gated/") for r in server.requests):
            await asyncio.sleep(0.01)
        waiting = asyncio.create_task(p.analyze(server.url("/page/valparaiso")))
        while p.waiting < 1:
            await asyncio.sleep(0.01)
        with pytest.raises(PipelineBusy) as info:
            await p.analyze(server.url("/page/valparaiso"))
        assert info.value.kind == "busy"
        server.gate.set()
        results = await asyncio.gather(running, waiting)
        assert [a.title for a in results] == ["Port delayed", "Port delayed"]
    finally:
        server.gate.set()
        await p.close()


async def test_worker_crash_is_survived(tmp_path: Path) -> None:
    bare = WorkerPool(1, initializer=None)  # no model: starts fast
    p = Pipeline(settings_for(tmp_path), pool=bare)
    await p.start()
    try:
        first_pid = await p.run_in_worker(worker.ping)
        marker = tmp_path / "crash-once"
        marker.touch()
        assert await p.run_in_worker(crash_once, str(marker)) == "survived"  # retried once
        with pytest.raises(IngestError) as info:
            await p.run_in_worker(os._exit, 9)  # crashes on the retry too
        assert info.value.kind == "crashed"
        assert await p.run_in_worker(worker.ping) not in (first_pid, None)
        assert bare.restarts == 3  # one crash, then two
    finally:
        await p.close()
        await bare.close()


async def test_a_hanging_article_is_stopped(tmp_path: Path) -> None:
    bare = WorkerPool(1, initializer=None)
    p = Pipeline(settings_for(tmp_path, extract_timeout=0.5), pool=bare)
    await p.start()
    try:
        pid = await p.run_in_worker(worker.ping)
        with pytest.raises(IngestError) as info:
            await p.run_in_worker(time.sleep, 60)
        assert info.value.kind == "timeout"
        assert await p.run_in_worker(worker.ping) != pid
    finally:
        await p.close()
        await bare.close()


async def test_a_cancelled_call_does_not_eat_the_next_ones_time(tmp_path: Path) -> None:
    """A caller gives up while its article is still being read: the worker stays busy
    with it, so the next call waits for the worker to be free (here: killed at the time
    limit) instead of having its own time limit run out behind the leftover."""
    bare = WorkerPool(1, initializer=None)
    p = Pipeline(settings_for(tmp_path, extract_timeout=1.0), pool=bare)
    await p.start()
    try:
        abandoned = asyncio.create_task(p.run_in_worker(time.sleep, 30))
        await asyncio.sleep(0.2)
        abandoned.cancel()
        with pytest.raises(asyncio.CancelledError):
            await abandoned
        assert isinstance(await p.run_in_worker(worker.ping), int)
        assert bare.restarts == 1  # the leftover was stopped at its limit
    finally:
        await p.close()
        await bare.close()
