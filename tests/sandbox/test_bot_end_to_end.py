"""The unmodified discord.py client against the emulator, over real sockets."""

from __future__ import annotations

import discord
import pytest

from bot.sandbox.replies import NoReply
from tests.sandbox.bots import SampleBot, ShardedSampleBot


@pytest.fixture
async def bot(emulator, connected_bot):
    sample = SampleBot(emulator, **emulator.client_kwargs())
    async with connected_bot(sample):
        yield sample


async def test_connects_and_syncs_validated_commands(emulator, bot) -> None:
    assert emulator.gateway.identifies == 1
    assert emulator.gateway.compressions == ["zstd-stream"]
    syncs = emulator.requests_to("/applications/{app}/commands", "PUT")
    assert [r.status for r in syncs] == [200]
    assert {c["name"] for c in emulator.commands.global_commands} == {
        "country", "slow", "late", "huge", "post", "fetch", "steps", "feedback", "region",
        "upload", "export", "chart", "Ingest links",
    }  # fmt: skip
    assert emulator.rejections == []
    assert bot.get_guild(emulator.guild.id).member_count == 3


async def test_slash_command_replies_with_embed_and_button(user, bot) -> None:
    reply = await user.slash("country", name="Ecuador")
    assert reply.ok
    assert reply.embed["title"] == "News: Ecuador"
    assert [b["label"] for b in reply.buttons] == ["Next"]


async def test_autocomplete_suggests(user, bot) -> None:
    reply = await user.autocomplete("country", "name", "E")
    assert [c["name"] for c in reply.choices] == ["Ecuador", "Egypt", "Estonia"]


async def test_button_click_reaches_the_view(user, bot) -> None:
    reply = await user.slash("country", name="Peru")
    click = await user.click(reply, "Next")
    assert click.ok and bot.views[-1].clicks == 1
    assert reply.embed["description"] == "Page 2"  # the original message was edited
    await user.click(reply, "next")
    assert reply.embed["description"] == "Page 3"


async def test_deferred_command_is_answered_by_its_followup(user, bot) -> None:
    reply = await user.slash("slow")
    assert reply.ok and reply.content == "done after thinking" and not reply.thinking


async def test_reply_after_deadline_gets_10062(emulator, user, bot) -> None:
    reply = await user.slash("late")
    assert not reply.ok and reply.message is None
    assert [r.code for r in reply.rejections] == [10062]
    await emulator.wait_for(lambda: bot.errors)  # the bot sees the error just after
    (error,) = bot.errors
    assert isinstance(error, discord.NotFound) and error.code == 10062


async def test_oversized_embed_is_rejected_with_its_path(emulator, user, bot) -> None:
    reply = await user.slash("huge")
    assert not reply.ok
    assert reply.rejections[0].paths() == ["data.embeds"]
    await emulator.wait_for(lambda: bot.errors)
    assert bot.errors[0].code == 50035


async def test_denied_channel_gives_403(emulator, user, bot) -> None:
    emulator.deny(emulator.channel_named("news"))
    reply = await user.slash("post", channel="news")
    assert reply.content == "I cannot post there." and reply.ephemeral
    assert isinstance(bot.errors[0], discord.Forbidden) and bot.errors[0].code == 50013


async def test_message_context_menu(user, bot) -> None:
    message = await user.say("read https://example.org/a and https://example.org/b")
    reply = await user.context_menu("Ingest links", message)
    assert reply.content == "2 link(s) queued"


async def test_silence_is_no_reply(emulator, user, bot) -> None:
    await bot.close()
    with pytest.raises(NoReply):
        await user.slash("country", name="Peru", timeout=0.3)


async def test_unknown_option_is_a_clear_error(user, bot) -> None:
    with pytest.raises(ValueError, match="no option 'nme'"):
        user.slash("country", nme="Ecuador")


async def test_reconnect_resumes_without_losing_state(emulator, user, bot) -> None:
    first = await user.slash("country", name="Ecuador")
    await emulator.request_reconnect()
    assert emulator.gateway.resumes == 1 and emulator.gateway.identifies == 1
    await user.click(first, "Next")  # the View registered before the reconnect still works
    assert first.embed["description"] == "Page 2"
    again = await user.slash("country", name="France")
    assert again.embed["title"] == "News: France"


async def test_rate_limited_callback_is_retried_by_the_client(emulator, user, bot) -> None:
    emulator.throttle(path=r"/callback$", retry_after=0.01)
    reply = await user.slash("country", name="Ecuador")
    assert reply.ok
    statuses = [r.status for r in emulator.requests if r.route.endswith("/callback")]
    assert statuses == [429, 200]


async def test_modal_form_is_submitted(user, bot) -> None:
    form = await user.slash("feedback")
    assert form.modal["title"] == "Feedback"
    reply = await user.submit(form, {"What did you think?": "good"})
    assert reply.content == "thanks: good"
    with pytest.raises(ValueError, match="needs"):
        user.submit(form)


async def test_select_menu(user, bot) -> None:
    reply = await user.slash("region")
    await user.select(reply, "Pick a region", "Europe")
    assert reply.content == "region: eu" and reply.message["components"] == []


async def test_attachments_both_ways(user, bot) -> None:
    reply = await user.slash("upload", file=("notes.txt", b"hello"))
    assert reply.content == "notes.txt: 5 bytes"
    reply = await user.slash("export")
    assert [(a["filename"], a["size"]) for a in reply.message["attachments"]] == [("export.csv", 8)]


async def test_followups_edits_and_deletes(emulator, user, bot) -> None:
    reply = await user.slash("steps")
    # A reply settles after a short quiet time; a slow machine may pause between steps.
    await emulator.wait_for(lambda: len(reply.interaction.followups) == 3)
    assert [m["content"] for m in reply.messages] == [
        "one, edited", "two", "original says 'one, edited'",
    ]  # fmt: skip
    assert [bool(m["flags"] & 64) for m in reply.messages] == [False, False, True]


async def test_auto_sharded_bot_uses_gateway_bot_and_its_shards(emulator, connected_bot) -> None:
    emulator.shards = 2
    second = emulator.add_guild("Second", owner=emulator.users["bob"])
    emulator.add_channel(second, "general")
    sharded = ShardedSampleBot(emulator, **emulator.client_kwargs())
    async with connected_bot(sharded):
        assert emulator.requests_to("/gateway/bot")[0].status == 200
        assert sorted(s.shard for s in emulator.gateway.sessions.values()) == [(0, 2), (1, 2)]
        assert {g.id for g in sharded.guilds} == set(emulator.guilds)
        user = emulator.user("bob")
        for channel in (emulator.channel, second.channels[next(iter(second.channels))]):
            reply = await user.slash("country", name="Peru", in_channel=channel)
            assert reply.ok
        await emulator.request_reconnect()
        assert emulator.gateway.resumes == 2  # both shards resumed
        assert (await emulator.user().slash("country", name="Peru")).ok


async def test_members_intent_chunks_the_guild(emulator, connected_bot) -> None:
    intents = discord.Intents.default()
    intents.members = intents.message_content = True
    members_bot = SampleBot(emulator, intents=intents, **emulator.client_kwargs())
    async with connected_bot(members_bot):
        guild = members_bot.get_guild(emulator.guild.id)
        assert guild.chunked
        assert {m.name for m in guild.members} == {"alice", "bob", "newsbot"}
        seen = []

        async def on_message(message: discord.Message) -> None:
            seen.append(message.content)

        members_bot.add_listener(on_message)
        message = await emulator.user("bob").say("https://example.org/x")
        await emulator.wait_for(lambda: seen, timeout=2)
        assert seen == [message["content"]]
