"""Contract: guild settings, feed records and digest claims on every backend."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.news.feeds.state import FeedRecord, GuildFull
from bot.news.guild_settings import DigestRecord, GuildSettings, GuildSettingsError
from bot.news.store import GuildDigests, Store
from tests.store.conftest import StoreTarget

# ---------------------------------------------------------------- guild settings


async def test_a_new_server_has_the_defaults(store: Store) -> None:
    assert await store.guilds.get("123") == GuildSettings(guild_id="123")
    assert await store.guilds.all() == []


async def test_update_validates_and_persists(store_target: StoreTarget) -> None:
    store = await store_target.open()
    saved = await store.guilds.update(42, channel_id=7, digest_time="7pm", zone="europe/berlin")
    assert (saved.guild_id, saved.channel_id, saved.digest_time, saved.zone) == (
        "42",
        7,
        "19:00",
        "Europe/Berlin",
    )
    assert saved.schedule_since > 0
    with pytest.raises(GuildSettingsError):
        await store.guilds.update("42", zone="Mars/Olympus")
    with pytest.raises(TypeError):
        await store.guilds.update("42", follows=())
    await store.close()
    again = await store_target.open()
    try:
        assert await again.guilds.get("42") == saved
        assert [g.guild_id for g in await again.guilds.all()] == ["42"]
    finally:
        await again.close()


async def test_follow_and_unfollow(store: Store) -> None:
    assert await store.guilds.follow("1", "country", "ec", "Ecuador")
    assert not await store.guilds.follow("1", "country", "EC")
    assert await store.guilds.follow("1", "person", "Andrés Castillo")
    follows = (await store.guilds.get("1")).follows
    assert [(f.kind, f.key, f.display) for f in follows] == [
        ("country", "EC", "Ecuador"),
        ("person", "andres castillo", "Andrés Castillo"),
    ]
    assert await store.guilds.unfollow("1", "person", "ANDRES castillo")
    assert not await store.guilds.unfollow("1", "person", "Andrés Castillo")
    assert len((await store.guilds.get("1")).follows) == 1


async def test_transact_many_changes_several_servers(store: Store) -> None:
    def enable(cur: GuildSettings) -> GuildSettings | None:
        return replace(cur, enabled=True, channel_id=5)

    def leave(cur: GuildSettings) -> GuildSettings | None:
        return None

    result = await store.guilds.transact_many({"1": enable, "2": enable, "3": leave})
    assert result["1"].enabled and result["2"].enabled and not result["3"].enabled
    assert result["1"].updated_at > 0
    assert sorted(g.guild_id for g in await store.guilds.all()) == ["1", "2"]


async def test_concurrent_follows_are_all_kept(store: Store) -> None:
    codes = ["EC", "US", "FR", "DE", "JP", "BR", "IN", "ZA"]
    await asyncio.gather(*(store.guilds.follow("1", "country", c) for c in codes))
    assert sorted(f.key for f in (await store.guilds.get("1")).follows) == sorted(codes)


# ---------------------------------------------------------------- feeds


def feed(guild: str, n: int, **changes: object) -> FeedRecord:
    record = FeedRecord(
        guild_id=guild,
        url=f"https://feeds.example/{n}.xml",
        title=f"Feed {n}",
        interval_minutes=15.0,
        added_at=1_780_000_000.0 + n,
    )
    for key, value in changes.items():
        setattr(record, key, value)
    return record


async def test_feed_records_round_trip(store_target: StoreTarget) -> None:
    store = await store_target.open()
    await store.feeds.add(feed("g1", 1))
    await store.feeds.add(feed("g1", 2))
    await store.feeds.add(feed("g2", 1))
    with pytest.raises(KeyError):
        await store.feeds.add(feed("g1", 1))
    record = await store.feeds.get("g1", feed("g1", 1).url)
    assert record == feed("g1", 1)
    record.etag = '"abc"'
    record.seen = ["item-1", "item-2"]
    record.retries = {"item-3": 2}
    record.failures = 1
    assert await store.feeds.save(record)
    await store.close()
    again = await store_target.open()
    try:
        assert await again.feeds.get("g1", record.url) == record
        assert sorted(r.url for r in await again.feeds.for_guild("g1")) == [
            feed("g1", 1).url,
            feed("g1", 2).url,
        ]
        assert len(await again.feeds.all()) == 3
        assert await again.feeds.get("g3", record.url) is None
    finally:
        await again.close()


async def test_records_handed_out_are_copies(store: Store) -> None:
    await store.feeds.add(feed("g1", 1))
    record = await store.feeds.get("g1", feed("g1", 1).url)
    record.seen.append("changed-but-not-saved")
    assert (await store.feeds.get("g1", record.url)).seen == []


async def test_save_after_remove_writes_nothing(store: Store) -> None:
    await store.feeds.add(feed("g1", 1))
    record = await store.feeds.get("g1", feed("g1", 1).url)
    assert await store.feeds.remove("g1", record.url)
    assert not await store.feeds.remove("g1", record.url)
    record.etag = "x"
    assert not await store.feeds.save(record)
    assert await store.feeds.all() == []


async def test_the_per_guild_limit_holds_under_concurrency(store: Store) -> None:
    results = await asyncio.gather(
        *(store.feeds.add(feed("g1", n), max_per_guild=3) for n in range(8)),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 3
    assert all(isinstance(r, GuildFull) for r in results if r is not None)
    assert len(await store.feeds.for_guild("g1")) == 3


# ---------------------------------------------------------------- digest claims


def claim(day: str, token: str = "run-a", **changes: object) -> DigestRecord:
    return DigestRecord(
        local_date=day,
        state="claimed",
        token=token,
        claimed_at=1_780_000_000.0,
        since=1_779_900_000.0,
        until=1_780_000_000.0,
        channel_id=5,
        **changes,  # type: ignore[arg-type]
    )


async def test_a_day_is_claimed_once(store: Store) -> None:
    first = await store.claims.claim("g1", claim("2026-06-01"), max_attempts=3)
    assert first is not None and first.attempts == 1 and first.state == "claimed"
    assert await store.claims.claim("g1", claim("2026-06-01", "run-b"), max_attempts=3) is None
    assert await store.claims.claim("g1", claim("2026-05-31"), max_attempts=3) is None
    assert (await store.claims.get("g1")).latest == first
    other = await store.claims.claim("g2", claim("2026-06-01"), max_attempts=3)
    assert other is not None


async def test_twenty_concurrent_claims_one_winner(store: Store) -> None:
    results = await asyncio.gather(
        *(
            store.claims.claim("g1", claim("2026-06-01", f"run-{i}"), max_attempts=3)
            for i in range(20)
        )
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert (await store.claims.get("g1")).latest.token == winners[0].token


async def test_finish_needs_the_token_and_state(store: Store) -> None:
    held = await store.claims.claim("g1", claim("2026-06-01"), max_attempts=3)
    posted = replace(held, state="posted", finished_at=1_780_000_100.0, message_ids=(11, 12))
    assert not await store.claims.finish("g1", posted, token="run-b", states=("claimed",))
    assert not await store.claims.finish("g1", posted, token="run-a", states=("failed",))
    assert await store.claims.finish("g1", posted, token="run-a", states=("claimed",))
    digests = await store.claims.get("g1")
    assert digests == GuildDigests(latest=posted, last_posted=posted)
    assert not await store.claims.finish("g1", posted, token="run-a", states=("claimed",))
    wrong_day = replace(posted, local_date="2026-06-02")
    assert not await store.claims.finish("g1", wrong_day, token=None, states=("posted",))


async def test_a_failed_day_is_retried_up_to_the_limit(store: Store) -> None:
    held = await store.claims.claim("g1", claim("2026-06-01"), max_attempts=2)
    failed = replace(held, state="failed", reason="HTTP 500")
    assert await store.claims.finish("g1", failed, token="run-a", states=("claimed",))
    retry = await store.claims.claim("g1", claim("2026-06-01", "run-b"), max_attempts=2)
    assert retry is not None and retry.attempts == 2 and retry.token == "run-b"
    failed2 = replace(retry, state="failed", reason="HTTP 500")
    assert await store.claims.finish("g1", failed2, token="run-b", states=("claimed",))
    assert await store.claims.claim("g1", claim("2026-06-01", "run-c"), max_attempts=2) is None
    assert (await store.claims.get("g1")).last_posted is None
    # a failure after part of it was sent is never retried
    held = await store.claims.claim("g1", claim("2026-06-02"), max_attempts=2)
    partly = replace(held, state="failed", message_ids=(1,))
    assert await store.claims.finish("g1", partly, token="run-a", states=("claimed",))
    assert await store.claims.claim("g1", claim("2026-06-02", "run-b"), max_attempts=2) is None


async def test_a_skipped_day_blocks_its_claim_and_keeps_last_posted(store: Store) -> None:
    held = await store.claims.claim("g1", claim("2026-06-01"), max_attempts=3)
    posted = replace(held, state="posted")
    await store.claims.finish("g1", posted, token="run-a", states=("claimed",))
    skipped = replace(claim("2026-06-02"), state="skipped", reason="bot was down")
    assert await store.claims.claim("g1", skipped, max_attempts=3) is not None
    assert await store.claims.claim("g1", claim("2026-06-02"), max_attempts=3) is None
    many = await store.claims.get_many(["g1", "g2"])
    assert many["g1"].latest.state == "skipped" and many["g1"].last_posted == posted
    assert many["g2"] == GuildDigests()


async def test_claims_survive_reopening(store_target: StoreTarget) -> None:
    store = await store_target.open()
    held = await store.claims.claim("g1", claim("2026-06-01"), max_attempts=3)
    await store.close()
    again = await store_target.open()
    try:
        assert (await again.claims.get("g1")).latest == held
        assert await again.claims.claim("g1", claim("2026-06-01", "x"), max_attempts=3) is None
    finally:
        await again.close()
