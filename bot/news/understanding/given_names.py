"""Given names: is a word someone's first name?

The dictionary is gender-guesser's (about 40,000 first names from many countries, with their
usage); only the names are used here, not the genders. It tells "Mark Ray" (a person, though
"mark" is also a word) from "Skin Laundry" (a shop: "skin" is a word and no one's name).
A name the dictionary lists only as rare everywhere counts only when it is no English word
and no place: "Forest", "Melton" and "Valencia" are listed, and news means the word."""

from __future__ import annotations

import functools

from bot.news.model import fold
from bot.news.understanding.countries import term_kind
from bot.news.understanding.english_words import is_english_word


@functools.cache
def _load() -> tuple[frozenset[str], frozenset[str]]:
    """(names in use, rare names): a rare name is listed only at the lowest frequency in
    every country the dictionary knows it from ("Valencia", "Melton", "Forest")."""
    from gender_guesser.detector import Detector

    used: set[str] = set()
    rare: set[str] = set()
    for name, freqs in Detector(case_sensitive=False).names.items():
        # "+" joins the parts of a compound name in the dictionary ("Abd+al")
        key = fold(name.replace("+", " "))
        common = any(ch not in " 1" for value in freqs.values() for ch in value)
        (used if common else rare).add(key)
    return frozenset(used), frozenset(rare - used)


def is_given_name(word: str) -> bool:
    """Whether a word is known as somebody's first name (case and accents ignored). A rare
    name that is also a dictionary word or a place is more often the word ("Forest Green")."""
    bare = word.strip(".,’'")
    key = fold(bare)
    used, rare = _load()
    if key in used:
        return True
    return key in rare and not is_english_word(bare) and not term_kind(bare)


def is_common_given_name(word: str) -> bool:
    """Whether a word is a first name in common use somewhere and no English word ("Laurent",
    not "Mark" or "Forest")."""
    bare = word.strip(".,’'")
    return fold(bare) in _load()[0] and not is_english_word(bare)
