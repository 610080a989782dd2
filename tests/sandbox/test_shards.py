"""Sharding as Discord does it: ``GET /gateway/bot``, IDENTIFY with ``shard: [i, n]``, each
guild's events only to its shard's connection, several bot processes at once, and message
nonces with ``enforce_nonce``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys

import aiohttp
import pytest

from bot.sandbox.emulator import NONCE_WINDOW
from bot.sandbox.fixtures import API_BASE
from bot.sandbox.state import shard_of
from bot.sandbox.transport import ENDPOINT_ENV
from tests.sandbox.shard_bot import ShardBot

GATEWAY = "wss://gateway.discord.gg/?v=10&encoding=json"
GUILDS, GUILD_MESSAGES = 1, 1 << 9


async def test_gateway_bot_recommends_the_shard_count(emulator, discord_http) -> None:
    emulator.shards = 3
    async with discord_http.get(f"{API_BASE}/gateway/bot") as response:
        body = await response.json()
    assert body["shards"] == 3
    assert body["url"].startswith("wss://")


def test_new_guilds_spread_over_every_shard(emulator) -> None:
    emulator.add_guilds(5)
    for count in (2, 3, 6):
        assert {shard_of(g, count) for g in emulator.guilds} == set(range(count))
        assert sum(len(emulator.guilds_of_shard(i, count)) for i in range(count)) == 6


async def _identify(http, emulator, shard: list[int]):
    ws = await http.ws_connect(GATEWAY)
    await ws.receive(timeout=2)  # HELLO
    data = {"token": emulator.token, "intents": GUILDS | GUILD_MESSAGES, "properties": {},
            "shard": shard}  # fmt: skip
    await ws.send_json({"op": 2, "d": data})
    ready = json.loads((await ws.receive(timeout=2)).data)
    assert ready["t"] == "READY"
    creates = []
    for _ in ready["d"]["guilds"]:
        creates.append(json.loads((await ws.receive(timeout=2)).data))
    return ws, ready["d"], creates


async def test_each_connection_gets_only_its_shards_guilds(emulator, user) -> None:
    emulator.add_guilds(3)
    async with aiohttp.ClientSession(connector=emulator.client_kwargs()["connector"]) as http:
        first, ready0, creates0 = await _identify(http, emulator, [0, 2])
        second, ready1, creates1 = await _identify(http, emulator, [1, 2])
        expected0 = {str(g.id) for g in emulator.guilds_of_shard(0, 2)}
        expected1 = {str(g.id) for g in emulator.guilds_of_shard(1, 2)}
        assert expected0 and expected1
        assert {g["id"] for g in ready0["guilds"]} == expected0
        assert {c["d"]["id"] for c in creates0} == expected0
        assert {c["d"]["id"] for c in creates1} == expected1
        assert all(c["t"] == "GUILD_CREATE" for c in creates0 + creates1)
        assert ready1["shard"] == [1, 2]
        for guild in emulator.guilds.values():
            channel = next(iter(guild.channels.values()))
            await user.say(f"hello {guild.name}", in_channel=channel)
            owner, other = (first, second) if shard_of(guild.id, 2) == 0 else (second, first)
            event = json.loads((await owner.receive(timeout=2)).data)
            assert (event["t"], event["d"]["guild_id"]) == ("MESSAGE_CREATE", str(guild.id))
            with pytest.raises(asyncio.TimeoutError):
                await other.receive(timeout=0.05)
        await first.close()
        await second.close()


async def test_a_shard_outside_the_count_is_refused(emulator) -> None:
    async with aiohttp.ClientSession(connector=emulator.client_kwargs()["connector"]) as http:
        ws = await http.ws_connect(GATEWAY)
        await ws.receive(timeout=2)
        data = {"token": emulator.token, "intents": GUILDS, "properties": {}, "shard": [2, 2]}
        await ws.send_json({"op": 2, "d": data})
        message = await ws.receive(timeout=2)
        assert (message.type, message.data) == (aiohttp.WSMsgType.CLOSE, 4010)
        await ws.close()


async def test_two_sharded_bots_each_answer_only_their_guilds(emulator, connected_bot) -> None:
    emulator.add_guilds(5)
    count = 3
    low = ShardBot([0, 1], count, **emulator.client_kwargs())
    high = ShardBot([2], count, **emulator.client_kwargs())
    async with connected_bot(low), connected_bot(high):
        assert {g.id for g in low.guilds} | {g.id for g in high.guilds} == set(emulator.guilds)
        assert not {g.id for g in low.guilds} & {g.id for g in high.guilds}
        for guild in emulator.guilds.values():
            channel = next(iter(guild.channels.values()))
            reply = await emulator.user("bob").slash("whoami", in_channel=channel)
            shard = shard_of(guild.id, count)
            assert reply.interaction.delivered_to == [(shard, count)]
            mine = "0,1" if shard < 2 else "2"
            assert reply.content.endswith(f"shards {mine} guild shard {shard}")


async def _start_process(emulator, shard_ids: str, count: int) -> asyncio.subprocess.Process:
    env = {**os.environ, ENDPOINT_ENV: emulator.endpoint(), "NEWSBOT_SANDBOX_TOKEN": emulator.token}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.sandbox.shard_bot", shard_ids, str(count),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def test_several_bot_processes_connect_at_once(emulator) -> None:
    emulator.add_guilds(5)
    count = 3
    processes = await asyncio.gather(*(_start_process(emulator, str(i), count) for i in range(3)))
    try:
        for process in processes:
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line.strip() == b"ready"
        shards = sorted(s.shard for s in emulator.gateway.sessions.values())
        assert shards == [(0, 3), (1, 3), (2, 3)]
        await emulator.wait_for(lambda: emulator.syncs >= 1, timeout=10)
        pids = {}
        for guild in emulator.guilds.values():
            channel = next(iter(guild.channels.values()))
            reply = await emulator.user().slash("whoami", in_channel=channel, timeout=10)
            shard = shard_of(guild.id, count)
            assert reply.content.endswith(f"shards {shard} guild shard {shard}")
            pids.setdefault(shard, set()).add(reply.content.split()[1])
        assert len(set().union(*pids.values())) == 3  # three processes answered
        assert all(len(p) == 1 for p in pids.values())  # one process per shard
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _post(http, emulator, body: dict) -> dict:
    url = f"{API_BASE}/channels/{emulator.channel.id}/messages"
    async with http.post(url, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_an_enforced_nonce_returns_the_earlier_message(emulator, discord_http) -> None:
    body = {"content": "digest", "nonce": "digest-1-20261130", "enforce_nonce": True}
    first = await _post(discord_http, emulator, body)
    again = await _post(discord_http, emulator, body)
    assert again["id"] == first["id"] and first["nonce"] == "digest-1-20261130"
    assert len(emulator.channel_messages()) == 1
    emulator.clock.advance(NONCE_WINDOW + 1)
    later = await _post(discord_http, emulator, body)
    assert later["id"] != first["id"]
    assert len(emulator.channel_messages()) == 2


async def test_a_nonce_without_enforce_nonce_does_not_deduplicate(emulator, discord_http) -> None:
    body = {"content": "hello", "nonce": "n-1"}
    first = await _post(discord_http, emulator, body)
    second = await _post(discord_http, emulator, body)
    assert first["id"] != second["id"]
    assert len(emulator.channel_messages()) == 2
