"""Which process answers which server: Discord puts a server on one shard, always."""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int | str, shard_count: int) -> int:
    """The shard Discord dispatches ``guild_id``'s events to (its documented formula)."""
    return (int(guild_id) >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class ShardSet:
    """The shards one gateway process owns; ``ids=None`` means every shard (one process)."""

    ids: tuple[int, ...] | None = None
    count: int | None = None

    def owns(self, guild_id: int | str) -> bool:
        if self.ids is None or self.count is None:
            return True
        return shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        if self.ids is None:
            return "all shards"
        return f"shards {format_shards(self.ids)} of {self.count}"


def format_shards(ids: tuple[int, ...]) -> str:
    """``(0, 1, 2, 5)`` -> ``"0-2,5"``: the inverse of ``bot.config.parse_shards``."""
    parts: list[str] = []
    start = prev = None
    for shard in ids:
        if prev is not None and shard == prev + 1:
            prev = shard
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = shard
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}-{prev}")
    return ",".join(parts)
