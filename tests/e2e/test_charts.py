"""Charts through the emulator: /trending attaches a PNG; /country and /person add a
timeline with chart:true; nothing to show sends no picture."""

from __future__ import annotations

from bot.sandbox.render import render_message
from tests.e2e.conftest import story


def uploads(emulator) -> list:
    """Every file the bot uploaded (``files[n]`` parts, as the emulator received them)."""
    found = []
    for request in emulator.requests:
        if isinstance(request.body, dict):
            found += request.body.get("_files") or []
    return found


def pictures(reply) -> list[dict]:
    return [a for m in reply.messages for a in m.get("attachments") or []]


async def test_trending_attaches_a_chart_and_country_a_timeline(
    newsbot, user, emulator, articles
) -> None:
    empty = await user.slash("trending", period="week")
    assert empty.ephemeral and "No developments" in empty.text()
    assert uploads(emulator) == []

    articles.pages["cl"] = story("Strike in Santiago", "Chile's port workers went on strike.")
    articles.pages["br"] = story("Floods in Porto Alegre", "Brazil's south saw floods.")
    for page in ("cl", "br"):
        added = await user.slash("ingest", url=articles.url(f"/page/{page}"), timeout=60)
        assert added.ok, added.text()

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
    timeline = await user.slash("country", name="Chile", chart=True, timeout=60)
    assert timeline.ok, timeline.text()
    await emulator.wait_for(lambda: len(pictures(timeline)) == 1, timeout=60)
    [line] = pictures(timeline)
    assert (line["filename"], line["width"], line["height"]) == ("timeline.png", 800, 240)
