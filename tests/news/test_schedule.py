"""When a digest is due, and that it is posted once: pure schedule, then the service on
real files with a clock the test moves."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.news.clock import Clock
from bot.news.digest.schedule import decide, local_wall_exists, run_instant
from bot.news.digest.service import CLAIM_STALE, RETRY_DELAY
from bot.ui.digest import render_digest

from .digest_support import ListStore, article, close_service, open_service

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
GRACE = timedelta(hours=6)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)


def walk(zone, at, start_local, days, step_minutes=5):
    """Drive ``decide`` like the loop does; return the instants at which it posted."""
    posted: list[tuple[date, datetime]] = []
    last = None
    # Step in UTC: adding a timedelta to an aware local datetime adds wall-clock time.
    now = start_local.astimezone(UTC)
    end = start_local + timedelta(days=days)
    while now < end:
        d = decide(now, at=at, zone=zone, last_date=last, grace=GRACE)
        if d.due:
            posted.append((d.local_date, now))
            last = d.local_date
        now += timedelta(minutes=step_minutes)
    return posted


# ---------------------------------------------------------------- pure schedule


def test_due_exactly_from_the_local_time() -> None:
    at = time(8, 0)
    zone = ZoneInfo("America/Guayaquil")  # UTC-5, no DST
    before = decide(utc(2026, 11, 28, 12, 59), at=at, zone=zone, last_date=None, grace=GRACE)
    assert not before.due
    assert before.run_at == utc(2026, 11, 28, 13, 0)
    on_time = decide(utc(2026, 11, 28, 13, 0), at=at, zone=zone, last_date=None, grace=GRACE)
    assert on_time.due and on_time.local_date == date(2026, 11, 28)
    done = decide(
        utc(2026, 11, 28, 13, 1), at=at, zone=zone, last_date=date(2026, 11, 28), grace=GRACE
    )
    assert not done.due and done.run_at == utc(2026, 11, 29, 13, 0)


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc", "expected_wall"),
    [
        (NY, date(2026, 3, 8), utc(2026, 3, 8, 7, 0), "03:00"),  # 02:00 -> 03:00 EDT
        (BERLIN, date(2026, 3, 29), utc(2026, 3, 29, 1, 0), "03:00"),  # 02:00 -> 03:00 CEST
    ],
)
def test_spring_forward_runs_at_first_valid_instant(zone, day, expected_utc, expected_wall):
    at = time(2, 30)
    assert not local_wall_exists(datetime.combine(day, at), zone)
    run = run_instant(day, at, zone)
    assert run == expected_utc
    assert run.astimezone(zone).strftime("%H:%M") == expected_wall
    posted = walk(zone, at, datetime.combine(day - timedelta(days=1), time(0), zone), 3)
    assert [p[0] for p in posted] == [day - timedelta(days=1), day, day + timedelta(days=1)]
    assert posted[1][1] == expected_utc


@pytest.mark.parametrize(
    ("zone", "day", "at", "first"),
    [
        (NY, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),  # 01:30 EDT
        (BERLIN, date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),  # 02:30 CEST
    ],
)
def test_fall_back_runs_once_at_first_occurrence(zone, day, at, first):
    naive = datetime.combine(day, at)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    assert second - first == timedelta(hours=1)  # the time really happens twice
    assert run_instant(day, at, zone) == first
    posted = walk(zone, at, datetime.combine(day - timedelta(days=1), time(0), zone), 3, 1)
    assert [p[0] for p in posted] == [day - timedelta(days=1), day, day + timedelta(days=1)]
    assert posted[1][1] == first
    # The second 01:30 is not due again.
    again = decide(second, at=at, zone=zone, last_date=day, grace=GRACE)
    assert not again.due


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Kolkata", utc(2026, 11, 28, 2, 0)),  # +05:30
        ("Asia/Kathmandu", utc(2026, 11, 28, 1, 45)),  # +05:45
        ("Australia/Eucla", utc(2026, 11, 27, 22, 45)),  # +08:45
        ("America/St_Johns", utc(2026, 11, 28, 11, 0)),  # -03:30
    ],
)
def test_zones_with_30_and_45_minute_offsets(zone, expected):
    tz = ZoneInfo(zone)
    at = time(7, 30)
    assert run_instant(date(2026, 11, 28), at, tz) == expected
    assert not decide(
        expected - timedelta(minutes=1), at=at, zone=tz, last_date=None, grace=GRACE
    ).due
    d = decide(expected, at=at, zone=tz, last_date=None, grace=GRACE)
    assert d.due and d.local_date == date(2026, 11, 28)


@pytest.mark.parametrize(
    ("zone", "weeks"),
    [
        ("America/New_York", (date(2026, 3, 5), date(2026, 10, 29))),
        ("Europe/Berlin", (date(2026, 3, 26), date(2026, 10, 22))),
        ("Australia/Lord_Howe", (date(2026, 4, 2), date(2026, 10, 1))),  # 30-minute DST
    ],
)
def test_one_post_per_local_day_around_dst_changes(zone, weeks):
    tz = ZoneInfo(zone)
    for at in (time(0, 0), time(1, 30), time(2, 15), time(2, 30), time(23, 45)):
        for first in weeks:
            start = datetime.combine(first, time(0), tz)
            posted = [p for p in walk(tz, at, start, 7, step_minutes=10) if p[0] >= first]
            days = [p[0] for p in posted]
            assert days == [first + timedelta(days=i) for i in range(len(days))], (zone, at)
            assert len(days) >= 6
            for day, when in posted:
                assert timedelta(0) <= when - run_instant(day, at, tz) < timedelta(minutes=10)


def test_grace_window_catch_up_then_skip():
    at = time(8, 0)
    run = run_instant(date(2026, 11, 28), at, BERLIN)
    late = decide(
        run + timedelta(hours=5, minutes=59), at=at, zone=BERLIN, last_date=None, grace=GRACE
    )
    assert late.due and late.late == timedelta(hours=5, minutes=59)
    too_late = decide(
        run + timedelta(hours=6, minutes=1), at=at, zone=BERLIN, last_date=None, grace=GRACE
    )
    assert not too_late.due
    assert too_late.missed[-1] == date(2026, 11, 28)
    assert too_late.run_at == run + timedelta(days=1)


def test_late_evening_time_caught_up_after_midnight():
    at = time(23, 0)
    run = run_instant(date(2026, 11, 27), at, BERLIN)
    d = decide(run + timedelta(hours=2), at=at, zone=BERLIN, last_date=None, grace=GRACE)
    assert d.due and d.local_date == date(2026, 11, 27)


def test_a_time_set_after_it_passed_starts_tomorrow():
    at = time(8, 0)
    set_at = local(BERLIN, 2026, 11, 28, 9, 0)
    d = decide(set_at, at=at, zone=BERLIN, last_date=None, grace=GRACE, not_before=set_at)
    assert not d.due and d.missed == ()
    assert d.run_at == local(BERLIN, 2026, 11, 29, 8, 0)


# ---------------------------------------------------------------- the service on real files


async def configure(service, clock: Clock, guild="1", at="08:00", zone="Europe/Berlin"):
    clock_before = clock.now()
    clock.set(clock.now() - timedelta(days=2))  # configured long before the test's days
    await service.guild_settings.update(
        guild, channel_id=555, digest_time=at, zone=zone, enabled=True
    )
    clock.set(clock_before)


async def post_if_due(service) -> list[str]:
    """What the Discord loop does, with 'send' replaced by made-up message ids."""
    posted = []
    for plan in await service.due_guilds():
        if await service.claim(plan.guild_id, plan.local_date):
            messages = render_digest(await service.claimed_digest(plan.guild_id))
            await service.mark_posted(plan.guild_id, plan.local_date, list(range(len(messages))))
            posted.append(plan.guild_id)
    return posted


async def test_service_posts_at_local_time_once(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 7, 59))
    service = open_service(data_dir, clock, ListStore())
    await configure(service, clock)
    assert await post_if_due(service) == []
    assert await service.next_run("1") == local(BERLIN, 2026, 11, 28, 8, 0)
    clock.set(local(BERLIN, 2026, 11, 28, 8, 0))
    assert await post_if_due(service) == ["1"]
    for _ in range(10):
        clock.advance(seconds=30)
        assert await post_if_due(service) == []
    rec = (await service.claims.get("1")).last_posted
    assert rec.state == "posted" and rec.local_date == "2026-11-28"
    assert await service.next_run("1") == local(BERLIN, 2026, 11, 29, 8, 0)


async def test_restart_at_the_due_minute_posts_once(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 8, 0, 5))
    first = open_service(data_dir, clock, ListStore())
    await configure(first, clock)
    assert await post_if_due(first) == ["1"]
    close_service(first)
    clock.advance(seconds=20)  # restarted within the same minute
    second = open_service(data_dir, clock, ListStore())
    assert second.token != first.token
    assert await second.due_guilds() == []
    assert not await second.claim("1", date(2026, 11, 28))


async def test_crash_mid_post_is_not_reposted_and_news_is_not_lost(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 27, 8, 0))
    articles = ListStore()
    first = open_service(data_dir, clock, articles)
    await configure(first, clock)
    assert await post_if_due(first) == ["1"]  # the 27th, delivered
    clock.set(local(BERLIN, 2026, 11, 28, 7, 0))
    articles.articles.append(article(1, "Story of the 28th", when=clock.time(), countries=("EC",)))
    clock.set(local(BERLIN, 2026, 11, 28, 8, 0))
    [plan] = await first.due_guilds()
    assert await first.claim("1", plan.local_date)
    close_service(first)  # ...and the process dies before mark_posted

    clock.advance(seconds=40)
    second = open_service(data_dir, clock, articles)
    assert await second.due_guilds() == []
    clock.advance(minutes=CLAIM_STALE.total_seconds() / 60 + 1)
    assert await second.due_guilds() == []
    assert (await second.claims.get("1")).latest.state == "interrupted"
    assert "interrupted" in (await second.status("1")).problem
    assert not await second.claim("1", date(2026, 11, 28))

    # The next day's digest covers from the last delivered one: the 28th's story is in it.
    clock.set(local(BERLIN, 2026, 11, 29, 8, 0))
    [plan] = await second.due_guilds()
    assert plan.since == local(BERLIN, 2026, 11, 27, 8, 0)
    assert await second.claim("1", plan.local_date)
    digest = await second.digest_for_claim("1")
    assert digest.story_count == 1


async def _stale_claim(data_dir: Path, clock: Clock, articles: ListStore):
    """A service that claimed the 28th's digest and died; the clock past CLAIM_STALE."""
    first = open_service(data_dir, clock, articles)
    await configure(first, clock)
    clock.set(local(BERLIN, 2026, 11, 28, 8, 0))
    [plan] = await first.due_guilds()
    assert await first.claim("1", plan.local_date)
    close_service(first)
    clock.advance(minutes=CLAIM_STALE.total_seconds() / 60 + 1)
    return plan


async def test_a_stale_claim_found_in_the_channel_is_recorded_posted(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 7, 0))
    articles = ListStore([article(1, "Story", when=clock.time(), countries=("EC",))])
    claimed = await _stale_claim(data_dir, clock, articles)
    second = open_service(data_dir, clock, articles)
    [plan] = await second.due_guilds(resume_stale=True)
    assert plan.resume and plan.local_date == claimed.local_date
    assert (plan.since, plan.until) == (claimed.since, claimed.until)
    assert not await second.resume("1", plan.local_date, [4242])  # nothing left to send
    rec = (await second.claims.get("1")).latest
    assert (rec.state, rec.message_ids) == ("posted", (4242,))
    assert await second.due_guilds(resume_stale=True) == []


async def test_a_stale_claim_not_in_the_channel_is_posted_by_one_run(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 7, 0))
    articles = ListStore([article(1, "Story", when=clock.time(), countries=("EC",))])
    await _stale_claim(data_dir, clock, articles)
    second = open_service(data_dir, clock, articles)
    third = open_service(data_dir, clock, articles)
    [plan] = await second.due_guilds(resume_stale=True)
    [same] = await third.due_guilds(resume_stale=True)
    assert await second.resume("1", plan.local_date, [])
    assert not await third.resume("1", same.local_date, [])  # the claim is second's now
    digest = await second.claimed_digest("1")
    assert digest.story_count == 1
    assert await second.mark_posted("1", plan.local_date, [7])
    rec = (await second.claims.get("1")).latest
    assert (rec.state, rec.attempts, rec.token) == ("posted", 2, second.token)


async def test_a_stale_claim_is_interrupted_when_it_cannot_be_checked_or_is_too_late(
    data_dir: Path,
):
    clock = Clock(local(BERLIN, 2026, 11, 28, 7, 0))
    articles = ListStore()
    await _stale_claim(data_dir, clock, articles)
    second = open_service(data_dir, clock, articles)
    [plan] = await second.due_guilds(resume_stale=True)
    await second.interrupt("1", "its channel could not be read")
    rec = (await second.claims.get("1")).latest
    assert rec.state == "interrupted" and "could not be read" in rec.reason
    assert not await second.resume("1", plan.local_date, [])


async def test_a_stale_claim_past_the_grace_window_is_interrupted(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 7, 0))
    articles = ListStore()
    await _stale_claim(data_dir, clock, articles)
    second = open_service(data_dir, clock, articles)
    clock.advance(hours=second.grace.total_seconds() / 3600)
    assert await second.due_guilds(resume_stale=True) == []
    assert (await second.claims.get("1")).latest.state == "interrupted"


async def test_catch_up_within_grace_and_skip_after(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 7, 0))
    service = open_service(data_dir, clock, ListStore(), grace_hours=6)
    await configure(service, clock)
    # Down from 07:00 to 13:30: the 08:00 digest is 5.5 h late, still posted.
    clock.set(local(BERLIN, 2026, 11, 28, 13, 30))
    [plan] = await service.due_guilds()
    assert plan.local_date == date(2026, 11, 28) and plan.late == timedelta(hours=5, minutes=30)
    assert await post_if_due(service) == ["1"]
    # Down from the 28th 13:30 to the 29th 14:30: 6.5 h late, skipped and recorded.
    clock.set(local(BERLIN, 2026, 11, 29, 14, 30))
    assert await post_if_due(service) == []
    gs = await service.claims.get("1")
    assert gs.latest.state == "skipped" and gs.latest.local_date == "2026-11-29"
    assert "grace" in gs.latest.reason
    assert gs.last_posted.local_date == "2026-11-28"
    assert await service.next_run("1") == local(BERLIN, 2026, 11, 30, 8, 0)
    clock.set(local(BERLIN, 2026, 11, 30, 8, 0))
    [plan] = await service.due_guilds()
    assert plan.since == datetime.fromtimestamp(gs.last_posted.until, UTC)
    assert await post_if_due(service) == ["1"]


async def test_skips_after_downtime_are_recorded_once(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 7, 0))
    service = open_service(data_dir, clock, ListStore())
    for guild in range(20):
        await configure(service, clock, guild=str(guild))
    clock.set(local(BERLIN, 2026, 11, 28, 23, 0))  # 15 h after 08:00: beyond grace
    assert await service.due_guilds() == []
    records = await service.claims.get_many([str(g) for g in range(20)])
    assert {r.latest.state for r in records.values()} == {"skipped"}
    inode = (data_dir / "claims.json").stat().st_ino
    assert await service.due_guilds() == []
    assert (data_dir / "claims.json").stat().st_ino == inode  # nothing more to write


async def test_two_services_on_the_same_file_cannot_both_claim(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 8, 0))
    a = open_service(data_dir, clock, ListStore())
    b = open_service(data_dir, clock, ListStore())
    await configure(a, clock)
    for guild in ("2", "3", "4"):
        await configure(a, clock, guild=guild)
    for offset in range(5):
        day = date(2026, 11, 28) + timedelta(days=offset)
        clock.set(local(BERLIN, day.year, day.month, day.day, 8, 0))
        plans_a, plans_b = await asyncio.gather(a.due_guilds(), b.due_guilds())
        assert len(plans_a) == len(plans_b) == 4
        results = await asyncio.gather(
            *(s.claim(p.guild_id, p.local_date) for p in plans_a for s in (a, b))
        )
        assert sum(results) == 4  # one winner per guild
        for guild in ("1", "2", "3", "4"):
            rec = (await a.claims.get(guild)).latest
            assert rec.state == "claimed" and rec.local_date == day.isoformat()
            winner = a if rec.token == a.token else b
            loser = b if winner is a else a
            assert not await loser.mark_posted(guild, day, [1])
            assert await winner.mark_posted(guild, day, [1])
        assert await a.due_guilds() == [] and await b.due_guilds() == []


async def test_forbidden_pauses_only_that_server(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 8, 0))
    service = open_service(data_dir, clock, ListStore())
    await configure(service, clock, guild="1")
    await configure(service, clock, guild="2")
    plans = await service.due_guilds()
    assert {p.guild_id for p in plans} == {"1", "2"}
    for plan in plans:
        assert await service.claim(plan.guild_id, plan.local_date)
    await service.mark_failed("1", "Missing Access: cannot post in #news", pause=True)
    await service.mark_posted("2", date(2026, 11, 28), [9])
    status = await service.status("1")
    assert status.settings.paused and "Missing Access" in status.problem
    assert status.next_run is None
    clock.advance(minutes=10)
    assert await service.due_guilds() == []
    # An admin fixes the channel: the pause lifts and the failed day is retried.
    await service.guild_settings.update("1", channel_id=777)
    # The schedule changed after today's run time, so it is not owed today any more.
    assert await service.due_guilds() == []
    clock.set(local(BERLIN, 2026, 11, 29, 8, 0))
    assert {p.guild_id for p in await service.due_guilds()} == {"1", "2"}


async def test_transient_failure_is_retried_but_partial_post_is_not(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 8, 0))
    service = open_service(data_dir, clock, ListStore())
    await configure(service, clock, guild="1")
    await configure(service, clock, guild="2")
    for plan in await service.due_guilds():
        assert await service.claim(plan.guild_id, plan.local_date)
    await service.mark_failed("1", "503 from Discord", pause=False)
    await service.mark_failed("2", "connection reset", pause=False, message_ids=[11])
    assert await service.due_guilds() == []  # waits RETRY_DELAY
    clock.advance(seconds=RETRY_DELAY.total_seconds() + 1)
    [plan] = await service.due_guilds()
    assert plan.guild_id == "1"
    assert await service.claim("1", plan.local_date)
    assert (await service.claims.get("1")).latest.attempts == 2
    assert (await service.claims.get("2")).latest.reason.startswith("partly posted")


async def test_digest_now_counts_as_the_day(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 6, 0))
    service = open_service(data_dir, clock, ListStore())
    await configure(service, clock)
    plan = await service.plan_now("1")
    assert await service.claim("1", plan.local_date)
    assert await service.mark_posted("1", plan.local_date, [1])
    clock.set(local(BERLIN, 2026, 11, 28, 8, 0))
    assert await service.due_guilds() == []
    assert not await service.claim("1", plan.local_date)


CLAIMER = """
import asyncio, sys, time
from datetime import date, datetime, timedelta, UTC
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.news.clock import Clock
from tests.news.digest_support import open_service

async def main():
    data_dir, go = Path(sys.argv[1]), Path(sys.argv[2])
    clock = Clock(datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
    # Each process claims back to back, so one may hold the lock for all its claims while
    # the others wait; on a loaded machine that outlasts the bot's 10 s, and this test is
    # about exclusive claims, not about how long a wait may last.
    service = open_service(data_dir, clock, lock_timeout=600)
    (data_dir / f"ready-{{sys.argv[3]}}").touch()
    while not go.exists():
        time.sleep(0.002)
    won = []
    # Every process tries every (guild, day), all starting at once: the claims race for real,
    # and the outcome does not depend on how the machine schedules them.
    for i in range(40):
        day = date(2026, 11, 28) + timedelta(days=i)
        clock.set(datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC))
        for guild in ("1", "2"):
            if await service.claim(guild, day):
                won.append(f"{{guild}}:{{day}}")
    print(" ".join(won))

asyncio.run(main())
"""


async def test_two_processes_on_the_same_file_never_claim_the_same_day(data_dir: Path):
    """The flock makes claims exclusive across processes, not only within one."""
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[2])
    clock = Clock(local(BERLIN, 2026, 11, 20, 8, 0))
    service = open_service(data_dir, clock)
    await configure(service, clock, guild="1")
    await configure(service, clock, guild="2")
    close_service(service)
    script = data_dir / "claimer.py"
    script.write_text(CLAIMER.format(root=root))
    go = data_dir / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(data_dir), str(go), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    for _ in range(3000):  # until all three have imported and opened the store
        if len(list(data_dir.glob("ready-*"))) == 3 or any(p.poll() is not None for p in procs):
            break
        await asyncio.sleep(0.01)
    go.touch()
    results = [p.communicate(timeout=900) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    won = [claim for out, _ in results for claim in out.split()]
    assert len(won) == len(set(won))  # no (guild, day) claimed twice
    assert len(won) == 80  # and every one of the 2 x 40 claimed once


async def test_silent_quiet_day_posts_nothing_but_counts(data_dir: Path):
    clock = Clock(local(BERLIN, 2026, 11, 28, 8, 0))
    service = open_service(data_dir, clock, ListStore())
    await configure(service, clock)
    await service.guild_settings.update("1", quiet_mode="silent")
    clock.set(local(BERLIN, 2026, 11, 29, 8, 0))
    [plan] = await service.due_guilds()
    assert await service.claim("1", plan.local_date)
    assert render_digest(await service.claimed_digest("1")) == []
    assert await service.mark_posted("1", plan.local_date, [])
    assert await service.due_guilds() == []
    await service.guild_settings.update("1", quiet_mode="note")
    [[embed]] = render_digest(await service.preview_async("1"))
    assert "quiet day" in embed["description"]
