"""Payloads Discord refuses, sent as raw requests: each is refused with exactly one error
at the faulty field, and the valid neighbours of each still pass."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.fixtures import API_BASE


def errors_of(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(dotted path, code) of every form error in a Discord error body."""
    found: list[tuple[str, str]] = []

    def walk(node: dict[str, Any], prefix: list[str]) -> None:
        for key, value in node.items():
            if key == "_errors":
                found.extend((".".join(prefix), item["code"]) for item in value)
            else:
                walk(value, [*prefix, key])

    walk(body.get("errors") or {}, [])
    return found


def button(**extra: Any) -> dict[str, Any]:
    return {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go",
                                       **extra}]}  # fmt: skip


def select(**extra: Any) -> dict[str, Any]:
    options = [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}]
    return {"type": 1, "components": [{"type": 3, "custom_id": "pick", "options": options,
                                       **extra}]}  # fmt: skip


def first_button(path: str) -> str:
    return f"components.0.components.0.{path}"


BAD_MESSAGES = [
    ("embed url not a url", {"embeds": [{"title": "t", "url": "not a url"}]},
     "embeds.0.url", "URL_TYPE_INVALID_URL"),
    ("embed url scheme", {"embeds": [{"title": "t", "url": "ftp://example.org/x"}]},
     "embeds.0.url", "URL_TYPE_INVALID_SCHEME"),
    ("image url not a url", {"embeds": [{"title": "t", "image": {"url": "chart.png"}}]},
     "embeds.0.image.url", "URL_TYPE_INVALID_URL"),
    ("timestamp not iso", {"embeds": [{"title": "t", "timestamp": "yesterday at noon"}]},
     "embeds.0.timestamp", "DATE_TIME_TYPE_PARSE"),
    ("nonce over 25", {"content": "x", "nonce": "n" * 26}, "nonce", "BASE_TYPE_MAX_LENGTH"),
    ("empty field name", {"embeds": [{"fields": [{"name": "", "value": "v"}]}]},
     "embeds.0.fields.0.name", "BASE_TYPE_REQUIRED"),
    ("link button with custom_id",
     {"components": [button(style=5, url="https://example.org/", custom_id="x")]},
     first_button("custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED"),
    ("non-link button with url", {"components": [button(url="https://example.org/")]},
     first_button("url"), "BUTTON_COMPONENT_URL_NOT_ALLOWED"),
    ("button without label or emoji", {"components": [button(label=None)]},
     first_button("label"), "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED"),
    ("select min over max", {"components": [select(min_values=2, max_values=1)]},
     first_button("min_values"), "SELECT_COMPONENT_MIN_VALUES_GREATER_THAN_MAX"),
    ("select max over options", {"components": [select(max_values=3)]},
     first_button("max_values"), "SELECT_COMPONENT_MAX_VALUES_EXCEEDS_OPTIONS"),
    ("duplicate option values",
     {"components": [select(options=[{"label": "A", "value": "a"}, {"label": "B", "value": "a"}])]},
     first_button("options.1.value"), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED"),
]  # fmt: skip


def command(**extra: Any) -> dict[str, Any]:
    return {"name": "news", "description": "News", "type": 1, **extra}


def option(kind: int, name: str = "n", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "name": name, "description": "d", **extra}


BAD_COMMANDS = [
    ("string for integer choice",
     [command(options=[option(4, choices=[{"name": "five", "value": "5"}])])],
     "0.options.0.choices.0.value", "BASE_TYPE_BAD_TYPE"),
    ("sub-commands mixed with options",
     [command(options=[option(1, "sub"), option(3, "plain")])],
     "0.options", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"),
    ("min_value over max_value", [command(options=[option(4, min_value=10, max_value=1)])],
     "0.options.0.min_value", "APPLICATION_COMMAND_OPTION_MIN_GREATER_THAN_MAX"),
    ("min_length over max_length", [command(options=[option(3, min_length=10, max_length=1)])],
     "0.options.0.min_length", "APPLICATION_COMMAND_OPTION_MIN_GREATER_THAN_MAX"),
    ("over-long name", [command(name="x" * 33)], "0.name", "APPLICATION_COMMAND_INVALID_NAME"),
]  # fmt: skip


async def post(http, emulator, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    url = f"{API_BASE}/channels/{emulator.channel.id}/messages"
    async with http.post(url, json=body) as response:
        return response.status, await response.json()


async def put_commands(http, emulator, body: list[Any]) -> tuple[int, Any]:
    url = f"{API_BASE}/applications/{emulator.application_id}/commands"
    async with http.put(url, json=body) as response:
        return response.status, await response.json()


@pytest.mark.parametrize(
    ("case", "body", "path", "code"), BAD_MESSAGES, ids=[c[0] for c in BAD_MESSAGES]
)
async def test_message_faults_get_one_error_each(
    emulator, discord_http, case, body, path, code
) -> None:
    status, answer = await post(discord_http, emulator, body)
    assert (status, answer["code"]) == (400, 50035), case
    assert errors_of(answer) == [(path, code)]
    assert emulator.channel_messages() == []


@pytest.mark.parametrize(
    ("case", "body", "path", "code"), BAD_COMMANDS, ids=[c[0] for c in BAD_COMMANDS]
)
async def test_command_faults_get_one_error_each(
    emulator, discord_http, case, body, path, code
) -> None:
    status, answer = await put_commands(discord_http, emulator, body)
    assert (status, answer["code"]) == (400, 50035), case
    assert errors_of(answer) == [(path, code)]


async def test_the_faults_also_hold_in_interaction_responses(emulator, discord_http) -> None:
    await put_commands(discord_http, emulator, [command()])
    interaction = emulator.factory.slash(emulator.users["alice"], emulator.channel, "news", {})
    emulator.send_interaction(interaction)
    url = f"{API_BASE}/interactions/{interaction.id}/{interaction.token}/callback"
    body = {"type": 4, "data": {"embeds": [{"title": "t", "url": "javascript:alert(1)"}]}}
    async with discord_http.post(url, json=body) as response:
        answer = await response.json()
    assert errors_of(answer) == [("data.embeds.0.url", "URL_TYPE_INVALID_SCHEME")]


GOOD_MESSAGES = [
    {"embeds": [{"title": "t", "url": "https://example.org/a?b=c", "timestamp":
                 "2026-11-30T08:00:00+00:00", "image": {"url": "attachment://trend.png"},
                 "thumbnail": {"url": "https://example.org/t.png"},
                 "fields": [{"name": "Source", "value": "example.org", "inline": True}]}]},
    {"embeds": [{"description": "d", "timestamp": "2026-11-30T08:00:00.123Z"}]},
    {"content": "x", "nonce": "n" * 25, "enforce_nonce": True},
    {"content": "x", "nonce": 123456789},
    {"components": [button(style=5, url="https://example.org/", custom_id=None)]},
    {"components": [button(label=None, emoji={"name": "🔁"})]},
    {"components": [select(min_values=1, max_values=2)]},
    {"components": [select()]},
]  # fmt: skip

GOOD_COMMANDS = [
    command(options=[option(4, choices=[{"name": "five", "value": 5}], min_value=1,
                            max_value=10)]),
    {**command(name="feed"), "options": [option(1, "add", options=[option(3, "url",
                                                                          required=True)]),
                                         option(1, "list")]},
    command(name="search", options=[option(3, "words", min_length=2, max_length=100)]),
]  # fmt: skip


async def test_valid_payloads_still_pass(emulator, discord_http) -> None:
    for body in GOOD_MESSAGES:
        status, answer = await post(discord_http, emulator, body)
        assert status == 200, (body, answer)
    status, answer = await put_commands(discord_http, emulator, GOOD_COMMANDS)
    assert status == 200, answer
    assert emulator.rejections == []


async def test_a_reply_to_a_missing_message_is_refused(emulator, discord_http) -> None:
    reference = {"message_id": "1234567890123456789"}
    status, answer = await post(
        discord_http, emulator, {"content": "x", "message_reference": reference}
    )
    assert status == 400
    assert errors_of(answer) == [("message_reference", "REPLIES_UNKNOWN_MESSAGE")]
    lenient = {**reference, "fail_if_not_exists": False}
    status, answer = await post(
        discord_http, emulator, {"content": "x", "message_reference": lenient}
    )
    assert status == 200 and "message_reference" not in answer
    status, first = await post(discord_http, emulator, {"content": "first"})
    reply = {"content": "re", "message_reference": {"message_id": first["id"]}}
    status, answer = await post(discord_http, emulator, reply)
    assert status == 200 and answer["message_reference"]["message_id"] == first["id"]
