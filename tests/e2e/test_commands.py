"""What a Discord user sees, end to end: the real bot, the emulator, a loopback web server.

Every request the bot makes is validated by the emulator against Discord's spec and
limits; ``reply.ok`` is False when Discord would have refused it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.e2e.conftest import story


def all_text(emulator) -> str:
    """Everything the bot sent, as JSON text, for checks that must hold everywhere."""
    return json.dumps([r.body for r in emulator.requests if r.body], ensure_ascii=False)


def assert_no_ping(emulator) -> None:
    for request in emulator.requests:
        body: Any = request.body
        if isinstance(body, dict) and "data" in body and isinstance(body["data"], dict):
            body = body["data"]  # interaction callbacks wrap the message
        if isinstance(body, dict) and ("content" in body or "embeds" in body):
            assert body.get("allowed_mentions", {}).get("parse") == [], request.path
    assert "@everyone" not in all_text(emulator).replace("@\u200beveryone", "")


async def test_ingest_then_country_person_and_autocomplete(
    newsbot, user, emulator, articles
) -> None:
    reply = await user.slash("ingest", url=articles.url("/article.txt"), timeout=120)
    assert reply.ok, reply.text()
    card = reply.embed
    fields = {f["name"]: f["value"] for f in card["fields"]}
    assert "Ecuador" in fields["Countries"] and "Israel" in fields["Countries"]
    assert "Daniel Noboa" in fields["Persons"]

    again = await user.slash("ingest", url=articles.url("/article.txt"), timeout=120)
    assert again.ok and again.embed["author"]["name"] == "Already in the briefing"

    country = await user.slash("country", name="Ecuador")
    assert country.ok, country.text()
    assert "Ecuador" in country.embed["title"]
    assert "Ecuador" in country.embed["description"]  # the development sentence

    person = await user.slash("person", name="Noboa")
    assert person.ok and "Daniel Noboa" in person.embed["title"]
    assert "Noboa" in person.embed["description"]

    suggestions = await user.autocomplete("person", "name", "nob")
    assert [c["value"] for c in suggestions.choices] == ["Daniel Noboa"]
    countries = await user.autocomplete("country", "name", "Ecua")
    assert countries.choices[0]["value"] == "EC"
    by_demonym = await user.slash("country", name="ecuadorian")
    assert by_demonym.ok and "Ecuador" in by_demonym.embed["title"]
    assert_no_ping(emulator)


async def test_paging_only_for_the_asker_and_other_server_sees_nothing(
    emulator, start_bot, articles
) -> None:
    from bot.sandbox.emulator import SandboxUser

    other_guild = emulator.add_guild("Elsewhere", owner=emulator.users["bob"])
    other_channel = emulator.add_channel(other_guild, "lobby")
    topics = [
        ("fuel subsidies", "Truck drivers blocked roads near Guayaquil in protest."),
        ("a new port tax", "Shipping firms warned that banana exports could slow."),
        ("school reform", "Teachers' unions called a strike for the following week."),
        ("mining permits", "Indigenous groups in the Amazon filed a legal challenge."),
        ("prison security", "Soldiers took control of the largest prison in Guayaquil."),
        ("electricity cuts", "Hydroelectric dams ran low after months without rain."),
        ("a trade deal", "Negotiators from Quito and Beijing met for a third round."),
    ]
    for n, (topic, detail) in enumerate(topics):
        articles.pages[f"s{n}"] = story(
            f"Ecuador debates {topic}",
            f"Ecuador's government in Quito announced a plan on {topic} on Monday.",
            detail,
            f"Lawmakers said the debate on {topic} would dominate the session.",
            f"President Daniel Noboa defended the {topic} plan in a televised address.",
            f"Business groups in Cuenca asked for more time to study {topic} and its costs.",
            f"The finance ministry published its first estimate of what {topic} would cost.",
            pad=False,
        )
    alice, bob = emulator.user("alice"), emulator.user("bob")
    async with start_bot() as bot:
        for n in range(7):
            who = alice if n % 2 else bob  # the per-user cooldown allows 5 a minute
            reply = await who.slash("ingest", url=articles.url(f"/page/s{n}"), timeout=120)
            assert reply.embed["author"]["name"] == "Added to the briefing", reply.text()
        listing = await alice.slash("country", name="Ecuador")
        assert listing.ok
        assert "page 1 of 2" in listing.embed["footer"]["text"]
        page2 = await alice.click(listing, "Next")
        assert page2.ok
        assert "page 2 of 2" in listing.embed["footer"]["text"]  # the message was edited

        refused = await bob.click(listing, "Previous")
        assert refused.ephemeral and "Only the person who asked" in refused.content
        assert "page 2 of 2" in listing.embed["footer"]["text"]

        bot.get_cog("Lookup").page_timeout = 0.2
        short = await alice.slash("country", name="Ecuador")
        await emulator.wait_for(lambda: all(b.get("disabled") for b in short.buttons), 10)
        assert short.buttons and all(b.get("disabled") for b in short.buttons)

        bob_elsewhere = SandboxUser(emulator, emulator.users["bob"])
        nothing = await bob_elsewhere.slash("country", name="Ecuador", in_channel=other_channel)
        assert nothing.ok and nothing.ephemeral
        assert "Nothing about" in nothing.embed["description"]
        latest = await bob_elsewhere.slash("latest", in_channel=other_channel)
        assert latest.ok and "No articles yet" in latest.embed["description"]
        found = await bob_elsewhere.autocomplete("person", "name", "", in_channel=other_channel)
        assert found.choices == []


async def test_hostile_inputs_give_valid_replies_and_no_ping(
    newsbot, user, emulator, articles
) -> None:
    loud = "@everyone **BREAKING** __now__ <@123456789012345678> " * 10  # 400+ characters
    articles.pages["loud"] = story(
        loud,
        "@everyone Officials in Ecuador said on Monday that @here the vote would go ahead.",
        "Markdown *stars* and `ticks` and [links](https://evil.example) must stay text.",
        "Ecuador's electoral council confirmed the date of the vote in Quito.",
    )
    names = [f"Person{chr(65 + i % 26)}{chr(65 + i // 26)} Lastname{i}" for i in range(200)]
    articles.pages["crowd"] = story(
        "A crowded meeting in Geneva",
        *[f"{name} attended the meeting in Geneva on Monday." for name in names],
    )
    for path in ("/page/loud", "/page/crowd"):
        reply = await user.slash("ingest", url=articles.url(path), timeout=120)
        assert reply.ok, reply.text()
        assert len(reply.embed["title"]) <= 256
    listing = await user.slash("latest")
    assert listing.ok, listing.text()

    bob = emulator.user("bob")  # alice's ingest cooldown is partly used
    for bad in ("not a url", "file:///etc/passwd", "http://10.0.0.1/admin", "http://[::1]:8080/"):
        reply = await bob.slash("ingest", url=bad, timeout=120)
        assert reply.ok, reply.text()
        text = reply.text()
        assert "not a web link" in text or "Could not add" in text, text

    long_name = "x" * 100
    reply = await user.slash("person", name=long_name)
    assert reply.ok and reply.ephemeral
    weird = await user.slash("country", name="\u0000\u202e\u0007Ecu")
    assert weird.ok
    suggest = await user.autocomplete("person", "name", "\x00" * 50)
    assert suggest.ok
    assert not emulator.rejections
    assert_no_ping(emulator)


async def test_context_menu_ingests_every_link(newsbot, user, emulator, articles) -> None:
    articles.pages["a"] = story(
        "Talks in Lima", "Peru's president met Chile's foreign minister in Lima on Friday."
    )
    message = await user.say(
        f"two stories: {articles.url('/page/a')} and <{articles.url('/status/404')}>"
    )
    reply = await user.context_menu("Ingest links", message, timeout=120)
    assert reply.ok, reply.text()
    assert reply.embed["title"] == "1 of 2 links added"
    assert "✗" in reply.embed["description"]


async def test_forget_needs_manage_server(newsbot, emulator, articles) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    articles.pages["f"] = story("Vote in Bogotá", "Colombia's senate voted in Bogotá on Tuesday.")
    card = await alice.slash("ingest", url=articles.url("/page/f"), timeout=120)
    article_id = card.embed["footer"]["text"].removeprefix("id ")
    denied = await bob.slash("forget", id=article_id)
    assert denied.ephemeral and "Manage Server" in denied.text()
    done = await alice.slash("forget", id=article_id)
    assert done.ok and "Removed" in done.content
    gone = await alice.slash("article", id=article_id)
    assert gone.ephemeral and "No article" in gone.text()


async def test_commands_sync_only_when_changed_and_survive_reconnect(
    emulator, start_bot, articles
) -> None:
    alice = emulator.user("alice")
    articles.pages["r"] = story("Rain in Santiago", "Chile's capital Santiago saw record rain.")
    async with start_bot():
        assert emulator.syncs == 1
        await alice.slash("ingest", url=articles.url("/page/r"), timeout=120)
        await emulator.request_reconnect()  # op 7: the bot resumes
        latest = await alice.slash("latest")
        assert latest.ok and "Rain in Santiago" in latest.embed["description"]
    async with start_bot():  # a restart with the same commands syncs nothing
        assert emulator.syncs == 1
        latest = await alice.slash("latest")
        assert latest.ok and "Rain in Santiago" in latest.embed["description"]


async def test_an_old_article_is_listed_as_just_added_with_its_own_date(
    newsbot, user, articles
) -> None:
    card = await user.slash("ingest", url=articles.url("/article.txt"), timeout=120)  # 2025-06-09
    assert card.ok and card.embed["author"]["name"] == "Added to the briefing"
    listing = await user.slash("country", name="Ecuador")  # default: added in the last 7 days
    assert listing.ok and not listing.ephemeral
    assert "**2025-06-09**" in listing.embed["description"]
    everything = await user.slash("search", query="Israel Allies Caucus")
    assert everything.ok and "Israel Allies Caucus" in everything.embed["description"]


async def test_bot_starts_and_serves_with_corrupt_data_files(
    emulator, start_bot, data_dir, articles, caplog
) -> None:
    alice = emulator.user("alice")
    articles.pages["c"] = story("Vote in Asunción", "Paraguay's congress voted in Asunción.")
    async with start_bot():
        card = await alice.slash("ingest", url=articles.url("/page/c"), timeout=120)
        assert card.embed["author"]["name"] == "Added to the briefing"
    for name in ("guilds.json", "feeds.json"):
        (data_dir / name).write_text('{"broken": ')
    async with start_bot():
        latest = await alice.slash("latest")
        assert latest.ok and "Vote in Asunción" in latest.embed["description"]
        show = await alice.slash("digest show")
        assert show.ok
    aside = sorted(p.name for p in data_dir.iterdir() if ".damaged-" in p.name)
    assert [n.split(".damaged-")[0] for n in aside] == ["feeds.json", "guilds.json"]
    assert any("set aside" in r.getMessage() for r in caplog.records)


async def test_a_busy_bot_says_so_instead_of_timing_out(emulator, start_bot, articles) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    articles.pages["b"] = story("Talks in Montevideo", "Uruguay hosted talks in Montevideo.")
    async with start_bot(max_concurrent_ingests=1, ingest_queue_size=1, fetch_timeout=3.0):
        first = alice.slash("ingest", url=articles.url("/drip"), timeout=120)
        slow = [first.result()]
        # the first ingest holds the only slot once the page server sees its request
        await emulator.wait_for(lambda: articles.requests.count("/drip") == 1, 10)
        second = bob.slash("ingest", url=articles.url("/drip"), timeout=120)
        slow.append(second.result())
        await emulator.wait_for(lambda: second.interaction.callback_type == 5, 10)
        await asyncio.sleep(0.2)  # from its deferral to its place in the queue
        busy = await alice.slash("ingest", url=articles.url("/page/b"), timeout=120)
        assert busy.ok and "busy" in busy.text().lower(), busy.text()
        for reply in await asyncio.gather(*slow):
            assert reply.ok and "Could not add" in reply.text()
