"""Language choice on prose, with confidence, falling back to the page's language or English."""

from __future__ import annotations

from bot.news.understanding.language import (
    choose_language,
    declared_language,
    guess_language,
    prose,
)

PROSE = (
    "The race went on under a grey sky, and the leaders stayed together until the last lap, "
    "when the winner found a gap on the inside and held on to the line.\n"
)
# a results table: names and numbers, the kind of text a detector reads as Dutch or Polish
TABLE = "\n".join(
    f"{pos} {first} {last} {points}"
    for pos, (first, last, points) in enumerate(
        [
            ("Kyle", "Brandt", 2041),
            ("Denny", "Halloran", 2033),
            ("Joey", "Lagerveld", 2020),
            ("Martin", "Trux", 2011),
            ("Ryan", "Blankenship", 2002),
            ("Chase", "Ellwood", 1999),
            ("Kurt", "Bosch", 1987),
            ("Erik", "Janssen", 1975),
            ("Aric", "Almstedt", 1960),
            ("Bubba", "Wallis", 1944),
        ]
        * 3,
        start=1,
    )
)


def test_prose_keeps_sentences_and_drops_name_tables() -> None:
    chosen = prose(PROSE * 3 + TABLE)
    assert "leaders stayed together" in chosen
    assert "Lagerveld" not in chosen


def test_an_english_article_with_a_results_table_stays_english() -> None:
    assert choose_language(PROSE * 2 + TABLE) == "en"


def test_a_table_alone_falls_back_to_the_declared_language_or_english() -> None:
    assert not guess_language("Kyle Brandt, Denny Halloran, Joey Lagerveld").confident
    assert choose_language("Kyle Brandt, Denny Halloran, Joey Lagerveld", "en-GB") == "en"
    assert choose_language("Kyle Brandt, Denny Halloran, Joey Lagerveld") == "en"


def test_clear_prose_wins_over_a_site_wide_declaration() -> None:
    german = (
        "Die Regierung hat am Montag ein neues Gesetz beschlossen, das für alle Bürger gelten "
        "soll. Die Opposition kritisierte den Plan scharf und kündigte Widerstand an."
    )
    assert choose_language(german, "en") == "de"


def test_malay_and_indonesian_share_their_confidence() -> None:
    indonesian = (
        "Pemerintah mengumumkan kebijakan baru pada hari Senin untuk membantu para petani "
        "yang terdampak banjir di beberapa daerah. Menteri mengatakan bahwa bantuan akan "
        "segera disalurkan kepada masyarakat yang membutuhkan."
    )
    guess = guess_language(indonesian)
    assert guess.code in ("id", "ms") and guess.confident


def test_declared_language_tags() -> None:
    assert declared_language("en-US") == "en"
    assert declared_language("pt_BR") == "pt"
    assert declared_language("") is None
    assert declared_language("x") is None
    assert guess_language("1234 5678").code == "und"
