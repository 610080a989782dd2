"""Everything newsbot persists, behind one async interface (``interface.py``).

``open_store(settings_or_url)`` returns a ``Store``: ``articles``, ``guilds``, ``feeds``
and ``claims``, each a concern of ``interface.py``. Backends: ``tinydb/`` (the embedded
default, in the data folder) and ``postgres/``, chosen by ``NEWSBOT_DATABASE_URL``
(``url.py``). Errors are ``errors.StoreError`` subclasses. Nothing outside this package
imports tinydb or a database driver.

The TinyDB article engine (``tinydb/store.py`` and its parts) keeps, in ``<folder>/articles``::

    journal-000042.log         appended + fsynced per add (journal.py); folded into the
                               week files in the background, then deleted
    weeks/2026-W48.json        a TinyDB database per ISO week of event_time (partitions.py)
    weeks/2026-W48.idx.json    that week's index rows; weeks/2026-W48.search.txt its text
    index.snapshot             all index rows in one file, for a fast start (snapshot.py)
    lock                       one writing process at a time

Every file carries ``schema_version``; ``migrations.py`` upgrades old documents.
"""

from bot.news.store.errors import (
    BadStoreURL,
    SchemaTooNew,
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreUnreachable,
)
from bot.news.store.interface import (
    Articles,
    Companion,
    DigestClaims,
    EntityCard,
    Feeds,
    GuildDigests,
    Guilds,
    Store,
    StoreStats,
)
from bot.news.store.migrations import ARTICLE_SCHEMA_VERSION
from bot.news.store.opening import open_store, store_url_of
from bot.news.store.tinydb.store import ArticleStore
from bot.news.store.url import StoreURL, parse_store_url

# The guild id the command line works in (``newsbot ingest`` stores there by default).
CLI_GUILD = "cli"

__all__ = [
    "ARTICLE_SCHEMA_VERSION",
    "CLI_GUILD",
    "ArticleStore",
    "Articles",
    "BadStoreURL",
    "Companion",
    "DigestClaims",
    "EntityCard",
    "Feeds",
    "GuildDigests",
    "Guilds",
    "SchemaTooNew",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreReadOnly",
    "StoreStats",
    "StoreURL",
    "StoreUnreachable",
    "open_store",
    "parse_store_url",
    "store_url_of",
]
