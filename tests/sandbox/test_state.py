"""The emulator's world: stable ids across runs, time-ordered message ids, the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.sandbox.clock import Clock
from bot.sandbox.emulator import Emulator

DISCORD_EPOCH_MS = 1420070400000


def created_at(snowflake: int) -> datetime:
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def test_world_ids_are_the_same_on_every_run() -> None:
    first, second = Emulator(), Emulator()
    assert first.application_id == second.application_id
    assert first.guild.id == second.guild.id and first.channel.id == second.channel.id
    assert [u.id for u in first.users.values()] == [u.id for u in second.users.values()]


def test_message_ids_follow_the_clock() -> None:
    emulator = Emulator(clock=Clock(frozen=True))
    first = int(emulator.new_message(emulator.channel.id, {"content": "a"})["id"])
    second = int(emulator.new_message(emulator.channel.id, {"content": "b"})["id"])
    assert second > first
    assert abs(created_at(first) - datetime.now(UTC)) < timedelta(minutes=1)
    emulator.clock.advance(3600)
    later = int(emulator.new_message(emulator.channel.id, {"content": "c"})["id"])
    assert created_at(later) - created_at(first) >= timedelta(minutes=59)


def test_clock_only_moves_forward() -> None:
    clock = Clock(frozen=True)
    start = clock.now()
    clock.advance(4)
    assert clock.now() == start + 4
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_unknown_user_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="the guild has: alice, bob"):
        Emulator().user("carol")
