"""Week partitions on disk: one TinyDB file per ISO week of ``event_time``, plus sidecars.

``2026-W48.json``        a TinyDB database: table ``articles`` (documents without ``text``)
                         and table ``_meta`` (``schema_version``, ``week``).
``2026-W48.idx.json``    a TinyDB database too: table ``index``, one document holding that
                         week's index rows in columns (id, time, guilds, entities, dedupe
                         keys, each document's place in the week file): start-up reads
                         these, never the partitions themselves.
``2026-W48.search.txt``  ``id<TAB>folded title and summary`` per line, read by ``search``;
                         its first line carries the line count, length and CRC of the rest.
``2026-W48.copy.json.gz`` the week file's bytes again, gzipped (gzip checks its length and
                         CRC): the only other place the articles are kept once the journal
                         is folded in, read when the week file is damaged.

Both databases are written and read through the tinydb library (``TinyDB``/``Table``) on
``LineStorage`` (ours: orjson, one document per line, temp file + fsync + replace),
behind ``CachingMiddleware`` so that a week is one file write. Stock ``TinyDB(path)``
opens them. Writes run in a worker thread. The sidecars are derived data: a missing,
truncated or damaged one is rebuilt from the partition; a damaged partition is set
aside, and its articles come back from its copy and from the lines still whole in it.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware

from bot.news.atomic import set_aside, write_atomic
from bot.news.model import article_id_for, fold, person_key
from bot.news.store.migrations import ARTICLE_SCHEMA_VERSION, SchemaTooNew, check_version, migrate
from bot.news.store.tinydb.storage import (
    Damaged,
    LineStorage,
    encode_lines,
    parse_database,
    read_document,
    salvage,
)

log = logging.getLogger(__name__)

Doc = dict[str, Any]

ARTICLES_TABLE = "articles"
META_TABLE = "_meta"
INDEX_TABLE = "index"
SEARCH_MAGIC = "# newsbot-search"
Locations = dict[str, tuple[int, int]]


def week_of(timestamp: float) -> str:
    """The ISO week ("2026-W48", UTC) an event time falls in."""
    year, week, _ = datetime.fromtimestamp(timestamp, UTC).isocalendar()
    return f"{year}-W{week:02d}"


def partition_path(weeks_dir: Path, week: str) -> Path:
    return weeks_dir / f"{week}.json"


def idx_path(weeks_dir: Path, week: str) -> Path:
    return weeks_dir / f"{week}.idx.json"


def search_path(weeks_dir: Path, week: str) -> Path:
    return weeks_dir / f"{week}.search.txt"


def copy_path(weeks_dir: Path, week: str) -> Path:
    return weeks_dir / f"{week}.copy.json.gz"


def weeks_with_copies(weeks_dir: Path) -> set[str]:
    return {p.name[: -len(".copy.json.gz")] for p in weeks_dir.glob("*-W[0-9][0-9].copy.json.gz")}


def write_copy(weeks_dir: Path, week: str, payload: bytes) -> None:
    # level 1: a few times smaller than the week file at a fraction of level 9's time
    write_atomic(copy_path(weeks_dir, week), gzip.compress(payload, compresslevel=1, mtime=0))


def read_copy(weeks_dir: Path, week: str) -> bytes | None:
    """The week file's bytes as last written, from its copy; None when there is no copy.
    ``Damaged`` when the copy is empty, truncated or altered (gzip's length and CRC)."""
    try:
        raw = copy_path(weeks_dir, week).read_bytes()
    except FileNotFoundError:
        return None
    if not raw:
        raise Damaged("the file is empty")
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise Damaged(f"not a whole gzip file ({exc})") from None


def url_key(canonical_url: str) -> str:
    """A short key for the canonical-URL dedupe map (the full URL lives in the partition)."""
    return article_id_for(canonical_url)


def index_of(week: str, ordered: list[Doc], locs: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The index file of one week, in columns, with its postings lists precomputed.

    ``post`` holds ``[guild, key, rows]``: for each guild (index into ``guild_table``) and
    entity (index into ``key_table``, -1 for "all") the rows, ascending by time, so
    that start-up only concatenates lists.
    """
    guild_table: dict[str, int] = {}
    key_table: dict[tuple[str, str], int] = {}
    post: dict[tuple[int, int], list[int]] = {}
    cols: dict[str, list[Any]] = {n: [] for n in ("ids", "t", "off", "len", "fp", "guilds", "ents")}
    ukeys: dict[str, str] = {}
    names: dict[str, str] = {}
    for row, doc in enumerate(ordered):
        article_id = doc["id"]
        offset, length = locs[article_id]
        keys = [
            key_table.setdefault(("country", c["code"]), len(key_table))
            for c in doc.get("countries", ())
        ]
        for person in doc.get("persons", ()):
            key = person_key(person["name"])
            names[key] = person["name"]
            keys.append(key_table.setdefault(("person", key), len(key_table)))
        keys = list(dict.fromkeys(keys))
        guilds = [guild_table.setdefault(g, len(guild_table)) for g in doc.get("guilds") or {}]
        for g in guilds:
            for k in (-1, *keys):
                post.setdefault((g, k), []).append(row)
        ukey = url_key(doc.get("canonical_url") or "")
        if ukey != article_id:
            ukeys[str(row)] = ukey
        for name, value in zip(
            ("ids", "t", "off", "len", "fp", "guilds", "ents"),
            (
                article_id,
                doc["event_time"],
                offset,
                length,
                doc.get("fingerprint") or "",
                guilds,
                keys,
            ),
            strict=True,
        ):
            cols[name].append(value)
    return {
        "schema_version": ARTICLE_SCHEMA_VERSION,
        "week": week,
        **cols,
        "ukey": ukeys,
        "guild_table": list(guild_table),
        "key_table": [list(k) for k in key_table],
        "post": [[g, k, rows] for (g, k), rows in post.items()],
        "names": names,
    }


def search_text(doc: Doc) -> str:
    return fold(f"{doc.get('title') or ''} {doc.get('summary') or ''}").replace("\t", " ")


def weeks_on_disk(weeks_dir: Path) -> set[str]:
    return {p.name[: -len(".json")] for p in weeks_dir.glob("*-W[0-9][0-9].json")}


def write_week(weeks_dir: Path, week: str, docs: dict[str, Doc]) -> Locations:
    """Write one week's partition and sidecars (blocking: run it in a thread).

    Returns where each document's bytes sit in the partition file, (offset, length), by
    article id: one article can then be read without parsing its week.
    """
    if not docs:
        for path in (idx_path(weeks_dir, week), search_path(weeks_dir, week)):
            path.unlink(missing_ok=True)
        copy_path(weeks_dir, week).unlink(missing_ok=True)
        partition_path(weeks_dir, week).unlink(missing_ok=True)
        return {}
    ordered = sorted(docs.values(), key=lambda d: (d["event_time"], d["id"]))
    db = TinyDB(partition_path(weeks_dir, week), storage=CachingMiddleware(LineStorage), fresh=True)
    db.table(META_TABLE).insert({"schema_version": ARTICLE_SCHEMA_VERSION, "week": week})
    db.table(ARTICLES_TABLE).insert_multiple(ordered)
    db.close()  # the one write of the file
    storage: LineStorage = db.storage.storage  # type: ignore[attr-defined]
    locs = _by_article(storage.locations, ordered)
    write_copy(weeks_dir, week, storage.written)
    write_search(weeks_dir, week, ordered)
    write_idx(weeks_dir, week, index_of(week, ordered, locs))
    return locs


def _by_article(locations: dict[str, Locations], ordered: list[Doc]) -> Locations:
    # the documents were inserted in this order: TinyDB gave them ids 1..n
    where = locations.get(ARTICLES_TABLE, {})
    return {doc["id"]: where[str(n)] for n, doc in enumerate(ordered, 1)}


def week_locations(week: str, docs: dict[str, Doc]) -> tuple[Locations, list[Doc]]:
    """Where each document would sit in the week file ``write_week`` writes, without
    writing it (a read-only store rebuilding an index in memory)."""
    ordered = sorted(docs.values(), key=lambda d: (d["event_time"], d["id"]))
    tables = {
        META_TABLE: {"1": {"schema_version": ARTICLE_SCHEMA_VERSION, "week": week}},
        ARTICLES_TABLE: {str(n): doc for n, doc in enumerate(ordered, 1)},
    }
    _, locations = encode_lines(tables)
    return _by_article(locations, ordered), ordered


def write_idx(weeks_dir: Path, week: str, data: dict[str, Any]) -> None:
    db = TinyDB(idx_path(weeks_dir, week), storage=CachingMiddleware(LineStorage), fresh=True)
    db.table(INDEX_TABLE).insert(data)
    db.close()


def read_one(fd: int, article_id: str, offset: int, length: int) -> Doc | None:
    """One document read at its offset; None when the file no longer matches the index."""
    doc = read_document(fd, offset, length)
    return doc if doc is not None and doc.get("id") == article_id else None


def write_search(weeks_dir: Path, week: str, docs: list[Doc]) -> None:
    body = "".join(f"{d['id']}\t{search_text(d)}\n" for d in docs).encode("utf-8")
    header = (
        f"{SEARCH_MAGIC} schema_version={ARTICLE_SCHEMA_VERSION} lines={len(docs)} "
        f"bytes={len(body)} crc={zlib.crc32(body):08x}\n"
    ).encode()
    write_atomic(search_path(weeks_dir, week), header + body)


def _open_tables(path: Path) -> dict[str, Any] | None:
    """The tables of a TinyDB file read through TinyDB; None when it does not exist."""
    if not path.exists():
        return None
    # CachingMiddleware: the file is parsed once, not once per table read
    db = TinyDB(path, storage=CachingMiddleware(LineStorage))
    try:
        return {name: db.table(name) for name in db.tables()}
    finally:
        db.close()  # nothing written: nothing to flush


def _documents(meta: Doc | None, articles: list[Doc]) -> dict[str, Doc]:
    """A week's article documents by id, migrated; ``Damaged`` when one is not whole."""
    version = check_version((meta or {}).get("schema_version"))
    docs: dict[str, Doc] = {}
    for doc in articles:
        if "id" not in doc or "event_time" not in doc:
            raise Damaged("an article document lacks id or event_time")
        doc = migrate(dict(doc), version)
        docs[doc["id"]] = doc
    return docs


def documents_of(raw: bytes) -> dict[str, Doc]:
    """The articles of a week file's bytes; ``Damaged`` when they are not a whole week."""
    data = parse_database(raw)
    return _documents(
        data.get(META_TABLE, {}).get("1"), list(data.get(ARTICLES_TABLE, {}).values())
    )


def read_partition(weeks_dir: Path, week: str, *, repair: bool = False) -> dict[str, Doc] | None:
    """The documents of one week by id; None if the file is missing. A damaged file is
    set aside (logged) and its documents recovered (``recover``); with ``repair`` the week
    is written again from them."""
    path = partition_path(weeks_dir, week)
    try:
        tables = _open_tables(path)
        if tables is None:
            return None
        meta = tables[META_TABLE].get(doc_id=1) if META_TABLE in tables else None
        articles = tables[ARTICLES_TABLE].all() if ARTICLES_TABLE in tables else []
        return _documents(meta, articles)
    except SchemaTooNew as exc:
        log.error("partition %s was written by a newer newsbot (%s); not reading it", path, exc)
        raise
    except (Damaged, ValueError, TypeError, KeyError) as exc:
        try:
            raw = path.read_bytes()
        except OSError:
            raw = b""
        set_aside(path, str(exc))
        docs = recover(weeks_dir, week, raw)
        if docs and repair:
            write_week(weeks_dir, week, docs)
        return docs or None


def repair_week(weeks_dir: Path, week: str) -> Locations | None:
    """Write again a week file found damaged: ``read_partition`` sets it aside and
    recovers its documents (logged with counts), then the week is written from them.
    Returns where each document now is; None when nothing came back (or the file is
    gone). Blocking: run it in a thread or the worker process."""
    docs = read_partition(weeks_dir, week)
    if docs is None:
        return None
    return write_week(weeks_dir, week, docs)


def recover(
    weeks_dir: Path, week: str, damaged: bytes, *, state: str = "is damaged"
) -> dict[str, Doc]:
    """A damaged week's articles: those in its copy, and those still whole in the damaged
    bytes (one document per line). Logged in one line; what the index holds beyond them
    is counted as lost by the store."""
    try:
        copy = read_copy(weeks_dir, week)
        kept = documents_of(copy) if copy is not None else {}
        how = "its copy" if copy is not None else "no copy"
    except SchemaTooNew:
        raise
    except (Damaged, ValueError, TypeError, KeyError) as exc:
        set_aside(copy_path(weeks_dir, week), str(exc))
        kept, how = {}, "its copy damaged too"
    readable = _salvaged(damaged)
    docs = {**kept, **readable}
    log.warning(
        "partition %s.json %s: recovered %d of its articles (%d from %s, %d still whole in it)",
        week,
        state,
        len(docs),
        len(kept),
        how,
        len(readable),
    )
    return docs


def restore_from_copy(weeks_dir: Path, week: str) -> bool:
    """A week whose file is gone but whose copy is there (set aside by a process killed
    before it wrote the week again): written again from the copy. False when it cannot be."""
    docs = recover(weeks_dir, week, b"", state="is missing")
    if not docs:
        return False
    write_week(weeks_dir, week, docs)
    return True


def _salvaged(raw: bytes) -> dict[str, Doc]:
    docs = {}
    for doc in salvage(raw):
        if isinstance(doc.get("id"), str) and isinstance(doc.get("event_time"), (int, float)):
            try:
                docs[doc["id"]] = migrate(doc, 1)
            except (KeyError, TypeError, ValueError):
                continue
    return docs


def check_week(weeks_dir: Path, week: str) -> bool:
    """Check a week's copy and search sidecar against its week file and rewrite what does
    not match (a damaged one is set aside or logged first). False when the week file
    itself is damaged (``read_partition`` recovers it); blocking: run it in a thread."""
    try:
        raw = partition_path(weeks_dir, week).read_bytes()
    except FileNotFoundError:
        return True
    try:
        copy: bytes | None = read_copy(weeks_dir, week)
    except Damaged as exc:
        set_aside(copy_path(weeks_dir, week), str(exc))
        copy = b""
    docs: dict[str, Doc] | None = None
    if copy != raw:
        try:
            docs = documents_of(raw)
        except (Damaged, ValueError, TypeError, KeyError):
            return False
        if copy is not None and copy:  # an older one: a crash between the two writes
            log.info("the copy of %s was behind its week file; rewritten", week)
        write_copy(weeks_dir, week, raw)
    if not search_intact(weeks_dir, week):
        if docs is None:
            try:
                docs = documents_of(raw)
            except (Damaged, ValueError, TypeError, KeyError):
                return False
        write_search(
            weeks_dir, week, sorted(docs.values(), key=lambda d: (d["event_time"], d["id"]))
        )
    return True


IDX_COLUMNS = ("ids", "t", "off", "len", "fp", "guilds", "ents")


def read_idx(weeks_dir: Path, week: str) -> dict[str, Any] | None:
    """One week's index file; None when missing or set aside (then rebuilt by the caller)."""
    path = idx_path(weeks_dir, week)
    try:
        tables = _open_tables(path)
        if tables is None:
            return None
        data = tables[INDEX_TABLE].get(doc_id=1) if INDEX_TABLE in tables else None
        if not isinstance(data, dict) or data.get("week") != week:
            raise Damaged("not an index file of this week")
        if check_version(data.get("schema_version")) != ARTICLE_SCHEMA_VERSION:
            return None  # older layout: rebuilt from the (migrated) partition
        n = len(data.get("ids") or ())
        if any(len(data.get(c) or ()) != n for c in IDX_COLUMNS):
            raise Damaged("columns of different lengths")
        for key in ("ukey", "guild_table", "key_table", "post"):
            if key not in data:
                raise Damaged(f"no {key}")
        return dict(data)
    except SchemaTooNew:
        raise
    except (Damaged, ValueError, TypeError) as exc:
        set_aside(path, str(exc))
        return None


def search_intact(weeks_dir: Path, week: str) -> bool:
    """Whether the week's search file is there and whole (a damaged one is logged)."""
    return _search_body(weeks_dir, week) is not None


def read_search(weeks_dir: Path, week: str) -> str:
    """The week's search text ("" when missing, or when its header does not match what
    follows: a truncated or damaged file is only derived data, rebuilt by the caller)."""
    return _search_body(weeks_dir, week) or ""


def _search_body(weeks_dir: Path, week: str) -> str | None:
    path = search_path(weeks_dir, week)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("%s is unreadable (%s); rebuilding it", path.name, exc)
        return None
    end = raw.find(b"\n")
    header = raw[:end].decode("ascii", "replace").split() if end != -1 else []
    fields = dict(f.split("=", 1) for f in header[2:] if "=" in f)
    body = raw[end + 1 :]
    try:
        intact = (
            header[:2] == SEARCH_MAGIC.split()
            and int(fields["bytes"]) == len(body)
            and int(fields["crc"], 16) == zlib.crc32(body)
        )
        text = body.decode("utf-8") if intact else ""
    except (KeyError, ValueError):
        intact, text = False, ""
    if not intact:
        log.warning("%s is truncated or damaged; rebuilding it", path.name)
        return None
    return text
