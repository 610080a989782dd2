"""The lead summary: length, filters, datelines, boilerplate."""

from __future__ import annotations

from bot.news.understanding.sentences import split_sentences
from bot.news.understanding.summary import summarize

ARTICLE = (
    "By Jane Doe\n"
    "Photo: Getty Images\n"
    "QUITO (Reuters) - Ecuador's congress approved a new security law on Tuesday after a long "
    "debate, JNS reported Sunday.\n"
    "Sign up for our newsletter to get the news first.\n"
    "The law gives the armed forces more powers against drug gangs in the port of Guayaquil.\n"
    "Critics said the measure would weaken oversight of the military for years to come.\n"
    "A fourth sentence that should not be needed in a three sentence summary at all.\n"
    "All rights reserved.\n"
)


def test_summary_skips_bylines_datelines_and_boilerplate() -> None:
    summary = summarize("Ecuador passes security law", ARTICLE)
    assert summary.startswith("Ecuador's congress approved a new security law on Tuesday")
    assert "after a long debate." in summary
    assert "JNS reported" not in summary
    assert "Reuters" not in summary and "Jane Doe" not in summary
    assert "Sign up" not in summary and "rights reserved" not in summary
    assert "armed forces" in summary and "oversight" in summary
    assert "fourth sentence" not in summary


def test_summary_length_is_bounded() -> None:
    long_sentence = "The minister said " + "very " * 200 + "much."
    text = "\n".join([long_sentence] * 5)
    for limit in (100, 300, 500):
        summary = summarize("t", text, max_chars=limit)
        assert 0 < len(summary) <= limit
        assert summary.endswith("…")


def test_summary_cuts_a_long_third_sentence_or_stops() -> None:
    first = "A first sentence that says what happened in the capital today. "
    second = "A second sentence that gives the background of the story in detail. "
    third = "A third sentence " + "that goes on " * 60 + "and on."
    summary = summarize("t", first + second + third, max_chars=300)
    assert summary.startswith(first.strip())
    assert len(summary) <= 300
    assert summary.endswith("…")


def test_summary_skips_the_headline_repeated() -> None:
    text = "Big news today\nThe council voted to close the bridge for repairs next month."
    assert summarize("Big news today", text).startswith("The council voted")


def test_summary_of_empty_or_junk_text() -> None:
    assert summarize("Only a title", "") == "Only a title"
    assert summarize("", "Click here") == "Click here"


def test_sentence_splitter_keeps_abbreviations() -> None:
    text = "Mr. Smith went to the U.S. Army base on Jan. 5. It was in the U.S. The end came."
    assert split_sentences(text) == [
        "Mr. Smith went to the U.S. Army base on Jan. 5.",
        "It was in the U.S.",
        "The end came.",
    ]


def test_summary_never_cuts_a_quotation() -> None:
    first = "The mayor closed the bridge on Monday after engineers found cracks in it. "
    quote = "“We will not take any risk with " + "the safety of the people of this city " * 12 + "”"
    summary = summarize("t", first + quote, max_chars=200)
    assert summary == first.strip()
