"""The ``meta`` table every small TinyDB file (settings, feeds, claims) carries: its
format version, so an older newsbot refuses a file a newer one wrote."""

from __future__ import annotations

from pathlib import Path

from tinydb.table import Table

from bot.news.store.errors import SchemaTooNew


def check_file_version(meta: Table, current: int, path: Path, *, read_only: bool = False) -> None:
    """Stamp a new file with ``current``; ``SchemaTooNew`` for a file of a newer version."""
    docs = meta.all()
    version = docs[0].get("schema_version") if docs else None
    if version is None:
        if not read_only:
            if docs:  # a meta table without a version: only hand edits make one
                meta.truncate()
            meta.insert({"schema_version": current})
        return
    if not isinstance(version, int) or version > current:
        raise SchemaTooNew(
            f"{path} was written by a newer newsbot (schema version {version!r}; "
            f"this one reads up to {current}): upgrade newsbot or restore a backup."
        )
