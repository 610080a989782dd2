"""The gazetteer: names, aliases, demonyms and places to ISO codes; autocomplete; scanning."""

from __future__ import annotations

import pytest

from bot.news.understanding.countries import (
    all_codes,
    country_name,
    flag,
    resolve_country,
    scan,
    suggest_countries,
)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Ecuador", "EC"),
        ("ecuador", "EC"),
        ("EC", "EC"),
        ("ec", "EC"),
        ("Ecuadorian", "EC"),
        ("Quito", "EC"),
        ("U.S.", "US"),
        ("USA", "US"),
        ("Americans", "US"),
        ("California", "US"),
        ("Britain", "GB"),
        ("UK", "GB"),
        ("Scotland", "GB"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Holland", "NL"),
        ("the Netherlands", "NL"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Burma", "MM"),
        ("Emirati", "AE"),
        ("Israeli", "IL"),
        ("Gaza", "PS"),
        ("West Bank", "PS"),
        ("Türkiye", "TR"),
        ("Hong Kong", "HK"),
        ("Ecuador's", "EC"),
    ],
)
def test_resolve_country(name: str, code: str) -> None:
    assert resolve_country(name) == code


@pytest.mark.parametrize("name", ["", "Atlantis", "Europe", "Latin America", "xx", "the"])
def test_resolve_country_unknown(name: str) -> None:
    assert resolve_country(name) is None


def test_every_iso_code_has_a_name_and_flag() -> None:
    codes = all_codes()
    assert len(codes) >= 249
    for code in ("EC", "IL", "AE", "US", "GB", "XK", "AQ", "SS", "BQ"):
        assert code in codes
    assert country_name("EC") == "Ecuador"
    assert country_name("ec") == "Ecuador"
    assert country_name("ZZ") == "ZZ"
    assert flag("EC") == "\U0001f1ea\U0001f1e8"
    assert flag("nope") == ""


def test_suggest_by_prefix_code_alias_and_typo() -> None:
    assert suggest_countries("ecu")[0] == ("EC", "Ecuador")
    assert suggest_countries("EC")[0] == ("EC", "Ecuador")
    assert ("CI", "Côte d'Ivoire") in suggest_countries("cote")
    assert ("GB", "United Kingdom") in suggest_countries("brit")
    assert ("DE", "Germany") in suggest_countries("germny")
    assert len(suggest_countries("", limit=25)) == 25
    assert len(suggest_countries("a", limit=5)) == 5
    assert suggest_countries("qqqq") == []


def _codes(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(m.text, m.codes) for m in scan(text)]


def test_scan_longest_match_and_blocked_regions() -> None:
    found = _codes(
        "Latin American leaders met in Papua New Guinea and New Mexico, not Mexico City."
    )
    assert found == [
        ("Latin American", ("-",)),
        ("Papua New Guinea", ("PG",)),
        ("New Mexico", ("US",)),
        ("Mexico City", ("MX",)),
    ]


def test_scan_datelines_abbreviations_and_possessives() -> None:
    found = _codes("BUFFALO, N.Y. (AP) — Ecuador’s envoy flew to the U.S. and Texas-based firms.")
    assert ("BUFFALO", ("US",)) in found
    assert ("N.Y.", ("US",)) in found
    assert ("Ecuador", ("EC",)) in found
    assert ("U.S.", ("US",)) in found
    assert ("Texas", ("US",)) in found


def test_scan_is_case_sensitive_and_marks_ambiguous_words() -> None:
    assert _codes("a turkey in china") == []
    jordan = scan("Jordan said")[0]
    assert jordan.weak and jordan.codes == ("JO",)
    georgia = scan("Georgia voted")[0]
    assert set(georgia.codes) == {"GE", "US"}
