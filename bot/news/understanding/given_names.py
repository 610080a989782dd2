"""Given names: is a word someone's first name?

The dictionary is gender-guesser's (about 40,000 first names from many countries, with their
usage); only the names are used here, not the genders. It tells "Mark Ray" (a person, though
"mark" is also a word) from "Skin Laundry" (a shop: "skin" is a word and no one's name)."""

from __future__ import annotations

import functools

from bot.news.model import fold


@functools.cache
def _load() -> frozenset[str]:
    from gender_guesser.detector import Detector

    # "+" joins the parts of a compound name in the dictionary ("Abd+al")
    return frozenset(fold(name.replace("+", " ")) for name in Detector(case_sensitive=False).names)


def is_given_name(word: str) -> bool:
    """Whether a word is known as somebody's first name (case and accents ignored)."""
    return fold(word.strip(".,’'")) in _load()
