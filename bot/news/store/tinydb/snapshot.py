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
import tempfile
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from bot.news.atomic import set_aside, writing_atomic
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
_CRC_PLACEHOLDER = 0xFFFFFFFF  # the widest CRC (10 digits)


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
        # rows of an article that a later week has again (a crash while it moved)
        self.dead: list[int] = header.get("dead") or []
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


def _map(fh: Any) -> SnapCols:
    """The snapshot in the open file ``fh`` (at its start), mapped copy on write."""
    if fh.read(len(MAGIC)) != MAGIC:
        raise ValueError("not an index snapshot")
    line = fh.readline(1 << 26)
    if not line.endswith(b"\n"):
        raise ValueError("header cut short")
    header = orjson.loads(line)
    if not isinstance(header, dict):
        raise ValueError("not an index snapshot")
    if check_version(header.get("schema_version")) != ARTICLE_SCHEMA_VERSION:
        raise Outdated
    if header.get("layout") != LAYOUT:
        raise Outdated
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


class Outdated(Exception):
    """A snapshot of an older layout: rebuilt from the week files, not set aside."""


def read(directory: Path) -> SnapCols | None:
    """The snapshot, or None when there is none or it is unusable (then set aside)."""
    path = directory / FILE_NAME
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; the mapping outlives it
    except FileNotFoundError:
        return None
    try:
        with fh:
            return _map(fh)
    except Outdated:
        return None
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        set_aside(path, str(exc))
        return None


class _Spool:
    """One section written as it grows, to an unnamed temp file (never all in memory)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.fh = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by Builder
        self.size = 0

    def write(self, data: bytes | array) -> None:
        raw = data.tobytes() if isinstance(data, array) else data
        self.fh.write(raw)
        self.size += len(raw)

    def pread(self, length: int, offset: int) -> bytes:
        self.fh.flush()
        return os.pread(self.fh.fileno(), length, offset)

    def copy_to(self, out: Any, crc: int) -> int:
        """Append the section to ``out``; return ``crc`` carried over its bytes."""
        self.fh.flush()
        self.fh.seek(0)
        buf = bytearray(_CHUNK)
        view = memoryview(buf)
        while n := self.fh.readinto(buf):
            out.write(view[:n])
            crc = zlib.crc32(view[:n], crc)
        return crc


_BLOCK = 128  # postings a key gathers in memory before they go to the spool as one block


class _Postings:
    """The postings lists of every (guild, kind, key), which grow a week at a time and
    are written key after key: each key gathers a small block in memory, full blocks go
    to a temp file, and ``write`` reads each key's blocks back in order. Memory: one
    block per key and 16 bytes per block written."""

    def __init__(self, directory: Path | None) -> None:
        self.spool = _Spool(directory)
        self.keys: dict[tuple[int, int, int], int] = {}
        self.open: list[tuple[array, array]] = []  # per key: rows and times not yet spooled
        self.counts: list[int] = []
        self.blocks = array("Q")  # per block: key << 32 | count, then its offset in the spool

    def _flush(self, key: int) -> None:
        rows, times = self.open[key]
        self.blocks.extend((key << 32 | len(rows), self.spool.size))
        self.spool.write(rows.tobytes() + times.tobytes())
        del rows[:], times[:]

    def extend(self, key: tuple[int, int, int], rows: Any, times: Any) -> None:
        k = self.keys.get(key)
        if k is None:
            k = self.keys[key] = len(self.open)
            self.open.append((array(ROW), array("d")))
            self.counts.append(0)
        held_rows, held_times = self.open[k]
        held_rows.extend(rows)
        held_times.extend(times)
        self.counts[k] += len(rows)
        if len(held_rows) >= _BLOCK:
            self._flush(k)

    def _by_key(self) -> list[list[tuple[int, int]]]:
        """Each key's blocks (count, spool offset), in the order they were written."""
        for k, (rows, _) in enumerate(self.open):
            if rows:
                self._flush(k)
        found: list[list[tuple[int, int]]] = [[] for _ in self.open]
        blocks = self.blocks
        for n in range(0, len(blocks), 2):
            word, at = blocks[n], blocks[n + 1]
            found[word >> 32].append((word & 0xFFFFFFFF, at))
        return found

    def _read(self, count: int, at: int, dead: set[int]) -> tuple[array, array]:
        raw = self.spool.pread(count * 12, at)
        rows, times = array(ROW), array("d")
        rows.frombytes(raw[: count * 4])
        times.frombytes(raw[count * 4 :])
        if dead:
            kept = [i for i, r in enumerate(rows) if r not in dead]
            rows = array(ROW, (rows[i] for i in kept))
            times = array("d", (times[i] for i in kept))
        return rows, times

    def layout(self, dead: set[int]) -> tuple[array, list[list[tuple[int, int]]]]:
        """``p_meta`` (guild, kind, key, count per list, empty ones left out) and each
        key's blocks."""
        by_key = self._by_key()
        counts = list(self.counts)
        if dead:  # (rare: a crash while an article moved) count what is left
            for k, blocks in enumerate(by_key):
                counts[k] = sum(len(self._read(c, at, dead)[0]) for c, at in blocks)
        meta = array("I")
        for (g, kind_no, key_no), k in self.keys.items():
            if counts[k]:
                meta.extend((g, kind_no, key_no, counts[k]))
        self.total = sum(counts)
        return meta, by_key

    def write(self, out: Any, by_key: list[list[tuple[int, int]]], dead: set[int], crc: int) -> int:
        """The rows of every list, then their times (through a second temp file)."""
        times_spool = _Spool(self.spool.directory)
        try:
            for blocks in by_key:
                for count, at in blocks:
                    rows, times = self._read(count, at, dead)
                    raw = rows.tobytes()
                    out.write(raw)
                    crc = zlib.crc32(raw, crc)
                    times_spool.write(times)
            pad = b"\0" * (-self.total * 4 % 8)
            out.write(pad)
            crc = times_spool.copy_to(out, zlib.crc32(pad, crc))
        finally:
            times_spool.fh.close()
        return crc

    def close(self) -> None:
        self.spool.fh.close()


def _sorted_keyed(keyed: array, dead: set[int]) -> tuple[bytes, bytes]:
    """(hash << 32 | row) values -> the sorted hashes and their rows, dead rows left out.
    numpy sorts in place: a sorted() of a million ints would build a million objects."""
    import numpy as np  # only here: the rebuild is the one user (matplotlib requires it)

    values = np.frombuffer(keyed, dtype=np.uint64).copy()
    values.sort()
    rows = (values & 0xFFFFFFFF).astype(np.uint32)
    if dead:
        keep = ~np.isin(rows, np.fromiter(dead, dtype=np.uint32, count=len(dead)))
        values, rows = values[keep], rows[keep]
    return (values >> 32).astype(np.uint32).tobytes(), rows.tobytes()


class Builder:
    """Writes a snapshot while the week index files are read one at a time: the rows go
    to temp files as they come, and only the postings (typed arrays, 12 bytes a row
    and entity) and the id and fingerprint hashes (8 bytes a row) stay in memory.

    ``weeks`` are every week that may be added (for the week numbers); an article found
    in two weeks, after a crash while it moved, is taken from the later one. The temp
    files go to ``directory`` (None: the system's temp folder).
    """

    _ROW_SECTIONS = ("ids", "id_off", "fp", "fp_off", "t", "off", "len", "week",
                     "g_ptr", "g_idx", "e_ptr", "e_idx")  # fmt: skip

    def __init__(self, directory: Path | None, weeks: list[str]) -> None:
        self.week_table = sorted(weeks)
        self._week_no = {w: i for i, w in enumerate(self.week_table)}
        self._spools = {name: _Spool(directory) for name in self._ROW_SECTIONS}
        self._spools["id_off"].write(array("Q", [0]))
        self._spools["fp_off"].write(array("Q", [0]))
        self._spools["g_ptr"].write(array("Q", [0]))
        self._spools["e_ptr"].write(array("Q", [0]))
        self._ends = {"ids": 0, "fp": 0, "g_idx": 0, "e_idx": 0}
        self.n = 0
        self.sigs: dict[str, Signature | None] = {}
        self._guilds: dict[str, int] = {}
        self._keys: dict[tuple[str, str], int] = {}
        self._names: dict[str, str] = {}
        self._ukey: dict[str, str] = {}
        self._week_rows: dict[str, list[int]] = {}
        self._post = _Postings(directory)
        self._id_keyed = array("Q")
        self._fp_keyed = array("Q")
        self._last = ""

    def close(self) -> None:
        for spool in self._spools.values():
            spool.fh.close()
        self._post.close()

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _blob(self, name: str, strings: list[str], keyed: array, base: int) -> None:
        encoded = [s.encode("utf-8") for s in strings]
        ends, total = array("Q"), self._ends[name]
        for row, (text, raw) in enumerate(zip(strings, encoded, strict=True)):
            total += len(raw)
            ends.append(total)
            if text:  # an empty fingerprint is never looked up
                keyed.append((zlib.crc32(raw) << 32) | (base + row))
        self._ends[name] = total
        self._spools[name].write(b"".join(encoded))
        self._spools[f"{name[:2]}_off"].write(ends)

    def _csr(self, name: str, lists: list[list[int]], table: list[int]) -> None:
        flat, ends, total = array("I"), array("Q"), self._ends[name]
        for items in lists:
            flat.extend(table[i] for i in items)
            total += len(items)
            ends.append(total)
        self._ends[name] = total
        self._spools[name].write(flat)
        self._spools[f"{name[0]}_ptr"].write(ends)

    def add(self, week: str, data: dict[str, Any], sig: Signature | None) -> None:
        """Append one week index file's rows (weeks in ascending order)."""
        if week <= self._last:
            raise ValueError("weeks out of order")
        self._last = week
        self.sigs[week] = sig
        gmap = [self._guilds.setdefault(g, len(self._guilds)) for g in data["guild_table"]]
        kmap = [self._keys.setdefault((k[0], k[1]), len(self._keys)) for k in data["key_table"]]
        self._names.update(data.get("names") or {})
        base, count = self.n, len(data["ids"])
        if not count:
            return
        self._blob("ids", data["ids"], self._id_keyed, base)
        self._blob("fp", data["fp"], self._fp_keyed, base)
        spools = self._spools
        spools["t"].write(array("d", data["t"]))
        spools["off"].write(array("q", data["off"]))
        spools["len"].write(array("q", data["len"]))
        spools["week"].write(array("I", [self._week_no[week]]) * count)
        self._csr("g_idx", data["guilds"], gmap)
        self._csr("e_idx", data["ents"], kmap)
        for row, ukey in data["ukey"].items():
            self._ukey[str(base + int(row))] = ukey
        self.n += count
        self._week_rows[week] = [base, self.n]
        times, key_table = data["t"], data["key_table"]
        for g, k, rows in data["post"]:
            if k < 0:
                kind_no, key_no = 0, 0
            else:
                kind_no, key_no = 1 + (key_table[k][0] == "person"), kmap[k]
            self._post.extend(
                (gmap[g], kind_no, key_no), [base + r for r in rows], [times[r] for r in rows]
            )

    def _dead_rows(self) -> set[int]:
        """Rows of an id that a later row has again (the later copy wins)."""
        import numpy as np

        keyed = np.frombuffer(self._id_keyed, dtype=np.uint64)
        order = np.sort(keyed)
        hashes = order >> 32
        same = np.flatnonzero(hashes[1:] == hashes[:-1])
        if not len(same):
            return set()
        off, ids = self._spools["id_off"], self._spools["ids"]

        def id_at(row: int) -> bytes:
            start, end = array("Q", off.pread(16, 8 * row))
            return ids.pread(end - start, start)

        groups: dict[int, set[int]] = {}  # (equal hashes sit side by side once sorted)
        for i in same.tolist():
            rows = groups.setdefault(int(hashes[i]), set())
            rows.update((int(order[i]) & 0xFFFFFFFF, int(order[i + 1]) & 0xFFFFFFFF))
        dead: set[int] = set()
        for rows in groups.values():
            seen: dict[bytes, int] = {}
            for row in sorted(rows):  # ascending: a later row replaces the earlier one
                text = id_at(row)
                if text in seen:
                    dead.add(seen[text])
                seen[text] = row
        return dead

    def write_to(self, out: Any) -> int:
        """Write the snapshot to the binary file ``out``; return how many articles it has."""
        dead = self._dead_rows()
        sections: list[tuple[str, Any]] = [
            ("ids", self._spools["ids"]), ("id_off", self._spools["id_off"]),
            ("id_hash", None), ("id_row", None),
            ("fp", self._spools["fp"]), ("fp_off", self._spools["fp_off"]),
            ("fp_hash", None), ("fp_row", None),
            *((name, self._spools[name]) for name in
              ("t", "off", "len", "week", "g_ptr", "g_idx", "e_ptr", "e_idx")),
            ("p_meta", None), ("p_rows", None), ("p_t", None),
        ]  # fmt: skip
        made: dict[str, bytes] = {}
        made["id_hash"], made["id_row"] = _sorted_keyed(self._id_keyed, dead)
        made["fp_hash"], made["fp_row"] = _sorted_keyed(self._fp_keyed, dead)
        del self._id_keyed, self._fp_keyed
        p_meta, by_key = self._post.layout(dead)
        made["p_meta"] = p_meta.tobytes()
        sizes = {"p_rows": self._post.total * array(ROW).itemsize, "p_t": self._post.total * 8}
        for name, spool in sections:
            if spool is not None:
                sizes[name] = spool.size
            elif name in made:
                sizes[name] = len(made[name])
        person_keys = {key for kind, key in self._keys if kind == "person"}
        header = {
            "schema_version": ARTICLE_SCHEMA_VERSION,
            "layout": LAYOUT,
            "weeks": self.sigs,
            "week_table": self.week_table,
            "guild_table": list(self._guilds),
            "key_table": [list(k) for k in self._keys],
            "names": {k: n for k, n in self._names.items() if k in person_keys},
            "ukey": {r: u for r, u in self._ukey.items() if int(r) not in dead},
            "week_rows": self._week_rows,
            "dead": sorted(dead),
            "sections": [[name, sizes[name]] for name, _ in sections],
            "crc": _CRC_PLACEHOLDER,
        }
        # The body's CRC is known only once it is written: the header holds a placeholder
        # as wide as any CRC, overwritten in place at the end (JSON allows the spaces).
        head = MAGIC + orjson.dumps(header) + b"\n"
        at = out.tell() + head.rindex(b"%d" % _CRC_PLACEHOLDER)
        out.write(head)
        crc = 0
        for name, spool in sections:
            if spool is not None:
                crc = spool.copy_to(out, crc)
            elif name in made:
                out.write(made[name])
                crc = zlib.crc32(made[name], crc)
            elif name == "p_rows":  # and p_t, which follows it
                crc = self._post.write(out, by_key, dead, crc)
                continue
            elif name == "p_t":
                continue
            pad = b"\0" * (-sizes[name] % 8)
            out.write(pad)
            crc = zlib.crc32(pad, crc)
        out.flush()
        os.pwrite(out.fileno(), b"%10d" % crc, at)
        return self.n - len(dead)


def in_temp_file(builder: Builder) -> SnapCols:
    """The snapshot written to an unnamed temp file and mapped (a read-only store, which
    changes no file of its folder)."""
    with tempfile.TemporaryFile() as out:
        builder.write_to(out)
        out.seek(0)
        return _map(out)


def write_file(directory: Path, builder: Builder) -> int:
    """Replace the snapshot in ``directory`` with the builder's, durably."""
    with writing_atomic(directory / FILE_NAME) as out:
        return builder.write_to(out)


def write(directory: Path, weeks_dir: Path) -> int:
    """Rebuild the snapshot from the week files as they are on disk now (blocking: a
    child process runs it), reading one week at a time."""
    weeks = sorted(parts.weeks_on_disk(weeks_dir))
    with Builder(directory, weeks) as builder:
        for week in weeks:
            path = parts.idx_path(weeks_dir, week)
            before = signature(path)
            data = parts.read_idx(weeks_dir, week)
            if data is None or before is None:
                continue  # start-up rebuilds it; this snapshot just does not cover the week
            # Signed only if unchanged while read: a stale signature would hide a change.
            builder.add(week, data, before if signature(path) == before else None)
        return write_file(directory, builder)


if __name__ == "__main__":  # the store runs this in a child process: python -m ...
    import sys

    logging.basicConfig(level=logging.INFO)
    store_dir = Path(sys.argv[1])
    n = write(store_dir, store_dir / "weeks")
    log.info("index snapshot of %d articles written", n)
