"""Per-server settings: the digest channel, time, zone, follows and auto-ingest channels.

The records, their validation, and the changes ``update``/``follow``/``unfollow`` make
(``update_change`` ...): every store backend applies these same changes in its own
``transact`` (``bot/news/store/interface.py: Guilds``). ``DigestRecord`` is the record of
one day's digest, kept by the store's ``DigestClaims``.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import time
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.news.errors import NewsError
from bot.news.model import person_key

log = logging.getLogger(__name__)

DEFAULT_TIME = "08:00"
DEFAULT_ZONE = "UTC"
QUIET_NOTE = "note"  # a quiet day posts one line saying so
QUIET_SILENT = "silent"  # a quiet day posts nothing
QUIET_MODES = (QUIET_NOTE, QUIET_SILENT)
MAX_FOLLOWS = 50

QuietMode = Literal["note", "silent"]
DigestState = Literal["claimed", "posted", "failed", "interrupted", "skipped"]
GuildId = int | str


class GuildSettingsError(NewsError, ValueError):
    """A setting or digest request that cannot be honoured; ``message`` is for the user."""

    default_kind = "bad_setting"


def guild_key(guild_id: GuildId) -> str:
    """Guild ids are Discord snowflakes (int) or names like ``"cli"``; stored as text."""
    key = str(guild_id).strip()
    if not key:
        raise GuildSettingsError("A server id is required.")
    return key


# ---------------------------------------------------------------- validation helpers

_TIME_RE = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


def parse_time(text: str | time) -> time:
    """``"7:30"``, ``"07:30"``, ``"18:00"``, ``"7pm"``, ``"7:30 am"`` -> ``time``."""
    if isinstance(text, time):
        return text.replace(second=0, microsecond=0, tzinfo=None)
    raw = str(text).strip()
    match = _TIME_RE.match(raw)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        meridiem = (match.group(3) or "").lower().replace(".", "")
        if meridiem and not 1 <= hour <= 12:
            match = None
        elif meridiem:
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if match and 0 <= hour <= 23 and 0 <= minute <= 59:
            return time(hour, minute)
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    raise GuildSettingsError(
        f"“{shown}” is not a time of day. Use 24-hour HH:MM, for example 07:30 or 18:00."
    )


def format_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    names = {
        name
        for name in available_timezones()
        if not name.startswith(("posix/", "right/", "SystemV/")) and name != "localtime"
    }
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def _zone_lookup() -> dict[str, str]:
    return {name.casefold(): name for name in _zone_names()}


def parse_zone(text: str) -> ZoneInfo:
    """An IANA time zone name (any letter case; spaces for underscores) -> ``ZoneInfo``."""
    raw = str(text).strip()
    wanted = raw.replace(" ", "_").casefold()
    name = _zone_lookup().get(wanted)
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - broken tz data
            pass
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    close = [_zone_lookup()[c] for c in difflib.get_close_matches(wanted, list(_zone_lookup()), 3)]
    if close:
        options = ", ".join(close[:-1]) + " or " + close[-1] if len(close) > 1 else close[0]
        raise GuildSettingsError(
            f"“{shown}” is not an IANA time zone name. Did you mean {options}?"
        )
    raise GuildSettingsError(
        f"“{shown}” is not a time zone I know. Use an IANA name such as "
        "America/Guayaquil, Europe/Berlin or Asia/Kolkata."
    )


def suggest_zones(prefix: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: names starting with the text first, then containing it."""
    wanted = str(prefix).strip().replace(" ", "_").casefold()
    names = _zone_names()
    if not wanted:
        return list(names[:limit])
    starts = [n for n in names if n.casefold().startswith(wanted)]
    city_starts = [
        n for n in names if n not in starts and n.rsplit("/", 1)[-1].casefold().startswith(wanted)
    ]
    seen = set(starts) | set(city_starts)
    contains = [n for n in names if n not in seen and wanted in n.casefold()]
    return (starts + city_starts + contains)[:limit]


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Follow:
    kind: str  # "country" or "person"
    key: str  # ISO code, or person key (accents folded)
    display: str  # what people see: "Ecuador", "Andrés Castillo"

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "display": self.display}


@dataclass(frozen=True, slots=True)
class DigestRecord:
    """One digest for one local day, claimed before it is posted.

    States: ``claimed`` (someone is posting it now), ``posted``, ``failed`` (nothing or
    not everything was sent; see ``reason``), ``interrupted`` (a claim whose poster never
    reported back, e.g. a crash mid-post: treated as possibly posted and never repeated),
    ``skipped`` (missed beyond the grace window).
    """

    local_date: str  # YYYY-MM-DD in the guild's zone
    state: str
    token: str = ""  # which service instance claimed it
    claimed_at: float = 0.0
    finished_at: float | None = None
    since: float = 0.0  # the window of news it covers, epoch seconds
    until: float = 0.0
    channel_id: int | None = None
    message_ids: tuple[int, ...] = ()
    reason: str = ""
    attempts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "local_date": self.local_date,
            "state": self.state,
            "token": self.token,
            "claimed_at": self.claimed_at,
            "finished_at": self.finished_at,
            "since": self.since,
            "until": self.until,
            "channel_id": self.channel_id,
            "message_ids": list(self.message_ids),
            "reason": self.reason,
            "attempts": self.attempts,
        }

    @classmethod
    def from_dict(cls, data: Any) -> DigestRecord | None:
        if not isinstance(data, dict) or not data.get("local_date") or not data.get("state"):
            return None
        try:
            return cls(
                local_date=str(data["local_date"]),
                state=str(data["state"]),
                token=str(data.get("token") or ""),
                claimed_at=float(data.get("claimed_at") or 0.0),
                finished_at=_opt_float(data.get("finished_at")),
                since=float(data.get("since") or 0.0),
                until=float(data.get("until") or 0.0),
                channel_id=_opt_int(data.get("channel_id")),
                message_ids=tuple(int(m) for m in data.get("message_ids") or ()),
                reason=str(data.get("reason") or ""),
                attempts=int(data.get("attempts") or 0),
            )
        except (TypeError, ValueError):
            log.warning("ignoring an unreadable digest record: %r", data)
            return None


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: str
    channel_id: int | None = None
    digest_time: str = DEFAULT_TIME  # "HH:MM", local to ``zone``
    zone: str = DEFAULT_ZONE  # IANA name
    enabled: bool = False
    quiet_mode: str = QUIET_NOTE
    paused: bool = False  # set by the bot when it cannot post (permissions, channel gone)
    pause_reason: str = ""
    paused_at: float | None = None
    # Runs scheduled before this instant are not owed: setting a time that has already
    # passed today starts tomorrow instead of posting at once.
    schedule_since: float = 0.0
    follows: tuple[Follow, ...] = ()
    # channels whose posted links are ingested by themselves (needs the content intent)
    autoingest_channels: tuple[int, ...] = ()
    updated_at: float = 0.0

    @property
    def at(self) -> time:
        return parse_time(self.digest_time)

    @property
    def tz(self) -> ZoneInfo:
        return parse_zone(self.zone)

    @property
    def active(self) -> bool:
        """Whether the scheduler should consider this server at all."""
        return self.enabled and self.channel_id is not None and not self.paused

    def to_dict(self) -> dict[str, Any]:
        return {
            "guild_id": self.guild_id,
            "channel_id": self.channel_id,
            "digest_time": self.digest_time,
            "zone": self.zone,
            "enabled": self.enabled,
            "quiet_mode": self.quiet_mode,
            "paused": self.paused,
            "pause_reason": self.pause_reason,
            "paused_at": self.paused_at,
            "schedule_since": self.schedule_since,
            "follows": [f.to_dict() for f in self.follows],
            "autoingest_channels": list(self.autoingest_channels),
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GuildSettings:
        """Read a stored document; a field with a bad value falls back to its default
        (and is logged) so that one hand-edited mistake never stops the bot."""
        gid = guild_key(data.get("guild_id", ""))
        values: dict[str, Any] = {"guild_id": gid}
        for name, coerce in _STORED_FIELDS.items():
            if name not in data:
                continue
            try:
                values[name] = coerce(data[name])
            except (GuildSettingsError, KeyError, TypeError, ValueError) as exc:
                log.warning("guild %s: ignoring stored %s=%r (%s)", gid, name, data[name], exc)
        return cls(**values)


def _opt_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("not an id")
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"not a numeric id: {value!r}")
    return int(text)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _quiet_mode(value: Any) -> str:
    mode = str(value).strip().lower()
    if mode not in QUIET_MODES:
        raise GuildSettingsError(
            f"Quiet-day mode must be “{QUIET_NOTE}” (post one line) or "
            f"“{QUIET_SILENT}” (post nothing), not “{value}”."
        )
    return mode


def _follows(value: Any) -> tuple[Follow, ...]:
    out = []
    for item in value or ():
        kind, key = str(item["kind"]), str(item["key"])
        if kind == "person":
            key = person_key(key)  # stored before every apostrophe was written "'"
        out.append(Follow(kind, key, str(item["display"])))
    return tuple(out)


_STORED_FIELDS: dict[str, Callable[[Any], Any]] = {
    "channel_id": _opt_int,
    "digest_time": lambda v: format_time(parse_time(v)),
    "zone": lambda v: str(parse_zone(v).key),
    "enabled": _bool,
    "quiet_mode": _quiet_mode,
    "paused": _bool,
    "pause_reason": lambda v: str(v or "")[:300],
    "paused_at": _opt_float,
    "schedule_since": float,
    "follows": _follows,
    "autoingest_channels": lambda v: tuple(sorted({_opt_int(c) for c in v} - {None}))[:50],
    "updated_at": float,
}
# What ``update`` accepts; follows change through their own methods.
UPDATABLE = (
    "channel_id",
    "digest_time",
    "zone",
    "enabled",
    "quiet_mode",
    "paused",
    "pause_reason",
    "autoingest_channels",
)
# Changing one of these reschedules the digest and lifts a pause (an admin acted).
_RESCHEDULING = ("channel_id", "digest_time", "zone", "enabled")


def make_follow(kind: str, key: str, display: str | None = None) -> Follow:
    """A validated follow: countries by ISO alpha-2 code, persons by their name."""
    kind = str(kind).strip().lower()
    raw = str(key).strip()
    if kind == "country":
        code = raw.upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise GuildSettingsError(f"“{raw[:40]}” is not a two-letter country code.")
        return Follow("country", code, (display or code).strip()[:100])
    if kind == "person":
        name = (display or raw).strip()
        pkey = person_key(raw)
        if not pkey:
            raise GuildSettingsError("A person to follow needs a name.")
        return Follow("person", pkey, name[:100])
    raise GuildSettingsError(f"You can follow a country or a person, not “{kind[:20]}”.")


# ---------------------------------------------------------------- changes
# Each builds a change for ``transact`` (every backend runs it on the latest settings).


def update_change(
    changes: Mapping[str, Any], clock: Callable[[], float]
) -> Callable[[GuildSettings], GuildSettings | None]:
    """The change ``update(**changes)`` makes; validates at once (``GuildSettingsError``)."""
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise TypeError(f"not an updatable guild setting: {', '.join(unknown)}")
    clean = {name: _STORED_FIELDS[name](value) for name, value in changes.items()}

    def apply(current: GuildSettings) -> GuildSettings | None:
        new = replace(current, **clean)
        if new == current:
            return None
        if any(getattr(new, n) != getattr(current, n) for n in _RESCHEDULING):
            new = replace(new, schedule_since=clock())
            if "paused" not in clean:
                new = replace(new, paused=False, pause_reason="", paused_at=None)
        if new.paused and not current.paused:
            new = replace(new, paused_at=clock())
        if not new.paused:
            new = replace(new, pause_reason="", paused_at=None)
        return new

    return apply


def follow_change(
    kind: str, key: str, display: str | None = None
) -> tuple[Callable[[GuildSettings], GuildSettings | None], Callable[[], bool]]:
    """The change that follows an entity, and a callable telling whether it added it."""
    follow = make_follow(kind, key, display)
    added = False

    def apply(current: GuildSettings) -> GuildSettings | None:
        nonlocal added
        added = False
        if any(f.kind == follow.kind and f.key == follow.key for f in current.follows):
            return None
        if len(current.follows) >= MAX_FOLLOWS:
            raise GuildSettingsError(
                f"This server already follows {MAX_FOLLOWS} countries and people; "
                "unfollow one first."
            )
        added = True
        return replace(current, follows=(*current.follows, follow))

    return apply, lambda: added


def unfollow_change(
    kind: str, key: str
) -> tuple[Callable[[GuildSettings], GuildSettings | None], Callable[[], bool]]:
    """The change that unfollows an entity, and a callable telling whether it removed it."""
    target = make_follow(kind, key, key)
    removed = False

    def apply(current: GuildSettings) -> GuildSettings | None:
        nonlocal removed
        kept = tuple(
            f for f in current.follows if not (f.kind == target.kind and f.key == target.key)
        )
        removed = len(kept) != len(current.follows)
        return replace(current, follows=kept) if removed else None

    return apply, lambda: removed


__all__ = [
    "DEFAULT_TIME",
    "DEFAULT_ZONE",
    "QUIET_MODES",
    "QUIET_NOTE",
    "QUIET_SILENT",
    "DigestRecord",
    "DigestState",
    "Follow",
    "GuildSettings",
    "GuildSettingsError",
    "QuietMode",
    "follow_change",
    "format_time",
    "make_follow",
    "parse_time",
    "parse_zone",
    "suggest_zones",
    "unfollow_change",
    "update_change",
]
