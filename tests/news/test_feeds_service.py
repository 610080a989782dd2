"""FeedService against a real loopback feed server, a real state file and a controlled clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from bot.news.clock import Clock
from bot.news.feeds import FeedError
from bot.news.store import SchemaTooNew
from bot.news.store.tinydb.feeds import FEEDS_FILE_VERSION
from tests.news.test_feeds_support import (  # noqa: F401 - fixtures used by name
    FeedServer,
    Ingest,
    Item,
    PermanentError,
    TransientError,
    atom,
    clock_fixture,
    feed_server_fixture,
    fetch_fixture,
    html_page,
    ingest_fixture,
    items,
    make_service_fixture,
    rss,
    settings_fixture,
)

G = "111"


async def test_add_rss_then_first_poll_takes_only_the_newest_n(
    feed_server: FeedServer, make_service, ingest: Ingest
) -> None:
    url = feed_server.set("/rss.xml", rss(items(8)))
    service = make_service(first_poll_items=3)
    info = await service.add(G, url, added_by="42")
    assert (info.url, info.title, info.interval_minutes) == (url, "Loopback News", 15.0)
    assert (await service.list(G)) == [info]
    assert ingest.calls == []  # add only checks and stores; the poller ingests

    assert await service.poll_due() == 1
    # the newest three, oldest of them first so announcements read in order
    assert ingest.links() == [feed_server.url(f"/news/{i}") for i in (6, 7, 8)]
    assert {guild for _, guild in ingest.calls} == {G}
    [info] = await service.list(G)
    assert info.items_ingested == 3
    assert info.last_success is not None and info.last_error is None


async def test_atom_feed(feed_server: FeedServer, make_service, ingest: Ingest) -> None:
    url = feed_server.set("/atom.xml", atom(items(2)), content_type="application/atom+xml")
    service = make_service()
    info = await service.add(G, url)
    assert info.title == "Loopback Atom"
    await service.poll_due()
    assert ingest.links() == [feed_server.url("/news/1"), feed_server.url("/news/2")]


async def test_relative_links_are_ingested_as_absolute_urls(
    feed_server: FeedServer, make_service, ingest: Ingest
) -> None:
    doc = rss([Item("r1", "/abs/1", "One"), Item("r2", "rel/2", "Two")])
    url = feed_server.set("/feeds/rel.xml", doc)
    service = make_service()
    await service.add(G, url)
    await service.poll_due()
    assert sorted(ingest.links()) == [
        feed_server.url("/abs/1"),
        feed_server.url("/feeds/rel/2"),
    ]


async def test_malformed_but_recoverable_feed_is_followed(
    feed_server: FeedServer, make_service, ingest: Ingest
) -> None:
    doc = rss(items(2)).replace(b"<title>Story 1</title>", b"<title>Story 1 <i>& broken</title>")
    url = feed_server.set("/broken.xml", doc, content_type="text/xml")
    service = make_service()
    await service.add(G, url)
    await service.poll_due()
    assert len(ingest.calls) == 2


async def test_a_page_that_is_not_a_feed_is_rejected_clearly(
    feed_server: FeedServer, make_service
) -> None:
    page = feed_server.set("/about", html_page([]), content_type="text/html")
    text = feed_server.set("/notes.txt", b"hello there", content_type="text/plain")
    missing = feed_server.url("/nothing-here")
    service = make_service()
    with pytest.raises(FeedError) as caught:
        await service.add(G, page)
    assert caught.value.message == (
        f"{page} is a web page, not a feed, and it links no feed; give the feed's own address."
    )
    with pytest.raises(FeedError, match=r"is not an RSS, Atom or JSON feed \(it is text/plain\)"):
        await service.add(G, text)
    with pytest.raises(FeedError, match=r"Could not read .*: the site answered 404"):
        await service.add(G, missing)
    with pytest.raises(FeedError, match="not an http or https address"):
        await service.add(G, "ftp://example.org/feed")
    assert (await service.list(G)) == []


async def test_discovery_from_an_html_home_page(
    feed_server: FeedServer, make_service, ingest: Ingest
) -> None:
    feed = feed_server.set("/feeds/all.rss", rss(items(2)))
    home = feed_server.set(
        "/",
        html_page([("application/rss+xml", "feeds/all.rss")]),
        content_type="text/html",
    )
    service = make_service()
    info = await service.add(G, home)
    assert info.url == feed
    with pytest.raises(FeedError, match="already follows"):
        await service.add(G, home)  # the home page again is the same subscription
    await service.poll_due()
    assert len(ingest.calls) == 2
    assert await service.remove(G, home)  # by what the user typed
    assert (await service.list(G)) == []


async def test_second_poll_is_conditional_and_a_304_does_no_work(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock
) -> None:
    url = feed_server.set("/rss.xml", rss(items(3)))
    service = make_service()
    await service.add(G, url)
    await service.poll_due()
    assert len(ingest.calls) == 3
    assert await service.poll_due() == 0  # not due yet
    clock.advance(minutes=20)
    assert await service.poll_due() == 1
    last = feed_server.hits("/rss.xml")[-1]
    assert last.get("If-None-Match", "").startswith('"')
    assert last.get("If-Modified-Since") == "Fri, 15 Jan 2027 08:00:00 GMT"
    assert len(ingest.calls) == 3
    [info] = await service.list(G)
    assert info.last_success == clock.time() and info.last_error is None


async def test_rewritten_dates_do_not_duplicate_items(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock
) -> None:
    url = feed_server.set("/rss.xml", rss(items(4)), validators=False)
    service = make_service()
    await service.add(G, url)
    await service.poll_due()
    assert len(ingest.calls) == 4
    # every pubDate rewritten to "now", one genuinely new item on top
    rewritten = items(5, when=clock.time() + 86400)
    feed_server.set("/rss.xml", rss(rewritten), validators=False)
    clock.advance(minutes=20)
    await service.poll_due()
    assert ingest.links()[4:] == [feed_server.url("/news/5")]


async def test_a_timing_out_server_backs_off_and_others_are_polled(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock
) -> None:
    slow = feed_server.set("/slow.xml", rss(items(2, prefix="/slow/")))
    good = feed_server.set("/good.xml", rss(items(2, prefix="/good/")))
    service = make_service(poll_timeout=0.3)
    await service.add(G, slow)
    await service.add(G, good)
    feed_server.routes["/slow.xml"].delay = 3.0
    assert await service.poll_due() == 2
    assert sorted(ingest.links()) == [feed_server.url("/good/1"), feed_server.url("/good/2")]
    infos = {i.url: i for i in (await service.list(G))}
    assert infos[slow].consecutive_failures == 1
    assert "no answer within 0.3 s" in (infos[slow].last_error or "")
    assert infos[slow].next_poll_at > clock.time() + 15 * 60 * 1.5  # backed off past the interval
    assert infos[good].consecutive_failures == 0


async def test_restart_in_the_middle_of_a_poll_neither_duplicates_nor_misses(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock, fetch, settings
) -> None:
    url = feed_server.set("/rss.xml", rss(items(3)))
    first = make_service(first_poll_items=3, max_items_per_poll=10)
    await first.add(G, url)
    await first.poll_due()
    assert len(ingest.calls) == 3
    # six new items; the process "dies" while ingesting the third of them
    feed_server.set("/rss.xml", rss(items(9)))
    clock.advance(minutes=20)
    ingest.block_at = len(ingest.attempts) + 3
    poll = asyncio.create_task(first.poll_due())
    await asyncio.wait_for(ingest.blocked.wait(), 5)
    poll.cancel()
    before = ingest.links()
    assert len(before) == 5

    after = Ingest()
    second = make_service(ingest=after)  # same data dir, new process
    clock.advance(minutes=20)
    await second.poll_due()
    assert set(before).isdisjoint(after.links())
    assert sorted(before + after.links()) == sorted(
        feed_server.url(f"/news/{i}") for i in range(1, 10)
    )
    # and once more: nothing old comes back after the restart
    clock.advance(minutes=20)
    await second.poll_due()
    assert len(after.calls) == 4


async def test_a_restart_never_reingests_old_items(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock
) -> None:
    url = feed_server.set("/rss.xml", rss(items(3)), validators=False)
    await make_service().add(G, url)
    await make_service().poll_due()  # a fresh service each time: state is only on disk
    assert len(ingest.calls) == 3
    clock.advance(minutes=20)
    feed_server.set("/rss.xml", rss(items(3, when=clock.time())), validators=False)
    restarted = make_service()
    assert await restarted.poll_due() == 1
    assert len(ingest.calls) == 3
    [info] = await restarted.list(G)
    assert info.items_ingested == 3


async def test_pause_after_failing_for_days_then_resume(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock
) -> None:
    url = feed_server.set("/rss.xml", rss(items(1)))
    service = make_service()
    await service.add(G, url)
    feed_server.routes["/rss.xml"].status = 503
    started = clock.time()
    polls = 0
    gaps = []
    while not (await service.list(G))[0].paused and polls < 60:
        gaps.append((await service.list(G))[0].next_poll_at - clock.time())
        due = datetime.fromtimestamp((await service.list(G))[0].next_poll_at, UTC)
        clock.set(due + timedelta(seconds=1))  # the poll loop wakes up just after
        assert await service.poll_due() == 1
        polls += 1
    # exponential backoff, capped at 6 h (+10 % jitter)
    assert gaps[2] > 1.5 * gaps[1] > 0
    assert max(gaps) <= 6 * 3600 * 1.1 and max(gaps) >= 6 * 3600 * 0.9
    [info] = await service.list(G)
    assert info.paused
    assert clock.time() - started >= 3 * 86400  # not before three days of failure
    assert polls > 5
    assert info.paused_reason is not None
    assert "failing since" in info.paused_reason and "503" in info.paused_reason
    clock.advance(minutes=24 * 60)
    assert await service.poll_due() == 0  # paused feeds are not polled

    feed_server.routes["/rss.xml"].status = 200
    resumed = await service.add(G, url)  # adding again resumes
    assert not resumed.paused and resumed.paused_reason is None
    assert await service.poll_due() == 1
    assert len(ingest.calls) == 1


async def test_a_gone_feed_is_paused_at_once(
    feed_server: FeedServer, make_service, clock: Clock
) -> None:
    url = feed_server.set("/rss.xml", rss(items(1)))
    service = make_service()
    await service.add(G, url)
    feed_server.routes["/rss.xml"].status = 410
    await service.poll_due()
    [info] = await service.list(G)
    assert info.paused and "HTTP 410" in (info.paused_reason or "")


async def test_feed_limit_per_guild_and_duplicates(feed_server: FeedServer, make_service) -> None:
    urls = [feed_server.set(f"/f{i}.xml", rss(items(1))) for i in range(3)]
    service = make_service(max_feeds_per_guild=2)
    await service.add(G, urls[0])
    with pytest.raises(FeedError, match=r"already follows http://127\.0\.0\.1:\d+/f0\.xml"):
        await service.add(G, urls[0].upper().replace("/F0.XML", "/f0.xml"))
    await service.add(G, urls[1])
    with pytest.raises(FeedError) as caught:
        await service.add(G, urls[2])
    assert caught.value.message == (
        "This server already follows 2 feeds, the limit; remove one first."
    )
    await service.add("222", urls[2])  # another server has its own limit
    assert [i.url for i in (await service.list(G))] == urls[:2]
    assert await service.remove(G, urls[0])
    assert not await service.remove(G, urls[0])
    await service.add(G, urls[2])


async def test_transient_ingest_failures_retry_bounded_permanent_ones_do_not(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock
) -> None:
    url = feed_server.set("/rss.xml", rss(items(3)))
    ingest.fail[feed_server.url("/news/1")] = TransientError("pipeline busy")
    ingest.fail[feed_server.url("/news/2")] = PermanentError("not an article")
    service = make_service()
    await service.add(G, url)
    for _ in range(5):
        await service.poll_due()
        clock.advance(minutes=20)
    tries = {link: ingest.attempts.count(link) for link in set(ingest.attempts)}
    assert tries[feed_server.url("/news/1")] == 3  # retried, then given up
    assert tries[feed_server.url("/news/2")] == 1
    assert tries[feed_server.url("/news/3")] == 1
    assert ingest.links() == [feed_server.url("/news/3")]
    # while an item was pending the feed was fetched in full (no validators sent); once
    # everything was handled, polls became conditional
    conditional = ["If-None-Match" in h for h in feed_server.hits("/rss.xml")]
    assert conditional == [False, False, False, False, True, True]


async def test_items_beyond_the_per_poll_limit_come_next_poll(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock
) -> None:
    url = feed_server.set("/rss.xml", rss(items(1)))
    service = make_service(max_items_per_poll=3)
    await service.add(G, url)
    await service.poll_due()
    feed_server.set("/rss.xml", rss(items(6)))
    clock.advance(minutes=20)
    await service.poll_due()
    assert ingest.links()[1:] == [feed_server.url(f"/news/{i}") for i in (2, 3, 4)]
    clock.advance(minutes=20)
    await service.poll_due()  # not a 304: the validators were held back
    assert ingest.links()[4:] == [feed_server.url(f"/news/{i}") for i in (5, 6)]


async def test_state_file_has_a_schema_version_and_survives_reopening(
    feed_server: FeedServer, make_service, settings
) -> None:
    url = feed_server.set("/rss.xml", rss(items(2)))
    service = make_service()
    await service.add(G, url, added_by="42")
    await service.poll_due()
    doc = orjson.loads((settings.data_dir / "feeds.json").read_bytes())
    assert doc["meta"]["1"]["schema_version"] == FEEDS_FILE_VERSION
    [record] = doc["feeds"].values()
    assert record["guild_id"] == G and record["added_by"] == "42"
    assert record["seen"] == ["id-1", "id-2"]
    assert (await make_service().list(G)) == (await service.list(G))


async def test_start_runs_the_poller_by_itself(
    feed_server: FeedServer, make_service, settings, fetch
) -> None:
    url = feed_server.set("/rss.xml", rss(items(2)))
    got = asyncio.Event()
    links: list[str] = []

    async def record(link: str, guild_id: str) -> None:
        links.append(link)
        if len(links) == 2:
            got.set()

    service = make_service(ingest=record, clock=Clock())
    await service.start()
    await service.add(G, url)
    await asyncio.wait_for(got.wait(), 5)
    await service.close()
    assert len(links) == 2


async def test_concurrent_fetches_are_bounded(
    feed_server: FeedServer, make_service, ingest: Ingest
) -> None:
    urls = [feed_server.set(f"/c{i}.xml", rss(items(1, prefix=f"/c{i}/"))) for i in range(4)]
    service = make_service(max_concurrent_fetches=2)
    for url in urls:
        await service.add(G, url)
    for i in range(4):
        feed_server.routes[f"/c{i}.xml"].delay = 0.1
    assert await service.poll_due() == 4
    assert feed_server.max_in_flight == 2
    assert len(ingest.calls) == 4


async def test_a_feed_turned_into_garbage_fails_alone(
    feed_server: FeedServer, make_service, ingest: Ingest, clock: Clock
) -> None:
    bad = feed_server.set("/bad.xml", rss(items(1, prefix="/bad/")))
    good = feed_server.set("/good.xml", rss(items(1, prefix="/good/")))
    service = make_service()
    await service.add(G, bad)
    await service.add(G, good)
    feed_server.set("/bad.xml", b"<html><body>We moved!</body></html>", content_type="text/html")
    await service.poll_due()
    infos = {i.url: i for i in (await service.list(G))}
    assert infos[bad].last_error == f"{bad} is not an RSS, Atom or JSON feed."
    assert infos[bad].consecutive_failures == 1
    assert ingest.links() == [feed_server.url("/good/1")]


async def test_other_content_types_are_refused_in_words_about_feeds(
    feed_server: FeedServer, make_service
) -> None:
    url = feed_server.set("/feed.json", b'{"items": []}', content_type="application/json")
    with pytest.raises(FeedError) as caught:
        await make_service().add(G, url)
    assert caught.value.message == (
        f"{url} is not an RSS, Atom or JSON feed (it is application/json)."
    )


async def test_removing_a_feed_mid_poll_stops_it_and_does_not_bring_it_back(
    feed_server: FeedServer, make_service, ingest: Ingest, settings
) -> None:
    url = feed_server.set("/rss.xml", rss(items(5)))
    service = make_service()
    await service.add(G, url)
    ingest.block_at = 2
    poll = asyncio.create_task(service.poll_due())
    await asyncio.wait_for(ingest.blocked.wait(), 5)
    assert await service.remove(G, url)
    await asyncio.wait_for(poll, 5)
    assert (await service.list(G)) == []
    assert (await make_service().list(G)) == []  # nor on disk
    assert len(ingest.attempts) == 2


async def test_concurrent_adds_cannot_exceed_the_limit(
    feed_server: FeedServer, make_service
) -> None:
    urls = [feed_server.set(f"/f{i}.xml", rss(items(1))) for i in range(3)]
    service = make_service(max_feeds_per_guild=2)
    await service.add(G, urls[0])
    results = await asyncio.gather(
        service.add(G, urls[1]), service.add(G, urls[2]), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, FeedError)]
    assert len(errors) == 1 and "the limit" in errors[0].message
    assert len(await service.list(G)) == 2


async def test_a_corrupt_state_file_is_set_aside_not_lost(make_service, settings) -> None:
    path = settings.data_dir / "feeds.json"
    path.write_bytes(b'{"feeds": {"1": {"guild_id": "1", "url": ')
    service = make_service()
    assert (await service.list("1")) == []
    kept = [p for p in settings.data_dir.iterdir() if p.name.startswith("feeds.json.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b'{"feeds"')


async def test_a_newer_state_schema_is_refused_clearly(make_service, settings) -> None:
    path = settings.data_dir / "feeds.json"
    path.write_bytes(orjson.dumps({"meta": {"1": {"schema_version": FEEDS_FILE_VERSION + 1}}}))
    with pytest.raises(SchemaTooNew, match="upgrade newsbot"):
        make_service()
