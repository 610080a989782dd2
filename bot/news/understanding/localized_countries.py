"""Countries named in a text that is not in English, from localized country names.

The names come from maintained data, not from hand-made lists: CLDR's territory names (through
babel) and the ISO 3166 translations that pycountry ships, with the initials of a translated
official name ("Estados Unidos da América" -> "EUA", "Соединённые Штаты Америки" -> "США").
The output is the same ISO 3166-1 alpha-2 code as for English text.

Languages that inflect names ("в России", "во Франции") match a name's stem with a short
ending; scripts written without spaces (Chinese, Japanese, Thai) match the name anywhere.
"""

from __future__ import annotations

import gettext
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.news.understanding.countries import all_codes
from bot.news.understanding.sentences import split_words

log = logging.getLogger(__name__)

# languages whose nouns take case endings: "Россия" is written "России", "Россию"...
_INFLECTING = frozenset(
    split_words("ru uk be bg pl cs sk sl hr sr bs mk lt lv et fi hu tr az kk uz ky el la ro sq")
)
_VOWELS = "aeiouyáéíóúýäöüåæøœаеёиоуыэюяьйіїєαεηιουωάέήίόύώ"
_UNSPACED_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR")
_MIN_CHARS = 4  # shorter names in a spaced script are too often ordinary words
_MIN_UNSPACED_CHARS = 2


@dataclass(frozen=True, slots=True)
class LocalMatch:
    start: int
    end: int
    code: str


def _unspaced(term: str) -> bool:
    import unicodedata

    return any(
        unicodedata.name(ch, "").startswith(_UNSPACED_SCRIPTS) for ch in term if ch.isalpha()
    )


def _initials(official: str) -> str | None:
    """ "Estados Unidos da América" -> "EUA"; None when fewer than three capitalised words."""
    words = [w for w in re.split(r"[\s-]+", official) if w]
    capitals = [w[0] for w in words if w[0].isupper()]
    if len(capitals) < 3 or not all(ch.isalpha() for ch in capitals):
        return None
    return "".join(capitals).upper()


def _translations(language: str) -> gettext.NullTranslations | None:
    import pycountry

    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return None


@lru_cache(maxsize=64)
def localized_names(language: str) -> dict[str, str]:
    """term -> ISO code for one language; a term shared by two countries is left out."""
    import pycountry
    from babel import Locale, UnknownLocaleError

    codes = set(all_codes())
    found: dict[str, set[str]] = {}

    def add(term: str | None, code: str) -> None:
        term = " ".join((term or "").split())
        if not term:
            return
        short = _MIN_UNSPACED_CHARS if _unspaced(term) else _MIN_CHARS
        if len(term) >= short or (term.isupper() and len(term) >= 3):
            found.setdefault(term, set()).add(code)

    try:
        territories = Locale.parse(language).territories
    except (UnknownLocaleError, ValueError):
        territories = {}
    for code, name in territories.items():
        if code in codes:
            add(name, code)
    translations = _translations(language)
    if translations is not None:
        for country in pycountry.countries:
            code = country.alpha_2
            if code not in codes:
                continue
            for attr in ("name", "common_name", "official_name"):
                english = getattr(country, attr, None)
                if not english:
                    continue
                local = translations.gettext(english)
                if local == english and language != "en":
                    continue  # untranslated: an English name is not this language's word
                add(local, code)
                if attr == "official_name":
                    add(_initials(local), code)
    return {term: next(iter(c)) for term, c in found.items() if len(c) == 1}


@dataclass(frozen=True, slots=True)
class _Matcher:
    # first word's key -> (keys of the name's words, code), longest names first
    spaced: dict[str, list[tuple[tuple[str, ...], str]]]
    unspaced: tuple[tuple[str, str], ...]  # (term, code), longest first
    inflecting: bool


def _key(word: str, inflecting: bool, place: int = 0, size: int = 1) -> str:
    """What a text word must start with: for an inflecting language, the stem of word
    ``place`` of a name of ``size`` words. A name's trailing vowels go; a one-word name keeps
    at least four letters or stays whole ("Россия" -> "Росс", "Самоа" stays: "Самое" is
    no country). In a longer name, which only matches as a whole, the last word keeps four
    letters ("Корея" -> "Коре": "Южной Кореи") and an adjective before it three ("Южная" ->
    "Южн")."""
    word = _plain(word)
    if not inflecting or len(word) <= 4 or word.isupper():
        return word
    if size == 1:
        stem = word.rstrip(_VOWELS + _VOWELS.upper())
        return stem if len(stem) >= 4 else word
    shortest = 4 if place == size - 1 else 3
    stem = word
    while len(stem) > shortest and stem[-1] in _VOWELS:
        stem = stem[:-1]
    return stem


def _plain(word: str) -> str:
    """Russian "ё" as "е", as most texts write it ("Соединённые" / "Соединенные")."""
    return word.replace("ё", "е").replace("Ё", "Е")


@lru_cache(maxsize=64)
def _matcher(language: str) -> _Matcher:
    inflecting = language in _INFLECTING
    spaced: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    unspaced: list[tuple[str, str]] = []
    for term, code in localized_names(language).items():
        if _unspaced(term):
            unspaced.append((term, code))
            continue
        words = _WORD.findall(term)
        if language == "ru" and len(words) == 1 and not term.isupper():
            continue  # found by its dictionary form (``_by_lemma``)
        keys = tuple(_key(word, inflecting, i, len(words)) for i, word in enumerate(words))
        if keys:
            spaced.setdefault(keys[0], []).append((keys, code))
    for entries in spaced.values():
        entries.sort(key=lambda entry: len(entry[0]), reverse=True)
    unspaced.sort(key=lambda entry: len(entry[0]), reverse=True)
    return _Matcher(spaced, tuple(unspaced), inflecting)


_WORD = re.compile(r"\w+")


def _word_fits(word: str, key: str, inflecting: bool) -> bool:
    if word == key:
        return True
    if not word.startswith(key) or key.isupper():
        return False
    ending = len(word) - len(key)
    return ending <= 3 if inflecting else word == key + "s"


@lru_cache(maxsize=4)
def _one_word_names(language: str) -> dict[str, str]:
    """lower-cased one-word name -> code ("китай" -> "CN")."""
    names = localized_names(language).items()
    return {_plain(t).lower(): c for t, c in names if _WORD.fullmatch(t)}


def _by_lemma(text: str) -> list[LocalMatch]:
    """Russian one-word names found by their dictionary form, which also finds those whose
    stem changes as they inflect ("Китай" -> "Китая", "Египет" -> "Египта")."""
    from bot.news.understanding import russian

    names = _one_word_names("ru")
    extra = []
    for m in re.finditer(r"\b[А-ЯЁ][а-яё]{3,}\b", text):
        code = names.get(_plain(russian.lemma(m.group())))
        if code:
            extra.append(LocalMatch(m.start(), m.end(), code))
    return extra


def scan_localized(text: str, language: str) -> list[LocalMatch]:
    """Every localized country name in a text, left to right."""
    matcher = _matcher(language)
    found: list[LocalMatch] = []
    if matcher.spaced:
        words = [(m.start(), m.end(), _plain(m.group())) for m in _WORD.finditer(text)]
        i = 0
        while i < len(words):
            word = words[i][2]
            candidates: list[tuple[tuple[str, ...], str]] = []
            for cut in range(0, 4 if matcher.inflecting else 2):
                if cut >= len(word):
                    break
                candidates += matcher.spaced.get(word[: len(word) - cut] if cut else word, [])
            hit = None
            for keys, code in sorted(candidates, key=lambda c: len(c[0]), reverse=True):
                span = words[i : i + len(keys)]
                if len(span) == len(keys) and all(
                    _word_fits(w[2], k, matcher.inflecting) for w, k in zip(span, keys, strict=True)
                ):
                    hit = (len(keys), LocalMatch(span[0][0], span[-1][1], code))
                    break
            if hit:
                found.append(hit[1])
                i += hit[0]
            else:
                i += 1
    if language == "ru":
        # one-word names by their dictionary form, where no longer name matched ("Южного
        # Судана" is South Sudan, not Sudan)
        by_lemma = _by_lemma(text)
        found += [
            m for m in by_lemma if not any(f.start < m.end and m.start < f.end for f in found)
        ]
        found.sort(key=lambda m: m.start)
    taken: list[tuple[int, int]] = [(m.start, m.end) for m in found]
    for term, code in matcher.unspaced:
        at = text.find(term)
        while at >= 0:
            end = at + len(term)
            if not any(s < end and at < e for s, e in taken):
                found.append(LocalMatch(at, end, code))
                taken.append((at, end))
            at = text.find(term, end)
    return sorted(found, key=lambda m: m.start)
