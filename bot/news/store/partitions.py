"""Week partitions on disk: one TinyDB file per ISO week of ``event_time``, plus two sidecars.

``2026-W48.json``        the TinyDB database: table ``articles`` (documents without ``text``)
                         and table ``_meta`` (``schema_version``, ``week``).
``2026-W48.idx.json``    the index rows of that week (id, time, guilds, entities, dedupe keys):
                         start-up reads these, never the partitions themselves.
``2026-W48.search.txt``  ``id<TAB>folded title and summary`` per line, read by ``search``.

Every file is written whole with ``write_atomic`` (temp file, fsync, replace), from a
worker thread. The sidecars are derived data: a missing or damaged one is rebuilt from
the partition; a damaged partition is set aside and the rest of the store keeps serving.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bot.news.atomic import set_aside, write_atomic
from bot.news.model import article_id_for, fold, person_key
from bot.news.store.migrations import SCHEMA_VERSION, SchemaTooNew, check_version, migrate

log = logging.getLogger(__name__)

Doc = dict[str, Any]

ARTICLES_TABLE = "articles"
META_TABLE = "_meta"
SEARCH_HEADER = f"# newsbot-search schema_version={SCHEMA_VERSION}\n"


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
        "schema_version": SCHEMA_VERSION,
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


def write_week(weeks_dir: Path, week: str, docs: dict[str, Doc]) -> dict[str, tuple[int, int]]:
    """Write one week's partition and sidecars (blocking: run it in a thread).

    Returns where each document's bytes sit in the partition file, (offset, length):
    one document per line, so that one article can be read without parsing its week.
    """
    if not docs:
        for path in (idx_path(weeks_dir, week), search_path(weeks_dir, week)):
            path.unlink(missing_ok=True)
        partition_path(weeks_dir, week).unlink(missing_ok=True)
        return {}
    payload, locs, ordered = encode_week(week, docs)
    write_atomic(partition_path(weeks_dir, week), payload)
    write_search(weeks_dir, week, ordered)
    write_atomic(idx_path(weeks_dir, week), orjson.dumps(index_of(week, ordered, locs)))
    return locs


def encode_week(
    week: str, docs: dict[str, Doc]
) -> tuple[bytes, dict[str, tuple[int, int]], list[Doc]]:
    """The partition file's bytes, each document's (offset, length), the ordered documents."""
    ordered = sorted(docs.values(), key=lambda d: (d["event_time"], d["id"]))
    meta = orjson.dumps({"1": {"schema_version": SCHEMA_VERSION, "week": week}})
    chunks = [b'{"%s": %s,\n"%s": {\n' % (META_TABLE.encode(), meta, ARTICLES_TABLE.encode())]
    pos = len(chunks[0])
    locs: dict[str, tuple[int, int]] = {}
    for n, doc in enumerate(ordered, 1):
        key = b'%s"%d": ' % (b",\n" if n > 1 else b"", n)
        raw = orjson.dumps(doc)
        locs[doc["id"]] = (pos + len(key), len(raw))
        chunks += (key, raw)
        pos += len(key) + len(raw)
    chunks.append(b"\n}}\n")
    return b"".join(chunks), locs, ordered


def read_one(fd: int, article_id: str, offset: int, length: int) -> Doc | None:
    """One document read at its offset; None when the file no longer matches the index."""
    try:
        doc = orjson.loads(os.pread(fd, length, offset))
    except (OSError, orjson.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) and doc.get("id") == article_id else None


def write_search(weeks_dir: Path, week: str, docs: list[Doc]) -> None:
    lines = [SEARCH_HEADER, *(f"{d['id']}\t{search_text(d)}\n" for d in docs)]
    write_atomic(search_path(weeks_dir, week), "".join(lines).encode("utf-8"))


def _read_json(path: Path) -> Any | None:
    """Parse a JSON file; missing is None; unreadable raises ValueError (caller sets aside)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None


def read_partition(weeks_dir: Path, week: str) -> dict[str, Doc] | None:
    """The documents of one week by id; None if the file is missing or was set aside."""
    path = partition_path(weeks_dir, week)
    try:
        data = _read_json(path)
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get(ARTICLES_TABLE, {}), dict):
            raise ValueError("not a TinyDB database")
        meta = next(iter((data.get(META_TABLE) or {}).values()), {})
        version = check_version(meta.get("schema_version"))
        docs: dict[str, Doc] = {}
        for doc in data.get(ARTICLES_TABLE, {}).values():
            if not isinstance(doc, dict) or "id" not in doc or "event_time" not in doc:
                raise ValueError("an article document lacks id or event_time")
            doc = migrate(doc, version)
            docs[doc["id"]] = doc
        return docs
    except SchemaTooNew as exc:
        log.error("partition %s was written by a newer newsbot (%s); not reading it", path, exc)
        raise
    except (ValueError, TypeError, KeyError) as exc:
        set_aside(path, str(exc))
        return None


IDX_COLUMNS = ("ids", "t", "off", "len", "fp", "guilds", "ents")


def read_idx(weeks_dir: Path, week: str) -> dict[str, Any] | None:
    """One week's index file; None when missing or set aside (then rebuilt by the caller)."""
    path = idx_path(weeks_dir, week)
    try:
        data = _read_json(path)
        if data is None:
            return None
        if not isinstance(data, dict) or data.get("week") != week:
            raise ValueError("not an index file of this week")
        if check_version(data.get("schema_version")) != SCHEMA_VERSION:
            return None  # older layout: rebuilt from the (migrated) partition
        n = len(data.get("ids") or ())
        if any(len(data.get(c) or ()) != n for c in IDX_COLUMNS):
            raise ValueError("columns of different lengths")
        for key in ("ukey", "guild_table", "key_table", "post"):
            if key not in data:
                raise ValueError(f"no {key}")
        return data
    except SchemaTooNew:
        raise
    except (ValueError, TypeError) as exc:
        set_aside(path, str(exc))
        return None


def read_search(weeks_dir: Path, week: str) -> str:
    """The week's search text ("" when missing; a damaged file is only derived data)."""
    try:
        text = search_path(weeks_dir, week).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("search file of %s unreadable (%s); rebuilding it", week, exc)
        return ""
    return text if text.startswith("# newsbot-search") else ""
