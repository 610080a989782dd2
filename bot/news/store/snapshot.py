"""One file holding the whole index, so that start-up builds it without per-article work.

The week index files are the truth; this is a cache of all of them, written at close
(and in the background when many weeks changed), in a thread, from the files on disk.
It records each week file's signature (inode, mtime, size); at start-up a week whose
file differs (or is new, or gone) is applied on top, one article at a time.

Layout: a magic line, one JSON header line (schema_version, tables, section lengths,
CRC of the body), then raw sections: id and fingerprint strings joined by newlines,
``array`` bytes for times, offsets and the CSR lists of guilds, entities and postings.
Loading is splitting strings and copying arrays: C speed, no object per posting.
"""

from __future__ import annotations

import logging
import zlib
from array import array
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from bot.news.atomic import set_aside, write_atomic
from bot.news.store import partitions as parts
from bot.news.store.index import ALL, ArticleIndex, Entry, Postings
from bot.news.store.migrations import ARTICLE_SCHEMA_VERSION, check_version

log = logging.getLogger(__name__)

MAGIC = b"newsbot-index-snapshot\n"
FILE_NAME = "index.snapshot"
KINDS = ("all", "country", "person")
Signature = list[int]


def signature(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size]


class SnapCols:
    """The snapshot's per-article columns; ``entry(row)`` makes an ``Entry`` on demand."""

    def __init__(self, header: dict[str, Any], sections: dict[str, bytes]) -> None:
        self.week_table: list[str] = header["week_table"]
        self.guild_table: list[str] = header["guild_table"]
        self.key_table: list[tuple[str, str]] = [(k[0], k[1]) for k in header["key_table"]]
        self.ukey: dict[str, str] = header["ukey"]
        self.ids: list[str] = _strings(sections["ids"])
        self.fp: list[str] = _strings(sections["fp"])
        self.t = _array("d", sections["t"])
        self.offset = _array("q", sections["off"])
        self.length = _array("q", sections["len"])
        self.week = _array("I", sections["week"])
        self.g_ptr = _array("I", sections["g_ptr"])
        self.g_idx = _array("I", sections["g_idx"])
        self.e_ptr = _array("I", sections["e_ptr"])
        self.e_idx = _array("I", sections["e_idx"])

    def week_of(self, row: int) -> str:
        return self.week_table[self.week[row]]

    def entry(self, row: int) -> Entry:
        countries, persons = [], []
        for k in self.e_idx[self.e_ptr[row] : self.e_ptr[row + 1]]:
            kind, key = self.key_table[k]
            (countries if kind == "country" else persons).append(key)
        guilds = self.g_idx[self.g_ptr[row] : self.g_ptr[row + 1]]
        return Entry(
            self.t[row],
            self.week_of(row),
            dict.fromkeys(self.guild_table[g] for g in guilds),
            countries,
            persons,
            self.fp[row],
            self.ukey.get(str(row), self.ids[row]),
            self.offset[row],
            self.length[row],
        )


def _strings(raw: bytes) -> list[str]:
    return raw.decode("utf-8").split("\n") if raw else []


def _array(code: str, raw: bytes) -> array:
    out = array(code)
    out.frombytes(raw)
    return out


class Snapshot:
    def __init__(self, header: dict[str, Any], sections: dict[str, bytes]) -> None:
        self.weeks: dict[str, Signature | None] = header["weeks"]
        self.cols = SnapCols(header, sections)
        self.names: dict[str, str] = header["names"]
        self.week_rows: dict[str, list[int]] = header["week_rows"]
        self.post_meta = _array("I", sections["p_meta"])  # (guild, kind, key, count) per list
        self.post_rows = _array("I", sections["p_rows"])  # rows of ``cols.ids``
        self.post_t = _array("d", sections["p_t"])


def read(directory: Path) -> Snapshot | None:
    """The snapshot, or None when there is none or it is unusable (then set aside)."""
    path = directory / FILE_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        if not raw.startswith(MAGIC):
            raise ValueError("not an index snapshot")
        end = raw.index(b"\n", len(MAGIC))
        header = orjson.loads(raw[len(MAGIC) : end])
        if check_version(header.get("schema_version")) != ARTICLE_SCHEMA_VERSION:
            return None  # an older layout: rebuilt from the week files
        body = memoryview(raw)[end + 1 :]
        if zlib.crc32(body) != header["crc"]:
            raise ValueError("checksum mismatch")
        sections, pos = {}, 0
        for name, length in header["sections"]:
            sections[name] = bytes(body[pos : pos + length])
            pos += length
        return Snapshot(header, sections)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        set_aside(path, str(exc))
        return None


def build(weeks_dir: Path) -> tuple[ArticleIndex, dict[str, Signature | None]]:
    """An index of the week files as they are on disk now, with their signatures."""
    loaded, sigs = [], {}
    for week in sorted(parts.weeks_on_disk(weeks_dir)):
        path = parts.idx_path(weeks_dir, week)
        before = signature(path)
        data = parts.read_idx(weeks_dir, week)
        if data is None or before is None:
            continue  # start-up rebuilds it; this snapshot just does not cover the week
        # Signed only if unchanged while read: a stale signature would hide a change.
        sigs[week] = before if signature(path) == before else None
        loaded.append((week, data))
    index = ArticleIndex()
    index.bulk_load(loaded)
    return index, sigs


def encode(index: ArticleIndex, weeks: dict[str, Signature | None]) -> bytes:
    rows = []
    for week in sorted(index.week_ids):  # small sorts: a big one would hold the GIL
        entries = [(e.week, e.t, i, e) for i in index.week_ids[week] if (e := index.entry(i))]
        entries.sort(key=lambda r: r[1:3])
        rows.extend(entries)
    week_table = sorted({r[0] for r in rows} | set(weeks))
    week_no = {w: n for n, w in enumerate(week_table)}
    guilds: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    ids, fps, ukey = [], [], {}
    t, off, length, week = array("d"), array("q"), array("q"), array("I")
    g_ptr, g_idx, e_ptr, e_idx = array("I", [0]), array("I"), array("I", [0]), array("I")
    week_rows: dict[str, list[int]] = {}
    for row, (w, when, article_id, e) in enumerate(rows):
        week_rows.setdefault(w, [row, row])[1] = row + 1
        ids.append(article_id)
        fps.append(e.fp)
        if e.ukey != article_id:
            ukey[str(row)] = e.ukey
        t.append(when)
        off.append(e.offset)
        length.append(e.length)
        week.append(week_no[w])
        g_idx.extend(guilds.setdefault(g, len(guilds)) for g in e.guilds)
        g_ptr.append(len(g_idx))
        e_idx.extend(keys.setdefault(("country", c), len(keys)) for c in e.countries)
        e_idx.extend(keys.setdefault(("person", p), len(keys)) for p in e.persons)
        e_ptr.append(len(e_idx))
    row_of = {article_id: row for row, article_id in enumerate(ids)}
    p_meta, p_rows, p_t = array("I"), array("I"), array("d")
    for guild, kinds in index.post.items():
        for kind, lists in kinds.items():
            for key, postings in lists.items():
                k = 0 if kind == "all" else keys.setdefault((kind, key), len(keys))
                p_meta.extend((guilds.setdefault(guild, len(guilds)), KINDS.index(kind), k))
                p_meta.append(len(postings))
                p_rows.extend(map(row_of.__getitem__, postings.ids))
                p_t.extend(postings.times)
    sections = {
        "ids": "\n".join(ids).encode(),
        "fp": "\n".join(fps).encode(),
        "t": t.tobytes(),
        "off": off.tobytes(),
        "len": length.tobytes(),
        "week": week.tobytes(),
        "g_ptr": g_ptr.tobytes(),
        "g_idx": g_idx.tobytes(),
        "e_ptr": e_ptr.tobytes(),
        "e_idx": e_idx.tobytes(),
        "p_meta": p_meta.tobytes(),
        "p_rows": p_rows.tobytes(),
        "p_t": p_t.tobytes(),
    }
    body = b"".join(sections.values())
    person_keys = {key for kind, key in keys if kind == "person"}
    header = {
        "schema_version": ARTICLE_SCHEMA_VERSION,
        "weeks": weeks,
        "week_table": week_table,
        "guild_table": list(guilds),
        "key_table": [list(k) for k in keys],
        "names": {k: n for k, n in index.names.items() if k in person_keys},
        "ukey": ukey,
        "week_rows": week_rows,
        "sections": [[name, len(data)] for name, data in sections.items()],
        "crc": zlib.crc32(body),
    }
    return MAGIC + orjson.dumps(header) + b"\n" + body


def write(directory: Path, weeks_dir: Path) -> int:
    """Rebuild the snapshot from the week files (blocking: run it in a thread)."""
    index, sigs = build(weeks_dir)
    write_atomic(directory / FILE_NAME, encode(index, sigs))
    return len(index)


def write_from_memory(index: ArticleIndex, directory: Path, weeks_dir: Path) -> int:
    """Write the snapshot of an index that matches the week files (nothing pending, no
    writer running: at close). Skips re-reading every week file."""
    sigs = {w: signature(parts.idx_path(weeks_dir, w)) for w in parts.weeks_on_disk(weeks_dir)}
    write_atomic(directory / FILE_NAME, encode(index, sigs))
    return len(index)


def load_into(index: ArticleIndex, snap: Snapshot) -> None:
    """Fill an empty index from a snapshot."""
    cols = snap.cols
    ids = cols.ids
    index.snap = cols
    index.entries.update(zip(ids, range(len(ids)), strict=True))
    for row, ukey in cols.ukey.items():
        index.by_url[ukey] = ids[int(row)]
    index.by_fp.update(zip(cols.fp, ids, strict=True))
    index.by_fp.pop("", None)
    index.names.update(snap.names)
    for w, (start, end) in snap.week_rows.items():  # rows are grouped by week
        index.week_ids[w] = set(ids[start:end])
    meta, p_rows, p_t = snap.post_meta, snap.post_rows, snap.post_t
    pos = 0
    for n in range(0, len(meta), 4):
        g, kind_no, k, count = meta[n : n + 4]
        kind = KINDS[kind_no]
        key = ALL if kind == "all" else cols.key_table[k][1]
        postings = Postings()
        # the ids' own string objects, shared, picked in C
        rows = p_rows[pos : pos + count]
        postings.ids = list(itemgetter(*rows)(ids)) if count > 1 else [ids[r] for r in rows]
        postings.times = p_t[pos : pos + count]
        pos += count
        guild = cols.guild_table[g]
        index.post.setdefault(guild, {}).setdefault(kind, {})[key] = postings


if __name__ == "__main__":  # the store runs this in a child process: python -m ...
    import sys

    logging.basicConfig(level=logging.INFO)
    store_dir = Path(sys.argv[1])
    count = write(store_dir, store_dir / "weeks")
    log.info("index snapshot of %d articles written", count)
