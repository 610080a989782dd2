"""Charts through the emulator: /trending attaches a PNG; /country and /person add a
timeline with chart:true; nothing to show sends no picture."""

from __future__ import annotations

from bot.news.charts import DAY
from bot.sandbox.render import render_message
from tests.news.digest_support import article


def uploads(emulator) -> list:
    """Every file the bot uploaded (``files[n]`` parts, as the emulator received them)."""
    found = []
    for request in emulator.requests:
        if isinstance(request.body, dict):
            found += request.body.get("_files") or []
    return found


def pictures(reply) -> list[dict]:
    return [a for m in reply.messages for a in m.get("attachments") or []]


async def test_trending_attaches_a_chart_and_country_a_timeline(newsbot, user, emulator) -> None:
    empty = await user.slash("trending", period="week")
    assert empty.ephemeral and "No developments" in empty.text()
    guild = str(emulator.guild.id)
    now = newsbot.services.clock.time()
    articles = newsbot.services.store.articles
    await articles.add(article(1, "Strike in Santiago", when=now, guild=guild,
                               countries=("CL",), persons=("Ana Uno",)), guild)  # fmt: skip
    one_day = await user.slash("trending", period="week", timeout=90)
    assert one_day.ok and len(one_day.embed["fields"]) == 2
    assert pictures(one_day) == [] and uploads(emulator) == []  # lines on one day: no chart

    for n, (days_ago, codes) in enumerate([(2, ("CL", "BR")), (3, ("BR",)), (1, ("CL",))]):
        when = now - days_ago * DAY
        await articles.add(article(n + 2, f"Story {n}", when=when, guild=guild,
                                   countries=codes), guild)  # fmt: skip
    trending = await user.slash("trending", period="week", timeout=90)
    assert trending.ok, trending.text()
    assert "Countries" in [f["name"] for f in trending.embed["fields"]]
    assert trending.embed["image"]["url"] == "attachment://trend.png"
    [chart] = pictures(trending)
    assert (chart["filename"], chart["width"], chart["height"]) == ("trend.png", 800, 400)
    assert chart["content_type"] == "image/png"
    assert "[image: trend.png 800×400]" in render_message(trending.message)

    plain = await user.slash("country", name="Chile")
    assert plain.ok and len(uploads(emulator)) == 1  # no chart unless asked
    timeline = await user.slash("country", name="Chile", chart=True, timeout=120)
    assert timeline.ok, timeline.text()
    await emulator.wait_for(lambda: len(pictures(timeline)) == 1, timeout=120)
    [line] = pictures(timeline)
    assert (line["filename"], line["width"], line["height"]) == ("timeline.png", 800, 240)
