"""Questions the commands ask of the store: which entity a user meant, what to suggest
while they type, and what is trending. Scoped to one guild, no Discord imports."""

from __future__ import annotations

import bisect
import difflib
import functools
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import accumulate

from bot.news.model import Article, EntityKind, fold
from bot.news.store.interface import Articles, EntityCard
from bot.news.understanding.countries import country_name, resolve_country, suggest_countries

AUTOCOMPLETE_MAX = 25  # Discord's limit on choices
# Close spellings are looked for among this many most-mentioned persons only: difflib over
# every name of a large guild (15k names) takes 50-100 ms, too slow for a keystroke.
FUZZY_POOL = 500


def _fuzzy_pool(index: _NameIndex) -> list[tuple[str, int]]:
    """(folded name, position) of the most mentioned names."""
    return [(f, i) for i, f in enumerate(index.folded[:FUZZY_POOL])]


@functools.lru_cache(maxsize=4096)
def _country_matches(query: str) -> tuple[tuple[str, str], ...]:
    # the gazetteer never changes while the bot runs, so a typed text has one answer
    return tuple(suggest_countries(query, limit=AUTOCOMPLETE_MAX * 2))


@dataclass(frozen=True, slots=True)
class EntityRef:
    kind: EntityKind
    key: str  # ISO code or person key
    display: str


@dataclass(frozen=True, slots=True)
class Trend:
    entity: EntityRef
    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous


def clean_argument(text: str, limit: int = 100) -> str:
    """A user's argument, with control characters dropped, spaces folded and length bounded."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text[: limit * 4])
    return " ".join(printable.split())[:limit]


@dataclass(slots=True)
class _NameIndex:
    """A guild's person names, most mentioned first (then by key), in parallel lists."""

    counts: dict[str, int]
    names: dict[str, str]
    keys: list[str]
    displays: list[str]
    folded: list[str]
    # The folded names, one a line, in order, with a newline before and after each: a
    # substring search over all names runs in C instead of a Python loop per name.
    blob: str
    starts: list[int]  # where each name's line starts in ``blob``
    by_key: dict[str, int]
    version: int | None = None  # the store's version it was built from, if it has one

    @classmethod
    def build(
        cls, counts: dict[str, int], names: dict[str, str], folds: dict[str, str]
    ) -> _NameIndex:
        # Built every few seconds for up to tens of thousands of names, while a user waits:
        # C-level sorts, joins and zips instead of a Python loop doing several things a name.
        mentions = {key: counts.get(key, 0) for key in names}
        keys = sorted(names)
        keys.sort(key=mentions.__getitem__, reverse=True)  # stable: ties stay by key
        displays = [names[key] for key in keys]
        folded = [folds.get(d) or _remember_fold(folds, d) for d in displays]
        blob = "\n" + "\n".join(folded) + "\n"
        starts = list(accumulate((len(f) + 1 for f in folded), initial=1))[:-1]
        by_key = dict(zip(keys, range(len(keys)), strict=True))
        return cls(counts, names, keys, displays, folded, blob, starts, by_key)

    def ref(self, i: int) -> EntityRef:
        return EntityRef("person", self.keys[i], self.displays[i])

    def hits(self, needle: str, want: int, skip: AbstractSet[int] = frozenset()) -> list[int]:
        """The first ``want`` names (in order) whose line, newlines included, contains
        ``needle``, leaving out those in ``skip``."""
        found: list[int] = []
        blob, starts = self.blob, self.starts
        shift = 1 if needle.startswith("\n") else 0  # a leading newline ends the line before
        pos = blob.find(needle)
        while pos != -1 and len(found) < want:
            i = bisect.bisect_right(starts, pos + shift) - 1
            if i not in skip:
                found.append(i)
            pos = blob.find(needle, starts[i + 1] - 1) if i + 1 < len(starts) else -1
        return found


def _remember_fold(folds: dict[str, str], display: str) -> str:
    folded = folds[display] = fold(display)
    return folded


class EntityFinder:
    """Resolves and suggests entity names for one store, with a name cache per server
    that lasts as long as the store's version."""

    def __init__(self, store: Articles) -> None:
        self.store = store
        self._persons: dict[str, _NameIndex] = {}
        self._folds: dict[str, str] = {}  # display name -> fold(display), kept across rebuilds

    # -- persons -------------------------------------------------------------------
    async def _person_index(self, guild_id: str) -> _NameIndex:
        cached = self._persons.get(guild_id)
        # The store's version says exactly when its names may have changed; recounting
        # them to find out costs ~15 ms at 100k articles.
        version = await self.store.version()
        if cached is not None and cached.version == version:
            return cached
        counts = await self.store.entity_counts(guild_id, "person")
        names = await self.store.person_names(guild_id)
        if cached is not None and counts == cached.counts and names == cached.names:
            cached.version = version  # the built lists still hold
            return cached
        if len(self._folds) > 4 * len(names) + 1000:
            self._folds.clear()  # mostly names no longer stored
        index = _NameIndex.build(counts, names, self._folds)
        index.version = version
        self._persons[guild_id] = index
        return index

    async def suggest_persons(self, guild_id: str, text: str, limit: int = AUTOCOMPLETE_MAX):
        """Names stored for this guild that match what was typed: exact, prefix, word
        prefix, substring (each most mentioned first), then close spellings."""
        query = fold(clean_argument(text))
        index = await self._person_index(guild_id)
        if not query:
            return [index.ref(i) for i in range(min(limit, len(index.keys)))]
        # Each pass finds names in order and stops when the list is full, so that a common
        # letter does not rank every name; a name keeps the rank of the first pass finding it.
        needles = ["\n" + query + "\n", "\n" + query]
        if " " not in query:
            needles.append(" " + query)  # a later word begins with it
        needles.append(query)
        chosen: list[int] = []
        taken: set[int] = set()
        for needle in needles:
            if len(chosen) >= limit:
                break
            found = index.hits(needle, limit - len(chosen), taken)
            chosen.extend(found)
            taken.update(found)
        refs = [index.ref(i) for i in chosen]
        if len(refs) < limit and len(query) >= 3:
            seen = {r.key for r in refs}
            pool = {f: i for f, i in _fuzzy_pool(index) if index.keys[i] not in seen}
            for close in difflib.get_close_matches(query, list(pool), n=limit - len(refs)):
                refs.append(index.ref(pool[close]))
        return refs

    async def resolve_person(self, guild_id: str, text: str) -> EntityRef | None:
        """The one person meant by ``text``: exact name, else a unique surname/prefix match."""
        query = fold(clean_argument(text))
        if not query:
            return None
        index = await self._person_index(guild_id)
        exact = [*index.hits("\n" + query + "\n", 1), index.by_key.get(query, len(index.keys))]
        if min(exact) < len(index.keys):
            return index.ref(min(exact))
        # a name beginning with it, or with a word equal to it; the most mentioned wins
        # when a surname is shared: names are in that order
        partial = index.hits("\n" + query, 1)
        if " " not in query:
            partial += index.hits(" " + query + " ", 1) + index.hits(" " + query + "\n", 1)
        return index.ref(min(partial)) if partial else None

    async def person_namesakes(self, guild_id: str, text: str, limit: int = 10) -> list[EntityRef]:
        """Every person a partial name (a shared surname, a first name) could mean, most
        mentioned first; empty when ``text`` is a full name."""
        query = fold(clean_argument(text))
        if not query:
            return []
        index = await self._person_index(guild_id)
        if query in index.by_key or index.hits("\n" + query + "\n", 1):
            return []
        found = index.hits("\n" + query, limit)
        if " " not in query:
            for needle in (" " + query + " ", " " + query + "\n"):
                found += index.hits(needle, limit, set(found))
        return [index.ref(i) for i in sorted(set(found))[:limit]]

    # -- countries -----------------------------------------------------------------
    async def suggest_countries(self, guild_id: str, text: str, limit: int = AUTOCOMPLETE_MAX):
        """Countries matching what was typed, those with stories in this guild first."""
        counts = await self.store.entity_counts(guild_id, "country")
        query = clean_argument(text)
        if not query:
            top = sorted(counts, key=lambda c: -counts[c])[:limit]
            return [EntityRef("country", c, country_name(c)) for c in top]
        matches = list(_country_matches(query))
        matches.sort(key=lambda m: 0 if m[0] in counts else 1)  # stable: keeps match order
        return [EntityRef("country", code, name) for code, name in matches[:limit]]

    def resolve_country(self, text: str) -> EntityRef | None:
        code = resolve_country(clean_argument(text))
        return EntityRef("country", code, country_name(code)) if code else None

    async def resolve(self, guild_id: str, kind: EntityKind, text: str) -> EntityRef | None:
        if kind == "country":
            return self.resolve_country(text)
        return await self.resolve_person(guild_id, text)

    async def closest(self, guild_id: str, kind: EntityKind, text: str, n: int = 3) -> list[str]:
        """Names to suggest after "no match"."""
        if kind == "country":
            return [ref.display for ref in await self.suggest_countries(guild_id, text, n)]
        query = fold(clean_argument(text))
        index = await self._person_index(guild_id)
        by_fold = {f: index.displays[i] for f, i in _fuzzy_pool(index)}
        return [
            by_fold[m] for m in difflib.get_close_matches(query, list(by_fold), n=n, cutoff=0.5)
        ]

    # -- an entity's articles -----------------------------------------------------
    async def count(self, guild_id: str, ref: EntityRef, *, since: float | None = None) -> int:
        """How many of the guild's articles name ``ref`` (since ``since``, when given)."""
        return await self.store.count(guild_id, ref.kind, ref.key, since=since)

    async def card(self, guild_id: str, ref: EntityRef, *, since: float | None) -> EntityCard:
        """How many developments since ``since``, first and last seen, and the entities
        most often named in the same articles (from the store's counts)."""
        return await self.store.entity_card(guild_id, ref.kind, ref.key, since=since)

    async def articles(
        self, guild_id: str, ref: EntityRef, *, since: float | None, limit: int, offset: int
    ) -> list[Article]:
        """The guild's articles naming ``ref``, newest first, one page of them."""
        listing = self.store.by_country if ref.kind == "country" else self.store.by_person
        return await listing(guild_id, ref.key, since=since, limit=limit, offset=offset)

    # -- trending ------------------------------------------------------------------
    async def trending(
        self, guild_id: str, kind: EntityKind, *, period: float, now: float, limit: int = 10
    ) -> list[Trend]:
        """Entities with the most developments in the last ``period`` seconds, with the
        count of the period before for comparison."""
        current = await self.store.entity_counts(guild_id, kind, since=now - period, until=now)
        before = await self.store.entity_counts(
            guild_id, kind, since=now - 2 * period, until=now - period
        )
        names = await self.store.person_names(guild_id) if kind == "person" else {}
        top = sorted(current.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [
            Trend(
                EntityRef(
                    kind, key, country_name(key) if kind == "country" else names.get(key, key)
                ),
                count,
                before.get(key, 0),
            )
            for key, count in top
        ]
