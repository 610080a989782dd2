"""The lead summary: length, filters, datelines, boilerplate."""

from __future__ import annotations

from bot.news.understanding.sentences import split_sentences
from bot.news.understanding.summary import (
    compress_sentence,
    lead_sentences,
    quoted_shares,
    split_glued_captions,
    summarize,
    summary_sentences,
)

ARTICLE = (
    "By Jane Doe\n"
    "Photo: Getty Images\n"
    "QUITO (Reuters) - Ecuador's congress approved a new security law on Tuesday after a long "
    "debate, JNS reported Sunday.\n"
    "Sign up for our newsletter to get the news first.\n"
    "The law gives the armed forces more powers against drug gangs in the port of Guayaquil.\n"
    "Critics said the measure would weaken oversight of the military for years to come.\n"
    "Critics said the measure would weaken oversight of the military, a critic said again.\n"
    "The vote was 88 to 41, and the president is expected to sign the law within the week "
    "after a review by his legal team of every clause that the opposition had challenged.\n"
    "A sixth sentence that comes so late that a summary of sixty words never reaches it.\n"
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
    assert "said again" not in summary  # repeats a sentence already taken
    assert "sixth sentence" not in summary


def test_summary_length_is_bounded() -> None:
    long_sentence = "The minister said " + "very " * 200 + "much."
    text = "\n".join([long_sentence] * 5)
    for limit in (100, 300, 500):
        summary = summarize("t", text, max_chars=limit)
        assert 0 < len(summary) <= limit
        assert summary.endswith("…")


def test_summary_leaves_out_a_sentence_too_long_for_the_room_left() -> None:
    first = "A first sentence that says what happened in the capital today. "
    second = "A second sentence that gives the background of the story in detail. "
    third = "A third sentence " + "that goes on " * 60 + "and on."
    summary = summarize("t", first + second + third, max_chars=300)
    assert summary == (first + second).strip()
    assert summary_sentences("t", first + second + third) == [first.strip(), second.strip()]


def test_summary_prefers_central_early_sentences_in_article_order() -> None:
    text = (
        "The city council voted on Monday to close the old river bridge for repairs.\n"
        "“I have never seen anything like it,” one resident told a local radio station.\n"
        "Engineers found deep cracks in the bridge last month, and the repairs to the bridge "
        "will take a year.\n"
        "Scroll down for video.\n"
        "Drivers will use the ring road while the river bridge is closed for the repairs.\n"
        "Pictured: the bridge at dawn The bridge was built in 1902 and last repaired in 1970.\n"
        "The council also approved a new budget for the city's parks and its libraries.\n"
        "A festival of music and food will be held in the old market square in August.\n"
        "Local shops hope that the summer will bring more visitors than last year did.\n"
    )
    chosen = summary_sentences("Bridge to close", text)
    assert chosen[0].startswith("The city council voted")
    assert "The bridge was built in 1902 and last repaired in 1970." in chosen
    assert not any("Scroll down" in s or "Pictured" in s or "festival" in s for s in chosen)
    assert not any("Local shops" in s for s in chosen)
    positions = [text.index(s) for s in chosen]
    assert positions == sorted(positions)


def test_summary_strips_caption_labels_picture_notes_and_attribution_tails() -> None:
    text = (
        "Wanted: Police in Maryland have issued a warrant for a karate instructor (pictured) "
        "who fled the country, officials said.\n"
        "He was last seen at an airport in Virginia two weeks ago, according to the police."
    )
    assert summary_sentences("", text) == [
        "Police in Maryland have issued a warrant for a karate instructor who fled the country.",
        "He was last seen at an airport in Virginia two weeks ago.",
    ]


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


def test_summary_skips_a_daily_mail_page_header_and_a_cnn_dateline() -> None:
    story = (
        "A man who stole a bus from a depot in Leeds drove it ten miles before police stopped "
        "him. He was arrested and charged with theft."
    )
    expected = [
        "A man who stole a bus from a depot in Leeds drove it ten miles before police stopped him.",
        "He was arrested and charged with theft.",
    ]
    headers = (
        "By . Sam Webb . and Lucy Crossley . PUBLISHED: . 10:27 EST, 2 April 2013 . | . "
        "UPDATED: . 10:30 EST, 2 April 2013 . ",
        "By . Daily Mail Reporter . Last updated at 5:04 PM on 23rd January 2012 . ",
        "PUBLISHED: . 18:22 EST, 5 January 2013 . | . UPDATED: . 18:22 EST, 5 January 2013 . ",
        "New Delhi, India (CNN)",
        "LONDON, England (CNN) -- ",
    )
    for header in headers:
        assert summary_sentences("", header + story) == expected, header


def test_quoted_shares_follow_a_quotation_across_sentences() -> None:
    shares = quoted_shares(
        [
            "He said: 'There is a candidate in this constituency.",
            "She says vote for her and we will get another referendum.'",
            "The players' union called it 'a fair deal' on Monday.",
            "The latest figures show how vital it is that we all act.’",
            'Obesity, he told me, "is becoming a national security issue."',
            "It's Tom's dog, he said.",
        ]
    )
    assert shares[0] >= 0.5 and shares[1] == 1.0  # the quotation goes on
    assert shares[2] < 0.5  # a plural possessive and a short quoted phrase
    assert shares[3] == 1.0  # closed but never opened: it began in a quotation
    assert shares[4] >= 0.5
    assert shares[5] == 0.0


def test_summary_skips_the_rest_of_a_quotation_begun_earlier() -> None:
    text = (
        "The city council approved a budget of forty million dollars on Monday for three new "
        "schools in the northern districts, ending a dispute that had lasted for two years.\n"
        "'This money will change the lives of thousands of children who now learn in crowded "
        "classrooms across the northern districts of the city.\n"
        "We have waited for these schools for far too long and the families know it,' the "
        "mayor told reporters at the town hall.\n"
        "Building work on the three schools will start in June and the first pupils are "
        "expected to arrive in the autumn of next year.\n"
    )
    summary = summarize("", text)
    assert summary.startswith("The city council approved")
    assert "We have waited" not in summary  # a quotation's second half without its start
    assert "Building work" in summary


def test_summary_cuts_a_caption_run_into_the_next_sentence() -> None:
    text = (
        "Divers searched the harbour all night for the missing fisherman Police in Norfolk "
        "say the search for the fisherman will resume at dawn on Friday.\n"
        "A baker lost her case at the High Court Thousands of small shops could now face "
        "higher rents after the ruling on Tuesday.\n"
        "The mayor cut the ribbon at the new library In Leeds, the library opened its doors "
        "to its first readers on Monday.\n"
        "Local police thanked the volunteers who walked the coast path with torches."
    )
    assert lead_sentences(text) == [
        "Police in Norfolk say the search for the fisherman will resume at dawn on Friday.",
        "Thousands of small shops could now face higher rents after the ruling on Tuesday.",
        "In Leeds, the library opened its doors to its first readers on Monday.",
        "Local police thanked the volunteers who walked the coast path with torches.",
    ]


def test_glued_caption_split_leaves_names_and_titles_whole() -> None:
    lower = frozenset(["police", "many", "rivers"])
    for sentence in (
        "Officers from the Metropolitan Police said the road would reopen on Sunday.",
        "The charity was founded by local teacher Anna Price in a village near Bath.",
        "Her horse beat the favourite Many Rivers by a length at Ascot on Saturday.",
        "She told her mother I would never see the town again, her son said.",
        "He watched the film Midnight In Paris twice on the flight home to Rome.",
    ):
        assert split_glued_captions(sentence, lower) == [sentence]


def test_summary_drops_list_numbers_and_repeated_captions() -> None:
    text = (
        "The singer shared a few facts about herself before her world tour 1. Coffee is "
        "her favourite drink before a show 2. She has three dogs that travel with her 3. "
        "She learnt the piano at the age of four in her grandmother's house.\n"
        "The singer shared a few facts about herself before her world tour 1."
    )
    assert lead_sentences(text) == [
        "The singer shared a few facts about herself before her world tour.",
        "Coffee is her favourite drink before a show.",
        "She has three dogs that travel with her.",
        "She learnt the piano at the age of four in her grandmother's house.",
    ]


def test_summary_sentences_are_compressed() -> None:
    text = (
        "On Monday, Gaioz Nigalidze, the current Georgian champion, was expelled from the "
        "Dubai Open after he was found using his phone in a toilet, organisers said Tuesday.\n"
        "The tournament fund (£16) was paid by the Chess Federation (FIDE) of the city, "
        "the Old Bailey heard.\n"
        "He carded rounds of 78 and 79 to finish 13 over par, although he signed off well.\n"
    )
    assert summary_sentences("", text) == [
        "Gaioz Nigalidze was expelled from the Dubai Open after he was found using his phone "
        "in a toilet.",
        "The tournament fund was paid by the Chess Federation of the city.",
        "He carded rounds of 78 and 79 to finish 13 over par.",
    ]


def test_compression_keeps_what_the_sentence_needs() -> None:
    for sentence in (
        # a time to come is the news
        "In about five years, so many young people will be overweight that the army shrinks.",
        "Over the next decade, the company will cut a thousand jobs in its northern plants.",
        # a clause, not a name and its description
        "When Emma Jackson, 28, moved into a quiet street in Hull a year ago, she thought she "
        "had found the perfect place to call home.",
        "However, the group, a militia, is the local authority in some towns.",
        "In one of two lawsuits filed against the Davis School District, the plaintiffs said "
        "the running joke at the school was a cruel one.",
        "The photographs were taken by Gisèle Freund, a French photographer, who had "
        "travelled to Mexico in 1950.",
        # told someone something is not a source
        "Before he jumped off the ship, Jorge Amores told his friends to take videos of it.",
        # a tail that ends a quotation opened before it stays with it
        "He said: 'We are hiring, adding more staff every week across the north.'",
        "While the crowd waited outside the court, as the jury went out.",
        # too little would be left
        "Now, it rained, police said.",
    ):
        assert compress_sentence(sentence) == sentence, sentence


def test_compression_tidies_what_is_left() -> None:
    assert compress_sentence("Earlier this year, the council closed the old bridge.") == (
        "The council closed the old bridge."
    )
    assert (
        compress_sentence(
            "The rocket will fall back to Earth within a week, Roscosmos, the Russian space "
            "agency, said Wednesday."
        )
        == "The rocket will fall back to Earth within a week."
    )
    assert (
        compress_sentence(
            "He accused the Tories of failing the poor, adding: 'Don't you dare lecture us.'"
        )
        == "He accused the Tories of failing the poor."
    )
    assert (
        compress_sentence(
            "Nigalidze launched a legal bid to overturn the ban, saying it was unfair on him."
        )
        == "Nigalidze launched a legal bid to overturn the ban."
    )
