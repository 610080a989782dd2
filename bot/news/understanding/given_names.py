"""Given names: is a word someone's first name?

The dictionary is gender-guesser's (about 40,000 first names from many countries, with their
usage); only the names are used here, not the genders. It tells "Mark Ray" (a person, though
"mark" is also a word) from "Skin Laundry" (a shop: "skin" is a word and no one's name).
A name the dictionary lists only as rare everywhere counts only when it is no English word
and no place: "Forest", "Melton" and "Valencia" are listed, and news means the word.

``data/given_names_extra.txt.gz`` adds first names the dictionary lacks that are among the
5,000 most used in the US, Britain, Canada or Ireland, and used there more as first names
than as surnames ("Dougie", "Shaq", "Raheem"; built by ``tools/build_given_names.py`` from
names-dataset). That source ranks words people put in the name field too ("Apple"), so its
names count under the same condition as the rare ones."""

from __future__ import annotations

import functools
import gzip
from importlib import resources

from bot.news.model import fold
from bot.news.understanding.countries import term_kind
from bot.news.understanding.english_words import is_english_word


@functools.cache
def _load() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(names in use, rare names, extra names): a rare name is listed only at the lowest
    frequency in every country the dictionary knows it from ("Valencia", "Melton",
    "Forest"); an extra one comes from the vendored list, which the dictionary lacks."""
    from gender_guesser.detector import Detector

    used: set[str] = set()
    rare: set[str] = set()
    for name, freqs in Detector(case_sensitive=False).names.items():
        # "+" joins the parts of a compound name in the dictionary ("Abd+al")
        key = fold(name.replace("+", " "))
        common = any(ch not in " 1" for value in freqs.values() for ch in value)
        (used if common else rare).add(key)
    return frozenset(used), frozenset(rare - used), frozenset(_extra() - used - rare)


def _extra() -> set[str]:
    """The vendored extra first names (folded, one a line after a "#" header)."""
    data = resources.files("bot.news.understanding").joinpath("data/given_names_extra.txt.gz")
    lines = gzip.decompress(data.read_bytes()).decode("utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def is_given_name(word: str) -> bool:
    """Whether a word is known as somebody's first name (case and accents ignored). A rare
    name that is also a dictionary word or a place is more often the word ("Forest Green")."""
    bare = word.strip(".,’'")
    key = fold(bare)
    used, rare, extra = _load()
    if key in used:
        return True
    return (key in rare or key in extra) and not is_english_word(bare) and not term_kind(bare)


def is_common_given_name(word: str) -> bool:
    """Whether a word is a first name in common use somewhere and no English word ("Laurent",
    not "Mark" or "Forest"). Only gender-guesser's names in use count: this alone makes two
    untagged words a person, and the vendored list's source is noisier."""
    bare = word.strip(".,’'")
    return fold(bare) in _load()[0] and not is_english_word(bare)
