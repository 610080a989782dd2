"""Countries and persons from text through the real spaCy model (loaded once per process)."""

from __future__ import annotations

import pytest

from bot.news.understanding.entities import find_countries, find_persons
from bot.news.understanding.nlp import analyse
from bot.news.understanding.persons import clean_person, is_credit_context, merge_persons


def countries(text: str) -> set[str]:
    return {found.key for found in find_countries(analyse(text))}


def persons(text: str) -> set[str]:
    return {found.name for found in find_persons(analyse(text))}


def test_aliases_demonyms_and_cities_count() -> None:
    text = (
        "The Ecuadorian ambassador met British officials in Quito. Later, U.S. envoys flew "
        "from California to Abu Dhabi, where Emirati hosts greeted them."
    )
    assert countries(text) == {"EC", "GB", "US", "AE"}


def test_organisation_names_do_not_count() -> None:
    text = (
        "She flew British Airways to a conference at the University of Florida, "
        "organised by Biman Bangladesh Airlines staff."
    )
    assert countries(text) == set()


def test_state_bodies_count() -> None:
    assert "US" in countries("The U.S. Senate passed the bill on Tuesday.")
    assert "NG" in countries("The Nigerian Senate rejected the request on Monday.")


def test_languages_continents_and_regions_do_not_count() -> None:
    text = (
        "The book was translated into French and sold across Europe, Latin America and "
        "the Middle East. Readers in Africa liked it."
    )
    assert countries(text) == set()


def test_ambiguous_person_names_need_the_model() -> None:
    text = "Jordan Henderson scored twice and Chad Johnson watched from the stands."
    assert countries(text) == set()


def test_counts_and_offsets() -> None:
    found = find_countries(analyse("Israel and Ecuador signed a deal. Israel will send experts."))
    by_code = {f.key: f for f in found}
    assert by_code["IL"].count == 2
    assert by_code["EC"].count == 1


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("President Daniel Noboa’s", "Daniel Noboa"),
        ("Ecuadorian MP Andrés Castillo", "Andrés Castillo"),
        ("Sen. Bernie Sanders", "Bernie Sanders"),
        ("Dr. Jane Goodall", "Jane Goodall"),
        ("Prime Minister Benjamin Netanyahu", "Benjamin Netanyahu"),
        ("Jones'", "Jones"),
        ("Martin Truex Jr.", "Martin Truex Jr."),
        ("Jeff Bezos’s Blue Origin", "Jeff Bezos"),
        ("“Isaac Herzog", "Isaac Herzog"),
        ("Coach P.J. Fleck", "P.J. Fleck"),
        ("Alexandria Ocasio-Cortez", "Alexandria Ocasio-Cortez"),
        ("U.S. Rep. Ilhan Omar", "Ilhan Omar"),
        ("Douglas MacArthur", "Douglas MacArthur"),
    ],
)
def test_clean_person(raw: str, name: str) -> None:
    cleaned = clean_person(raw)
    assert cleaned is not None
    assert cleaned[0] == name


@pytest.mark.parametrize(
    "raw",
    ["twitter", "Reuters", "Nintendo Switch", "Sioux Falls", "2019", "MagSafe", "MKII Ford"],
)
def test_clean_person_drops_junk(raw: str) -> None:
    assert clean_person(raw) is None


def test_merge_surname_and_accents() -> None:
    groups = merge_persons(
        [
            ("Daniel Noboa", 0, 12),
            ("Noboa", 50, 55),
            ("Andrés Castillo", 60, 75),
            ("Andres Castillo", 80, 95),
            ("Castillo", 100, 108),
        ]
    )
    assert groups == [
        ("Daniel Noboa", [(0, 12), (50, 55)]),
        ("Andrés Castillo", [(60, 75), (80, 95), (100, 108)]),
    ]


def test_merge_spelling_variant_and_shared_surname() -> None:
    groups = merge_persons(
        [
            ("Volodymyr Zelensky", 0, 18),
            ("Zelenskyy", 30, 39),
            ("Joe Biden", 40, 49),
            ("Hunter Biden", 50, 62),
            ("Biden", 70, 75),
            ("Biden", 80, 85),
            ("Joe Biden", 90, 99),
        ]
    )
    names = [name for name, _ in groups]
    assert names == ["Volodymyr Zelensky", "Joe Biden", "Hunter Biden"]
    assert len(groups[1][1]) == 4  # "Biden" goes to the Biden named most


def test_credit_lines_are_not_news() -> None:
    text = "Reporting by Herb Lash and Joshua Franklin; Editing by Dan Grebler"
    for name in ("Herb Lash", "Joshua Franklin", "Dan Grebler"):
        start = text.index(name)
        assert is_credit_context(text, start, start + len(name))
    prose = "The plan was drafted by John Smith, the city's mayor."
    start = prose.index("John Smith")
    assert not is_credit_context(prose, start, start + len("John Smith"))


def test_persons_from_text() -> None:
    text = (
        "By Maria Lopez\n"
        "President Daniel Noboa met Sen. Bernie Sanders in Washington on Monday. "
        "Noboa’s team said the talks went well, and Sanders agreed."
    )
    assert persons(text) == {"Daniel Noboa", "Bernie Sanders"}


def test_single_name_needs_a_title_or_repetition() -> None:
    assert "Trump" in persons("President Trump spoke to reporters on Friday about tariffs.")
    assert persons("Steelers won again. The Steelers beat the Browns, said the coach.") == set()


def test_names_after_a_country_possessive_when_the_model_is_silent() -> None:
    import spacy

    from bot.news.understanding.entities import _possessed_names

    text = (
        "Serbia’s Novak Djokovic beat Spain's Rafael Nadal. Israel’s West Bank policy changed. "
        "Pittsburgh center Maurkice Pouncey was suspended; the lawyer General Motors hired left."
    )
    names = [name for name, _, _ in _possessed_names(spacy.blank("en")(text))]
    assert names == ["Novak Djokovic", "Rafael Nadal", "Maurkice Pouncey"]
