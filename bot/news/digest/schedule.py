"""When is a server's digest due? Pure functions of (now, time, zone, last date, grace).

A digest belongs to a *local date* in the server's zone and runs at that date's local
time. Two clock changes need a rule:

- spring forward: a time that does not exist that day (02:30 when clocks jump from 02:00
  to 03:00) runs at the first instant after the gap (03:00 new time);
- fall back: a time that happens twice (01:30 when clocks go from 02:00 back to 01:00)
  runs at its first occurrence only; the date is what makes it "once".

Zones with 30- or 45-minute offsets need nothing special: everything is computed with
``zoneinfo`` on aware datetimes, never by adding hours by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_wall_exists(naive: datetime, zone: ZoneInfo) -> bool:
    """Whether this wall-clock time happens at all in ``zone`` (false inside a DST gap)."""
    aware = naive.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return back == naive


def run_instant(local_date: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``at`` on ``local_date`` in ``zone``, with the DST rules above."""
    naive = datetime.combine(local_date, at.replace(tzinfo=None, fold=0))
    if local_wall_exists(naive, zone):
        # fold=0 is the first of two occurrences on a fall-back day.
        return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    # Inside a gap, fold=1 reads the time with the offset after the change and fold=0 with
    # the one before; the change itself lies between the two readings. Find it to the
    # second (offsets change on whole seconds in every tz database entry).
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if low > high:
        low, high = high, low
    after = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(zone).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high


def local_date_of(instant: datetime, zone: ZoneInfo) -> date:
    return _aware(instant).astimezone(zone).date()


@dataclass(frozen=True, slots=True)
class Decision:
    """What the scheduler should do for one server at one instant.

    ``due``: post the digest for ``local_date`` now (its run time was ``run_at``, maybe
    late by ``late``). Not due: ``local_date``/``run_at`` are the next run. ``missed``
    lists the dates whose run passed beyond the grace window without a post (to record
    as skipped, once).
    """

    due: bool
    local_date: date
    run_at: datetime
    late: timedelta
    missed: tuple[date, ...] = ()


def decide(
    now: datetime,
    *,
    at: time,
    zone: ZoneInfo,
    last_date: date | None,
    grace: timedelta,
    not_before: datetime | None = None,
) -> Decision:
    """Is a digest due at ``now``?

    ``last_date``: the latest local date already claimed (posted, being posted, given up
    or skipped); no date at or before it is ever due again. ``not_before``: runs earlier
    than this are not owed (the schedule was set or changed after them). A run is due
    from its instant until ``grace`` after it; after that it is missed.
    """
    now = _aware(now).astimezone(UTC)
    today = local_date_of(now, zone)
    missed: list[date] = []
    # Look back far enough for any run still within the grace window (plus a day for the
    # zone's offset), no further: older runs can only be missed.
    day = today - timedelta(days=math.ceil(grace / timedelta(days=1)) + 1)
    while True:
        run_at = run_instant(day, at, zone)
        owed = (last_date is None or day > last_date) and (
            not_before is None or run_at >= _aware(not_before)
        )
        if owed:
            if run_at > now:
                return Decision(False, day, run_at, timedelta(0), tuple(missed))
            if now - run_at <= grace:
                return Decision(True, day, run_at, now - run_at, tuple(missed))
            missed.append(day)
        day += timedelta(days=1)


def next_run(
    now: datetime,
    *,
    at: time,
    zone: ZoneInfo,
    last_date: date | None,
    grace: timedelta,
    not_before: datetime | None = None,
) -> datetime:
    """When the next digest will be posted: ``now`` if one is due, else its run time."""
    decision = decide(
        now, at=at, zone=zone, last_date=last_date, grace=grace, not_before=not_before
    )
    return _aware(now).astimezone(UTC) if decision.due else decision.run_at


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("scheduling needs aware datetimes (UTC), got a naive one")
    return value
