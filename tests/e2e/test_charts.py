"""Charts through the emulator: /trending attaches a PNG; /country and /person add a
timeline with chart:true; nothing to show sends no picture."""

from __future__ import annotations

from tests.e2e.conftest import story


def uploads(emulator) -> list[dict]:
    """Every file the bot uploaded, as the emulator received it (multipart parts)."""
    found = []
    for request in emulator.requests:
        body = request.body
        if isinstance(body, dict):
            found += body.get("_files") or []
    return found


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
    names = [f["name"] for f in trending.embed["fields"]]
    assert "Countries" in names
    assert trending.embed["image"]["url"] == "attachment://trend.png"
    [chart] = uploads(emulator)
    assert chart["filename"] == "trend.png" and chart["size"] > 1000

    plain = await user.slash("country", name="Chile")
    assert plain.ok and len(uploads(emulator)) == 1  # no chart unless asked
    timeline = await user.slash("country", name="Chile", chart=True, timeout=60)
    assert timeline.ok, timeline.text()
    await emulator.wait_for(lambda: len(uploads(emulator)) >= 2, timeout=60)
    assert [u["filename"] for u in uploads(emulator)] == ["trend.png", "timeline.png"]
