"""In-memory indexes over every stored article, so queries never scan a table.

Per guild, per entity (country code, person key, or everything), a postings list of
article ids sorted by (event_time, id): "newest 10 since T" is one bisect and a slice.
Times live in an ``array('d')`` and ids in a list of shared strings, which keeps 100k
articles in a few tens of MB. Only compact rows are kept here; the documents themselves
stay in the week partitions and are loaded on demand.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any, Literal

Kind = Literal["country", "person", "all"]
ALL = ""  # the key of the "all" postings


class Postings:
    """Article ids of one (guild, kind, key), ascending by (event_time, id)."""

    __slots__ = ("ids", "times")

    def __init__(self) -> None:
        self.times = array("d")
        self.ids: list[str] = []

    def __len__(self) -> int:
        return len(self.ids)

    def _span(self, t: float, article_id: str) -> int:
        times = self.times
        lo = bisect_left(times, t)
        hi = bisect_right(times, t, lo)
        return bisect_left(self.ids, article_id, lo, hi) if hi > lo else lo

    def add(self, t: float, article_id: str) -> None:
        if not self.times or t > self.times[-1]:
            self.times.append(t)
            self.ids.append(article_id)
            return
        at = self._span(t, article_id)
        self.times.insert(at, t)
        self.ids.insert(at, article_id)

    def append_sorted(self, t: float, article_id: str) -> None:
        """Bulk load, in ascending order."""
        self.times.append(t)
        self.ids.append(article_id)

    def remove(self, t: float, article_id: str) -> bool:
        at = self._span(t, article_id)
        if at < len(self.ids) and self.ids[at] == article_id:
            del self.times[at]
            del self.ids[at]
            return True
        return False

    def _bounds(self, since: float | None, until: float | None) -> tuple[int, int]:
        lo = 0 if since is None else bisect_left(self.times, since)
        hi = len(self.ids) if until is None else bisect_left(self.times, until)
        return lo, hi

    def newest(
        self,
        since: float | None = None,
        until: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[str]:
        """Ids newest first, ``since <= event_time < until``."""
        lo, hi = self._bounds(since, until)
        hi -= max(offset, 0)
        start = max(lo, hi - max(limit, 0))
        if hi <= start:
            return []
        return self.ids[start:hi][::-1]

    def count(self, since: float | None = None, until: float | None = None) -> int:
        lo, hi = self._bounds(since, until)
        return max(hi - lo, 0)


class Entry:
    """What the index knows of one article."""

    __slots__ = ("countries", "fp", "guilds", "persons", "t", "ukey", "week")

    def __init__(
        self,
        t: float,
        week: str,
        guilds: dict[str, float],
        countries: list[str],
        persons: list[str],
        fp: str,
        ukey: str,
    ) -> None:
        self.t = t
        self.week = week
        self.guilds = guilds
        self.countries = countries
        self.persons = persons
        self.fp = fp
        self.ukey = ukey

    def row(self, article_id: str) -> list[Any]:
        return [article_id, self.t, self.guilds, self.countries, self.persons, self.fp, self.ukey]


class ArticleIndex:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.by_url: dict[str, str] = {}  # canonical-URL key -> id
        self.by_fp: dict[str, str] = {}  # fingerprint -> id
        self.names: dict[str, str] = {}  # person key -> display name
        # guild -> kind -> key -> postings
        self.post: dict[str, dict[str, dict[str, Postings]]] = {}
        self.week_ids: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def _keys(self, entry: Entry) -> Iterable[tuple[str, str]]:
        yield "all", ALL
        for code in dict.fromkeys(entry.countries):
            yield "country", code
        for key in dict.fromkeys(entry.persons):
            yield "person", key

    def insert(self, article_id: str, entry: Entry) -> None:
        self.remove(article_id)
        self._register(article_id, entry)
        for guild in entry.guilds:
            kinds = self.post.setdefault(guild, {})
            for kind, key in self._keys(entry):
                kinds.setdefault(kind, {}).setdefault(key, Postings()).add(entry.t, article_id)

    def _register(self, article_id: str, entry: Entry) -> None:
        self.entries[article_id] = entry
        self.by_url[entry.ukey] = article_id
        if entry.fp:
            self.by_fp[entry.fp] = article_id
        self.week_ids.setdefault(entry.week, set()).add(article_id)

    def remove(self, article_id: str) -> Entry | None:
        entry = self.entries.pop(article_id, None)
        if entry is None:
            return None
        if self.by_url.get(entry.ukey) == article_id:
            del self.by_url[entry.ukey]
        if entry.fp and self.by_fp.get(entry.fp) == article_id:
            del self.by_fp[entry.fp]
        ids = self.week_ids.get(entry.week)
        if ids is not None:
            ids.discard(article_id)
            if not ids:
                del self.week_ids[entry.week]
        for guild in entry.guilds:
            kinds = self.post.get(guild, {})
            for kind, key in self._keys(entry):
                keys = kinds.get(kind, {})
                postings = keys.get(key)
                if postings is not None:
                    postings.remove(entry.t, article_id)
                    if not postings:
                        del keys[key]
            if not kinds.get("all"):
                self.post.pop(guild, None)
        return entry

    def bulk_load(self, rows: Iterable[tuple[str, list[Any]]]) -> None:
        """Load (week, row) pairs into an empty index: one sort, then appends only."""
        intern: dict[str, str] = {}
        for week, (article_id, t, guilds, countries, persons, fp, ukey) in rows:
            countries = [intern.setdefault(c, c) for c in countries]
            persons = [intern.setdefault(p, p) for p in persons]
            old = self.entries.get(article_id)
            if old is not None:  # in two weeks after a crash: the journal replay decides
                self.week_ids.get(old.week, set()).discard(article_id)
            self._register(article_id, Entry(t, week, guilds, countries, persons, fp, ukey))
        ordered = sorted(self.entries.items(), key=lambda item: (item[1].t, item[0]))
        post = self.post
        for article_id, entry in ordered:
            for guild in entry.guilds:
                kinds = post.get(guild)
                if kinds is None:
                    kinds = post[guild] = {}
                for kind, key in self._keys(entry):
                    keys = kinds.get(kind)
                    if keys is None:
                        keys = kinds[kind] = {}
                    postings = keys.get(key)
                    if postings is None:
                        postings = keys[key] = Postings()
                    postings.append_sorted(entry.t, article_id)

    def postings(self, guild: str, kind: Kind, key: str = ALL) -> Postings | None:
        return self.post.get(guild, {}).get(kind, {}).get(key)

    def keys_of(self, guild: str, kind: Kind) -> dict[str, Postings]:
        return self.post.get(guild, {}).get(kind, {})
