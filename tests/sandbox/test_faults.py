"""Failures the emulator injects on command, seen with raw requests and a bare websocket."""

from __future__ import annotations

import json

import aiohttp
import pytest

from bot.sandbox.fixtures import API_BASE

GATEWAY = "wss://gateway.discord.gg/?v=10&encoding=json"


async def post(http, emulator, content: str = "hi") -> aiohttp.ClientResponse:
    url = f"{API_BASE}/channels/{emulator.channel.id}/messages"
    response = await http.post(url, json={"content": content})
    await response.read()
    return response


@pytest.mark.parametrize(("scope", "via"), [("user", True), ("global", True), ("user", False)])
async def test_a_429_says_how_long_and_how_wide(emulator, discord_http, scope, via) -> None:
    emulator.faults.rate_limit(path=r"/messages$", retry_after=0.25, scope=scope, via=via)
    response = await post(discord_http, emulator)
    body = await response.json()
    assert response.status == 429
    assert (body["retry_after"], body["global"]) == (0.25, scope == "global")
    assert response.headers["X-RateLimit-Scope"] == scope
    assert ("Via" in response.headers) is via
    assert response.headers.get("X-RateLimit-Global") == ("true" if scope == "global" else None)
    assert emulator.channel_messages() == []
    assert (await post(discord_http, emulator)).status == 200  # only once


async def test_a_server_error_before_or_after_the_request_took_effect(
    emulator, discord_http
) -> None:
    emulator.faults.fail(status=503, path=r"/messages$")
    assert (await post(discord_http, emulator, "lost")).status == 503
    assert emulator.channel_messages() == []
    emulator.faults.fail(status=502, path=r"/messages$", after=True)
    assert (await post(discord_http, emulator, "stored")).status == 502
    assert [m["content"] for m in emulator.channel_messages()] == ["stored"]
    assert [r.status for r in emulator.requests] == [503, 502]
    assert all(r.fault is not None for r in emulator.requests)
    with pytest.raises(ValueError):
        emulator.faults.fail(status=404)


async def _connect(http, emulator):
    ws = await http.ws_connect(GATEWAY)
    await ws.receive(timeout=2)  # HELLO
    await ws.send_json(
        {"op": 2, "d": {"token": emulator.token, "intents": 1 | 512, "properties": {}}}
    )
    ready = json.loads((await ws.receive(timeout=2)).data)
    await ws.receive(timeout=2)  # GUILD_CREATE
    return ws, ready


async def _resume(http, emulator, session_id: str, seq: int):
    ws = await http.ws_connect(GATEWAY)
    await ws.receive(timeout=2)
    await ws.send_json({"op": 6, "d": {"token": emulator.token, "session_id": session_id,
                                       "seq": seq}})  # fmt: skip
    return ws


@pytest.mark.parametrize("code", [1006, 4000])
async def test_resume_after_a_drop_replays_what_was_missed(emulator, user, code) -> None:
    async with aiohttp.ClientSession(connector=emulator.client_kwargs()["connector"]) as http:
        ws, ready = await _connect(http, emulator)
        assert await emulator.gateway.close(code) == 1
        message = await ws.receive(timeout=2)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                aiohttp.WSMsgType.ERROR)  # fmt: skip
        if code != 1006:
            assert message.data == code
        await user.say("while you were away")
        again = await _resume(http, emulator, ready["d"]["session_id"], 2)
        missed = json.loads((await again.receive(timeout=2)).data)
        assert missed["t"] == "MESSAGE_CREATE" and missed["s"] == 3
        assert json.loads((await again.receive(timeout=2)).data)["t"] == "RESUMED"
        assert emulator.gateway.replayed == 1
        await again.close()


@pytest.mark.parametrize("how", ["close-4009", "invalid-session"])
async def test_a_lost_session_cannot_be_resumed(emulator, how) -> None:
    async with aiohttp.ClientSession(connector=emulator.client_kwargs()["connector"]) as http:
        ws, ready = await _connect(http, emulator)
        if how == "close-4009":
            await emulator.gateway.close(4009)
            assert (await ws.receive(timeout=2)).data == 4009
        else:
            await emulator.gateway.invalidate_session(resumable=False)
            assert json.loads((await ws.receive(timeout=2)).data) == {"op": 9, "d": False}
            await ws.close()
        again = await _resume(http, emulator, ready["d"]["session_id"], 2)
        assert json.loads((await again.receive(timeout=2)).data) == {"op": 9, "d": False}
        await again.close()
