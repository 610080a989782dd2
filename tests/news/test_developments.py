"""The development sentence of an entity, and the span look-ups the finders share."""

from __future__ import annotations

from bot.news.understanding.developments import pick_development
from bot.news.understanding.entities import Found
from bot.news.understanding.nlp import analyse
from bot.news.understanding.text_lookup import covering, inside, spans_by_start

SENTENCES = [
    (0, 20, "Short caption line"),
    (21, 80, "\u201cWe will win this fight and we will never ever stop,\u201d he said."),
    (81, 140, "The minister resigned on Monday after the vote in parliament."),
]


def test_the_first_plain_sentence_naming_the_entity_wins() -> None:
    found = Found("person", "x", "X", [(5, 9), (30, 34), (90, 99)])
    assert pick_development(found, SENTENCES).sentence.startswith("The minister resigned")


def test_a_mention_across_two_sentences_counts_for_both() -> None:
    found = Found("country", "FR", "FR", [(75, 85)])
    assert pick_development(found, SENTENCES).sentence.startswith("The minister")
    assert pick_development(Found("country", "FR", "FR", [(141, 150)]), SENTENCES).sentence == ""


def test_spans_holding_a_range() -> None:
    spans = spans_by_start([(50, 60), (0, 40), (10, 20)])
    assert inside(spans, 12, 18) and inside(spans, 30, 40) and inside(spans, 50, 60)
    assert not inside(spans, 35, 45) and not inside(spans, 61, 62) and not inside(spans, 0, 70)


def test_covering_finds_every_overlapping_entity() -> None:
    doc = analyse("Emmanuel Macron met Olaf Scholz in Berlin on Tuesday.")
    ents = doc.ents
    assert [e.text for e in covering(ents, 0, len(doc.text))] == [e.text for e in ents]
    at = doc.text.index("Scholz")
    assert [e.text for e in covering(ents, at, at + 3)] == ["Olaf Scholz"]
    assert covering(ents, doc.text.index(" met"), doc.text.index(" met") + 4) == []
