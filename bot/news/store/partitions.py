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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bot.news.atomic import set_aside, write_atomic
from bot.news.model import article_id_for, fold, person_key
from bot.news.store.migrations import SCHEMA_VERSION, SchemaTooNew, check_version, migrate

log = logging.getLogger(__name__)

Doc = dict[str, Any]
# id, event_time, guilds, country codes, person keys, fingerprint, canonical-URL hash
Row = list[Any]

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


def row_of(doc: Doc) -> Row:
    return [
        doc["id"],
        doc["event_time"],
        doc.get("guilds") or {},
        [c["code"] for c in doc.get("countries", ())],
        [person_key(p["name"]) for p in doc.get("persons", ())],
        doc.get("fingerprint") or "",
        url_key(doc.get("canonical_url") or ""),
    ]


def search_text(doc: Doc) -> str:
    return fold(f"{doc.get('title') or ''} {doc.get('summary') or ''}").replace("\t", " ")


def weeks_on_disk(weeks_dir: Path) -> set[str]:
    return {p.name[: -len(".json")] for p in weeks_dir.glob("*-W[0-9][0-9].json")}


def write_week(weeks_dir: Path, week: str, docs: dict[str, Doc]) -> None:
    """Write one week's partition and sidecars (blocking: run it in a thread)."""
    if not docs:
        for path in (idx_path(weeks_dir, week), search_path(weeks_dir, week)):
            path.unlink(missing_ok=True)
        partition_path(weeks_dir, week).unlink(missing_ok=True)
        return
    ordered = sorted(docs.values(), key=lambda d: (d["event_time"], d["id"]))
    tinydb = {
        META_TABLE: {"1": {"schema_version": SCHEMA_VERSION, "week": week}},
        ARTICLES_TABLE: {str(n): doc for n, doc in enumerate(ordered, 1)},
    }
    write_atomic(partition_path(weeks_dir, week), orjson.dumps(tinydb))
    write_search(weeks_dir, week, ordered)
    names = {person_key(p["name"]): p["name"] for d in ordered for p in d.get("persons", ())}
    idx = {
        "schema_version": SCHEMA_VERSION,
        "week": week,
        "rows": [row_of(d) for d in ordered],
        "names": names,
    }
    write_atomic(idx_path(weeks_dir, week), orjson.dumps(idx))


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


def read_idx(weeks_dir: Path, week: str) -> tuple[list[Row], dict[str, str]] | None:
    """One week's index rows and person names; None when missing or set aside."""
    path = idx_path(weeks_dir, week)
    try:
        data = _read_json(path)
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            raise ValueError("not an index file")
        check_version(data.get("schema_version"))
        rows, names = data["rows"], data.get("names") or {}
        for row in rows:
            if not isinstance(row, list) or len(row) != 7:
                raise ValueError("a row is malformed")
        return rows, names
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
