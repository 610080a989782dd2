"""Questions the commands ask of the store: which entity a user meant, what to suggest
while they type, and what is trending. Scoped to one guild, no Discord imports."""

from __future__ import annotations

import difflib
import time
from dataclasses import dataclass
from typing import Protocol

from bot.news.countries import country_name, resolve_country, suggest_countries
from bot.news.model import Article, EntityKind, fold

AUTOCOMPLETE_MAX = 25  # Discord's limit on choices
_INDEX_TTL = 5.0  # seconds an autocomplete name list is reused before it is rebuilt


class EntityStore(Protocol):
    def entity_counts(
        self,
        guild_id: str,
        kind: EntityKind,
        *,
        since: float | None = None,
        until: float | None = None,
    ) -> dict[str, int]: ...

    def person_names(self, guild_id: str) -> dict[str, str]: ...


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
    built_at: float
    # (folded display, folded tokens, key, display, count)
    entries: list[tuple[str, tuple[str, ...], str, str, int]]


class EntityFinder:
    """Resolves and suggests entity names for one store, with a short-lived name cache."""

    def __init__(self, store: EntityStore, *, clock=time.monotonic) -> None:
        self.store = store
        self.clock = clock
        self._persons: dict[str, _NameIndex] = {}

    # -- persons -------------------------------------------------------------------
    def _person_index(self, guild_id: str) -> _NameIndex:
        cached = self._persons.get(guild_id)
        now = self.clock()
        if cached is not None and now - cached.built_at < _INDEX_TTL:
            return cached
        counts = self.store.entity_counts(guild_id, "person")
        names = self.store.person_names(guild_id)
        entries = [
            (fold(display), tuple(fold(display).split()), key, display, counts.get(key, 0))
            for key, display in names.items()
        ]
        entries.sort(key=lambda e: -e[4])
        index = _NameIndex(now, entries)
        self._persons[guild_id] = index
        return index

    def suggest_persons(self, guild_id: str, text: str, limit: int = AUTOCOMPLETE_MAX):
        """Names stored for this guild that match what was typed: prefix, surname, fuzzy."""
        query = fold(clean_argument(text))
        entries = self._person_index(guild_id).entries
        if not query:
            return [EntityRef("person", e[2], e[3]) for e in entries[:limit]]
        ranked: list[tuple[int, int, str, str]] = []
        for folded, tokens, key, display, count in entries:
            if folded == query:
                rank = 0
            elif folded.startswith(query):
                rank = 1
            elif any(t.startswith(query) for t in tokens):
                rank = 2
            elif query in folded:
                rank = 3
            else:
                continue
            ranked.append((rank, -count, key, display))
        ranked.sort()
        found = [EntityRef("person", key, display) for _, _, key, display in ranked[:limit]]
        if len(found) < limit and len(query) >= 3:
            seen = {r.key for r in found}
            pool = {e[0]: e for e in entries if e[2] not in seen}
            for close in difflib.get_close_matches(query, list(pool), n=limit - len(found)):
                found.append(EntityRef("person", pool[close][2], pool[close][3]))
        return found

    def resolve_person(self, guild_id: str, text: str) -> EntityRef | None:
        """The one person meant by ``text``: exact name, else a unique surname/prefix match."""
        query = fold(clean_argument(text))
        if not query:
            return None
        entries = self._person_index(guild_id).entries
        exact = [e for e in entries if e[0] == query or e[2] == query]
        if exact:
            return EntityRef("person", exact[0][2], exact[0][3])
        partial = [e for e in entries if query in e[1] or e[0].startswith(query)]
        # most mentioned wins when a surname is shared; it is listed first anyway
        if partial:
            best = max(partial, key=lambda e: e[4])
            return EntityRef("person", best[2], best[3])
        return None

    # -- countries -----------------------------------------------------------------
    def suggest_countries(self, guild_id: str, text: str, limit: int = AUTOCOMPLETE_MAX):
        """Countries matching what was typed, those with stories in this guild first."""
        counts = self.store.entity_counts(guild_id, "country")
        query = clean_argument(text)
        if not query:
            top = sorted(counts, key=lambda c: -counts[c])[:limit]
            return [EntityRef("country", c, country_name(c)) for c in top]
        matches = suggest_countries(query, limit=AUTOCOMPLETE_MAX * 2)
        matches.sort(key=lambda m: 0 if m[0] in counts else 1)  # stable: keeps match order
        return [EntityRef("country", code, name) for code, name in matches[:limit]]

    def resolve_country(self, text: str) -> EntityRef | None:
        code = resolve_country(clean_argument(text))
        return EntityRef("country", code, country_name(code)) if code else None

    def resolve(self, guild_id: str, kind: EntityKind, text: str) -> EntityRef | None:
        if kind == "country":
            return self.resolve_country(text)
        return self.resolve_person(guild_id, text)

    def closest(self, guild_id: str, kind: EntityKind, text: str, n: int = 3) -> list[str]:
        """Names to suggest after "no match"."""
        if kind == "country":
            return [ref.display for ref in self.suggest_countries(guild_id, text, n)]
        query = fold(clean_argument(text))
        entries = self._person_index(guild_id).entries
        by_fold = {e[0]: e[3] for e in entries}
        return [
            by_fold[m] for m in difflib.get_close_matches(query, list(by_fold), n=n, cutoff=0.5)
        ]

    # -- trending ------------------------------------------------------------------
    def trending(
        self, guild_id: str, kind: EntityKind, *, period: float, now: float, limit: int = 10
    ) -> list[Trend]:
        """Entities with the most developments in the last ``period`` seconds, with the
        count of the period before for comparison."""
        current = self.store.entity_counts(guild_id, kind, since=now - period, until=now)
        before = self.store.entity_counts(
            guild_id, kind, since=now - 2 * period, until=now - period
        )
        names = self.store.person_names(guild_id) if kind == "person" else {}
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


def development_of(article: Article, ref: EntityRef) -> str:
    return article.development_for(ref.kind, ref.key)
