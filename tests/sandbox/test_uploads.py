"""Multipart uploads (``files[n]`` + ``payload_json`` with ``attachments``) on messages,
interaction responses and follow-ups: validated, kept, rendered and saved."""

from __future__ import annotations

import io
import json
from typing import Any

import aiohttp

from bot.sandbox.fixtures import API_BASE
from bot.sandbox.render import render_message
from bot.sandbox.state import ATTACHMENT_SIZE_LIMIT
from tests.sandbox.bots import SampleBot, make_sample_bot, png
from tests.sandbox.test_refusals import errors_of


def form(payload: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("payload_json", json.dumps(payload), content_type="application/json")
    for part, (filename, content) in files.items():
        data.add_field(part, content, filename=filename, content_type="application/octet-stream")
    return data


async def post_form(http, emulator, payload, files) -> tuple[int, dict[str, Any]]:
    url = f"{API_BASE}/channels/{emulator.channel.id}/messages"
    async with http.post(url, data=form(payload, files)) as response:
        return response.status, await response.json()


async def test_an_uploaded_png_is_kept_measured_and_served(emulator, discord_http) -> None:
    picture = png(800, 400)
    payload = {"content": "chart", "attachments": [{"id": 0, "filename": "trend.png",
                                                    "description": "Mentions a day"}]}  # fmt: skip
    status, message = await post_form(discord_http, emulator, payload,
                                      {"files[0]": ("upload.bin", picture)})  # fmt: skip
    assert status == 200, message
    (attachment,) = message["attachments"]
    assert attachment["filename"] == "trend.png"  # the attachments entry names it
    assert (attachment["width"], attachment["height"]) == (800, 400)
    assert attachment["content_type"] == "image/png" and attachment["size"] == len(picture)
    async with discord_http.get(attachment["url"]) as response:
        assert await response.read() == picture
    assert "[image: trend.png 800×400]" in render_message(message)


async def test_a_file_alone_is_a_message_and_other_files_show_their_size(
    emulator, discord_http
) -> None:
    status, message = await post_form(discord_http, emulator, {},
                                      {"files[0]": ("export.csv", b"a,b\n1,2\n")})  # fmt: skip
    assert status == 200, message
    assert "📎 export.csv (8 bytes)" in render_message(message)


async def test_attachments_must_name_an_uploaded_file(emulator, discord_http) -> None:
    payload = {"content": "x", "attachments": [{"id": 1, "filename": "a.png"}]}
    status, answer = await post_form(discord_http, emulator, payload,
                                     {"files[0]": ("a.png", png(2, 2))})  # fmt: skip
    assert status == 400
    assert errors_of(answer) == [("attachments.0.id", "ATTACHMENT_NOT_FOUND")]


async def test_file_parts_are_files_0_to_9(emulator, discord_http) -> None:
    status, answer = await post_form(discord_http, emulator, {"content": "x"},
                                     {"files[10]": ("a.txt", b"a")})  # fmt: skip
    assert status == 400
    assert errors_of(answer) == [("files[10]", "BASE_TYPE_INVALID")]


async def test_the_payload_is_still_checked_against_the_spec(emulator, discord_http) -> None:
    payload = {"embeds": [{"title": "t" * 257, "image": {"url": "attachment://a.png"}}]}
    status, answer = await post_form(discord_http, emulator, payload,
                                     {"files[0]": ("a.png", png(2, 2))})  # fmt: skip
    assert status == 400
    assert errors_of(answer) == [("embeds.0.title", "BASE_TYPE_MAX_LENGTH")]


async def test_a_file_over_the_size_limit_is_413(emulator, discord_http) -> None:
    big = b"\0" * (ATTACHMENT_SIZE_LIMIT + 1)
    status, answer = await post_form(discord_http, emulator, {"content": "x"},
                                     {"files[0]": ("big.bin", big)})  # fmt: skip
    assert (status, answer["code"]) == (413, 40005)
    assert emulator.channel_messages() == []


async def test_discord_py_uploads_in_a_response_and_a_followup(
    emulator, connected_bot, tmp_path
) -> None:
    emulator.save_attachments = tmp_path / "saved"
    bot = SampleBot(emulator, **emulator.client_kwargs())
    async with connected_bot(bot):
        reply = await emulator.user().slash("chart")
        await emulator.wait_for(lambda: reply.interaction.followups)
    assert reply.ok and not emulator.rejections
    shown = "\n".join(render_message(m) for m in reply.messages)
    assert "[image: trend.png 800×400]" in shown
    assert "[image: timeline.png 120×60]" in shown
    saved = sorted(p.name for p in (tmp_path / "saved").iterdir())
    assert saved == ["timeline.png", "trend.png"]
    assert (tmp_path / "saved" / "trend.png").read_bytes() == png(800, 400)


async def test_the_terminal_shows_and_saves_pictures(tmp_path) -> None:
    out = io.StringIO()
    from bot.config import Settings
    from bot.sandbox.cli import run_sandbox

    code = await run_sandbox(
        Settings(data_dir=tmp_path), runs=["/chart"], timeout=5, bot_factory=make_sample_bot,
        out=out, settle=0.05, save_attachments=tmp_path / "charts",
    )  # fmt: skip
    text = out.getvalue()
    assert code == 0, text
    assert "[image: trend.png 800×400]" in text
    assert (tmp_path / "charts" / "trend.png").exists()
