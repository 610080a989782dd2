"""First names from the vendored extra list (names-dataset), taken only where safe."""

from __future__ import annotations

from bot.news.understanding.given_names import is_common_given_name, is_given_name


def test_a_first_name_only_the_extra_list_knows_is_a_first_name() -> None:
    # in use in Britain, Canada and the US, missing from gender-guesser's dictionary
    assert is_given_name("Dougie") and is_given_name("Shaq") and is_given_name("Raheem")
    assert is_given_name("DOUGIE") and is_given_name("Shaq.")


def test_words_and_places_in_the_noisy_list_are_not_first_names() -> None:
    from bot.news.understanding.given_names import _extra

    extra = _extra()
    # the source ranks words people typed in the name field, and a resort town
    assert {"apple", "marbella"} <= extra
    assert not is_given_name("Apple") and not is_given_name("Marbella")
    # dropped when built: an abbreviation, and a name more used as a surname ("Aston Villa")
    assert "cbs" not in extra and "aston" not in extra
    assert not is_given_name("Cbs") and not is_given_name("Aston")


def test_extra_names_are_not_common_given_names() -> None:
    # the untagged-name rule needs a name gender-guesser lists as in use
    assert not is_common_given_name("Dougie")
    assert is_common_given_name("Laurent")
