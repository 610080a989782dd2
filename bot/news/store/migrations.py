"""Schema versions of the store's files, and the steps that bring old documents up to date.

Every file the store writes carries ``schema_version``. A document read from an older file
goes through ``migrate`` (each step turns version N into N+1) before anything else sees it;
a file from a newer version than this code knows is refused rather than misread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.news.store.errors import SchemaTooNew

ARTICLE_SCHEMA_VERSION = 1

Doc = dict[str, Any]

# version N -> function turning a version-N article document into a version-N+1 one.
# Version 1 is the first; the next schema change adds ``1: _v1_to_v2`` here.
MIGRATIONS: dict[int, Callable[[Doc], Doc]] = {}


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
