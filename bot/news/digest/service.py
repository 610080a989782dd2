"""The digest's life cycle: which servers are due, claiming a day, recording the outcome.

The Discord loop (``cogs/digest.py``) drives it every ~30 seconds::

    for plan in await service.due_guilds():
        if not await service.claim(plan.guild_id, plan.local_date):
            continue                      # another run has it, or it is done
        digest = await service.claimed_digest(plan.guild_id)
        ...render it (bot.ui.digest), send each message (allowed mentions: none),
        ...collecting the message ids...
        await service.mark_posted(plan.guild_id, plan.local_date, ids)
        # on 403/404: await service.mark_failed(gid, "reason", pause=True, message_ids=ids)

At most one digest per local day. A claim is written durably *before* anything is sent
and decided by the store's ``DigestClaims``, so a restart, a reconnect, a second shard or a second
process on the same data folder finds the day taken. The outcome is then recorded:
``posted``, or ``failed`` (retried a few minutes later within the grace window, unless
some of it was already sent). A claim whose poster never reports back (a crash mid-post)
is, after ``CLAIM_STALE``, marked ``interrupted`` and **not** posted again: whether
Discord received it cannot be known here, and a duplicate is the worse failure. Nothing
is lost that way: the next digest starts from the last *delivered* one, so its news is
included next time, and ``/digest now`` can post it by hand.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from bot.news.clock import Clock
from bot.news.digest.build import Digest, build_digest
from bot.news.digest.schedule import Decision, decide, run_instant
from bot.news.guild_settings import (
    DigestRecord,
    GuildId,
    GuildSettings,
    GuildSettingsError,
    guild_key,
)
from bot.news.model import Article
from bot.news.store.interface import DigestClaims, GuildDigests, Guilds

log = logging.getLogger(__name__)

CLAIM_STALE = timedelta(minutes=15)  # a claim older than this was interrupted
RETRY_DELAY = timedelta(minutes=5)  # between attempts after a failure
MAX_ATTEMPTS = 3
DEFAULT_WINDOW = timedelta(hours=24)  # a first digest covers the last day
MAX_WINDOW = timedelta(days=3)  # and no digest reaches back further than this
# The store sorts by event time, the article's first ingestion by any server; a server
# that adds an article another server added earlier gets it later, so look this much
# further back and filter by this server's own arrival time.
_ARRIVAL_SLACK = timedelta(days=7)
_PAGE = 500
MAX_ARTICLES = 5000
_HELD = ("claimed", "interrupted")  # states a run's own claim can be finished from


class ArticleSource(Protocol):
    async def recent(
        self, guild_id: str, *, since: float | None = None, limit: int = 10, offset: int = 0
    ) -> list[Article]: ...


@dataclass(frozen=True, slots=True)
class DuePlan:
    """A server whose digest should be posted now."""

    guild_id: str
    channel_id: int
    local_date: date  # the day the digest is for, in the server's zone
    run_at: datetime  # when it was scheduled (UTC)
    late: timedelta  # how late it is (a catch-up after downtime if large)
    since: datetime  # the news window it will cover
    until: datetime
    # A claim of this day whose poster never reported back: look in the channel first,
    # then ``resume`` it instead of ``claim``.
    resume: bool = False


@dataclass(frozen=True, slots=True)
class DigestStatus:
    """What ``/digest show`` tells an admin."""

    settings: GuildSettings
    next_run: datetime | None  # None when the digest is off or paused
    last: DigestRecord | None
    last_posted: DigestRecord | None
    problem: str  # why it is not posting, in one sentence, or ""


class DigestService:
    def __init__(
        self,
        settings: Any,
        store: ArticleSource | None,
        guild_settings: Guilds,
        claims: DigestClaims,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.guild_settings = guild_settings
        self.claims = claims
        self.clock = clock or Clock()
        self.grace = timedelta(hours=float(getattr(settings, "digest_grace_hours", 6.0)))
        # Identifies this running instance in its claims (debugging and mark_* checks).
        self.token = uuid.uuid4().hex[:12]

    # ---------------------------------------------------------------- scheduling

    async def due_guilds(
        self, now: datetime | None = None, *, resume_stale: bool = False
    ) -> list[DuePlan]:
        """Servers whose digest is due now. Records days missed beyond the grace window as
        ``skipped``. A stale claim within the grace window comes back as a plan with
        ``resume`` set when ``resume_stale`` (the caller can look in the channel), else it
        is marked ``interrupted``."""
        now = self._now(now)
        active = [gs for gs in await self.guild_settings.all() if gs.active]
        records = await self.claims.get_many([gs.guild_id for gs in active])
        plans = []
        for gs in active:
            digests = records[gs.guild_id]
            if self._stale(digests.latest, now):
                plan = self._resume_plan(gs, digests.latest, now) if resume_stale else None
                if plan is not None:
                    plans.append(plan)
                    continue
                digests = await self._interrupt(gs.guild_id, digests, now)
            try:
                decision = self._decide(gs, digests.latest, now)
            except GuildSettingsError as exc:  # a bad stored value: skip this server only
                log.warning("guild %s: cannot schedule its digest: %s", gs.guild_id, exc)
                continue
            if decision.missed:
                await self._skip(gs, decision.missed[-1], now)
            if not decision.due or not self._retry_ready(digests.latest, decision.local_date, now):
                continue
            since, until = self.window(digests.last_posted, now)
            plans.append(
                DuePlan(
                    guild_id=gs.guild_id,
                    channel_id=gs.channel_id or 0,
                    local_date=decision.local_date,
                    run_at=decision.run_at,
                    late=decision.late,
                    since=since,
                    until=until,
                )
            )
        return plans

    async def next_run(self, guild_id: GuildId, now: datetime | None = None) -> datetime | None:
        """When this server's next digest will be posted, or ``None`` if it will not be."""
        gs = await self.guild_settings.get(guild_id)
        digests = await self.claims.get(gs.guild_id)
        return self._next_run(gs, digests, self._now(now))

    def _next_run(self, gs: GuildSettings, digests: GuildDigests, now: datetime) -> datetime | None:
        if not gs.active:
            return None
        decision = self._decide(gs, digests.latest, now)
        return now if decision.due else decision.run_at

    async def status(self, guild_id: GuildId, now: datetime | None = None) -> DigestStatus:
        gs = await self.guild_settings.get(guild_id)
        digests = await self.claims.get(gs.guild_id)
        last = digests.latest
        problem = ""
        if gs.channel_id is None:
            problem = "No digest channel is set: use /digest set."
        elif not gs.enabled:
            problem = "The digest is off."
        elif gs.paused:
            problem = f"The digest is paused: {gs.pause_reason or 'the last post failed'}."
        elif last and last.state == "interrupted":
            problem = (
                f"The digest of {last.local_date} was interrupted and may not have "
                "been delivered; its news will be in the next one."
            )
        elif last and last.state == "skipped":
            problem = f"The digest of {last.local_date} was skipped: {last.reason}."
        next_at = self._next_run(gs, digests, self._now(now))
        return DigestStatus(gs, next_at, last, digests.last_posted, problem)

    def _decide(self, gs: GuildSettings, latest: DigestRecord | None, now: datetime) -> Decision:
        return decide(
            now,
            at=gs.at,
            zone=gs.tz,
            last_date=_blocking_date(latest),
            grace=self.grace,
            not_before=datetime.fromtimestamp(gs.schedule_since, UTC)
            if gs.schedule_since
            else None,
        )

    def _retry_ready(self, rec: DigestRecord | None, local_date: date, now: datetime) -> bool:
        if rec is None or rec.state != "failed" or rec.local_date != local_date.isoformat():
            return True
        finished = datetime.fromtimestamp(rec.finished_at or rec.claimed_at, UTC)
        return now - finished >= RETRY_DELAY

    def window(self, last_posted: DigestRecord | None, now: datetime) -> tuple[datetime, datetime]:
        """The news a digest made now covers: since the last delivered one (at most
        ``MAX_WINDOW`` back), or the last ``DEFAULT_WINDOW`` for a first digest."""
        now = self._now(now)
        if last_posted is not None and last_posted.until:
            since = max(datetime.fromtimestamp(last_posted.until, UTC), now - MAX_WINDOW)
            if since < now:
                return since, now
        return now - DEFAULT_WINDOW, now

    def _stale(self, rec: DigestRecord | None, now: datetime) -> bool:
        return (
            rec is not None
            and rec.state == "claimed"
            and now - datetime.fromtimestamp(rec.claimed_at, UTC) >= CLAIM_STALE
        )

    def _resume_plan(self, gs: GuildSettings, rec: DigestRecord, now: datetime) -> DuePlan | None:
        """The plan to finish a stale claim, or None when it is past its grace window or
        its attempts, or names no channel."""
        day = date.fromisoformat(rec.local_date)
        try:
            run_at = run_instant(day, gs.at, gs.tz)
        except GuildSettingsError:
            return None
        if rec.attempts >= MAX_ATTEMPTS or now - run_at > self.grace or not rec.channel_id:
            return None
        return DuePlan(
            guild_id=gs.guild_id,
            channel_id=rec.channel_id,
            local_date=day,
            run_at=run_at,
            late=now - run_at,
            since=datetime.fromtimestamp(rec.since, UTC),
            until=datetime.fromtimestamp(rec.until, UTC),
            resume=True,
        )

    async def resume(
        self,
        guild_id: GuildId,
        local_date: date,
        found: Sequence[int],
        *,
        complete: bool = True,
    ) -> bool:
        """Settle a stale claim after looking in its channel. ``found``: the digest's
        messages seen there; when they are all of it (``complete``) it is recorded as posted
        (and False returned: nothing to send). Otherwise this run takes the claim over, with
        its window and one more attempt, and True means it should now post the messages
        after ``found``. False also when another run settled it."""
        now = self._now(None)
        gid = guild_key(guild_id)
        rec = (await self.claims.get(gid)).latest
        if rec is None or rec.local_date != local_date.isoformat() or not self._stale(rec, now):
            return False
        if found and complete:
            posted = replace(
                rec,
                state="posted",
                finished_at=now.timestamp(),
                message_ids=tuple(int(m) for m in found),
                reason="found in the channel after its poster stopped",
            )
            if await self.claims.finish(gid, posted, token=rec.token, states=("claimed",)):
                log.info("guild %s: digest of %s was delivered before its poster stopped",
                         gid, rec.local_date)  # fmt: skip
            return False
        taken = replace(
            rec, token=self.token, claimed_at=now.timestamp(), attempts=rec.attempts + 1
        )
        if not await self.claims.finish(gid, taken, token=rec.token, states=("claimed",)):
            return False
        if found:
            log.warning(
                "guild %s: digest of %s stopped after %d message(s) in its channel; "
                "posting the rest (attempt %d)", gid, rec.local_date, len(found), taken.attempts,
            )  # fmt: skip
        else:
            log.warning(
                "guild %s: digest of %s not found in its channel after its poster stopped; "
                "posting it (attempt %d)", gid, rec.local_date, taken.attempts,
            )  # fmt: skip
        return True

    async def interrupt(self, guild_id: GuildId, why: str) -> None:
        """Mark a stale claim ``interrupted`` because its channel could not be checked."""
        gid = guild_key(guild_id)
        digests = await self.claims.get(gid)
        if self._stale(digests.latest, self._now(None)):
            await self._interrupt(gid, digests, self._now(None), why=why)

    async def _interrupt(
        self, guild_id: str, digests: GuildDigests, now: datetime, *, why: str = ""
    ) -> GuildDigests:
        """Turn a claim nobody finished into ``interrupted`` (see the module's docstring)."""
        r = digests.latest
        assert r is not None
        reason = (
            f"claimed at {datetime.fromtimestamp(r.claimed_at, UTC):%H:%M} UTC by run "
            f"{r.token}, which never reported back{'; ' + why if why else ''}; "
            "not posted again to avoid a duplicate"
        )
        settled = replace(r, state="interrupted", reason=reason)
        if await self.claims.finish(guild_id, settled, token=r.token, states=("claimed",)):
            log.warning("guild %s: digest interrupted: %s", guild_id, reason)
        return await self.claims.get(guild_id)

    async def _skip(self, gs: GuildSettings, day: date, now: datetime) -> None:
        hours = (now - run_instant(day, gs.at, gs.tz)).total_seconds() / 3600
        reason = (
            f"the bot was not running at its time and came back {hours:.1f} h later, "
            f"beyond the {self.grace.total_seconds() / 3600:g} h grace"
        )
        rec = DigestRecord(
            local_date=day.isoformat(),
            state="skipped",
            token=self.token,
            claimed_at=now.timestamp(),
            finished_at=now.timestamp(),
            reason=reason,
        )
        if await self.claims.claim(gs.guild_id, rec, max_attempts=MAX_ATTEMPTS):
            log.warning("guild %s: digest of %s skipped: %s", gs.guild_id, rec.local_date, reason)

    # ---------------------------------------------------------------- claiming

    async def claim(self, guild_id: GuildId, local_date: date) -> bool:
        """Take this server's digest for ``local_date``; ``False`` if it is taken or done.

        Durable before it returns, and decided by the store (a lock or a row only one
        process can take), so of two services (or processes) only one gets ``True``.
        """
        now = self._now(None)
        gs = await self.guild_settings.get(guild_id)
        if gs.channel_id is None:
            return False
        digests = await self.claims.get(gs.guild_id)
        since, until = self.window(digests.last_posted, now)
        record = DigestRecord(
            local_date=local_date.isoformat(),
            state="claimed",
            token=self.token,
            claimed_at=now.timestamp(),
            since=since.timestamp(),
            until=until.timestamp(),
            channel_id=gs.channel_id,
        )
        taken = await self.claims.claim(gs.guild_id, record, max_attempts=MAX_ATTEMPTS)
        if taken is not None:
            log.info(
                "guild %s: claimed the digest of %s (run %s)",
                guild_id,
                taken.local_date,
                self.token,
            )
        return taken is not None

    async def mark_posted(
        self,
        guild_id: GuildId,
        local_date: date,
        message_ids: Sequence[int] = (),
        *,
        channel_id: int | None = None,
    ) -> bool:
        """Record that the claimed digest was sent (``message_ids`` may be empty on a
        silent quiet day). ``False`` (and a log line) if this run did not hold the claim."""
        now = self._now(None)
        gid = guild_key(guild_id)
        day = local_date.isoformat()
        rec = (await self.claims.get(gid)).latest
        done = False
        if rec is not None and rec.local_date == day:
            posted = replace(
                rec,
                state="posted",
                finished_at=now.timestamp(),
                message_ids=tuple(int(m) for m in message_ids),
                channel_id=channel_id or rec.channel_id,
                reason="",
            )
            done = await self.claims.finish(gid, posted, token=self.token, states=_HELD)
        if done:
            log.info("guild %s: digest of %s posted (%d messages)", gid, day, len(message_ids))
        else:
            log.error("guild %s: mark_posted for %s without holding its claim", gid, day)
        return done

    async def mark_failed(
        self,
        guild_id: GuildId,
        reason: str,
        pause: bool,
        *,
        local_date: date | None = None,
        message_ids: Sequence[int] = (),
    ) -> None:
        """Record that posting failed. ``pause=True`` (missing permission, channel gone)
        stops this server's digest until an admin changes its settings, and ``/digest
        show`` says why; other servers are unaffected. If some messages were already sent
        (``message_ids``), the day counts as delivered in part and is not retried."""
        now = self._now(None)
        gid = guild_key(guild_id)
        reason = " ".join(str(reason).split())[:300] or "posting failed"
        rec = (await self.claims.get(gid)).latest
        if rec is not None and (local_date is None or rec.local_date == local_date.isoformat()):
            failed = replace(
                rec,
                state="failed",
                finished_at=now.timestamp(),
                message_ids=tuple(int(m) for m in message_ids),
                reason=("partly posted: " if message_ids else "") + reason,
                attempts=MAX_ATTEMPTS if message_ids else rec.attempts,
            )
            await self.claims.finish(gid, failed, token=self.token, states=_HELD)
        if pause:

            def paused(cur: GuildSettings) -> GuildSettings | None:
                return replace(cur, paused=True, pause_reason=reason, paused_at=now.timestamp())

            await self.guild_settings.transact(gid, paused)
        log.warning(
            "guild %s: digest failed%s: %s", gid, " (digest paused)" if pause else "", reason
        )

    # ---------------------------------------------------------------- content

    async def articles(self, guild_id: GuildId, since: datetime, until: datetime) -> list[Article]:
        """The server's articles that may have arrived in ``[since, until)``."""
        if self.store is None:
            return []
        gid = guild_key(guild_id)
        floor = (since - _ARRIVAL_SLACK).timestamp()
        out: list[Article] = []
        offset = 0
        while len(out) < MAX_ARTICLES:
            page = await self.store.recent(gid, since=floor, limit=_PAGE, offset=offset)
            out.extend(page)
            if len(page) < _PAGE:
                break
            offset += _PAGE
        if len(out) >= MAX_ARTICLES:
            log.warning("guild %s: digest limited to the newest %d articles", gid, MAX_ARTICLES)
        return out

    async def build(
        self,
        guild_id: GuildId,
        *,
        since: datetime,
        until: datetime,
        local_date: date | None = None,
    ) -> Digest:
        return (await self._job(guild_id, since, until, local_date))()

    async def _job(
        self, guild_id: GuildId, since: datetime, until: datetime, local_date: date | None
    ) -> Callable[[], Digest]:
        """Read the articles now and return the CPU part, which touches nothing shared
        and may run in a worker thread."""
        gs = await self.guild_settings.get(guild_id)
        articles = await self.articles(gs.guild_id, since, until)

        def run() -> Digest:
            return build_digest(
                articles,
                guild_settings=gs,
                since=since,
                now=until,
                follows=gs.follows,
                local_date=local_date,
            )

        return run

    async def _claim_window(self, guild_id: GuildId) -> tuple[str, datetime, datetime, date]:
        gid = guild_key(guild_id)
        rec = (await self.claims.get(gid)).latest
        if rec is None or rec.token != self.token or rec.state != "claimed":
            raise GuildSettingsError("There is no digest claimed by this run for this server.")
        return (
            gid,
            datetime.fromtimestamp(rec.since, UTC),
            datetime.fromtimestamp(rec.until, UTC),
            date.fromisoformat(rec.local_date),
        )

    async def digest_for_claim(self, guild_id: GuildId) -> Digest:
        """The digest this run claimed, over the window fixed at claim time."""
        gid, since, until, day = await self._claim_window(guild_id)
        return await self.build(gid, since=since, until=until, local_date=day)

    async def claimed_digest(self, guild_id: GuildId) -> Digest:
        """``digest_for_claim`` built in a worker thread (0.1-0.3 s for thousands of
        articles): what the Discord loop should call. A quiet day in silent mode renders
        to no message: still call ``mark_posted``."""
        gid, since, until, day = await self._claim_window(guild_id)
        return await asyncio.to_thread(await self._job(gid, since, until, day))

    async def planned_digest(self, plan: DuePlan) -> Digest:
        """The digest over a plan's own window, claimed or not: what a stale claim's poster
        was sending, to recognise the part of it already in the channel."""
        job = await self._job(guild_key(plan.guild_id), plan.since, plan.until, plan.local_date)
        return await asyncio.to_thread(job)

    async def preview_digest(self, guild_id: GuildId, now: datetime | None = None) -> Digest:
        """What a digest would say now (nothing is recorded)."""
        return (await self._preview_job(guild_id, now))()

    async def _preview_job(self, guild_id: GuildId, now: datetime | None) -> Callable[[], Digest]:
        now = self._now(now)
        gs = await self.guild_settings.get(guild_id)
        since, until = self.window((await self.claims.get(gs.guild_id)).last_posted, now)
        return await self._job(gs.guild_id, since, until, now.astimezone(gs.tz).date())

    async def preview_async(self, guild_id: GuildId, now: datetime | None = None) -> Digest:
        """``preview_digest`` with the CPU work in a worker thread (for ``/digest preview``)."""
        return await asyncio.to_thread(await self._preview_job(guild_id, now))

    async def digest_of_date(self, guild_id: GuildId, local_date: date) -> Digest:
        """The digest for a past (or today's) local date: the news that arrived between
        the previous day's run time and that day's run time, in the server's zone."""
        gs = await self.guild_settings.get(guild_id)
        until = run_instant(local_date, gs.at, gs.tz)
        since = run_instant(local_date - timedelta(days=1), gs.at, gs.tz)
        return await self.build(gs.guild_id, since=since, until=until, local_date=local_date)

    async def plan_now(self, guild_id: GuildId, now: datetime | None = None) -> DuePlan:
        """A plan for ``/digest now``: today's digest, posted immediately. Claim it like
        any other: if today's was already posted, the claim says no."""
        now = self._now(now)
        gs = await self.guild_settings.get(guild_id)
        if gs.channel_id is None:
            raise GuildSettingsError("Set a digest channel first with /digest set.")
        since, until = self.window((await self.claims.get(gs.guild_id)).last_posted, now)
        today = now.astimezone(gs.tz).date()
        return DuePlan(gs.guild_id, gs.channel_id, today, now, timedelta(0), since, until)

    def _now(self, now: datetime | None) -> datetime:
        value = self.clock.now() if now is None else now
        if value.tzinfo is None:
            raise ValueError("DigestService needs aware datetimes (UTC)")
        return value.astimezone(UTC)


def _retryable(rec: DigestRecord) -> bool:
    return rec.state == "failed" and not rec.message_ids and rec.attempts < MAX_ATTEMPTS


def _blocking_date(rec: DigestRecord | None) -> date | None:
    """The latest local date that must not be posted (again). A failure that can still
    be retried blocks only the days before it."""
    if rec is None:
        return None
    day = date.fromisoformat(rec.local_date)
    return day - timedelta(days=1) if _retryable(rec) else day
