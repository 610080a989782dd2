"""Per-server settings on a real TinyDB file: validation, durability, several stores,
damaged files set aside and recovered."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bot.news.clock import Clock
from bot.news.guild_settings import (
    MAX_FOLLOWS,
    GuildSettingsError,
    parse_time,
    parse_zone,
    suggest_zones,
)
from bot.news.store import SchemaTooNew
from bot.news.store.tinydb.guilds import GUILDS_FILE_VERSION
from bot.news.store.tinydb.guilds import TinyGuilds as GuildSettingsStore


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        (" 18:05 ", time(18, 5)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("7pm", time(19, 0)),
        ("12am", time(0, 0)),
        ("7:30 AM", time(7, 30)),
        ("9", time(9, 0)),
    ],
)
def test_parse_time_accepts(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("junk", ["", "25:00", "7:60", "noon", "7:3", "13pm", "1:2:3", "x" * 500])
def test_parse_time_rejects_with_a_clear_message(junk: str) -> None:
    with pytest.raises(GuildSettingsError) as err:
        parse_time(junk)
    assert "HH:MM" in err.value.message and len(err.value.message) < 200


def test_parse_zone_and_suggestions() -> None:
    assert parse_zone("America/Guayaquil").key == "America/Guayaquil"
    assert parse_zone("asia/kolkata").key == "Asia/Kolkata"
    assert parse_zone("America/New York").key == "America/New_York"
    for junk in ("America/Guayakil", "Mars/Olympus", "../../etc/passwd", "", "/etc/localtime"):
        with pytest.raises(GuildSettingsError) as err:
            parse_zone(junk)
        assert "IANA" in err.value.message
    with pytest.raises(GuildSettingsError) as err:
        parse_zone("America/Guayakil")
    assert "Did you mean America/Guayaquil," in err.value.message
    assert suggest_zones("america/guay") == ["America/Guayaquil"]
    assert suggest_zones("kolk")[0] == "Asia/Kolkata"  # city names match too
    assert len(suggest_zones("a")) == 25 and len(suggest_zones("", limit=5)) == 5
    assert all("/" in z or z.isupper() or z[0].isupper() for z in suggest_zones("e", 100))
    assert not any(z.startswith(("posix/", "right/")) for z in suggest_zones("", 10_000))


async def test_update_is_durable_and_validated(data_dir: Path) -> None:
    path = data_dir / "guilds.json"
    store = GuildSettingsStore(path, clock=Clock(datetime.fromtimestamp(1000.0, UTC)))
    assert (await store.get(42)).digest_time == "08:00" and not (await store.get(42)).active
    new = await store.update(42, channel_id="1234", digest_time="7:30", zone="asia/kathmandu")
    assert (new.channel_id, new.digest_time, new.zone) == (1234, "07:30", "Asia/Kathmandu")
    assert new.schedule_since == 1000.0
    await store.update(42, enabled=True, quiet_mode="silent")
    with pytest.raises(GuildSettingsError):
        await store.update(42, digest_time="25:61")
    with pytest.raises(GuildSettingsError):
        await store.update(42, zone="Nowhere/Land")
    with pytest.raises(GuildSettingsError):
        await store.update(42, quiet_mode="loud")
    with pytest.raises(TypeError):
        await store.update(42, follows=())
    store.close()

    raw = json.loads(path.read_text())
    assert raw["meta"]["1"]["schema_version"] == GUILDS_FILE_VERSION
    again = GuildSettingsStore(path)
    gs = await again.get("42")
    assert gs.active and gs.at == time(7, 30) and gs.tz.key == "Asia/Kathmandu"
    assert gs.quiet_mode == "silent"


async def test_pause_is_lifted_when_an_admin_changes_the_schedule(data_dir: Path) -> None:
    store = GuildSettingsStore(data_dir / "guilds.json")
    await store.update(1, channel_id=5, enabled=True)
    paused = await store.update(1, paused=True, pause_reason="Missing Permissions")
    assert paused.paused and paused.paused_at and not paused.active
    resumed = await store.update(1, channel_id=6)
    assert not resumed.paused and resumed.pause_reason == "" and resumed.active


async def test_follow_and_unfollow(data_dir: Path) -> None:
    store = GuildSettingsStore(data_dir / "guilds.json")
    assert await store.follow(1, "country", "ec", "Ecuador")
    assert not await store.follow(1, "country", "EC", "Ecuador")
    assert await store.follow(1, "person", "Andrés Castillo")
    gs = await store.get(1)
    assert [(f.kind, f.key, f.display) for f in gs.follows] == [
        ("country", "EC", "Ecuador"),
        ("person", "andres castillo", "Andrés Castillo"),
    ]
    assert await store.unfollow(1, "person", "ANDRES castillo")
    assert not await store.unfollow(1, "person", "nobody")
    for bad in (("country", "Ecuador"), ("team", "x"), ("person", "  ")):
        with pytest.raises(GuildSettingsError):
            await store.follow(1, *bad)
    for i in range(MAX_FOLLOWS - 1):
        await store.follow(1, "person", f"Person {i}")
    with pytest.raises(GuildSettingsError) as err:
        await store.follow(1, "person", "One Too Many")
    assert "unfollow" in err.value.message
    assert len((await GuildSettingsStore(data_dir / "guilds.json").get(1)).follows) == MAX_FOLLOWS


async def test_two_stores_see_each_other(data_dir: Path) -> None:
    a = GuildSettingsStore(data_dir / "guilds.json")
    b = GuildSettingsStore(data_dir / "guilds.json")
    await a.update(1, channel_id=10)
    assert (await b.get(1)).channel_id == 10
    await b.update(2, channel_id=20)  # b inserts after a did: no clash of document ids
    await a.update(3, channel_id=30)
    assert {g.guild_id for g in await a.all()} == {g.guild_id for g in await b.all()}
    assert {g.guild_id for g in await a.all()} == {"1", "2", "3"}


async def test_bad_stored_values_fall_back_to_defaults(data_dir: Path) -> None:
    path = data_dir / "guilds.json"
    doc = {
        "guild_id": "9",
        "digest_time": "99:99",
        "zone": "Nowhere",
        "channel_id": 77,
        "follows": [{"kind": "country"}],
        "last_digest": {"local_date": "2026-11-28", "state": "posted", "message_ids": 5},
        "enabled": "yes",
    }
    path.write_text(json.dumps({"guilds": {"1": doc}, "meta": {"1": {"schema_version": 1}}}))
    gs = await GuildSettingsStore(path).get(9)
    assert (gs.digest_time, gs.zone, gs.channel_id) == ("08:00", "UTC", 77)
    assert (gs.follows, gs.enabled) == ((), False)


def test_newer_schema_is_refused(data_dir: Path) -> None:
    path = data_dir / "guilds.json"
    path.write_text(json.dumps({"meta": {"1": {"schema_version": GUILDS_FILE_VERSION + 1}}}))
    with pytest.raises(SchemaTooNew) as err:
        GuildSettingsStore(path)
    assert "newer newsbot" in err.value.message


@pytest.mark.parametrize(
    "damage", [b"", b"  \n", b'{"guilds": {"1": {"guild_id": ', b"\x00\xff" * 40, b"[1, 2]"]
)
async def test_a_damaged_file_is_set_aside_and_its_copy_gives_back_the_last_change(
    data_dir: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = data_dir / "guilds.json"
    store = GuildSettingsStore(path)
    await store.update(1, channel_id=10)
    await store.update(2, channel_id=20)  # the last acknowledged change survives the damage
    store.close()
    path.write_bytes(damage)
    again = GuildSettingsStore(path)
    aside = [p for p in data_dir.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == damage
    assert {g.guild_id: g.channel_id for g in await again.all()} == {"1": 10, "2": 20}
    assert "recovered from guilds.json.copy" in caplog.text
    await again.update(3, channel_id=30)
    assert len(await GuildSettingsStore(path).all()) == 3


@pytest.mark.parametrize("damage", [b"", b'{"guilds": {"1": ', b"\x00\xff" * 40])
async def test_a_damaged_copy_is_noticed_at_start_set_aside_and_rewritten(
    data_dir: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = data_dir / "guilds.json"
    store = GuildSettingsStore(path)
    await store.update(1, channel_id=10)
    store.close()
    (data_dir / "guilds.json.copy").write_bytes(damage)
    again = GuildSettingsStore(path)
    assert [p.read_bytes() for p in data_dir.glob("guilds.json.copy.damaged-*")] == [damage]
    assert "guilds.json.copy" in caplog.text
    assert (data_dir / "guilds.json.copy").read_bytes() == path.read_bytes()
    assert {g.guild_id: g.channel_id for g in await again.all()} == {"1": 10}


async def test_a_file_from_before_copies_falls_back_to_its_previous_version(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = data_dir / "guilds.json"
    store = GuildSettingsStore(path)
    await store.update(1, channel_id=10)
    store.close()
    (data_dir / "guilds.json.copy").rename(data_dir / "guilds.json.prev")
    path.write_bytes(b"")
    again = GuildSettingsStore(path)
    assert {g.guild_id: g.channel_id for g in await again.all()} == {"1": 10}
    assert "the last change is lost" in caplog.text
    assert not (data_dir / "guilds.json.prev").exists()  # superseded by the copy


async def test_damage_without_a_previous_version_starts_empty_and_says_so(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = data_dir / "guilds.json"
    path.write_bytes(b"")
    store = GuildSettingsStore(path)
    assert await store.all() == []
    assert any(".damaged-" in p.name for p in data_dir.iterdir())
    assert "no copy to recover from" in caplog.text
