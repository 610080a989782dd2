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
from itertools import repeat
from operator import itemgetter
from typing import Any, Literal, Protocol

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

    __slots__ = ("countries", "fp", "guilds", "length", "offset", "persons", "t", "ukey", "week")

    def __init__(
        self,
        t: float,
        week: str,
        guilds: dict[str, float],
        countries: list[str],
        persons: list[str],
        fp: str,
        ukey: str,
        offset: int = -1,
        length: int = 0,
    ) -> None:
        self.t = t
        self.week = week
        self.guilds = guilds
        self.countries = countries
        self.persons = persons
        self.fp = fp
        self.ukey = ukey
        self.offset = offset  # of the document in its partition file; -1: not written yet
        self.length = length


def _pick(seq: Any, rows: list[int]) -> Any:
    """``[seq[r] for r in rows]`` in C."""
    if len(rows) == 1:
        return (seq[rows[0]],)
    return itemgetter(*rows)(seq)


class WeekCols:
    """One week's index file as loaded: columns, not one object per article.

    Start-up builds nothing per article; an ``Entry`` is made from a row the first time
    a query or a write touches that article.
    """

    __slots__ = (
        "ents",
        "fp",
        "guild_table",
        "guilds",
        "ids",
        "key_table",
        "length",
        "offset",
        "t",
        "ukey",
        "week",
    )

    def __init__(self, week: str, data: dict[str, Any]) -> None:
        self.week = week
        self.ids: list[str] = data["ids"]
        self.t = array("d", data["t"])
        self.offset = array("q", data["off"])
        self.length = array("q", data["len"])
        self.fp: list[str] = data["fp"]
        self.ukey: dict[str, str] = data["ukey"]  # row -> URL key, where it is not the id
        self.guilds: list[list[int]] = data["guilds"]
        self.ents: list[list[int]] = data["ents"]
        self.guild_table: list[str] = data["guild_table"]
        self.key_table: list[tuple[str, str]] = [(k[0], k[1]) for k in data["key_table"]]

    def week_of(self, row: int) -> str:
        return self.week

    def entry(self, row: int) -> Entry:
        countries, persons = [], []
        for k in self.ents[row]:
            kind, key = self.key_table[k]
            (countries if kind == "country" else persons).append(key)
        return Entry(
            self.t[row],
            self.week,
            dict.fromkeys(self.guild_table[g] for g in self.guilds[row]),
            countries,
            persons,
            self.fp[row],
            self.ukey.get(str(row), self.ids[row]),
            self.offset[row],
            self.length[row],
        )


class Columns(Protocol):
    """Where not-yet-touched articles live: a week file's columns, or the snapshot's."""

    offset: array
    length: array

    def week_of(self, row: int) -> str: ...

    def entry(self, row: int) -> Entry: ...


Ref = Entry | tuple[Columns, int] | int


class ArticleIndex:
    def __init__(self) -> None:
        # id -> Entry, or (week columns, row) until the article is first touched
        self.entries: dict[str, Ref] = {}  # Entry, (columns, row), or a snapshot row
        # canonical-URL key -> id, only where they differ (nearly always the id is the key)
        self.by_url: dict[str, str] = {}
        self.snap: Columns | None = None  # rows of the snapshot (int refs in ``entries``)
        self.by_fp: dict[str, str] = {}  # fingerprint -> id
        self.names: dict[str, str] = {}  # person key -> display name
        # guild -> kind -> key -> postings
        self.post: dict[str, dict[str, dict[str, Postings]]] = {}
        self.week_ids: dict[str, set[str]] = {}
        self.version = 0  # bumped by every change, for callers' caches of derived data

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.entries

    def entry(self, article_id: str, *, keep: bool = True) -> Entry | None:
        """What the index knows of an article; ``keep=False`` for a one-off look (a
        search scanning many) that should not turn every row into an object."""
        ref = self.entries.get(article_id)
        if ref is None or ref.__class__ is Entry:
            return ref  # type: ignore[return-value]
        if ref.__class__ is int:
            assert self.snap is not None
            entry = self.snap.entry(ref)  # type: ignore[arg-type]
        else:
            cols, row = ref  # type: ignore[misc]
            entry = cols.entry(row)
        if keep:
            self.entries[article_id] = entry
        return entry

    def id_for_url(self, ukey: str) -> str | None:
        """The id of the article whose canonical URL has this key."""
        found = self.by_url.get(ukey)
        if found is not None:
            return found
        entry = self.entry(ukey)
        return ukey if entry is not None and entry.ukey == ukey else None

    def set_location(self, article_id: str, week: str, offset: int, length: int) -> None:
        """Where the article now sits in its rewritten partition file."""
        ref = self.entries.get(article_id)
        if ref is None:
            return
        if ref.__class__ is Entry:
            if ref.week == week:  # type: ignore[union-attr]
                ref.offset, ref.length = offset, length  # type: ignore[union-attr]
            return
        if ref.__class__ is int:
            cols, row = self.snap, ref
        else:
            cols, row = ref  # type: ignore[misc]
        assert cols is not None
        if cols.week_of(row) == week:
            cols.offset[row], cols.length[row] = offset, length

    def _keys(self, entry: Entry) -> Iterable[tuple[str, str]]:
        yield "all", ALL
        for code in dict.fromkeys(entry.countries):
            yield "country", code
        for key in dict.fromkeys(entry.persons):
            yield "person", key

    def insert(self, article_id: str, entry: Entry) -> None:
        self.version += 1
        self.remove(article_id)
        self._register(article_id, entry)
        self._add_postings(article_id, entry)

    def _add_postings(self, article_id: str, entry: Entry) -> None:
        for guild in entry.guilds:
            kinds = self.post.setdefault(guild, {})
            for kind, key in self._keys(entry):
                kinds.setdefault(kind, {}).setdefault(key, Postings()).add(entry.t, article_id)

    def _register(self, article_id: str, entry: Entry) -> None:
        self.entries[article_id] = entry
        if entry.ukey != article_id:
            self.by_url[entry.ukey] = article_id
        if entry.fp:
            self.by_fp[entry.fp] = article_id
        self.week_ids.setdefault(entry.week, set()).add(article_id)

    def remove(self, article_id: str) -> Entry | None:
        entry = self.entry(article_id)
        if entry is None:
            return None
        self.version += 1
        del self.entries[article_id]
        if self.by_url.get(entry.ukey) == article_id:
            del self.by_url[entry.ukey]
        if entry.fp and self.by_fp.get(entry.fp) == article_id:
            del self.by_fp[entry.fp]
        ids = self.week_ids.get(entry.week)
        if ids is not None:
            ids.discard(article_id)
            if not ids:
                del self.week_ids[entry.week]
        self._remove_postings(article_id, entry)
        return entry

    def _remove_postings(self, article_id: str, entry: Entry) -> None:
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

    def bulk_load(self, weeks: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Load index files into an empty index, oldest week first.

        Weeks partition time and each file lists its rows by (event_time, id), so every
        postings list is built by concatenation: no sort, no per-article objects.
        """
        self.version += 1
        entries, post = self.entries, self.post
        doubles: list[tuple[str, Ref]] = []
        for week, data in sorted(weeks, key=lambda item: item[0]):
            cols = WeekCols(week, data)
            ids = cols.ids
            # An article in two weeks (a crash while it moved): the journal replay that
            # follows settles it, but the postings must not hold it twice.
            doubles.extend((i, entries[i]) for i in entries.keys() & ids)
            entries.update(zip(ids, zip(repeat(cols), range(len(ids))), strict=True))
            for row, ukey in cols.ukey.items():
                self.by_url[ukey] = ids[int(row)]
            self.by_fp.update((f, i) for f, i in zip(cols.fp, ids, strict=True) if f)
            self.week_ids[week] = set(ids)
            self.names.update(data.get("names") or {})
            for g, k, rows in data["post"]:
                guild = cols.guild_table[g]
                kind, key = ("all", ALL) if k < 0 else cols.key_table[k]
                kinds = post.get(guild)
                if kinds is None:
                    kinds = post[guild] = {}
                keys = kinds.get(kind)
                if keys is None:
                    keys = kinds[kind] = {}
                postings = keys.get(key)
                if postings is None:
                    postings = keys[key] = Postings()
                postings.ids.extend(_pick(ids, rows))
                postings.times.extend(_pick(cols.t, rows))
        for article_id, old in doubles:
            old_entry = old if isinstance(old, Entry) else old[0].entry(old[1])
            self.week_ids.get(old_entry.week, set()).discard(article_id)
            new_entry = self.entry(article_id)
            assert new_entry is not None
            self._remove_postings(article_id, old_entry)
            self._remove_postings(article_id, new_entry)
            self._add_postings(article_id, new_entry)

    def add_week(self, week: str, data: dict[str, Any]) -> None:
        """Apply one week's index file on top (its articles replace any older copy)."""
        cols = WeekCols(week, data)
        for row, article_id in enumerate(cols.ids):
            self.insert(article_id, cols.entry(row))
        self.names.update(data.get("names") or {})

    def drop_week(self, week: str) -> None:
        for article_id in list(self.week_ids.get(week, ())):
            self.remove(article_id)

    def postings(self, guild: str, kind: Kind, key: str = ALL) -> Postings | None:
        return self.post.get(guild, {}).get(kind, {}).get(key)

    def keys_of(self, guild: str, kind: Kind) -> dict[str, Postings]:
        return self.post.get(guild, {}).get(kind, {})
