"""Grouping articles into stories: same event from several sites, never different events."""

from __future__ import annotations

from bot.news.model import Article, CountryMention, Development, PersonMention
from bot.news.stories import features, group_stories, same_event
from bot.news.stories.group import merged_summary

DAY = 1_790_000_000.0

LEAD = (
    "Ecuador's president declared a state of emergency in the country's prisons on Monday "
    "after riots at the Litoral penitentiary in Guayaquil left at least 31 inmates dead. "
    "Soldiers were sent to take back control of the cell blocks."
)


def art(
    n: int, title: str, summary: str, *, site: str, when: float = DAY, countries=(), persons=()
):
    url = f"https://{site}/{n}"
    a = Article(
        url=url,
        canonical_url=url,
        title=title,
        summary=summary,
        site=site,
        countries=[CountryMention(c, 2, True) for c in countries],
        persons=[PersonMention(p, 2, True) for p in persons],
        ingested_at=when,
        guilds={"1": when},
    )
    a.developments = [Development("country", c, summary.split(". ")[0]) for c in countries]
    return a


def test_a_republished_wire_story_joins_the_original() -> None:
    original = art(
        1, "Ecuador declares prison emergency", LEAD, site="wire.example", countries=("EC",)
    )
    copy = art(
        2,
        "Dozens die in Guayaquil jail riot",
        LEAD.replace("Monday", "Monday night"),
        site="daily.example",
        when=DAY + 600,
        countries=("EC",),
    )
    assert same_event(features(original), features(copy))
    [story] = group_stories([original, copy], "1")
    assert [s.site for s in story.sources] == ["wire.example", "daily.example"]


def test_the_same_event_in_other_words_joins() -> None:
    a = art(
        1,
        "Guillermo Lasso declares emergency in Ecuador prisons after riot",
        "President Guillermo Lasso declared an emergency in Ecuador's prisons after a riot "
        "in Guayaquil killed 31 inmates.",
        site="a.example",
        countries=("EC",),
        persons=("Guillermo Lasso",),
    )
    b = art(
        2,
        "Lasso orders troops into Guayaquil prison as riot toll rises",
        "Troops entered the Guayaquil prison on Tuesday; Lasso said the riot, which killed "
        "31 inmates, was a fight between gangs.",
        site="b.example",
        when=DAY + 6 * 3600,
        countries=("EC",),
        persons=("Guillermo Lasso",),
    )
    assert same_event(features(a), features(b))


def test_different_events_about_the_same_people_stay_apart() -> None:
    a = art(
        1,
        "Lasso signs trade accord with Chile",
        "President Guillermo Lasso signed a trade accord with Chile in Santiago, cutting "
        "tariffs on bananas and copper.",
        site="a.example",
        countries=("EC", "CL"),
        persons=("Guillermo Lasso",),
    )
    b = art(
        2,
        "Lasso faces impeachment vote in Ecuador's congress",
        "Ecuador's national assembly will vote on impeaching Guillermo Lasso over "
        "embezzlement claims at a state oil company.",
        site="b.example",
        countries=("EC",),
        persons=("Guillermo Lasso",),
    )
    assert not same_event(features(a), features(b))
    assert len(group_stories([a, b], "1")) == 2


def test_the_same_headline_a_week_apart_is_two_stories() -> None:
    a = art(1, "Storm closes the port of Valparaiso", "A storm closed the port.", site="a.example")
    b = art(
        2,
        "Storm closes the port of Valparaiso",
        "A storm closed the port again.",
        site="b.example",
        when=DAY + 7 * 86400,
    )
    assert len(group_stories([a, b], "1")) == 2


def test_a_chain_of_small_steps_does_not_glue_unrelated_reports() -> None:
    a = art(1, "Storm closes ports in Callao and Paita, Peru", "Report one.", site="a.example")
    b = art(2, "Storm closes ports in Callao and Lima, Peru", "Report two.", site="b.example")
    c = art(3, "Storm closes ports in Lima and Chimbote, Peru", "Report three.", site="c.example")
    fa, fb, fc = features(a), features(b), features(c)
    assert same_event(fa, fb) and same_event(fb, fc) and not same_event(fa, fc)
    stories = group_stories([a, b, c], "1")
    groups = {frozenset(x.id for x in s.articles) for s in stories}
    assert groups == {frozenset({a.id, b.id}), frozenset({c.id})}


def test_story_keeps_the_typical_title_merged_summary_and_all_entities() -> None:
    a = art(1, "Ecuador prison riot: 31 dead", LEAD, site="a.example", countries=("EC",))
    b = art(
        2,
        "Ecuador prison riot leaves 31 dead in Guayaquil - B News",
        LEAD + " The government blamed two gangs fighting for control.",
        site="B News",
        countries=("EC", "CO"),
        persons=("Guillermo Lasso",),
    )
    c = art(
        3,
        "Ecuador prison riot: 31 inmates dead in Guayaquil jail",
        LEAD,
        site="c.example",
        countries=("EC",),
    )
    [story] = group_stories([a, b, c], "1")
    assert story.title == "Ecuador prison riot: 31 inmates dead in Guayaquil jail"
    assert story.countries[0] == "EC" and set(story.countries) == {"EC", "CO"}
    assert list(story.persons.values()) == ["Guillermo Lasso"]
    assert story.summary.count("Soldiers were sent") == 1
    assert story.summary.endswith("The government blamed two gangs fighting for control.")
    assert len(story.sources) == 3


def test_merged_summary_stops_within_its_limit() -> None:
    a = art(1, "A", "First sentence here. " * 3, site="a.example")
    b = art(2, "B", " ".join(f"Other fact number {i} is new." for i in range(40)), site="b")
    out = merged_summary([a, b], limit=200)
    assert len(out) <= 200 and out.startswith("First sentence here.")
