"""enrich() end to end on the project's example article, on other languages, on edge cases."""

from __future__ import annotations

import pytest

from bot.news.understanding.enrich import enrich
from bot.news.understanding.language import guess_language
from tests.conftest import EXAMPLE_ARTICLE


def _example_text() -> str:
    raw = EXAMPLE_ARTICLE.read_text(encoding="utf-8")
    # the seed file opens with " date YYYY-MM-DD " on the same line as the text
    head = raw.lstrip()
    assert head.startswith("date ")
    return head.split(" ", 2)[2]


@pytest.fixture
def example():
    return enrich("Ecuador forms a caucus to back Israel", _example_text())


def test_example_article_exact_entities(example) -> None:
    assert {c.code for c in example.countries} == {"EC", "IL", "AE"}
    assert {p.name for p in example.persons} == {
        "Andrés Castillo",
        "Daniel Noboa",
        "Benjamin Netanyahu",
        "Isaac Herzog",
        "Leopoldo Martinez",
    }
    assert example.language == "en"
    assert example.notes == []


def test_example_article_counts_salience_and_developments(example) -> None:
    countries = {c.code: c for c in example.countries}
    persons = {p.name: p for p in example.persons}
    assert countries["EC"].salient and countries["IL"].salient
    assert not countries["AE"].salient
    assert persons["Daniel Noboa"].count >= 4  # "Noboa" alone counts as him
    developments = {(d.kind, d.key): d.sentence for d in example.developments}
    assert len(developments) == 8
    assert "United Arab Emirates" in developments[("country", "AE")]
    assert developments[("person", "daniel noboa")].startswith(
        "Ecuadorian President Daniel Noboa visited Israel"
    )
    assert all(len(s) <= 300 for s in developments.values())


def test_example_article_summary(example) -> None:
    assert example.summary.startswith("The Ecuadorian National Assembly is set to launch")
    assert "JNS reported" not in example.summary
    assert len(example.summary) <= 500


GERMAN = (
    "Die Bundesregierung hat am Montag in Berlin ein neues Gesetz beschlossen. Kanzler "
    "Olaf Scholz sagte, dass die Reform für alle Bürger in Deutschland gelten wird und "
    "nicht nur für die Unternehmen. Die Opposition kritisierte den Plan scharf."
)
JAPANESE = "東京で日本政府は新しい法律を発表しました。岸田文雄首相は記者会見で説明した。"
ITALIAN = (
    "Il governo ha approvato lunedì una nuova legge sul lavoro. Il ministro ha detto che la "
    "riforma varrà per tutte le imprese in Italia e non soltanto per quelle più grandi."
)


@pytest.mark.parametrize(
    ("text", "lang", "codes"),
    [(GERMAN, "de", {"DE"}), (JAPANESE, "ja", {"JP"}), (ITALIAN, "it", {"IT"})],
)
def test_non_english_gets_localized_countries_and_no_persons(
    text: str, lang: str, codes: set[str]
) -> None:
    result = enrich("", text)
    assert result.language == lang
    assert {c.code for c in result.countries} == codes
    assert result.persons == []
    assert result.notes == [
        f"language {lang}: countries from localized names, no persons (no model)"
    ]
    assert {d.key for d in result.developments} == codes
    assert result.summary


FRENCH = (
    "Le président Emmanuel Macron a reçu mardi à l'Élysée le chancelier allemand Olaf Scholz "
    "pour discuter de la guerre en Ukraine. Selon Jean-Noël Barrot, ministre des Affaires "
    "étrangères, les deux dirigeants ont évoqué l'aide militaire à Kiev.\n"
    "« Nous ne laisserons pas tomber l'Ukraine », a déclaré Macron devant la presse. Scholz a "
    "ajouté que l'Allemagne livrerait de nouveaux systèmes de défense aérienne.\n"
    "Le Premier ministre Michel Barnier doit se rendre jeudi à Bruxelles, où il rencontrera "
    "Ursula von der Leyen, présidente de la Commission européenne.\n"
    "Par Marie Dupont, avec AFP.\n"
    "Photo : Jean Martin"
)


def test_french_byline_author_is_not_a_person() -> None:
    result = enrich("", FRENCH, authors=["Olaf Scholz"])
    assert "Olaf Scholz" not in {p.name for p in result.persons}


RUSSIAN = (
    "Президент России Владимир Путин встретился с Дональдом Трампом в Хельсинки. Путин "
    "сказал журналистам, что встреча прошла успешно, а Трамп добавил, что переговоры "
    "продолжатся в Москве.\n"
    "Победительницы конкурса\n"
    "Яна Манакова\n"
    "Аккаунт: @yana_cooks\n"
    "Евгения Левицкая\n"
    "Аккаунт: @evgenia_bakes\n"
    "Фото: Иван Петров"
)


# French from spaCy's French model, Russian from Natasha: the byline and the photo credit are
# not people in the news, and lone surnames join their full names. In Russian, cases merge
# into the nominative, and a name alone on its line neither runs into the next line nor
# changes gender.
@pytest.mark.parametrize(
    ("title", "text", "lang", "expected", "main"),
    [
        (
            "Macron et Scholz parlent de l'Ukraine",
            FRENCH,
            "fr",
            {
                "Emmanuel Macron",
                "Olaf Scholz",
                "Jean-Noël Barrot",
                "Michel Barnier",
                "Ursula von der Leyen",
            },
            "Emmanuel Macron",
        ),
        (
            "Путин и Трамп",
            RUSSIAN,
            "ru",
            {"Владимир Путин", "Дональд Трамп", "Яна Манакова", "Евгения Левицкая"},
            "Дональд Трамп",
        ),
    ],
)
def test_persons_from_the_languages_own_model(
    title: str, text: str, lang: str, expected: set[str], main: str
) -> None:
    result = enrich(title, text, authors=["Claire Petit"])
    assert result.language == lang
    persons = {p.name: p for p in result.persons}
    assert set(persons) == expected
    assert persons[main].count >= 2 and persons[main].salient
    assert result.notes == [
        f"language {lang}: countries from localized names, persons from its own model"
    ]
    assert ("person", persons[main].key) in {(d.kind, d.key) for d in result.developments}


def test_declared_language_does_not_outvote_the_text() -> None:
    assert enrich("", GERMAN, language="en").language == "de"
    assert enrich("", JAPANESE, language="en-US").language == "ja"


def test_detect_language_english() -> None:
    text = "The government said on Monday that it would not change the law before the election."
    assert guess_language(text).code == "en"
    assert guess_language("").code == "und"


def test_empty_text() -> None:
    result = enrich("", "")
    assert result.countries == [] and result.persons == []
    assert result.notes


def test_title_only_entity_is_salient() -> None:
    result = enrich(
        "Kenya and Peru sign trade pact",
        "The two governments agreed on lower tariffs for coffee and flowers, officials said.",
    )
    assert {c.code for c in result.countries} == {"PE"} | (
        {"KE"} & {c.code for c in result.countries}
    )
    assert all(c.salient for c in result.countries)
