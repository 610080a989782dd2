"""The article store: TinyDB week partitions, a durable journal and in-memory indexes.

``ArticleStore`` (``store.py``) is the one interface the rest of newsbot uses. On disk,
in ``settings.articles_dir``::

    journal-000042.log         appended + fsynced per add (journal.py); folded into the
                               week files in the background, then deleted
    weeks/2026-W48.json        a TinyDB database per ISO week of event_time (partitions.py)
    weeks/2026-W48.idx.json    that week's index rows; weeks/2026-W48.search.txt its text
    index.snapshot             all index rows in one file, for a fast start (snapshot.py)
    lock                       one writing process at a time

Every file carries ``schema_version``; ``migrations.py`` upgrades old documents.
"""

from bot.news.store.migrations import SCHEMA_VERSION
from bot.news.store.store import ArticleStore, StoreBusy

# The guild id the command line works in (``newsbot ingest`` stores there by default).
CLI_GUILD = "cli"

__all__ = ["CLI_GUILD", "SCHEMA_VERSION", "ArticleStore", "StoreBusy"]
