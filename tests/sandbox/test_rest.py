"""The emulator's REST side, spoken to directly as https://discord.com over loopback."""

from __future__ import annotations

import aiohttp
import pytest

from bot.sandbox.emulator import Emulator
from bot.sandbox.fixtures import API_BASE

VALID_COMMANDS = [
    {
        "name": "country",
        "description": "News about a country",
        "options": [{"type": 3, "name": "name", "description": "country", "required": True}],
    },
    {"name": "Ingest links", "type": 3},
]


async def sync(http: aiohttp.ClientSession, emulator: Emulator, commands=VALID_COMMANDS):
    url = f"{API_BASE}/applications/{emulator.application_id}/commands"
    async with http.put(url, json=commands) as response:
        return response.status, await response.json()


async def command_interaction(emulator: Emulator, http: aiohttp.ClientSession):
    await sync(http, emulator)
    interaction = emulator.factory.slash(
        emulator.users["alice"], emulator.channel, "country", {"name": "Ecuador"}
    )
    emulator.send_interaction(interaction)
    return interaction


def callback_url(interaction) -> str:
    return f"{API_BASE}/interactions/{interaction.id}/{interaction.token}/callback?with_response=1"


async def test_answers_carry_exactly_application_json(emulator, discord_http) -> None:
    async with discord_http.get(f"{API_BASE}/users/@me") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.json())["id"] == str(emulator.bot_user.id)


async def test_other_hosts_are_unreachable(discord_http) -> None:
    with pytest.raises(aiohttp.ClientConnectorError):
        await discord_http.get("https://example.com/")


async def test_wrong_token_is_401(emulator, discord_http) -> None:
    headers = {"Authorization": "Bot nope"}
    async with discord_http.get(f"{API_BASE}/users/@me", headers=headers) as response:
        assert response.status == 401


async def test_command_sync_is_validated(emulator, discord_http, discord_spec) -> None:
    status, body = await sync(discord_http, emulator)
    assert status == 200
    assert [c["name"] for c in body] == ["country", "Ingest links"]
    bad = [{"name": "Bad Name", "description": "d"}]
    status, body = await sync(discord_http, emulator, bad)
    assert (status, body["code"]) == (400, 50035)
    assert body["errors"]["0"]["name"]["_errors"][0]["code"] == "APPLICATION_COMMAND_INVALID_NAME"
    choices = [{"name": str(i), "value": str(i)} for i in range(26)]
    bad = [{"name": "x", "description": "d", "options": [
        {"type": 3, "name": "o", "description": "d", "choices": choices}]}]  # fmt: skip
    status, body = await sync(discord_http, emulator, bad)
    assert status == 400
    assert "_errors" in body["errors"]["0"]["options"]["0"]["choices"]
    assert [r.status for r in emulator.rejections] == [400, 400]


async def test_valid_embed_passes_and_long_title_is_refused(emulator, discord_http, discord_spec):
    url = f"{API_BASE}/channels/{emulator.channel.id}/messages"
    async with discord_http.post(
        url, json={"embeds": [{"title": "Ecuador", "description": "ok"}]}
    ) as r:
        assert r.status == 200
        assert (await r.json())["embeds"][0]["title"] == "Ecuador"
    async with discord_http.post(url, json={"embeds": [{"title": "x" * 257}]}) as r:
        body = await r.json()
    assert r.status == 400
    assert body["code"] == 50035
    assert body["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert emulator.rejections[-1].rejection.paths() == ["embeds.0.title"]
    assert len(emulator.channel_messages()) == 1  # the refused one was not posted


async def test_6001_characters_and_empty_message(emulator, discord_http) -> None:
    url = f"{API_BASE}/channels/{emulator.channel.id}/messages"
    embeds = [{"description": "x" * 4000}, {"description": "y" * 2001}]
    async with discord_http.post(url, json={"embeds": embeds}) as r:
        body = await r.json()
    assert (r.status, body["code"], list(body["errors"])) == (400, 50035, ["embeds"])
    async with discord_http.post(url, json={"content": "   "}) as r:
        assert (r.status, (await r.json())["code"]) == (400, 50006)


async def test_denied_and_unknown_channels(emulator, discord_http) -> None:
    emulator.deny(emulator.channel)
    async with discord_http.post(
        f"{API_BASE}/channels/{emulator.channel.id}/messages", json={"content": "hi"}
    ) as r:
        assert (r.status, (await r.json())["code"]) == (403, 50013)
    async with discord_http.post(f"{API_BASE}/channels/123/messages", json={"content": "hi"}) as r:
        assert (r.status, (await r.json())["code"]) == (404, 10003)


async def test_callback_after_deadline_is_unknown_interaction(emulator, discord_http) -> None:
    interaction = await command_interaction(emulator, discord_http)
    emulator.clock.advance(3.01)
    async with discord_http.post(
        callback_url(interaction), json={"type": 4, "data": {"content": "x"}}
    ) as r:
        assert (r.status, (await r.json())["code"]) == (404, 10062)
    assert interaction.callback_type is None


async def test_second_ack_is_40060(emulator, discord_http) -> None:
    interaction = await command_interaction(emulator, discord_http)
    async with discord_http.post(callback_url(interaction), json={"type": 5}) as r:
        body = await r.json()
        assert r.status == 200
        assert body["interaction"]["response_message_loading"] is True
        assert body["resource"]["type"] == 5
    async with discord_http.post(
        callback_url(interaction), json={"type": 4, "data": {"content": "x"}}
    ) as r:
        assert (r.status, (await r.json())["code"]) == (400, 40060)


async def test_followups_expire_after_15_minutes(emulator, discord_http) -> None:
    interaction = await command_interaction(emulator, discord_http)
    async with discord_http.post(callback_url(interaction), json={"type": 5}) as r:
        assert r.status == 200
    hook = f"{API_BASE}/webhooks/{emulator.application_id}/{interaction.token}"
    async with discord_http.patch(f"{hook}/messages/@original", json={"content": "ready"}) as r:
        assert r.status == 200
    assert interaction.answered and interaction.original["content"] == "ready"
    emulator.clock.advance(15 * 60 + 1)
    async with discord_http.post(f"{hook}?wait=true", json={"content": "later"}) as r:
        assert (r.status, (await r.json())["code"]) == (404, 10062)


async def test_rate_limit_answers_429_with_retry_after(emulator, discord_http) -> None:
    emulator.throttle(path=r"/users/@me", retry_after=0.01)
    async with discord_http.get(f"{API_BASE}/users/@me") as r:
        body = await r.json()
        assert r.status == 429 and body["retry_after"] == 0.01
    async with discord_http.get(f"{API_BASE}/users/@me") as r:
        assert r.status == 200


async def test_unknown_route_is_404_json(emulator, discord_http) -> None:
    async with discord_http.get(f"{API_BASE}/nothing/here") as r:
        assert r.status == 404
        assert r.headers["Content-Type"] == "application/json"


async def test_channel_and_guild_fetches(emulator, discord_http) -> None:
    async with discord_http.get(f"{API_BASE}/channels/{emulator.channel.id}") as r:
        assert (await r.json())["name"] == "general"
    async with discord_http.get(f"{API_BASE}/guilds/{emulator.guild.id}") as r:
        guild = await r.json()
        assert guild["name"] == "Sandbox" and guild["roles"][0]["name"] == "@everyone"
    async with discord_http.get(f"{API_BASE}/guilds/1/channels") as r:
        assert (r.status, (await r.json())["code"]) == (404, 10004)


async def test_reactions_and_ephemeral_messages_via_the_channel(emulator, discord_http) -> None:
    url = f"{API_BASE}/channels/{emulator.channel.id}/messages"
    async with discord_http.post(url, json={"content": "hi"}) as r:
        message = await r.json()
    async with discord_http.put(f"{url}/{message['id']}/reactions/✅/@me") as r:
        assert r.status == 204
    assert emulator.messages_by_id[int(message["id"])]["reactions"][0]["emoji"]["name"] == "✅"
    ephemeral = emulator.new_message(emulator.channel.id, {"content": "secret", "flags": 64})
    async with discord_http.patch(f"{url}/{ephemeral['id']}", json={"content": "x"}) as r:
        assert (r.status, (await r.json())["code"]) == (404, 10008)
