"""The daily digest through the emulator, on a bot whose clock the test sets: nothing here
depends on the time of day the suite runs at."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.news.clock import Clock
from bot.news.model import Article, CountryMention, Development, PersonMention
from bot.sandbox.emulator import SandboxUser

DAY_ZERO = date(2026, 11, 26)


def local(day_offset: int, hh: int, mm: int, zone: str) -> datetime:
    """A UTC instant: ``day_offset`` days after ``DAY_ZERO`` at hh:mm in ``zone``."""
    day = DAY_ZERO + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def bot_posts(emulator, channel) -> list[dict]:
    return [m for m in emulator.channel_messages(channel) if m["author"].get("bot")]


async def add_articles(bot, guild_id: str, count: int, *, when: float | None = None) -> None:
    when = when or bot.services.clock.time()
    codes = ["EC", "IL", "US", "FR", "BR", "IN", "NG", "JP"]
    for n in range(count):
        code = codes[n % len(codes)]
        person = f"Minister Number{n % 50} Person"
        article = Article(
            url=f"https://news{n % 7}.example/story/{n}",
            canonical_url=f"https://news{n % 7}.example/story/{n}",
            title=f"Story {n}: talks on trade **and** @everyone security in {code}",
            summary=f"Officials met on day {n} to discuss trade and security.",
            site=f"news{n % 7}.example",
            published=datetime.fromtimestamp(when - 60 * (n % 600), UTC).isoformat(),
            fingerprint=f"{n:016x}",
            countries=[CountryMention(code, 2, True)],
            persons=[PersonMention(person, 1, False)],
            developments=[
                Development("country", code, f"Talks number {n} were held about {code}."),
                Development("person", PersonMention(person).key, f"{person} spoke at talks {n}."),
            ],
        )
        await bot.services.store.articles.add(article, guild_id)


async def test_posts_at_local_time_once_and_not_again_after_restart(
    emulator, start_bot, user
) -> None:
    news = emulator.channel_named("news")
    zone = "America/Guayaquil"
    clock = Clock(local(0, 9, 0, zone))
    async with start_bot(clock=clock) as bot:
        reply = await user.slash("digest set", channel=news, time="07:30", timezone=zone)
        assert reply.ok and reply.ephemeral, reply.text()
        assert "07:30" in reply.content
        await add_articles(bot, str(emulator.guild.id), 12)
        poster = bot.get_cog("Digest").poster

        clock.set(local(1, 7, 29, zone))
        await poster.run_due()
        assert bot_posts(emulator, news) == []

        clock.set(local(1, 7, 31, zone))
        await poster.run_due()
        await poster.run_due()
        posted = bot_posts(emulator, news)
        assert len(posted) >= 1
        header = posted[0]["embeds"][0]
        assert "12" in json_text(header)  # the counts are in the header
        assert "@everyone" not in json_text(posted).replace("@\u200beveryone", "")

        show = await user.slash("digest show")
        assert show.ok and "07:30" in json_text(show.embeds)

    count = len(bot_posts(emulator, news))
    clock.set(local(1, 7, 32, zone))
    async with start_bot(clock=clock) as bot:  # a restart in the same minute
        await bot.get_cog("Digest").poster.run_due()
        assert len(bot_posts(emulator, news)) == count
        clock.set(local(2, 7, 31, zone))  # the next day posts again
        await bot.get_cog("Digest").poster.run_due()
        assert len(bot_posts(emulator, news)) > count
    assert not emulator.rejections


async def test_forbidden_channel_pauses_only_that_server(emulator, start_bot, user) -> None:
    other = emulator.add_guild("Elsewhere", owner=emulator.users["bob"])
    other_channel = emulator.add_channel(other, "briefing")
    bob = SandboxUser(emulator, emulator.users["bob"])
    news = emulator.channel_named("news")
    clock = Clock(local(0, 9, 0, "Asia/Kolkata"))
    async with start_bot(clock=clock) as bot:
        ok = await user.slash("digest set", channel=news, time="08:00", timezone="Asia/Kolkata")
        assert ok.ok, ok.text()
        ok = await bob.slash(
            "digest set",
            channel=other_channel,
            time="08:00",
            timezone="Asia/Kolkata",
            in_channel=other_channel,
        )
        assert ok.ok, ok.text()
        await add_articles(bot, str(emulator.guild.id), 3)
        await add_articles(bot, str(other.id), 3)
        emulator.deny(news)
        clock.set(local(1, 8, 5, "Asia/Kolkata"))
        await bot.get_cog("Digest").poster.run_due()
        assert bot_posts(emulator, news) == []
        assert len(bot_posts(emulator, other_channel)) >= 1
        show = await user.slash("digest show")
        assert "paused" in json_text(show.embeds).lower(), show.text()


async def test_two_thousand_developments_fit_discord(emulator, start_bot, user) -> None:
    news = emulator.channel_named("news")
    clock = Clock(local(0, 7, 0, "UTC"))
    async with start_bot(clock=clock) as bot:
        ok = await user.slash("digest set", channel=news, time="06:00", timezone="UTC")
        assert ok.ok
        await add_articles(bot, str(emulator.guild.id), 2000)
        clock.set(local(1, 6, 1, "UTC"))
        await bot.get_cog("Digest").poster.run_due()
        posted = bot_posts(emulator, news)
        assert 1 <= len(posted) <= 10
        assert not emulator.rejections  # every message passed Discord's validation
        preview = await user.slash("digest preview", timeout=120)
        assert preview.ok and preview.ephemeral and preview.embeds


async def test_follow_and_permissions(emulator, newsbot, user) -> None:
    bob = emulator.user("bob")
    denied = await bob.slash("digest set", channel=emulator.channel, time="07:00")
    assert denied.ephemeral and "Manage Server" in denied.text()
    bad = await user.slash("digest set", channel=emulator.channel, time="25:99")
    assert bad.ephemeral and bad.ok, bad.text()
    zone = await user.slash(
        "digest set", channel=emulator.channel, time="07:00", timezone="Mars/Base"
    )
    assert zone.ephemeral and zone.ok
    follow = await user.slash("follow", country="Ecuador")
    assert follow.ok and "Following" in follow.content
    listing = await user.slash("following")
    assert "Ecuador" in json_text(listing.embeds)
    unfollow = await user.slash("unfollow", country="EC")
    assert unfollow.ok and "No longer following" in unfollow.content
    zones = await user.autocomplete("digest set", "timezone", "America/Guay")
    assert "America/Guayaquil" in [c["value"] for c in zones.choices]


def json_text(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


async def test_digest_now_posts_once_and_off_stops_it(emulator, start_bot, user) -> None:
    news = emulator.channel_named("news")
    clock = Clock(local(0, 12, 0, "UTC"))
    async with start_bot(clock=clock) as newsbot:
        await digest_now_then_off(emulator, newsbot, user, clock, news)


async def digest_now_then_off(emulator, newsbot, user, clock: Clock, news) -> None:
    unset = await user.slash("digest now", timeout=120)
    assert unset.ephemeral and "digest channel" in unset.text()
    ok = await user.slash("digest set", channel=news, time="23:59", timezone="UTC")
    assert ok.ok
    await add_articles(newsbot, str(emulator.guild.id), 5)
    now = await user.slash("digest now", timeout=120)
    assert now.ok and "Posted" in now.text(), now.text()
    posted = len(bot_posts(emulator, news))
    assert posted >= 1
    again = await user.slash("digest now", timeout=120)
    assert again.ephemeral and "Not posted" in again.text()
    assert len(bot_posts(emulator, news)) == posted
    off = await user.slash("digest off")
    assert off.ok and "off" in off.content
    clock.set(local(1, 23, 59, "UTC"))
    await newsbot.get_cog("Digest").poster.run_due()
    assert len(bot_posts(emulator, news)) == posted
    show = await user.slash("digest show")
    assert "off" in json_text(show.embeds)


async def test_digest_lists_each_story_once_with_its_sources(emulator, start_bot, user) -> None:
    """Three sites on one event and one story naming five people: the posted digest shows
    each story once; the people point at its number."""
    news = emulator.channel_named("news")
    zone = "Europe/Berlin"
    clock = Clock(local(0, 9, 0, zone))
    people = ["Ana Uno", "Bea Dos", "Carla Tres", "Dora Cuatro", "Eva Cinco"]
    lead = (
        "Ecuador's president declared a state of emergency in the country's prisons after "
        "riots at the Litoral penitentiary in Guayaquil left at least 31 inmates dead."
    )
    reports = [
        ("wire.example", "Ecuador declares prison emergency after Guayaquil riot", lead, ()),
        ("daily.example", "Guayaquil jail riot: Ecuador declares emergency", lead, ()),
        ("post.example", "Ecuador prison emergency declared as riot toll hits 31", lead, ()),
        (
            "cabinet.example",
            "Five ministers resign from Chile's cabinet",
            "Five ministers of Chile's government resigned together on Thursday.",
            people,
        ),
    ]
    async with start_bot(clock=clock) as bot:
        reply = await user.slash("digest set", channel=news, time="08:00", timezone=zone)
        assert reply.ok, reply.text()
        for n, (site, title, summary, names) in enumerate(reports):
            code = "CL" if names else "EC"
            article = Article(
                url=f"https://{site}/{n}",
                canonical_url=f"https://{site}/{n}",
                title=title,
                summary=summary,
                site=site,
                countries=[CountryMention(code, 2, True)],
                persons=[PersonMention(p, 1, True) for p in names],
                developments=[Development("country", code, summary)]
                + [Development("person", PersonMention(p).key, f"{p} resigned.") for p in names],
            )
            await bot.services.store.articles.add(article, str(emulator.guild.id))
        clock.set(local(1, 8, 1, zone))
        await bot.get_cog("Digest").poster.run_due()
        [message] = bot_posts(emulator, news)
    lines = [
        line
        for embed in message["embeds"]
        for field in embed.get("fields", ())
        for line in field["value"].split("\n")
    ]
    stories = [line for line in lines if line.startswith("**")]
    assert len(stories) == 2
    riot = next(line for line in stories if "Guayaquil" in line or "prison" in line)
    assert "3 sources: wire.example, [daily.example]" in riot
    assert sum("Five ministers" in line for line in lines) == 1
    cabinet = next(line for line in stories if "Five ministers" in line)
    number = cabinet.split(".**")[0].removeprefix("**")
    person_lines = [line for line in lines if line.startswith("• **")]
    assert len(person_lines) == 5 and all(line.endswith(f"→ #{number}") for line in person_lines)
