"""Contract: articles and their per-server links, the same answers on every backend."""

from __future__ import annotations

import asyncio

import pytest

from bot.news.model import person_key
from bot.news.store import Store, StoreReadOnly, StoreStats
from tests.store.conftest import StoreTarget
from tests.store.support import DAY, HOUR, T0, art


async def test_add_then_get_round_trip(store: Store) -> None:
    original = art(1, persons=("Andrés Castillo",))
    stored, created = await store.articles.add(original, "g1")
    assert created
    assert stored.text == ""
    assert stored.id == original.id
    assert set(stored.guilds) == {"g1"}
    got = await store.articles.get(stored.id, "g1")
    assert got == stored
    assert got.persons[0].name == "Andrés Castillo"
    assert got.developments == original.developments
    assert await store.articles.get(stored.id, "g2") is None
    assert await store.articles.get("no-such-id") is None


async def test_the_stored_copy_shares_nothing_with_the_input(store: Store) -> None:
    original = art(1, countries=("FR",), persons=("Andrés Castillo",))
    original.notes = ["kept"]
    stored, _ = await store.articles.add(original, "g1")
    original.countries[0].count = 99
    original.persons.append(original.persons[0])
    original.developments.clear()
    original.notes.append("changed after the add")
    assert stored == await store.articles.get(stored.id, "g1")
    assert stored.countries[0].count != 99
    assert len(stored.persons) == 1 and stored.developments and stored.notes == ["kept"]


async def test_ingested_at_is_set_when_missing(store: Store) -> None:
    stored, _ = await store.articles.add(art(1, at=0.0), "g1")
    assert stored.ingested_at > 0
    assert stored.event_time == stored.ingested_at


async def test_article_without_canonical_url_is_refused(store: Store) -> None:
    bad = art(1)
    bad.canonical_url = ""
    with pytest.raises(ValueError):
        await store.articles.add(bad, "g1")


async def test_same_url_twice_is_one_article_two_links(store: Store) -> None:
    first, created1 = await store.articles.add(art(1), "g1")
    second, created2 = await store.articles.add(art(1), "g2")
    assert created1 and not created2
    assert first.id == second.id
    assert set(second.guilds) == {"g2"}  # a server never sees the others
    both = await store.articles.get(first.id)
    assert set(both.guilds) == {"g1", "g2"}
    again, created3 = await store.articles.add(art(1), "g1")
    assert not created3 and set(again.guilds) == {"g1"}
    assert (await store.articles.stats()).articles == 1


async def test_same_fingerprint_other_url_is_a_duplicate(store: Store) -> None:
    first, _ = await store.articles.add(art(1, fingerprint="same"), "g1")
    copy = art(2, fingerprint="same", url="https://mirror.example/copy")
    second, created = await store.articles.add(copy, "g2")
    assert not created and second.id == first.id
    found = await store.articles.find(fingerprint="same")
    assert found is not None and found.id == first.id
    by_url = await store.articles.find(canonical_url=first.canonical_url)
    assert by_url is not None and by_url.id == first.id
    assert await store.articles.find(canonical_url="https://nowhere.example/") is None


async def test_link_adds_a_guild(store: Store) -> None:
    stored, _ = await store.articles.add(art(1), "g1")
    linked = await store.articles.link(stored.id, "g2")
    assert linked is not None and set(linked.guilds) == {"g2"}
    assert [a.id for a in await store.articles.recent("g2")] == [stored.id]
    assert await store.articles.link("no-such-id", "g2") is None


async def test_concurrent_adds_of_one_article(store: Store) -> None:
    results = await asyncio.gather(*(store.articles.add(art(1), f"g{i}") for i in range(5)))
    assert sum(created for _, created in results) == 1
    stored = await store.articles.get(results[0][0].id)
    assert set(stored.guilds) == {f"g{i}" for i in range(5)}


async def test_newest_by_country_person_and_all(store: Store) -> None:
    for n in range(1, 8):
        countries = ("EC", "US") if n % 2 else ("FR",)
        persons = ("Daniel Noboa",) if n in (2, 5, 7) else ()
        await store.articles.add(art(n, countries=countries, persons=persons), "g1")
    ids = {n: art(n).id for n in range(1, 8)}
    ec = await store.articles.by_country("g1", "ec", limit=3)
    assert [a.id for a in ec] == [ids[7], ids[5], ids[3]]
    page2 = await store.articles.by_country("g1", "EC", limit=3, offset=3)
    assert [a.id for a in page2] == [ids[1]]
    noboa = await store.articles.by_person("g1", "daniel noboa")
    assert [a.id for a in noboa] == [ids[7], ids[5], ids[2]]
    assert [a.id for a in await store.articles.by_person("g1", "Daniel Noboa")] == [
        a.id for a in noboa
    ]
    recent = await store.articles.recent("g1", limit=2)
    assert [a.id for a in recent] == [ids[7], ids[6]]
    assert await store.articles.by_country("g2", "EC") == []
    assert await store.articles.by_country("g1", "JP") == []


async def test_time_windows_are_half_open(store: Store) -> None:
    for n in range(1, 6):
        await store.articles.add(art(n, at=T0 + n * DAY), "g1")
    ids = {n: art(n).id for n in range(1, 6)}
    window = await store.articles.recent("g1", since=T0 + 2 * DAY, until=T0 + 4 * DAY)
    assert [a.id for a in window] == [ids[3], ids[2]]
    assert await store.articles.count("g1", since=T0 + 2 * DAY, until=T0 + 4 * DAY) == 2
    assert await store.articles.count("g1", "country", "EC", since=T0 + 5 * DAY) == 1
    assert await store.articles.count("g1", "country", "EC") == 5
    assert await store.articles.count("g2") == 0
    by_c = await store.articles.by_country("g1", "EC", since=T0 + 4 * DAY)
    assert [a.id for a in by_c] == [ids[5], ids[4]]


async def test_entity_counts_and_person_names(store: Store) -> None:
    await store.articles.add(art(1, countries=("EC", "US"), persons=("José Martínez",)), "g1")
    await store.articles.add(art(2, countries=("EC",), persons=("José Martínez",)), "g1")
    await store.articles.add(art(3, countries=("FR",), at=T0 + 10 * DAY), "g1")
    await store.articles.add(art(4, countries=("JP",)), "g2")
    counts = await store.articles.entity_counts("g1", "country")
    assert counts == {"EC": 2, "US": 1, "FR": 1}
    recent = await store.articles.entity_counts("g1", "country", since=T0 + 5 * DAY)
    assert recent == {"FR": 1}
    persons = await store.articles.entity_counts("g1", "person")
    assert persons == {person_key("José Martínez"): 2}
    names = await store.articles.person_names("g1")
    assert names == {person_key("José Martínez"): "José Martínez"}
    assert await store.articles.person_names("g2") == {}


async def test_suggest_by_prefix_and_word_prefix(store: Store) -> None:
    await store.articles.add(art(1, persons=("José Martínez", "Ana María Pérez")), "g1")
    await store.articles.add(art(2, persons=("José Martínez",)), "g1")
    await store.articles.add(art(3, persons=("Martin Other",)), "g2")
    found = await store.articles.suggest("g1", "person", "mart")
    assert found == [(person_key("José Martínez"), "José Martínez", 2)]
    everyone = await store.articles.suggest("g1", "person", "")
    assert [d for _, d, _ in everyone] == ["José Martínez", "Ana María Pérez"]
    countries = await store.articles.suggest("g1", "country", "e")
    assert countries == [("EC", "EC", 2)]


async def test_forget_unlinks_and_deletes_the_last(store: Store) -> None:
    stored, _ = await store.articles.add(art(1), "g1")
    await store.articles.add(art(1), "g2")
    assert await store.articles.forget(stored.id, "g1")
    assert not await store.articles.forget(stored.id, "g1")
    assert await store.articles.get(stored.id, "g1") is None
    assert await store.articles.by_country("g1", "EC") == []
    assert [a.id for a in await store.articles.by_country("g2", "EC")] == [stored.id]
    assert await store.articles.forget(stored.id, "g2")
    assert await store.articles.get(stored.id) is None
    assert (await store.articles.stats()).articles == 0


async def test_delete_removes_for_everyone(store: Store) -> None:
    stored, _ = await store.articles.add(art(1), "g1")
    await store.articles.add(art(1), "g2")
    assert await store.articles.delete(stored.id)
    assert not await store.articles.delete(stored.id)
    assert await store.articles.recent("g2") == []
    assert await store.articles.find(canonical_url=stored.canonical_url) is None


async def test_search_folds_accents_and_case_newest_first(store: Store) -> None:
    await store.articles.add(art(1, title="Élection à Quito", summary="Vote count."), "g1")
    await store.articles.add(art(2, title="Storm", summary="An election delayed by rain."), "g1")
    await store.articles.add(art(3, title="Election elsewhere"), "g2")
    await store.articles.add(art(4, title="Budget", summary="Nothing to see."), "g1")
    found = await store.articles.search("g1", "ELECTION")
    assert [a.id for a in found] == [art(2).id, art(1).id]
    both = await store.articles.search("g1", "election quito")
    assert [a.id for a in both] == [art(1).id]
    assert await store.articles.search("g1", "   ") == []
    assert await store.articles.search("g1", "election", limit=1) == found[:1]
    assert await store.articles.search("g3", "election") == []


async def test_entity_card_counts_and_companions(store: Store) -> None:
    await store.articles.add(art(1, countries=("EC", "US"), persons=("Daniel Noboa",)), "g1")
    await store.articles.add(art(2, countries=("EC", "US")), "g1")
    await store.articles.add(art(3, countries=("EC", "PE"), persons=("Daniel Noboa",)), "g1")
    await store.articles.add(art(4, countries=("US",)), "g1")
    await store.articles.add(art(5, countries=("EC", "FR")), "g2")
    card = await store.articles.entity_card("g1", "country", "ec")
    assert (card.kind, card.key, card.count) == ("country", "EC", 3)
    assert card.first_seen == art(1).ingested_at and card.last_seen == art(3).ingested_at
    assert [(c.kind, c.key, c.count) for c in card.often_with] == [
        ("country", "US", 2),
        ("person", person_key("Daniel Noboa"), 2),
        ("country", "PE", 1),
    ]
    assert card.often_with[1].display == "Daniel Noboa"
    later = await store.articles.entity_card("g1", "country", "EC", since=art(2).ingested_at)
    assert later.count == 2 and later.first_seen == art(2).ingested_at
    person = await store.articles.entity_card("g1", "person", "Daniel Noboa", limit=1)
    assert person.display == "Daniel Noboa" and person.count == 2
    assert [c.key for c in person.often_with] == ["EC"]
    none = await store.articles.entity_card("g1", "country", "JP")
    assert (none.count, none.first_seen, none.last_seen, none.often_with) == (0, None, None, ())


async def test_version_changes_on_every_write(store: Store) -> None:
    v0 = await store.articles.version()
    stored, _ = await store.articles.add(art(1), "g1")
    v1 = await store.articles.version()
    assert v1 != v0
    await store.articles.forget(stored.id, "g1")
    assert await store.articles.version() != v1


async def test_stats_per_guild_and_all(store: Store) -> None:
    await store.articles.add(art(1, countries=("EC", "US"), persons=("Ana",)), "g1")
    await store.articles.add(art(2, countries=("FR",)), "g2")
    everything = await store.articles.stats()
    assert isinstance(everything, StoreStats)
    assert (everything.articles, everything.guilds, everything.countries) == (2, 2, 3)
    one = await store.articles.stats("g1")
    assert (one.articles, one.countries, one.persons, one.guild) == (1, 2, 1, "g1")
    assert one.to_dict()["backend"] == one.backend


async def test_everything_survives_reopening(store_target: StoreTarget) -> None:
    store = await store_target.open()
    for n in range(1, 30):
        await store.articles.add(art(n, countries=("EC",), at=T0 + n * HOUR), f"g{n % 3}")
    stored, _ = await store.articles.add(art(1), "g9")
    await store.close()
    again = await store_target.open()
    try:
        assert (await again.articles.stats()).articles == 29
        assert set((await again.articles.get(stored.id)).guilds) == {"g1", "g9"}
        newest = await again.articles.by_country("g1", "EC", limit=2)
        assert [a.id for a in newest] == [art(28).id, art(25).id]
    finally:
        await again.close()


async def test_read_only_store_refuses_writes(store_target: StoreTarget) -> None:
    store = await store_target.open()
    await store.articles.add(art(1), "g1")
    await store.close()
    reader = await store_target.open(read_only=True)
    try:
        assert reader.read_only
        assert [a.id for a in await reader.articles.recent("g1")] == [art(1).id]
        with pytest.raises(StoreReadOnly):
            await reader.articles.add(art(2), "g1")
    finally:
        await reader.close()
