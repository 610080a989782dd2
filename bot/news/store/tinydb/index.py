"""In-memory indexes over every stored article, so queries never scan a table.

Per guild, per entity (country code, person key, or everything), a postings list of
article rows sorted by (event_time, id): "newest 10 since T" is one bisect and a slice.

Every article id gets a row number for the life of the index (``IdTable``). The rows of
the index snapshot live in its file, mapped into memory (``snapshot.SnapCols``): ids,
times, entities and postings are typed arrays read where they lie, so a million articles
cost no Python object each and start-up touches almost none of them. An article changed
since the snapshot gets an ``Entry`` object (``ArticleIndex.touched``) that overrides its
snapshot row; a new article gets a row after the snapshot's. The documents themselves
stay in the week partitions and are loaded on demand.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal, Protocol

Kind = Literal["country", "person", "all"]
ALL = ""  # the key of the "all" postings
ROW = "I" if array("I").itemsize == 4 else "L"  # a row number: 4 bytes


def str_hash(text: str) -> int:
    """A hash that is the same in every process (``hash()`` is salted per process)."""
    return zlib.crc32(text.encode("utf-8"))


class SnapshotIds(Protocol):
    """The snapshot's side of the id table."""

    n: int

    def id_of(self, row: int) -> str: ...

    def row_of(self, article_id: str) -> int | None: ...


class IdTable:
    """Article id <-> row number. Rows below ``base.n`` are the snapshot's; the others
    were given out since, in order."""

    def __init__(self, base: SnapshotIds | None = None) -> None:
        self.base = base
        self.base_n = base.n if base is not None else 0
        self.extra: dict[str, int] = {}
        self.extra_ids: list[str] = []

    def __len__(self) -> int:
        return self.base_n + len(self.extra_ids)

    def id_of(self, row: int) -> str:
        if row < self.base_n:
            assert self.base is not None
            return self.base.id_of(row)
        return self.extra_ids[row - self.base_n]

    def row_of(self, article_id: str) -> int | None:
        row = self.extra.get(article_id)
        if row is None and self.base is not None:
            row = self.base.row_of(article_id)
        return row

    def row_for(self, article_id: str) -> int:
        """The id's row, given one if it has none."""
        row = self.row_of(article_id)
        if row is None:
            row = self.extra[article_id] = len(self)
            self.extra_ids.append(article_id)
        return row


class Postings:
    """Rows of one (guild, kind, key), ascending by (event_time, id).

    ``times`` and ``rows`` may be read-only views into the snapshot file until the first
    change copies them into arrays of their own."""

    __slots__ = ("rows", "table", "times")

    def __init__(
        self,
        table: IdTable,
        times: Sequence[float] | None = None,
        rows: Sequence[int] | None = None,
    ) -> None:
        self.table = table
        self.times: Any = array("d") if times is None else times
        self.rows: Any = array(ROW) if rows is None else rows

    def __len__(self) -> int:
        return len(self.rows)

    def _own(self) -> None:
        if self.times.__class__ is not array:
            times, rows = array("d"), array(ROW)
            times.frombytes(self.times.cast("B"))
            rows.frombytes(self.rows.cast("B"))
            self.times, self.rows = times, rows

    def _span(self, t: float, article_id: str) -> int:
        times = self.times
        lo = bisect_left(times, t)
        hi = bisect_right(times, t, lo)
        if hi == lo:
            return lo
        return bisect_left(self.rows, article_id, lo, hi, key=self.table.id_of)

    def add(self, t: float, row: int, article_id: str) -> None:
        self._own()
        if not self.times or t > self.times[-1]:
            self.times.append(t)
            self.rows.append(row)
            return
        at = self._span(t, article_id)
        self.times.insert(at, t)
        self.rows.insert(at, row)

    def remove(self, t: float, row: int, article_id: str) -> bool:
        at = self._span(t, article_id)
        if at < len(self.rows) and self.rows[at] == row:
            self._own()
            del self.times[at]
            del self.rows[at]
            return True
        return False

    def _bounds(self, since: float | None, until: float | None) -> tuple[int, int]:
        lo = 0 if since is None else bisect_left(self.times, since)
        hi = len(self.rows) if until is None else bisect_left(self.times, until)
        return lo, hi

    def ids_between(self, lo: int, hi: int) -> list[str]:
        """Ids of positions ``lo <= i < hi``, oldest first."""
        id_of, rows = self.table.id_of, self.rows
        return [id_of(rows[i]) for i in range(lo, hi)]

    def newest_rows(
        self,
        since: float | None = None,
        until: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[int]:
        """Rows newest first, ``since <= event_time < until``."""
        lo, hi = self._bounds(since, until)
        hi -= max(offset, 0)
        start = max(lo, hi - max(limit, 0))
        if hi <= start:
            return []
        rows = self.rows
        return [rows[i] for i in range(hi - 1, start - 1, -1)]

    def newest(
        self,
        since: float | None = None,
        until: float | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[str]:
        """Ids newest first, ``since <= event_time < until``."""
        id_of = self.table.id_of
        return [id_of(r) for r in self.newest_rows(since, until, limit, offset)]

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
        guilds: dict[str, float | None],
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


class Columns(Protocol):
    """The snapshot's rows, as ``snapshot.SnapCols`` holds them."""

    n: int
    ids: SnapshotIds
    offset: Any
    length: Any
    week_rows: dict[str, tuple[int, int]]
    dead: list[int]
    ukey: dict[str, str]
    names: dict[str, str]

    def week_of(self, row: int) -> str: ...

    def entry(self, row: int) -> Entry: ...

    def fp_rows(self, fp: str) -> Iterator[int]: ...

    def postings(self) -> Iterator[tuple[str, Kind, str, Any, Any]]: ...


class WeekCols:
    """One week's index file as loaded: columns, not one object per article."""

    __slots__ = ("ents", "fp", "guild_table", "guilds", "ids", "key_table", "length",
                 "offset", "t", "ukey", "week")  # fmt: skip

    def __init__(self, week: str, data: dict[str, Any]) -> None:
        self.week = week
        self.ids: list[str] = data["ids"]
        self.t: list[float] = data["t"]
        self.offset: list[int] = data["off"]
        self.length: list[int] = data["len"]
        self.fp: list[str] = data["fp"]
        self.ukey: dict[str, str] = data["ukey"]  # row -> URL key, where it is not the id
        self.guilds: list[list[int]] = data["guilds"]
        self.ents: list[list[int]] = data["ents"]
        self.guild_table: list[str] = data["guild_table"]
        self.key_table: list[tuple[str, str]] = [(k[0], k[1]) for k in data["key_table"]]

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


class Fingerprints:
    """fingerprint -> id: the snapshot's rows (by hash), then what changed since."""

    def __init__(self, index: ArticleIndex) -> None:
        self._index = index
        self.changed: dict[str, str] = {}

    def get(self, fp: str) -> str | None:
        found = self.changed.get(fp)
        if found is not None or not fp:
            return found
        index = self._index
        if index.cols is not None:
            for row in index.cols.fp_rows(fp):
                if row not in index.touched:  # else changed, and in ``changed`` if still fp's
                    return index.table.id_of(row)
        return None

    def put(self, fp: str, article_id: str) -> None:
        if fp:
            self.changed[fp] = article_id

    def drop(self, fp: str, article_id: str) -> None:
        if fp and self.changed.get(fp) == article_id:
            del self.changed[fp]


class WeekIds:
    """Week -> ids of the articles whose event time falls in it (computed on demand:
    start-up, compaction of lost files and snapshots ask, not queries)."""

    def __init__(self, index: ArticleIndex) -> None:
        self._index = index
        self.counts: dict[str, int] = {}  # weeks with articles, and how many
        self.touched: dict[str, set[int]] = {}  # rows of changed articles, by their week

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.counts))

    def __len__(self) -> int:
        return len(self.counts)

    def __contains__(self, week: object) -> bool:
        return week in self.counts

    def rows(self, week: str) -> list[int]:
        index = self._index
        found = []
        if index.cols is not None:
            span = index.cols.week_rows.get(week)
            if span is not None:
                touched = index.touched
                found = [r for r in range(*span) if r not in touched]
        found.extend(self.touched.get(week, ()))
        return found

    def get(self, week: str, default: Any = None) -> set[str] | Any:
        if week not in self.counts:
            return default
        id_of = self._index.table.id_of
        return {id_of(r) for r in self.rows(week)}

    def __getitem__(self, week: str) -> set[str]:
        found = self.get(week)
        if found is None:
            raise KeyError(week)
        return found

    def _add(self, week: str, row: int) -> None:
        self.counts[week] = self.counts.get(week, 0) + 1
        self.touched.setdefault(week, set()).add(row)

    def _remove(self, week: str, row: int) -> None:
        rows = self.touched.get(week)
        if rows is not None:
            rows.discard(row)
            if not rows:
                del self.touched[week]
        n = self.counts.get(week, 0) - 1
        if n > 0:
            self.counts[week] = n
        else:
            self.counts.pop(week, None)


_UNSET: Any = object()


class ArticleIndex:
    def __init__(self) -> None:
        self.table = IdTable()
        self.cols: Columns | None = None  # the snapshot's rows (below ``table.base_n``)
        # rows changed since the snapshot: their Entry, or None once removed
        self.touched: dict[int, Entry | None] = {}
        self.count = 0
        # canonical-URL key -> id, only where they differ (nearly always the id is the key)
        self.by_url: dict[str, str] = {}
        self.by_fp = Fingerprints(self)
        self.names: dict[str, str] = {}  # person key -> display name
        # guild -> kind -> key -> postings
        self.post: dict[str, dict[str, dict[str, Postings]]] = {}
        self.week_ids = WeekIds(self)
        self.version = 0  # bumped by every change, for callers' caches of derived data

    def __len__(self) -> int:
        return self.count

    def __contains__(self, article_id: str) -> bool:
        return self.entry(article_id) is not None

    def ids(self) -> Iterator[str]:
        """Every article's id."""
        id_of = self.table.id_of
        for week in self.week_ids:
            for row in self.week_ids.rows(week):
                yield id_of(row)

    def _at(self, row: int) -> Entry | None:
        entry = self.touched.get(row, _UNSET)
        if entry is not _UNSET:
            return entry
        cols = self.cols
        if cols is not None and row < cols.n:
            return cols.entry(row)
        return None

    def locate(self, article_id: str, row: int | None = None) -> tuple[str, int, int] | None:
        """(week, offset, length) of an article's document, without building its entry."""
        if row is None:
            row = self.table.row_of(article_id)
            if row is None:
                return None
        entry = self.touched.get(row, _UNSET)
        if entry is not _UNSET:
            return None if entry is None else (entry.week, entry.offset, entry.length)
        cols = self.cols
        if cols is not None and row < cols.n:
            return cols.week_of(row), cols.offset[row], cols.length[row]
        return None

    def entry(self, article_id: str, *, keep: bool = True) -> Entry | None:
        """What the index knows of an article. ``keep`` is accepted for callers that
        look at many rows once; entries are always built on demand from the rows."""
        row = self.table.row_of(article_id)
        return None if row is None else self._at(row)

    def id_for_url(self, ukey: str) -> str | None:
        """The id of the article whose canonical URL has this key."""
        found = self.by_url.get(ukey)
        if found is not None:
            return found
        entry = self.entry(ukey)
        return ukey if entry is not None and entry.ukey == ukey else None

    def set_location(self, article_id: str, week: str, offset: int, length: int) -> None:
        """Where the article now sits in its rewritten partition file."""
        row = self.table.row_of(article_id)
        if row is None:
            return
        entry = self.touched.get(row, _UNSET)
        if entry is not _UNSET:
            if entry is not None and entry.week == week:
                entry.offset, entry.length = offset, length
            return
        cols = self.cols
        if cols is not None and row < cols.n and cols.week_of(row) == week:
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
        row = self.table.row_for(article_id)
        self.touched[row] = entry
        self.count += 1
        if entry.ukey != article_id:
            self.by_url[entry.ukey] = article_id
        self.by_fp.put(entry.fp, article_id)
        self.week_ids._add(entry.week, row)
        for guild in entry.guilds:
            kinds = self.post.setdefault(guild, {})
            for kind, key in self._keys(entry):
                postings = kinds.setdefault(kind, {}).get(key)
                if postings is None:
                    postings = kinds[kind][key] = Postings(self.table)
                postings.add(entry.t, row, article_id)

    def remove(self, article_id: str) -> Entry | None:
        row = self.table.row_of(article_id)
        entry = None if row is None else self._at(row)
        if entry is None:
            return None
        assert row is not None
        self.version += 1
        self.touched[row] = None
        self.count -= 1
        if self.by_url.get(entry.ukey) == article_id:
            del self.by_url[entry.ukey]
        self.by_fp.drop(entry.fp, article_id)
        self.week_ids._remove(entry.week, row)
        for guild in entry.guilds:
            kinds = self.post.get(guild, {})
            for kind, key in self._keys(entry):
                keys = kinds.get(kind, {})
                postings = keys.get(key)
                if postings is not None:
                    postings.remove(entry.t, row, article_id)
                    if not postings:
                        del keys[key]
            if not kinds.get("all"):
                self.post.pop(guild, None)
        return entry

    def load(self, cols: Columns) -> None:
        """Start from a snapshot's rows (an empty index only): nothing per article."""
        assert self.count == 0 and self.cols is None
        self.version += 1
        self.cols = cols
        self.table = IdTable(cols.ids)
        self.count = cols.n - len(cols.dead)
        counts = {w: end - start for w, (start, end) in cols.week_rows.items()}
        for row in cols.dead:  # left out of the snapshot's lookups and postings already
            self.touched[row] = None
            counts[cols.week_of(row)] -= 1
        self.week_ids.counts = {w: n for w, n in counts.items() if n}
        for row, ukey in cols.ukey.items():
            self.by_url[ukey] = self.table.id_of(int(row))
        self.names.update(cols.names)
        post = self.post
        for guild, kind, key, times, rows in cols.postings():
            post.setdefault(guild, {}).setdefault(kind, {})[key] = Postings(self.table, times, rows)

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
