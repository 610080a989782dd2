"""Schema versions of the store's files, and the steps that bring old documents up to date.

Every file the store writes carries ``schema_version``. A document read from an older file
goes through ``migrate`` (each step turns version N into N+1) before anything else sees it;
a file from a newer version than this code knows is refused rather than misread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.news.model import person_key
from bot.news.store.errors import SchemaTooNew

ARTICLE_SCHEMA_VERSION = 2

Doc = dict[str, Any]


def _v1_to_v2(doc: Doc) -> Doc:
    """Version 2 writes every apostrophe of a person key as "'" (``person_key``). The index
    files and the snapshot of version 1 are rebuilt from the documents (their keys are
    derived from the names); the one key a document stores is its person developments'."""
    developments = []
    for development in doc.get("developments") or ():
        if isinstance(development, dict) and development.get("kind") == "person":
            development = {**development, "key": person_key(str(development.get("key", "")))}
        developments.append(development)
    if "developments" in doc:
        doc["developments"] = developments
    return doc


# version N -> function turning a version-N article document into a version-N+1 one.
MIGRATIONS: dict[int, Callable[[Doc], Doc]] = {1: _v1_to_v2}


def _too_new(version: int) -> SchemaTooNew:
    return SchemaTooNew(
        f"The data was written by a newer newsbot (schema version {version}; this one reads "
        f"up to {ARTICLE_SCHEMA_VERSION}): upgrade newsbot or restore a backup."
    )


def migrate(doc: Doc, version: int) -> Doc:
    """Bring one article document from ``version`` to ``ARTICLE_SCHEMA_VERSION``."""
    if version > ARTICLE_SCHEMA_VERSION:
        raise _too_new(version)
    while version < ARTICLE_SCHEMA_VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
    return doc


def check_version(version: Any) -> int:
    """Validate a file's ``schema_version`` field; a missing one means version 1."""
    if version is None:
        return 1
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"bad schema_version {version!r}")
    if version > ARTICLE_SCHEMA_VERSION:
        raise _too_new(version)
    return version
