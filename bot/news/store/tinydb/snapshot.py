"""One file holding the whole index, so that start-up builds nothing per article.

The week index files are the truth; this is a cache of all of them, written from them
(in a child process, or at start-up when it is missing or far behind). It records each
week file's signature (inode, mtime, size); at start-up a week whose file differs (or is
new, or gone) is applied on top, one article at a time.

Layout: a magic line, one JSON header line (schema_version, layout, tables, sections,
CRC of the body), then raw sections, each 8-byte aligned: typed arrays (times, offsets,
the CSR lists of guilds and entities per row, postings) and the ids and fingerprints as
one UTF-8 blob each with an offsets array and a sorted hash array for lookups. The file
is mapped into memory (copy on write: offsets move when weeks are rewritten) and read
where it lies: pages nobody reads are never loaded.
"""

from __future__ import annotations

import logging
import mmap
import os
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from bot.news.atomic import set_aside, write_atomic
from bot.news.store.migrations import ARTICLE_SCHEMA_VERSION, check_version
from bot.news.store.tinydb import partitions as parts
from bot.news.store.tinydb.index import ALL, ROW, Entry, Kind, str_hash

log = logging.getLogger(__name__)

MAGIC = b"newsbot-index-snapshot\n"
FILE_NAME = "index.snapshot"
LAYOUT = 2  # mapped sections; an older layout is rebuilt from the week files
KINDS: tuple[Kind, ...] = ("all", "country", "person")
Signature = list[int]
_CHUNK = 1 << 22


def signature(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size]


class Strings:
    """Many strings in one UTF-8 blob: ``get(i)`` decodes one; ``find(s)`` is a bisect
    in the sorted hashes (then a comparison, hashes may collide)."""

    def __init__(self, blob: memoryview, offsets: Any, hashes: Any, rows: Any) -> None:
        self.blob, self.offsets, self.hashes, self.rows = blob, offsets, hashes, rows
        self.n = len(offsets) - 1

    def get(self, i: int) -> str:
        return str(self.blob[self.offsets[i] : self.offsets[i + 1]], "utf-8")

    def find(self, text: str) -> Iterator[int]:
        h = str_hash(text)
        hashes = self.hashes
        at = bisect_left(hashes, h)
        while at < len(hashes) and hashes[at] == h:
            row = self.rows[at]
            if self.get(row) == text:
                yield row
            at += 1


class SnapIds:
    """The id table's snapshot part (``index.SnapshotIds``)."""

    def __init__(self, strings: Strings) -> None:
        self.strings = strings
        self.n = strings.n

    def id_of(self, row: int) -> str:
        return self.strings.get(row)

    def row_of(self, article_id: str) -> int | None:
        return next(self.strings.find(article_id), None)


class SnapCols:
    """The snapshot's per-article columns (``index.Columns``); ``entry(row)`` makes an
    ``Entry`` on demand."""

    def __init__(self, header: dict[str, Any], sections: dict[str, Any], keep: Any) -> None:
        self._keep = keep  # the mapping the sections point into
        self.weeks: dict[str, Signature | None] = header["weeks"]
        self.week_table: list[str] = header["week_table"]
        self.guild_table: list[str] = header["guild_table"]
        self.key_table: list[tuple[str, str]] = [(k[0], k[1]) for k in header["key_table"]]
        self.ukey: dict[str, str] = header["ukey"]
        self.names: dict[str, str] = header["names"]
        self.week_rows = {w: (s, e) for w, (s, e) in header["week_rows"].items()}
        self.ids = SnapIds(
            Strings(sections["ids"], sections["id_off"], sections["id_hash"], sections["id_row"])
        )
        self.n = self.ids.n
        self.fps = Strings(
            sections["fp"], sections["fp_off"], sections["fp_hash"], sections["fp_row"]
        )
        self.t = sections["t"]
        self.offset = sections["off"]
        self.length = sections["len"]
        self.week = sections["week"]
        self.g_ptr, self.g_idx = sections["g_ptr"], sections["g_idx"]
        self.e_ptr, self.e_idx = sections["e_ptr"], sections["e_idx"]
        self.p_meta, self.p_rows, self.p_t = sections["p_meta"], sections["p_rows"], sections["p_t"]

    def week_of(self, row: int) -> str:
        return self.week_table[self.week[row]]

    def entry(self, row: int) -> Entry:
        countries, persons = [], []
        key_table = self.key_table
        for k in self.e_idx[self.e_ptr[row] : self.e_ptr[row + 1]]:
            kind, key = key_table[k]
            (countries if kind == "country" else persons).append(key)
        guild_table = self.guild_table
        return Entry(
            self.t[row],
            self.week_table[self.week[row]],
            dict.fromkeys(
                guild_table[g] for g in self.g_idx[self.g_ptr[row] : self.g_ptr[row + 1]]
            ),
            countries,
            persons,
            self.fps.get(row),
            self.ukey.get(str(row)) or self.ids.id_of(row),
            self.offset[row],
            self.length[row],
        )

    def fp_rows(self, fp: str) -> Iterator[int]:
        return self.fps.find(fp)

    def postings(self) -> Iterator[tuple[str, Kind, str, Any, Any]]:
        meta, pos = self.p_meta, 0
        for n in range(0, len(meta), 4):
            g, kind_no, k, count = meta[n : n + 4]
            kind = KINDS[kind_no]
            key = ALL if kind == "all" else self.key_table[k][1]
            yield (
                self.guild_table[g],
                kind,
                key,
                self.p_t[pos : pos + count],
                self.p_rows[pos : pos + count],
            )
            pos += count


# section name -> array type code ("" for a UTF-8 blob)
SECTIONS = {
    "ids": "", "id_off": "Q", "id_hash": "I", "id_row": ROW,
    "fp": "", "fp_off": "Q", "fp_hash": "I", "fp_row": ROW,
    "t": "d", "off": "q", "len": "q", "week": "I",
    "g_ptr": "Q", "g_idx": "I", "e_ptr": "Q", "e_idx": "I",
    "p_meta": "I", "p_rows": ROW, "p_t": "d",
}  # fmt: skip


def _sections(header: dict[str, Any], body: memoryview) -> dict[str, Any]:
    out, pos = {}, 0
    for name, length in header["sections"]:
        raw = body[pos : pos + length]
        if len(raw) != length:
            raise ValueError("a section is cut short")
        code = SECTIONS[name]
        out[name] = raw.cast(code) if code else raw
        pos += length + (-length % 8)
    return out


def _crc(fh: Any) -> int:
    crc, buf = 0, bytearray(_CHUNK)
    view = memoryview(buf)
    while n := fh.readinto(buf):
        crc = zlib.crc32(view[:n], crc)
    return crc


def read(directory: Path) -> SnapCols | None:
    """The snapshot, or None when there is none or it is unusable (then set aside)."""
    path = directory / FILE_NAME
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; the mapping outlives it
    except FileNotFoundError:
        return None
    try:
        with fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise ValueError("not an index snapshot")
            line = fh.readline(1 << 26)
            if not line.endswith(b"\n"):
                raise ValueError("header cut short")
            header = orjson.loads(line)
            if not isinstance(header, dict):
                raise ValueError("not an index snapshot")
            if check_version(header.get("schema_version")) != ARTICLE_SCHEMA_VERSION:
                return None  # an older layout: rebuilt from the week files
            if header.get("layout") != LAYOUT:
                return None
            start = fh.tell()
            # The checksum streams through a small buffer: mapping and reading every page
            # would make the whole file resident.
            if _crc(fh) != header["crc"]:
                raise ValueError("checksum mismatch")
            size = os.fstat(fh.fileno()).st_size
            if size == start:
                raise ValueError("no body")
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
        body = memoryview(mapped)[start:]
        return SnapCols(header, _sections(header, body), mapped)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        set_aside(path, str(exc))
        return None


def from_bytes(raw: bytes) -> SnapCols:
    """A snapshot kept in memory (a read-only store that may not write one)."""
    end = raw.index(b"\n", len(MAGIC))
    header = orjson.loads(raw[len(MAGIC) : end])
    buf = bytearray(raw[end + 1 :])
    return SnapCols(header, _sections(header, memoryview(buf)), buf)


def _sorted_hashes(strings: list[str], rows: range | list[int]) -> tuple[array, array]:
    keyed = array("Q", sorted((str_hash(strings[r]) << 32) | r for r in rows))
    return array("I", (k >> 32 for k in keyed)), array(ROW, (k & 0xFFFFFFFF for k in keyed))


def _blob(strings: list[str]) -> tuple[bytes, array]:
    encoded = [s.encode("utf-8") for s in strings]
    offsets = array("Q", [0])
    total = 0
    for e in encoded:
        total += len(e)
        offsets.append(total)
    return b"".join(encoded), offsets


def encode(weeks: list[tuple[str, dict[str, Any]]], sigs: dict[str, Signature | None]) -> bytes:
    """The snapshot of these week index files (oldest first; an article found in two
    weeks, after a crash while it moved, is taken from the later one)."""
    weeks = sorted(weeks, key=lambda item: item[0])
    last_week: dict[str, int] = {}
    for n, (_, data) in enumerate(weeks):
        last_week.update(dict.fromkeys(data["ids"], n))
    ids: list[str] = []
    fps: list[str] = []
    t, off, length, week_no = array("d"), array("q"), array("q"), array("I")
    g_ptr, g_idx, e_ptr, e_idx = array("Q", [0]), array("I"), array("Q", [0]), array("I")
    guilds: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    ukey: dict[str, str] = {}
    week_rows: dict[str, list[int]] = {}
    post: dict[tuple[int, int, int], tuple[array, array]] = {}
    week_table = sorted({w for w, _ in weeks} | set(sigs))
    week_index = {w: i for i, w in enumerate(week_table)}
    for n, (week, data) in enumerate(weeks):
        gmap = [guilds.setdefault(g, len(guilds)) for g in data["guild_table"]]
        kmap = [keys.setdefault((k[0], k[1]), len(keys)) for k in data["key_table"]]
        names.update(data.get("names") or {})
        base = len(ids)
        week_ids = data["ids"]
        keep = [last_week[i] == n for i in week_ids]
        all_kept = all(keep)
        new_row: list[int] = []
        for row, article_id in enumerate(week_ids):
            if not keep[row]:
                new_row.append(-1)
                continue
            new_row.append(len(ids))
            ids.append(article_id)
            fps.append(data["fp"][row])
            t.append(data["t"][row])
            off.append(data["off"][row])
            length.append(data["len"][row])
            week_no.append(week_index[week])
            g_idx.extend(gmap[g] for g in data["guilds"][row])
            g_ptr.append(len(g_idx))
            e_idx.extend(kmap[k] for k in data["ents"][row])
            e_ptr.append(len(e_idx))
            if str(row) in data["ukey"]:
                ukey[str(new_row[-1])] = data["ukey"][str(row)]
        if len(ids) > base:
            week_rows[week] = [base, len(ids)]
        times = data["t"]
        for g, k, rows in data["post"]:
            if k < 0:
                kind_no, key_no = 0, 0
            else:
                kind_no, key_no = 1 + (data["key_table"][k][0] == "person"), kmap[k]
            p_rows, p_t = post.setdefault((gmap[g], kind_no, key_no), (array(ROW), array("d")))
            kept = rows if all_kept else [r for r in rows if keep[r]]
            p_rows.extend(new_row[r] for r in kept)
            p_t.extend(times[r] for r in kept)
    p_meta, p_rows_all, p_t_all = array("I"), array(ROW), array("d")
    for (g, kind_no, key_no), (p_rows, p_t) in post.items():
        p_meta.extend((g, kind_no, key_no, len(p_rows)))
        p_rows_all.extend(p_rows)
        p_t_all.extend(p_t)
    id_blob, id_off = _blob(ids)
    id_hash, id_row = _sorted_hashes(ids, range(len(ids)))
    fp_blob, fp_off = _blob(fps)
    fp_hash, fp_row = _sorted_hashes(fps, [r for r, f in enumerate(fps) if f])
    sections: dict[str, bytes] = {
        "ids": id_blob, "id_off": id_off.tobytes(), "id_hash": id_hash.tobytes(),
        "id_row": id_row.tobytes(),
        "fp": fp_blob, "fp_off": fp_off.tobytes(), "fp_hash": fp_hash.tobytes(),
        "fp_row": fp_row.tobytes(),
        "t": t.tobytes(), "off": off.tobytes(), "len": length.tobytes(),
        "week": week_no.tobytes(),
        "g_ptr": g_ptr.tobytes(), "g_idx": g_idx.tobytes(),
        "e_ptr": e_ptr.tobytes(), "e_idx": e_idx.tobytes(),
        "p_meta": p_meta.tobytes(), "p_rows": p_rows_all.tobytes(), "p_t": p_t_all.tobytes(),
    }  # fmt: skip
    body = b"".join(data + b"\0" * (-len(data) % 8) for data in sections.values())
    person_keys = {key for kind, key in keys if kind == "person"}
    header = {
        "schema_version": ARTICLE_SCHEMA_VERSION,
        "layout": LAYOUT,
        "weeks": sigs,
        "week_table": week_table,
        "guild_table": list(guilds),
        "key_table": [list(k) for k in keys],
        "names": {k: n for k, n in names.items() if k in person_keys},
        "ukey": ukey,
        "week_rows": week_rows,
        "sections": [[name, len(data)] for name, data in sections.items()],
        "crc": zlib.crc32(body),
    }
    return MAGIC + orjson.dumps(header) + b"\n" + body


def read_weeks(
    weeks_dir: Path,
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Signature | None]]:
    """The week index files as they are on disk now, with their signatures."""
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
    return loaded, sigs


def write(directory: Path, weeks_dir: Path) -> int:
    """Rebuild the snapshot from the week files (blocking: a child process runs it)."""
    loaded, sigs = read_weeks(weeks_dir)
    count = sum(len(data["ids"]) for _, data in loaded)
    write_atomic(directory / FILE_NAME, encode(loaded, sigs))
    return count


if __name__ == "__main__":  # the store runs this in a child process: python -m ...
    import sys

    logging.basicConfig(level=logging.INFO)
    store_dir = Path(sys.argv[1])
    n = write(store_dir, store_dir / "weeks")
    log.info("index snapshot of %d articles written", n)
