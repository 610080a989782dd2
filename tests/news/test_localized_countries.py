"""Countries from localized names: inflected, unspaced scripts, initials of official names."""

from __future__ import annotations

from bot.news.understanding.localized_countries import localized_names, scan_localized


def _codes(text: str, language: str) -> list[str]:
    return [m.code for m in scan_localized(text, language)]


def test_russian_inflected_names_and_initials() -> None:
    text = "Он жил в России и во Франции, потом в США. Российский флаг висел у входа."
    assert _codes(text, "ru") == ["RU", "FR", "US"]


def test_russian_names_whose_stem_changes_and_names_of_several_words() -> None:
    # by the dictionary form: "Китая" (Китай), "Египта" (Египет), "Нигерии" (Nigeria, not
    # Niger); a longer name wins over a word inside it; "ё" is "е"
    text = (
        "Делегации Китая и Египта прибыли из Нигерии. В Южной Корее и Южном Судане прошли "
        "выборы. Посол Соединённых Штатов выступил."
    )
    assert _codes(text, "ru") == ["CN", "EG", "NG", "KR", "SS", "US"]
    # ordinary words that share a stem or a form with a country: "Самое" (Самоа), "Того"
    assert _codes("Самое главное. Того же мнения были все.", "ru") == []


def test_portuguese_names_and_the_initials_of_an_official_name() -> None:
    assert localized_names("pt")["EUA"] == "US"
    text = "Uma loja nos EUA. Por que não temos uma assim no Brasil? Aqui nos Estados Unidos..."
    assert _codes(text, "pt") == ["US", "BR", "US"]
    assert _codes("O brasileiro estuda, o Brasileirão começa.", "pt") == []


def test_unspaced_scripts_match_inside_a_sentence() -> None:
    assert _codes("私は日本と米国に住んでいた", "ja") == ["JP", "US"]


def test_german_genitive_and_an_unknown_language() -> None:
    assert _codes("Die Wirtschaft Deutschlands wächst.", "de") == ["DE"]
    assert scan_localized("Deutschland", "zz") == []
