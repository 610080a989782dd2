"""``/person name:Garcia`` with several Garcias: the reply names the others."""

from __future__ import annotations

import json

from bot.sandbox.web import ArticleServer
from tests.e2e.conftest import story


async def test_shared_surname_lists_the_other_candidates(emulator, start_bot) -> None:
    async with ArticleServer() as server:
        server.pages["a"] = story(
            "Mayor Maria Garcia opens a bridge in Quito",
            "Maria Garcia, the mayor of Quito, opened a new bridge over the river on Monday.",
            "Maria Garcia said the bridge would cut travel times across Quito in Ecuador.",
        )
        server.pages["b"] = story(
            "Minister Jose Garcia resigns in Lima",
            "Jose Garcia, the transport minister of Peru, resigned in Lima on Tuesday.",
            "Jose Garcia said his decision was personal and not linked to the budget.",
        )
        async with start_bot():
            alice = emulator.user("alice")
            for page in ("a", "b"):
                added = await alice.slash("ingest", url=server.url(f"/page/{page}"), timeout=90)
                assert added.ok and "Added" in added.text(), added.text()
            reply = await alice.slash("person", name="Garcia")
            assert reply.ok, reply.text()
            text = json.dumps(reply.embeds, ensure_ascii=False)
            assert "Maria Garcia" in text and "Jose Garcia" in text, text
            assert "full name" in text
            exact = await alice.slash("person", name="Jose Garcia")
            assert exact.ok and "could also be" not in json.dumps(exact.embeds)
    assert not emulator.rejections
