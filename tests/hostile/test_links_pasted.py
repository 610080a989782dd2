"""Links as people paste them: ``<https://…>`` (no preview) is taken, an over-long link
is told it is too long, not that it is no link."""

from __future__ import annotations

from tests.e2e.conftest import story


async def test_bracketed_link_is_ingested(emulator, start_bot, articles_plain) -> None:
    articles_plain.pages["quito"] = story(
        "Quito council approves a transport budget",
        "The city council of Quito met on Monday to approve a new transport budget.",
    )
    async with start_bot():
        user = emulator.user("alice")
        reply = await user.slash("ingest", url=f"<{articles_plain.url('/page/quito')}>", timeout=60)
        assert reply.ok, reply.text()
        assert "Added to the briefing" in reply.text(), reply.text()


async def test_long_link_is_called_too_long(emulator, start_bot) -> None:
    async with start_bot():
        user = emulator.user("alice")
        reply = await user.slash("ingest", url="https://example.org/" + "a" * 5000)
        assert reply.ok and reply.ephemeral
        assert "too long" in reply.text() and "not a web link" not in reply.text()
