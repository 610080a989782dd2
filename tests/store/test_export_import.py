"""Contract: what ``newsbot db copy`` relies on, on every backend."""

from __future__ import annotations

from bot.news.guild_settings import DigestRecord
from bot.news.store import GuildDigests, Store
from tests.store.support import T0, art


async def test_export_gives_every_article_once_with_all_links(store: Store) -> None:
    for n in range(7):
        await store.articles.add(art(n), "g1")
    await store.articles.add(art(3), "g2")
    batches = [b async for b in store.articles.export(batch=3)]
    assert [len(b) for b in batches] == [3, 3, 1]
    ids = [a.id for b in batches for a in b]
    assert ids == sorted(art(n).id for n in range(7))
    by_id = {a.id: a for b in batches for a in b}
    assert set(by_id[art(3).id].guilds) == {"g1", "g2"}
    assert by_id[art(5).id].title == art(5).title and by_id[art(5).id].text == ""


async def test_import_keeps_times_and_links_and_skips_what_is_there(store: Store) -> None:
    first = art(1, countries=("EC", "PE"), persons=("Daniel Noboa",))
    first.guilds = {"g1": T0 + 10, "g2": T0 + 20}
    second = art(2)
    second.guilds = {"g2": T0 + 30}
    assert await store.articles.import_many([first, second]) == 2
    assert await store.articles.import_many([first, second]) == 0  # again: nothing new
    stored = await store.articles.get(first.id)
    assert stored is not None
    assert stored.guilds == {"g1": T0 + 10, "g2": T0 + 20}
    assert stored.ingested_at == first.ingested_at
    assert [a.id for a in await store.articles.by_country("g2", "PE")] == [first.id]
    assert await store.articles.count("g2") == 2
    assert await store.articles.person_names("g1") == {"daniel noboa": "Daniel Noboa"}
    assert (await store.articles.stats()).articles == 2


async def test_claims_export_and_restore(store: Store) -> None:
    posted = DigestRecord("2026-11-20", "posted", token="a", message_ids=(5,), attempts=1)
    latest = DigestRecord("2026-11-21", "claimed", token="b", attempts=1)
    await store.claims.restore({"g1": GuildDigests(latest, posted), "g2": GuildDigests()})
    exported = await store.claims.export()
    assert exported["g1"] == GuildDigests(latest, posted)
    assert exported.get("g2", GuildDigests()) == GuildDigests()
    # the restored day is taken: a claim of it is refused, the next day's is not
    assert await store.claims.claim("g1", latest, max_attempts=3) is None
    nxt = DigestRecord("2026-11-22", "claimed", token="c")
    assert await store.claims.claim("g1", nxt, max_attempts=3) is not None
