"""Country gazetteer: names, aliases, demonyms and places resolved to ISO 3166-1 alpha-2 codes.

Pure data and dictionary look-ups (no spaCy): the Discord autocomplete imports this module,
so it must stay cheap. The data lives in ``data/countries.txt`` (one line per code).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from bot.news.model import fold

TermKind = Literal["name", "alias", "demonym", "place"]
_KINDS: tuple[TermKind, ...] = ("name", "alias", "demonym", "place")
BLOCKED = "-"  # pseudo-code of phrases that must never count (continents, regions, events)
_MAX_TERM_TOKENS = 9
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class TermMatch:
    """One gazetteer term found in a text."""

    start: int
    end: int
    text: str
    codes: tuple[str, ...]  # candidate codes, in data-file order (more than one: ambiguous)
    kind: TermKind
    weak: bool  # a first name or common word too: needs the NER model's agreement


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    names: dict[str, str]  # code -> common name
    exact: dict[str, tuple[str, ...]]  # normalised term (case kept) -> codes
    kinds: dict[str, TermKind]  # normalised term -> the strongest kind it was listed as
    weak: frozenset[str]
    weak_folded: frozenset[str]
    folded: dict[str, tuple[str, ...]]  # folded term -> codes (for typed look-ups)
    # (folded term, code, kind) for autocomplete, names and aliases first
    search_rows: tuple[tuple[str, str, TermKind], ...]


def _norm(term: str) -> str:
    """The exact-match key: typographic apostrophes straightened, whitespace collapsed."""
    return " ".join(term.replace("’", "'").replace("‘", "'").split())


def _add(index: dict[str, tuple[str, ...]], key: str, code: str) -> None:
    codes = index.get(key, ())
    if code not in codes:
        index[key] = (*codes, code)


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    data = resources.files("bot.news.understanding").joinpath("data/countries.txt")
    raw = data.read_text(encoding="utf-8")
    names: dict[str, str] = {}
    exact: dict[str, tuple[str, ...]] = {}
    kinds: dict[str, TermKind] = {}
    weak: set[str] = set()
    folded: dict[str, tuple[str, ...]] = {}
    rows: list[tuple[str, str, TermKind]] = []
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, *fields = line.split("|")
        if code != BLOCKED:
            names[code] = name
        terms_by_kind = [[name]] + [[t for t in f.split(";") if t.strip()] for f in fields]
        for kind, terms in zip(_KINDS, terms_by_kind, strict=True):
            for term in terms:
                is_weak = term.startswith("~")
                key = _norm(term.lstrip("~"))
                if is_weak:
                    weak.add(key)
                _add(exact, key, code)
                kinds.setdefault(key, kind)
                if code == BLOCKED:
                    continue
                _add(folded, fold(key), code)
                rows.append((fold(key), code, kind))
    rows.sort(key=lambda row: _KINDS.index(row[2]))
    return _Gazetteer(
        names,
        exact,
        kinds,
        frozenset(weak),
        frozenset(fold(term) for term in weak),
        folded,
        tuple(rows),
    )


def all_codes() -> list[str]:
    """Every known code, sorted."""
    return sorted(_gazetteer().names)


def country_name(code: str) -> str:
    """The common English name of a code ("EC" -> "Ecuador"); the code itself if unknown."""
    return _gazetteer().names.get(code.upper(), code)


def flag(code: str) -> str:
    """The flag emoji of a code, built from regional-indicator letters ("" if not a code)."""
    code = code.upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in code)


def resolve_country(name: str) -> str | None:
    """The ISO alpha-2 code that a name, alias, demonym, place or code stands for, or None.

    Case and accents do not matter ("ecuador", "Cote d'Ivoire"); an ambiguous place gives the
    first country listed for it ("Georgia" -> "GE")."""
    text = _norm(name).strip(" .,;:!?\"'")
    if not text:
        return None
    gaz = _gazetteer()
    if len(text) == 2 and text.isascii() and text.isalpha() and text.upper() in gaz.names:
        return text.upper()
    for candidate in (text, re.sub(r"(?i)^the\s+", "", text), re.sub(r"'s$", "", text)):
        codes = gaz.folded.get(fold(candidate))
        if codes:
            return codes[0]
    return None


def term_kind(term: str) -> TermKind | None:
    """How an exact (case-sensitive) term is listed: "Ecuadorian" -> "demonym"; None when it
    is not a country term, is blocked, or is ambiguous with a person's name ("Jordan")."""
    gaz = _gazetteer()
    key = _norm(term)
    codes = gaz.exact.get(key)
    if not codes or BLOCKED in codes or key in gaz.weak:
        return None
    return gaz.kinds.get(key)


def suggest_countries(text: str, limit: int = 25) -> list[tuple[str, str]]:
    """(code, name) pairs matching what a user is typing: code, then name prefixes, then
    prefixes of aliases, demonyms and places, then substrings, then close spellings."""
    gaz = _gazetteer()
    query = fold(_norm(text))
    if not query:
        return sorted(gaz.names.items(), key=lambda item: fold(item[1]))[:limit]
    ranked: dict[str, tuple[int, str]] = {}

    def offer(code: str, rank: int) -> None:
        best = ranked.get(code)
        if best is None or rank < best[0]:
            ranked[code] = (rank, gaz.names[code])

    if len(query) == 2 and query.upper() in gaz.names:
        offer(query.upper(), 0)
    for term, code, kind in gaz.search_rows:
        primary = kind in ("name", "alias")
        if term.startswith(query):
            offer(code, 1 if kind == "name" else 2 if primary else 3)
        elif any(word.startswith(query) for word in term.split()[1:]):
            offer(code, 4 if primary else 5)
        elif len(query) >= 3 and query in term:
            offer(code, 6)
    if len(ranked) < limit and len(query) >= 3:
        # a typo: compare with the names' beginnings of the same length
        for code, name in gaz.names.items():
            head = fold(name)[: len(query) + 1]
            if difflib.SequenceMatcher(None, query, head).ratio() >= 0.75:
                offer(code, 7)
    ordered = sorted(ranked.items(), key=lambda item: (item[1][0], item[1][1]))
    return [(code, name) for code, (_, name) in ordered[:limit]]


def scan(text: str) -> list[TermMatch]:
    """Every gazetteer term in a text, longest match first, left to right, without overlap.

    Matching is case-sensitive (proper nouns), except that an all-capitals run of four or more
    letters ("QUITO", a dateline) is looked up case-insensitively. Blocked phrases are returned
    too (code "-") so that the caller can see what swallowed a country word."""
    gaz = _gazetteer()
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    matches: list[TermMatch] = []
    i = 0
    while i < len(tokens):
        start = tokens[i][0]
        first = text[start]
        if not (first.isupper() or text.startswith("the ", start)):
            i += 1
            continue
        found: TermMatch | None = None
        found_j = i
        for j in range(i, min(i + _MAX_TERM_TOKENS, len(tokens))):
            end = tokens[j][1]
            span = text[start:end]
            if "\n" in span:
                break
            key = _norm(span)
            codes = gaz.exact.get(key)
            kind = gaz.kinds.get(key)
            weak = key in gaz.weak
            if codes is None and _is_shouted(key):
                codes = gaz.folded.get(fold(key))
                kind = "place"
                weak = fold(key) in gaz.weak_folded
            if codes and kind:
                found = TermMatch(start, end, span, codes, kind, weak)
                found_j = j
        if found is None:
            i += 1
            continue
        matches.append(found)
        i = found_j + 1
    return matches


def _is_shouted(key: str) -> bool:
    letters = [ch for ch in key if ch.isalpha()]
    return len(letters) >= 4 and key.isupper()
