"""Feed subscriptions and poll state: one ``FeedRecord`` per (guild, feed URL).

The store keeps them (``bot/news/store/interface.py: Feeds``); the poller changes a
record it was handed and saves it back.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# Seen ids kept per feed beyond those still in the feed; enough for any sane feed.
SEEN_LIMIT = 500


class GuildFull(Exception):
    """The guild already has as many feeds as allowed."""


@dataclass
class FeedRecord:
    guild_id: str
    url: str  # the feed's own URL (after discovery); the key with guild_id
    title: str
    interval_minutes: float
    added_at: float
    added_by: str | None = None
    added_url: str | None = None  # what the user typed, when it differs (a home page)
    etag: str | None = None
    last_modified: str | None = None
    primed: bool = False  # the first poll has happened (old items marked seen)
    seen: list[str] = field(default_factory=list)  # oldest first, bounded
    retries: dict[str, int] = field(default_factory=dict)  # item id -> transient failures
    last_poll_at: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    failures: int = 0  # consecutive
    failing_since: float | None = None
    next_poll_at: float = 0.0
    paused: bool = False
    paused_reason: str | None = None
    items_ingested: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.guild_id, self.url)

    def mark_seen(self, item_id: str, keep: set[str] | None = None) -> None:
        """Remember ``item_id``; forget the oldest ids, never one in ``keep`` (still in feed)."""
        self.retries.pop(item_id, None)
        if item_id not in self.seen:
            self.seen.append(item_id)
        excess = len(self.seen) - max(SEEN_LIMIT, len(keep or ()))
        if excess > 0:
            keep = keep or set()
            dropped = [i for i in self.seen if i not in keep][:excess]
            drop = set(dropped)
            self.seen = [i for i in self.seen if i not in drop]

    def to_doc(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        doc["seen"] = list(self.seen)
        doc["retries"] = dict(self.retries)
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FeedRecord:
        names = {f.name for f in dataclasses.fields(cls)}
        record = cls(**{k: v for k, v in doc.items() if k in names})
        if not isinstance(record.guild_id, str) or not isinstance(record.url, str):
            raise ValueError("guild_id and url must be strings")
        record.seen = [str(i) for i in record.seen or []]
        record.retries = {str(k): int(v) for k, v in (record.retries or {}).items()}
        return record
