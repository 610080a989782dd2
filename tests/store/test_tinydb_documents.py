"""Stored documents read back as Articles: the positional fast path gives exactly what
the keyword path (``Article.from_dict``) gives, for current and older documents."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from bot.news.model import Article, CountryMention, Development, PersonMention
from bot.news.store.tinydb.documents import article_of


def _stored() -> dict[str, Any]:
    article = Article(
        url="https://news.example/a?ref=1",
        canonical_url="https://news.example/a",
        title="Storm reaches the coast",
        summary="A storm reached the coast.",
        site="news.example",
        published="2026-01-05",
        fingerprint="00ff",
        countries=[CountryMention("EC", 3, True), CountryMention("PE", 1)],
        persons=[PersonMention("Andrés Castillo", 2, True)],
        developments=[
            Development("country", "EC", "Ecuador braced for the storm."),
            Development("person", "andres castillo", "Castillo spoke."),
        ],
        notes=["a note"],
        ingested_at=1_700_000_000.0,
        guilds={"g1": 1_700_000_001.0, "g2": 1_700_000_002.0},
    )
    doc = orjson.loads(orjson.dumps(article))
    doc.pop("text")  # the store keeps no text
    doc["event_time"] = article.event_time  # stored beside the fields, not one of them
    return doc


def _reference(doc: dict[str, Any], guild: str | None) -> Article:
    expected = Article.from_dict(doc)
    if guild is not None:
        expected.guilds = {guild: doc["guilds"][guild]}
    return expected


@pytest.mark.parametrize("guild", [None, "g2"])
def test_a_stored_document_reads_as_the_keyword_path_reads_it(guild: str | None) -> None:
    doc = _stored()
    assert article_of(doc, guild) == _reference(doc, guild)


def test_an_older_document_without_some_fields_gets_their_defaults() -> None:
    doc = _stored()
    del doc["published"], doc["language"], doc["notes"]
    for mention in doc["countries"] + doc["persons"]:
        del mention["salient"]
    got = article_of(doc, "g1")
    assert got == _reference(doc, "g1")
    assert got.language == "en" and got.published is None
    assert [c.salient for c in got.countries] == [False, False]


def test_an_unknown_field_in_a_mention_is_refused_as_the_keyword_path_refuses_it() -> None:
    doc = _stored()
    doc["persons"][0] = {"name": "Ana", "count": 1, "colour": "red"}
    with pytest.raises(TypeError):
        Article.from_dict(doc)
    with pytest.raises(TypeError):
        article_of(doc)


def test_each_read_is_a_fresh_object_callers_may_change() -> None:
    doc = _stored()
    first = article_of(doc, "g1")
    first.countries[0].count = 99
    first.persons.clear()
    first.notes.append("changed")
    first.guilds["g3"] = 1.0
    again = article_of(doc, "g1")
    assert again == _reference(_stored(), "g1")
    assert doc == _stored()
