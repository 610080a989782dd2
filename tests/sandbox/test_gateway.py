"""The gateway spoken to with a bare websocket: compression, auth, intents, dispatch."""

from __future__ import annotations

import json
import zlib

import aiohttp
import pytest

GATEWAY = "wss://gateway.discord.gg/?v=10&encoding=json"
GUILDS, GUILD_MESSAGES, MEMBERS, MESSAGE_CONTENT = 1, 1 << 9, 1 << 1, 1 << 15


class ZlibReader:
    def __init__(self) -> None:
        self.inflate = zlib.decompressobj()

    def read(self, data: bytes) -> dict:
        assert data.endswith(b"\x00\x00\xff\xff")  # one sync flush per message
        return json.loads(self.inflate.decompress(data))


async def receive(ws, reader: ZlibReader) -> dict:
    message = await ws.receive(timeout=2)
    assert message.type == aiohttp.WSMsgType.BINARY
    return reader.read(message.data)


async def identify(ws, emulator, intents: int, token: str | None = None) -> None:
    await ws.send_json(
        {"op": 2, "d": {"token": token or emulator.token, "intents": intents, "properties": {}}}
    )


@pytest.fixture
async def session(emulator):
    async with aiohttp.ClientSession(connector=emulator.client_kwargs()["connector"]) as http:
        yield http


async def test_zlib_stream_hello_ready_guild_create(emulator, session) -> None:
    reader = ZlibReader()
    async with session.ws_connect(GATEWAY + "&compress=zlib-stream") as ws:
        hello = await receive(ws, reader)
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
        await ws.send_json({"op": 1, "d": None})
        assert (await receive(ws, reader))["op"] == 11
        await identify(ws, emulator, GUILDS)
        ready = await receive(ws, reader)
        assert ready["t"] == "READY" and ready["d"]["resume_gateway_url"].startswith("wss://")
        guild = (await receive(ws, reader))["d"]
        assert guild["roles"][0]["name"] == "@everyone"
        assert guild["member_count"] == len(guild["members"]) == 3
        assert [c["name"] for c in guild["channels"]] == ["general", "news"]


async def test_bad_token_closes_4004(emulator, session) -> None:
    async with session.ws_connect(GATEWAY) as ws:
        await ws.receive(timeout=2)
        await identify(ws, emulator, GUILDS, token="wrong")
        message = await ws.receive(timeout=2)
        assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 4004


async def test_privileged_intent_not_granted_closes_4014(emulator, session) -> None:
    emulator.granted_intents = 0
    async with session.ws_connect(GATEWAY) as ws:
        await ws.receive(timeout=2)
        await identify(ws, emulator, GUILDS | MEMBERS)
        message = await ws.receive(timeout=2)
        assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 4014


async def test_message_content_needs_the_intent(emulator, session, user) -> None:
    async with session.ws_connect(GATEWAY) as ws:
        await ws.receive(timeout=2)
        await identify(ws, emulator, GUILDS | GUILD_MESSAGES)
        await ws.receive(timeout=2)  # READY
        await ws.receive(timeout=2)  # GUILD_CREATE
        await user.say("https://example.org/story")
        event = json.loads((await ws.receive(timeout=2)).data)
        assert event["t"] == "MESSAGE_CREATE" and event["d"]["content"] == ""
        await user.say(f"<@{emulator.bot_user.id}> https://example.org/story")
        event = json.loads((await ws.receive(timeout=2)).data)
        assert event["d"]["content"].endswith("https://example.org/story")
